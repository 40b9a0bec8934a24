/**
 * `npm run chaos`: the fault-injection run of issue 10. On loopback only: its own
 * mongo-java-server (H2 file), the platform simulators of test/fakes in this process,
 * two bot processes on one database; conversations across webhook, Slack, Discord and X
 * with every resolution delivered 3 times, customers answering (score, comment; unclear
 * replies, opt-outs), random kill -9 of a bot (restarted), database restarts (one plain,
 * some timed right after a question was accepted), 429/5xx storms, fuzzed replies; then a
 * bounded drain until nothing is owed. Ends by itself and prints one JSON line (details and logs stay
 * in the run's directory, named on stderr). Sizes are settings; see README
 * "Fault-injection run (npm run chaos)".
 */
import { mkdtempSync, existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { prng } from '../../test/helpers/prng.ts';
import { parseReply } from '../../src/conversation/reply-parser.ts';
import { SurveyEngine } from '../../src/conversation/engine.ts';
import { Outbox } from '../../src/conversation/outbox.ts';
import { Templates } from '../../src/conversation/templates.ts';
import { silentLogger } from '../../src/logger.ts';
import { BotPool, API_TOKEN } from './bot-pool.ts';
import { fuzzBody, fuzzText } from './fuzz.ts';
import { kindOf, Platforms, type BotMessage, type Conversation, type MessageKind, type PlatformName } from './platforms.ts';
import { BotSlot, ChaosDatabase, freePort, sleep, type CrashRecord } from './processes.ts';

// ── settings ──────────────────────────────────────────────────────────────────

function intSetting(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    console.error(`chaos: ${name}: expected a whole number ≥ ${min} (got "${raw}")`);
    process.exit(2);
  }
  return n;
}

const settings = {
  conversations: intSetting('CHAOS_CONVERSATIONS', 1000, 4),
  fuzzReplies: intSetting('CHAOS_FUZZ', 40_000),
  minKills: intSetting('CHAOS_KILLS', 10),
  killEverySeconds: intSetting('CHAOS_KILL_EVERY_SECONDS', 12, 2),
  startsPerSecond: intSetting('CHAOS_STARTS_PER_SECOND', 5, 1),
  fuzzConcurrency: intSetting('CHAOS_FUZZ_CONCURRENCY', 24, 1),
  stormEverySeconds: intSetting('CHAOS_STORM_EVERY_SECONDS', 40, 5),
  stormSeconds: intSetting('CHAOS_STORM_SECONDS', 12, 1),
  leaseSeconds: intSetting('CHAOS_LEASE_SECONDS', 5, 5),
  expireHours: intSetting('CHAOS_EXPIRE_HOURS', 1, 1),
  settleSeconds: intSetting('CHAOS_SETTLE_SECONDS', 90, 10),
  maxMinutes: intSetting('CHAOS_MAX_MINUTES', 10, 3),
  seed: intSetting('CHAOS_SEED', 1),
  /** Database kills timed the moment a platform accepted a question (before the bot can record it). */
  dbKillsAfterSend: intSetting('CHAOS_DB_KILLS_AFTER_SEND', 2),
  /** After the faults stop: wait (at most this long) until nothing is owed, scheduled or paced, before counting. */
  drainSeconds: intSetting('CHAOS_DRAIN_SECONDS', 120, 10),
  keepDir: process.env.CHAOS_KEEP === '1',
};

/**
 * X allows 200 DM sends per 15 minutes per user (the fake enforces it, the bots' shared
 * budget paces to it: 100 at once after a quiet spell, the rest spread over the window).
 * The run gives X only the conversations that budget can serve in the run's time, at
 * about 4 DMs each, after ~40 for the fuzz targets' surveys; the others go to the rest.
 */
const X_DMS_PER_15_MIN = 200;
const X_BURST = 100;
const xConversations = intSetting('CHAOS_X_CONVERSATIONS',
  Math.max(4, Math.floor((X_BURST + X_DMS_PER_15_MIN * settings.maxMinutes / 15 - 40) / 4)), 0);

const rng = prng(settings.seed);
const fuzzRng = prng(settings.seed + 1);
const t0 = Date.now();
/** Customers and fuzz stop starting new work here, leaving time to settle and check. */
const phaseDeadline = t0 + (settings.maxMinutes * 60 - settings.settleSeconds - 45) * 1000;
/** When a fault is due: a share of the customer phase (by time, so a slow machine still gets them). */
const phaseAt = (share: number) => t0 + share * (phaseDeadline - t0);
const log = (msg: string) => process.stderr.write(`chaos +${Math.round((Date.now() - t0) / 1000)}s: ${msg}\n`);

// ── what the run records ──────────────────────────────────────────────────────

type AnswerKind = 'score' | 'scoreComment' | 'comment' | 'optout';
interface AnswerRecord { kind: AnswerKind; score?: number; ref?: string; accepted: boolean; at: number; status: number; body?: string }
interface ConvRecord {
  conv: Conversation;
  plan: string;
  resolutionsAccepted: number;
  answers: AnswerRecord[];
  unclearSent: number;
  noQuestion?: boolean;
  noFollowup?: boolean;
  noReprompt?: boolean;
  /** The unclear reply's delivery (not an answer to store, so not in `answers`). */
  unclear?: { accepted: boolean; status: number; at: number };
  /** When the score that asks for a follow-up was accepted. */
  scoredAt?: number;
  done: boolean;
}

const records: ConvRecord[] = [];
const kills: Array<{ slot: string; at: number }> = [];
const crashes: CrashRecord[] = [];
const fuzzStatuses: Record<string, number> = {};
let fuzzSent = 0;
let stormMs = 0;
let stormsStarted = 0;

// ── the run ───────────────────────────────────────────────────────────────────

const dir = mkdtempSync(join(tmpdir(), 'nps-chaos-'));
const db = new ChaosDatabase(dir);
const pool = new BotPool([], rng);
const platforms = new Platforms(pool, rng);
const slots: BotSlot[] = [];

/** Nothing may outlive the run, whatever happens. */
function killEverything(): void {
  for (const s of slots) s.forceKill();
  const pidFile = join(db.dir, 'pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    try { if (pid) process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
process.on('exit', killEverything);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { killEverything(); process.exit(130); });

const UNCLEAR = ['hmm, hard to say', 'what do you mean?', 'not sure yet', 'ok', 'who is this?', 'maybe later', 'pardon?']
  .filter((t) => { const p = parseReply(t); return p.score === null && !p.optOut; });
const WORDS = ['quick', 'friendly', 'slow', 'helpful', 'confusing', 'clear', 'patient', 'rushed', 'kind', 'thorough'];

function letters(n: number): string {
  let s = '';
  do { s = String.fromCharCode(97 + (n % 26)) + s; n = Math.floor(n / 26); } while (n > 0);
  return s;
}
function pick<T>(list: readonly T[]): T { return list[Math.floor(rng() * list.length)]!; }

async function waitFor(conv: Conversation, kinds: MessageKind[], from: number, ms: number): Promise<BotMessage | null> {
  const deadline = Math.min(Date.now() + ms, phaseDeadline + settings.settleSeconds * 500);
  for (;;) {
    const hit = conv.messages.slice(from).find((m) => kinds.includes(m.kind));
    if (hit) return hit;
    if (Date.now() > deadline) return null;
    await sleep(150);
  }
}

async function think(): Promise<void> {
  await sleep(200 + rng() * 1500);
}

async function send(rec: ConvRecord, kind: AnswerKind, reply: { text: string } | { button: { score: number; ref: string } }, extra: { score?: number; ref?: string }): Promise<boolean> {
  const r = await platforms.answer(rec.conv, reply);
  rec.answers.push({ kind, ...extra, accepted: r.accepted, at: Date.now(), status: r.status, ...(r.body ? { body: r.body.slice(0, 200) } : {}) });
  return r.accepted;
}

/** One customer: the resolution delivered 3 times, then the answers the plan says. */
async function customer(rec: ConvRecord): Promise<void> {
  const conv = rec.conv;
  for (let n = 0; n < 3; n++) {
    if (await platforms.resolve(conv, n)) rec.resolutionsAccepted++;
    await sleep(rng() * 1000);
  }
  const question = await waitFor(conv, ['question'], 0, 120_000);
  if (!question) { rec.noQuestion = true; return; }
  if (rec.plan === 'silent') return;
  await think();
  if (rec.plan === 'optout') {
    await send(rec, 'optout', { text: pick(['stop', 'STOP', 'unsubscribe', 'Stop please']) }, {});
    return;
  }
  if (rec.plan === 'unclear') {
    const before = conv.messages.length;
    rec.unclearSent++;
    const r = await platforms.answer(conv, { text: pick(UNCLEAR) });
    rec.unclear = { accepted: r.accepted, status: r.status, at: Date.now() };
    if (!await waitFor(conv, ['reprompt'], before, 60_000)) rec.noReprompt = true;
    await think();
  }
  const score = Math.floor(rng() * 11);
  const ref = `ref ${letters(conv.index + 1000)}`;
  if (rec.plan === 'withComment') {
    await send(rec, 'scoreComment', { text: `${score} - ${pick(WORDS)} help, ${ref}` }, { score, ref });
    return;
  }
  const before = conv.messages.length;
  const latestQuestion = [...conv.messages].reverse().find((m) => m.kind === 'question');
  const button = latestQuestion?.buttons.find((b) => b.score === score);
  const useButton = conv.platform !== 'webhook' && button !== undefined && rng() < 0.4;
  const accepted = await send(rec, 'score', useButton ? { button: button! } : { text: pick([String(score), `${score}/10`, `I'd say ${score}`]) }, { score });
  if (!accepted || rec.plan === 'scoreOnly') return;
  rec.scoredAt = Date.now();
  if (!await waitFor(conv, ['followup'], before, 60_000)) { rec.noFollowup = true; return; }
  await think();
  await send(rec, 'comment', { text: `The agent was ${pick(WORDS)}, ${ref}` }, { ref });
  await waitFor(conv, ['thanks'], before, 20_000);
}

function planFor(): string {
  const r = rng();
  if (r < 0.55) return 'full';
  if (r < 0.65) return 'withComment';
  if (r < 0.8) return 'unclear';
  if (r < 0.9) return 'optout';
  if (r < 0.95) return 'scoreOnly';
  return 'silent';
}

// ── faults ────────────────────────────────────────────────────────────────────

let faultsOn = true;
let dbRestartDone = false;

/** Sleep, but wake up early once the faults are turned off. */
async function faultSleep(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (faultsOn && Date.now() < until) await sleep(Math.min(250, until - Date.now()));
}

async function killer(): Promise<void> {
  await faultSleep(8000);
  while (faultsOn) {
    await faultSleep(settings.killEverySeconds * 1000 * (0.6 + 0.8 * rng()));
    if (!faultsOn) break;
    const ready = slots.filter((s) => s.ready);
    if (ready.length < slots.length) continue; // one at a time: the other process must be up
    if (dbRestarting > 0) continue; // one fault at a time: not while the database is away
    const victim = pick(ready);
    victim.kill9();
    kills.push({ slot: victim.name, at: Date.now() });
    log(`kill -9 bot ${victim.name} (kill ${kills.length})`);
    await sleep(500 + rng() * 2000);
    // A process started while the database is away exits at once (it cannot connect): start it after.
    while (dbRestarting > 0) await sleep(250);
    await victim.start().catch((err: unknown) => log(`restart of ${victim.name} failed: ${String(err)}`));
  }
}

/**
 * Kill the database the moment the webhook platform accepts a question, a few times over
 * the run (the first question accepted after each of n evenly spread times, away from the
 * plain restart at 50 %): the bot has sent, and cannot record it.
 */
function killDatabaseAfterSends(): void {
  let done = 0;
  let restarting = false;
  const n = settings.dbKillsAfterSend;
  const dueAt = (k: number) => phaseAt(n === 1 ? 0.2 : 0.2 + (0.6 * k) / (n - 1));
  platforms.receiver.onAccept = (body) => {
    if (!faultsOn || restarting || done >= n || kindOf(String(body.text ?? '')) !== 'question') return;
    if (Date.now() < dueAt(done)) return;
    done++;
    restarting = true;
    log(`database: killed right after a question was accepted (${done}/${settings.dbKillsAfterSend})`);
    void restartDatabase().then(() => log('database: answering again')).finally(() => { restarting = false; });
  };
}

/** One database restart at a time (a timed kill and the plain restart may fall close together). */
let dbQueue: Promise<void> = Promise.resolve();
let dbRestarting = 0;
function restartDatabase(): Promise<void> {
  dbRestarting++;
  dbQueue = dbQueue.catch(() => undefined).then(() => db.restart()).finally(() => { dbRestarting--; });
  return dbQueue;
}

async function databaseRestart(): Promise<void> {
  log('database: stop');
  await restartDatabase();
  dbRestartDone = true;
  log(`database: answering again (outage ${Math.round((db.outages.at(-1)![1] - db.outages.at(-1)![0]) / 100) / 10} s)`);
}

function setStorm(storm: { status: number; retryAfterSec?: number; share: number } | null): void {
  platforms.receiver.storm = storm;
  platforms.slack.storm = storm;
  platforms.x.storm = storm;
  platforms.discord.storm = storm;
}

async function stormer(): Promise<void> {
  await faultSleep(5000);
  while (faultsOn) {
    await faultSleep(settings.stormEverySeconds * 1000 * (0.5 + rng()));
    if (!faultsOn) break;
    const storm = rng() < 0.5 ? { status: 429, retryAfterSec: 1 + Math.floor(rng() * 2), share: 0.6 } : { status: pick([500, 502, 503]), share: 0.6 };
    stormsStarted++;
    log(`storm: ${storm.status} on ${Math.round(storm.share * 100)}% of platform API calls for ${settings.stormSeconds} s`);
    const from = Date.now();
    setStorm(storm);
    await faultSleep(settings.stormSeconds * 1000);
    setStorm(null);
    stormMs += Date.now() - from;
  }
}

// ── fuzz ──────────────────────────────────────────────────────────────────────

interface FuzzTargets { webhook: string[]; x: string[]; slack: string[]; discord: string[] }

async function fuzzWorker(targets: FuzzTargets): Promise<void> {
  const maxChars = 60 * 1024 / 4; // inside BODY_LIMIT_KB (64) even at 4 bytes a character, mostly
  while (fuzzSent < settings.fuzzReplies && Date.now() < phaseDeadline) {
    fuzzSent++;
    const r = fuzzRng();
    const platform: PlatformName = r < 0.7 ? 'webhook' : r < 0.85 ? 'slack' : r < 0.97 ? 'x' : 'discord';
    const customerId = targets[platform][Math.floor(fuzzRng() * targets[platform].length)]!;
    const oversize = fuzzRng() < 0.002;
    const text = oversize ? 'x'.repeat(70 * 1024) : fuzzText(fuzzRng, maxChars);
    const raw = platform === 'webhook' && fuzzRng() < 0.03 ? fuzzBody(fuzzRng, customerId) : undefined;
    const status = await platforms.fuzz(platform, customerId, text, raw);
    const key = `${platform}:${status}`;
    fuzzStatuses[key] = (fuzzStatuses[key] ?? 0) + 1;
    if (platform === 'discord') await sleep(20);
  }
}

// ── checks ────────────────────────────────────────────────────────────────────

const FINAL = new Set(['completed', 'skipped', 'expired', 'failed']);

interface SurveyRow {
  channel: string; conversationId: string; state: string; score?: number | null; comment?: string | null; skipReason?: string | null;
  expiresAt?: Date | null; reprompts?: number; lastError?: string | null; customer: { id: string };
  askAt?: Date | null; owed?: { key: string; dueAt: Date; attempts: number } | null; notes?: Array<{ dueAt: Date }>;
}

/** Waiting for a send: not yet asked, or a message owed (a re-send after a fault, or a paced one). */
function owesSomething(s: SurveyRow): boolean {
  return s.state === 'scheduled' || s.state === 'sending' || !!s.owed || (s.notes?.length ?? 0) > 0;
}

/** A send put off by a platform's rate limit or the shared send budget (X's 200 DMs per 15 minutes). */
function paced(s: SurveyRow): boolean {
  return owesSomething(s) && /budget|rate.?limit|ratelimited|429|retry after/i.test(s.lastError ?? '');
}

async function readSurveys(): Promise<SurveyRow[]> {
  const conn = await mongoose.createConnection(db.uri, { dbName: 'chaos', serverSelectionTimeoutMS: 20_000 }).asPromise();
  try {
    return await conn.collection('surveys').find({}).toArray() as unknown as SurveyRow[];
  } finally {
    await conn.close();
  }
}

async function optOutIds(): Promise<Set<string>> {
  const conn = await mongoose.createConnection(db.uri, { dbName: 'chaos', serverSelectionTimeoutMS: 20_000 }).asPromise();
  try {
    const rows = await conn.collection('opt_outs').find({}, { projection: { _id: 1 } }).toArray();
    return new Set(rows.map((r) => String(r._id)));
  } finally {
    await conn.close();
  }
}

function stuckOf(rows: SurveyRow[], now: number): SurveyRow[] {
  return rows.filter((s) => !FINAL.has(s.state)
    && !((s.state === 'asked' || s.state === 'scored') && s.expiresAt && new Date(s.expiresAt).getTime() > now));
}

/** Close what the run's expiry would close, with the engine's clock moved past EXPIRE_HOURS. */
async function expiryPass(): Promise<void> {
  const conn = await mongoose.createConnection(db.uri, { dbName: 'chaos', serverSelectionTimeoutMS: 20_000 }).asPromise();
  try {
    const future = new Date(Date.now() + settings.expireHours * 3_600_000 + 60_000);
    const logger = silentLogger();
    const engine = new SurveyEngine({
      conn, outbox: new Outbox(new Map(), { logger }), templates: new Templates({}, undefined), logger, now: () => future,
      settings: {
        fatigueMs: 30 * 86_400_000, askDelayMs: 0, expireMs: settings.expireHours * 3_600_000, maxReprompts: 1, staffIds: [], botIds: [],
        leaseMs: settings.leaseSeconds * 1000, defaultLocale: 'en', maxCommentChars: 2000,
      },
    });
    await engine.expireDue();
  } finally {
    await conn.close();
  }
}

// ── main ──────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  log(`run directory ${dir}`);
  await db.start();
  log(`database on ${db.uri} (H2 ${db.dataFile})`);
  await platforms.start();
  const common: Record<string, string> = {
    ...platforms.botEnv(),
    MONGODB_URI: `${db.uri}chaos`,
    MONGODB_DB: 'chaos',
    DEV_DATABASE: 'off',
    API_TOKEN,
    OPT_OUT_KEY_SECRET: 'chaos-opt-out-key-secret-0123456789abcdef',
    LOG_LEVEL: 'warn',
    LEASE_SECONDS: String(settings.leaseSeconds),
    EXPIRE_HOURS: String(settings.expireHours),
    SCHEDULER_INTERVAL_MS: '500',
    SHUTDOWN_SECONDS: '5',
    NODE_ENV: 'chaos',
  };
  for (const [i, name] of ['a', 'b'].entries()) {
    // Discord: one gateway session per process, as with a ShardingManager (shard i of 2).
    const slot = new BotSlot(name, await freePort(), { ...common, SHARDS: String(i), SHARD_COUNT: '2' }, dir, (c) => {
      crashes.push(c);
      log(`CRASH: bot ${c.slot} exited by itself (code ${c.code}, signal ${c.signal})`);
    });
    slots.push(slot);
    pool.slots.push(slot);
  }
  await Promise.all(slots.map((s) => s.start()));
  log(`bots up: ${slots.map((s) => `${s.name} ${s.url}`).join(', ')}; Discord server on shard ${platforms.discordGuildShard}`);

  // Fuzz targets: customers without surveys, and on webhook and X some with open surveys of their own.
  const targets: FuzzTargets = {
    webhook: Array.from({ length: 20 }, (_, i) => `chaos-fuzz-${i}`),
    x: Array.from({ length: 20 }, (_, i) => String(8_000_000 + i)),
    slack: Array.from({ length: 20 }, (_, i) => `UFUZZ${String(i).padStart(4, '0')}`),
    discord: Array.from({ length: 3 }, () => platforms.discordFuzzUser()),
  };
  for (let i = 0; i < 10; i++) {
    for (const channel of ['webhook', 'x'] as const) {
      const id = channel === 'webhook' ? targets.webhook[i]! : targets.x[i]!;
      await fetch(`${slots[0]!.url}/api/resolutions`, {
        method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel, conversationId: `chaos-fuzz-${channel}-${i}`, customer: { id }, agent: { id: 'agent-fuzz' } }),
      }).then((r) => r.arrayBuffer()).catch(() => undefined);
    }
  }

  // Customers still waiting are looked at often; the others too (a late message is stamped when first seen), less often.
  let ticks = 0;
  const collector = setInterval(() => platforms.collect(records.filter((r) => !r.done || ++ticks % 7 === 0).map((r) => r.conv)), 150);
  const faults = [killer(), stormer()];
  killDatabaseAfterSends();
  const fuzzers = Array.from({ length: settings.fuzzConcurrency }, () => fuzzWorker(targets));
  const progress = setInterval(() => log(`${records.filter((r) => r.done).length}/${records.length} conversations done, ${fuzzSent} fuzzed replies, ${kills.length} kills, ${crashes.length} crashes`), 30_000);

  const platformsOrder: PlatformName[] = ['webhook', 'slack', 'discord', 'x'];
  const customers: Array<Promise<void>> = [];
  let xStarted = 0;
  let xOverflow = 0;
  for (let i = 0; i < settings.conversations && Date.now() < phaseDeadline; i++) {
    let platform = platformsOrder[i % 4]!;
    if (platform === 'x' && xStarted++ >= xConversations) platform = platformsOrder[xOverflow++ % 3]!;
    const conv = platforms.newConversation(platform, i);
    const rec: ConvRecord = { conv, plan: planFor(), resolutionsAccepted: 0, answers: [], unclearSent: 0, done: false };
    records.push(rec);
    customers.push(customer(rec).catch((err: unknown) => { log(`customer ${i} failed: ${String(err)}`); }).finally(() => { rec.done = true; }));
    if (!dbRestartDone && Date.now() >= phaseAt(0.5)) {
      dbRestartDone = true;
      void databaseRestart();
    }
    await sleep(1000 / settings.startsPerSecond);
  }
  log(`all ${records.length} conversations started`);
  await Promise.all(customers);
  log('customers done');
  // The kills must reach the minimum while there is still traffic.
  while (kills.length < settings.minKills && Date.now() < phaseDeadline) await sleep(1000);
  await Promise.all(fuzzers);
  faultsOn = false;
  setStorm(null);
  await Promise.all(faults);
  clearInterval(progress);
  for (const s of slots) if (!s.ready && !s.child) await s.start().catch(() => undefined);
  log(`faults off (${kills.length} kills, ${db.outages.length} database restart(s), ${stormsStarted} storms, ${fuzzSent} fuzzed replies); settling`);

  // Drain: the faults have stopped; wait (bounded) until nothing is scheduled, being sent
  // or owed (re-sends after kills, sends put off by a rate limit or the shared budget), for
  // two looks in a row, after at least a lease. What is still owed then is counted apart.
  const drainFrom = Date.now();
  let calm = 0;
  let owedAtDrainEnd = -1;
  await sleep((settings.leaseSeconds + 2) * 1000);
  while (Date.now() - drainFrom < settings.drainSeconds * 1000) {
    platforms.collect(records.map((r) => r.conv));
    const rows = await readSurveys().catch(() => [] as SurveyRow[]);
    owedAtDrainEnd = rows.filter(owesSomething).length;
    calm = owedAtDrainEnd === 0 && rows.length > 0 ? calm + 1 : 0;
    if (calm >= 2) break;
    await sleep(3000);
  }
  const drainSeconds = Math.round((Date.now() - drainFrom) / 1000);
  log(`drained in ${drainSeconds} s (${owedAtDrainEnd} survey(s) still owing a send)`);
  clearInterval(collector);
  platforms.collect(records.map((r) => r.conv));
  const settledAt = Date.now();
  const rows = await readSurveys();
  const stuckAll = stuckOf(rows, settledAt);
  const stillPaced = stuckAll.filter(paced);
  const stuck = stuckAll.filter((s) => !paced(s));
  const optOuts = await optOutIds();

  // Bots down, then the run's expiry with the engine's clock past EXPIRE_HOURS.
  await Promise.all(slots.map((s) => s.stop()));
  await expiryPass();
  const afterExpiry = await readSurveys();
  const notFinalAfterExpiry = afterExpiry.filter((s) => !FINAL.has(s.state));

  // Answers: accepted by the platform, and shown by the survey?
  const byKey = new Map(rows.map((s) => [`${s.channel}:${s.conversationId}`, s]));
  let answersSent = 0;
  let answersAccepted = 0;
  let answersStored = 0;
  const lostByPlatform: Record<string, number> = {};
  const lostDetails: Array<Record<string, unknown>> = [];
  const webhookStatuses: Record<string, number> = {};
  for (const rec of records) {
    const s = byKey.get(`${rec.conv.platform}:${rec.conv.conversationId}`);
    for (const a of rec.answers) {
      answersSent++;
      if (rec.conv.platform === 'webhook' && a.body) {
        const status = (JSON.parse(a.body) as { status?: string }).status ?? '?';
        webhookStatuses[status] = (webhookStatuses[status] ?? 0) + 1;
      }
      if (!a.accepted) continue;
      answersAccepted++;
      const shown = !!s && (
        a.kind === 'score' ? s.score === a.score
          : a.kind === 'scoreComment' ? s.score === a.score && (s.comment ?? '').includes(a.ref!)
            : a.kind === 'comment' ? (s.comment ?? '').includes(a.ref!)
              : s.skipReason === 'opted-out' || optOuts.has(`${rec.conv.platform}:${rec.conv.customerId}`));
      if (shown) answersStored++;
      else {
        lostByPlatform[rec.conv.platform] = (lostByPlatform[rec.conv.platform] ?? 0) + 1;
        lostDetails.push({
          platform: rec.conv.platform, conversationId: rec.conv.conversationId, customerId: rec.conv.customerId, answer: a,
          survey: s ? { state: s.state, score: s.score, comment: s.comment, skipReason: s.skipReason, lastError: s.lastError } : null,
          messages: rec.conv.messages.map((m) => ({ kind: m.kind, at: m.seenAt - t0 })),
        });
      }
    }
  }

  // Duplicate questions, and whether the at-least-once window explains them.
  let customersAskedTwice = 0;
  let extraQuestions = 0;
  const explained = { kill: 0, databaseRestart: 0, other: 0 };
  const dupDetails: Array<Record<string, unknown>> = [];
  for (const rec of records) {
    const questions = rec.conv.messages.filter((m) => m.kind === 'question');
    if (questions.length < 2) continue;
    customersAskedTwice++;
    extraQuestions += questions.length - 1;
    for (const q of questions.slice(0, -1)) {
      const at = q.seenAt;
      const why = kills.some((k) => k.at >= at - 1500 && k.at <= at + 3000) ? 'kill'
        : db.outages.some(([from, to]) => at >= from - 3000 && at <= to + 15_000) ? 'databaseRestart' : 'other';
      explained[why]++;
      dupDetails.push({ platform: rec.conv.platform, conversationId: rec.conv.conversationId, firstAt: at - t0, why, questionsAt: questions.map((m) => m.seenAt - t0) });
    }
  }

  // What a customer did not get while waiting: late (arrived after they stopped waiting,
  // by the end of the drain), still owed (paced or waiting for its re-send), or never.
  const firstOf = (rec: ConvRecord, kind: MessageKind, after = 0) => rec.conv.messages.find((m) => m.kind === kind && m.seenAt >= after);
  const surveyOf = (rec: ConvRecord) => byKey.get(`${rec.conv.platform}:${rec.conv.conversationId}`);
  const questionsLate = records.filter((r) => r.noQuestion && firstOf(r, 'question'));
  const questionsOwed = records.filter((r) => r.noQuestion && !firstOf(r, 'question') && surveyOf(r) && owesSomething(surveyOf(r)!));
  const neverAsked = records.filter((r) => r.noQuestion && !firstOf(r, 'question') && !questionsOwed.includes(r));
  const followupsLate = records.filter((r) => r.noFollowup && firstOf(r, 'followup', r.scoredAt));
  const followupsOwed = records.filter((r) => r.noFollowup && !firstOf(r, 'followup', r.scoredAt) && surveyOf(r) && owesSomething(surveyOf(r)!));
  const followupsNever = records.filter((r) => r.noFollowup && !firstOf(r, 'followup', r.scoredAt) && !followupsOwed.includes(r));
  // The at-least-once window, per channel: the longest wait from an accepted score to its
  // follow-up, and the longest span between two copies of one message (a re-send after a fault).
  const window: Record<string, { followups: number; followupMaxSeconds: number; duplicateMessages: number; duplicateMaxSeconds: number }> = {};
  for (const rec of records) {
    const w = window[rec.conv.platform] ??= { followups: 0, followupMaxSeconds: 0, duplicateMessages: 0, duplicateMaxSeconds: 0 };
    const f = rec.scoredAt !== undefined ? firstOf(rec, 'followup', rec.scoredAt) : undefined;
    if (f) {
      w.followups++;
      w.followupMaxSeconds = Math.max(w.followupMaxSeconds, Math.round((f.seenAt - rec.scoredAt!) / 100) / 10);
    }
    for (const kind of ['question', 'followup', 'thanks', 'reprompt'] as const) {
      const copies = rec.conv.messages.filter((m) => m.kind === kind);
      if (copies.length < 2 || (kind === 'reprompt' && rec.unclearSent > 0)) continue;
      w.duplicateMessages += copies.length - 1;
      w.duplicateMaxSeconds = Math.max(w.duplicateMaxSeconds, Math.round((copies.at(-1)!.seenAt - copies[0]!.seenAt) / 100) / 10);
    }
  }

  const states: Record<string, number> = {};
  for (const s of rows) states[s.state] = (states[s.state] ?? 0) + 1;
  const failedReasons: Record<string, number> = {};
  for (const s of rows.filter((r) => r.state === 'failed')) {
    const k = (s.lastError ?? '?').slice(0, 80);
    failedReasons[k] = (failedReasons[k] ?? 0) + 1;
  }
  const result = {
    conversations: records.length,
    answersSentByCustomers: answersSent,
    answersAccepted,
    answersStored,
    lostAnswers: answersAccepted - answersStored,
    duplicateQuestions: customersAskedTwice,
    extraQuestions,
    duplicatesExplained: explained,
    surveysStuck: stuck.length,
    surveysStillPaced: stillPaced.length,
    notFinalAfterExpiry: notFinalAfterExpiry.length,
    crashesOtherThanKills: crashes.length,
    kills: kills.length,
    databaseRestarts: db.outages.length,
    databaseHardKills: db.hardKills,
    storms: stormsStarted,
    stormSeconds: Math.round(stormMs / 1000),
    fuzzedReplies: fuzzSent,
    resolutionDeliveriesAccepted: records.reduce((n, r) => n + r.resolutionsAccepted, 0),
    unclearReplies: records.reduce((n, r) => n + r.unclearSent, 0),
    customersNeverAsked: neverAsked.length,
    questionsLate: questionsLate.length,
    questionsStillOwed: questionsOwed.length,
    followupsNeverReceived: followupsNever.length,
    followupsLate: followupsLate.length,
    followupsStillOwed: followupsOwed.length,
    atLeastOnceWindow: window,
    drainSeconds,
    repromptsNeverReceived: records.filter((r) => r.noReprompt).length,
    lostByPlatform,
    surveyStates: states,
    seconds: Math.round((Date.now() - t0) / 1000),
    settings: {
      conversations: settings.conversations, fuzz: settings.fuzzReplies, minKills: settings.minKills, killEverySeconds: settings.killEverySeconds,
      leaseSeconds: settings.leaseSeconds, expireHours: settings.expireHours, stormEverySeconds: settings.stormEverySeconds,
      stormSeconds: settings.stormSeconds, settleSeconds: settings.settleSeconds, drainSeconds: settings.drainSeconds, maxMinutes: settings.maxMinutes, seed: settings.seed,
      xConversations, dbKillsAfterSend: settings.dbKillsAfterSend,
      botProcesses: slots.length, discord: `2 shards, one per process; server on shard ${platforms.discordGuildShard}, DMs on shard 0`,
    },
  };
  writeFileSync(join(dir, 'details.json'), JSON.stringify({
    result, kills, crashes, outages: db.outages, fuzzStatuses, webhookStatuses, platformStats: platforms.stats, failedReasons,
    stuck: stuck.map((s) => ({ channel: s.channel, conversationId: s.conversationId, state: s.state, expiresAt: s.expiresAt, lastError: s.lastError })),
    notFinalAfterExpiry: notFinalAfterExpiry.map((s) => ({ channel: s.channel, conversationId: s.conversationId, state: s.state, lastError: s.lastError })),
    lost: lostDetails, duplicates: dupDetails,
    refused: records.flatMap((r) => r.answers.filter((a) => !a.accepted).map((a) => ({ platform: r.conv.platform, conversationId: r.conv.conversationId, answer: a }))),
    stillPaced: stillPaced.map((s) => ({ channel: s.channel, conversationId: s.conversationId, state: s.state, owed: s.owed, lastError: s.lastError })),
    noFollowup: records.filter((r) => r.noFollowup).map((r) => ({
      platform: r.conv.platform, conversationId: r.conv.conversationId, survey: surveyOf(r) ? { state: surveyOf(r)!.state, owed: surveyOf(r)!.owed, lastError: surveyOf(r)!.lastError } : null,
      scoredAt: r.scoredAt !== undefined ? r.scoredAt - t0 : null, messages: r.conv.messages.map((m) => ({ kind: m.kind, at: m.seenAt - t0 })),
      why: followupsLate.includes(r) ? 'late' : followupsOwed.includes(r) ? 'still owed' : 'never',
    })),
    // A re-prompt not seen within 60 s of the unclear reply: was the reply taken, and what did the survey do?
    noReprompt: records.filter((r) => r.noReprompt).map((r) => ({
      platform: r.conv.platform, conversationId: r.conv.conversationId, unclear: r.unclear ? { ...r.unclear, at: r.unclear.at - t0 } : null,
      survey: surveyOf(r) ? { state: surveyOf(r)!.state, reprompts: surveyOf(r)!.reprompts, owed: surveyOf(r)!.owed, lastError: surveyOf(r)!.lastError } : null,
      messages: r.conv.messages.map((m) => ({ kind: m.kind, at: m.seenAt - t0 })),
    })),
    noQuestion: records.filter((r) => r.noQuestion).map((r) => ({
      platform: r.conv.platform, conversationId: r.conv.conversationId, survey: surveyOf(r) ?? null,
      messages: r.conv.messages.map((m) => ({ kind: m.kind, at: m.seenAt - t0 })),
      why: questionsLate.includes(r) ? 'late' : questionsOwed.includes(r) ? 'still owed' : 'never',
    })),
  }, null, 1));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  const failed = result.lostAnswers > 0 || result.surveysStuck > 0 || result.crashesOtherThanKills > 0
    || result.followupsNeverReceived > 0 || result.customersNeverAsked > 0;
  log(`details and bot logs in ${dir}`);
  process.exitCode = failed ? 1 : 0;
}

main()
  .catch((err: unknown) => {
    log(`the run failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exitCode = 3;
  })
  .finally(async () => {
    setStorm(null);
    for (const s of slots) s.forceKill();
    await db.stop().catch(() => undefined);
    await platforms.stop();
    // The database copy and its H2 file go; details.json and the bot logs stay (CHAOS_KEEP=1 keeps everything).
    if (!settings.keepDir) rmSync(db.dir, { recursive: true, force: true });
    // Whatever is still scheduled in this process (timers, sockets) must not keep it alive.
    setTimeout(() => process.exit(), 500).unref();
  });
