/**
 * `npm run load`: a burst from simulated chat systems (autocannon, loopback only, bounded
 * by request counts) against two bot processes on one database (bench/fuzz/targets.ts):
 * LOAD_RESOLUTIONS (5000) resolutions on the webhook channel, then, once the questions
 * went out, a score and a comment from every customer (2 x LOAD_RESOLUTIONS answers),
 * half of each burst to each process. Prints one JSON line: accepted per second, p50/p99
 * acknowledgement time (the slower process's), 5xx, the burst seconds, and after
 * settling: every accepted resolution has exactly one survey, every accepted answer is
 * stored once (score and comment as sent, the survey completed). Exit 1 when one fails.
 */
import autocannon from 'autocannon';
import mongoose from 'mongoose';
import { INGEST, startTargets, type Targets } from '../fuzz/targets.ts';

const N = Number(process.env.LOAD_RESOLUTIONS ?? 5000);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 32);
const log = (m: string): void => { process.stderr.write(`[load] ${m}\n`); };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Burst { accepted: Set<number>; status5xx: number; other: number; p50: number; p99: number; seconds: number; requests: number }

/** `count` POSTs of `body(i)` to `path`, split between the two bots, all at once. */
async function burst(targets: Targets, path: string, count: number, body: (i: number) => object): Promise<Burst> {
  const accepted = new Set<number>();
  let status5xx = 0;
  let other = 0;
  const started = Date.now();
  const halves = targets.bots.map((bot, b) => {
    const mine = Array.from({ length: count }, (_, i) => i).filter((i) => i % 2 === b);
    let next = 0;
    return autocannon({
      url: bot.url,
      connections: CONNECTIONS,
      amount: mine.length,
      timeout: 30,
      requests: [{
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST}` },
        setupRequest: (req, context) => {
          const i = mine[next++ % mine.length]!;
          (context as { i?: number }).i = i;
          return { ...req, body: JSON.stringify(body(i)) };
        },
        onResponse: (status, _body, context) => {
          const i = (context as { i?: number }).i!;
          if (status === 202) accepted.add(i);
          else if (status >= 500) status5xx++;
          else other++;
        },
      }],
    });
  });
  const results = await Promise.all(halves);
  return {
    accepted, status5xx, other,
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    seconds: (Date.now() - started) / 1000,
    requests: results.reduce((n, r) => n + r.requests.total, 0),
  };
}

async function main(): Promise<number> {
  log('starting two bots');
  const targets = await startTargets('load', { FATIGUE_DAYS: '0', WEBHOOK_RATE_PER_SECOND: '1000', LOG_LEVEL: 'error' });
  const conn = await mongoose.createConnection(targets.dbUri, { dbName: targets.dbName }).asPromise();
  let exit = 1;
  try {
    const run = Date.now();
    const customer = (i: number) => `load-cust-${i}`;
    log(`${N} resolutions`);
    const resolutions = await burst(targets, '/api/resolutions', N, (i) => ({ channel: 'webhook', conversationId: `load-conv-${i}`, customer: { id: customer(i), name: 'Load' }, agent: { id: `agent-${i % 20}` } }));
    log(`accepted ${resolutions.accepted.size} in ${resolutions.seconds.toFixed(1)} s; waiting for the questions`);
    const asked = Date.now();
    const deadline = Date.now() + 5 * 60_000;
    const questioned = (): number => new Set(targets.receiver.received.map((r) => r.body.customerId)).size;
    while (questioned() < resolutions.accepted.size && Date.now() < deadline) await sleep(250);
    const questionsSeconds = (Date.now() - asked) / 1000;
    log(`${questioned()} questions out after ${questionsSeconds.toFixed(1)} s; ${2 * N} answers`);
    const ids = [...resolutions.accepted];
    const scoreOf = (i: number) => i % 11;
    const scores = await burst(targets, '/api/channels/webhook/messages', ids.length, (k) => ({ customerId: customer(ids[k]!), text: String(scoreOf(ids[k]!)) }));
    const comments = await burst(targets, '/api/channels/webhook/messages', ids.length, (k) => ({ customerId: customer(ids[k]!), text: `comment number ${ids[k]}` }));
    const burstSeconds = resolutions.seconds + scores.seconds + comments.seconds;

    // Settled: every accepted resolution has one survey; every accepted answer is stored once.
    log('checking the database');
    await sleep(2000);
    const surveys = await conn.db!.collection('surveys').find({}, { projection: { conversationId: 1, state: 1, score: 1, comment: 1, 'customer.id': 1 } }).toArray();
    const byConversation = new Map<string, number>();
    for (const s of surveys) byConversation.set(s.conversationId as string, (byConversation.get(s.conversationId as string) ?? 0) + 1);
    const resolutionsWithoutOneSurvey = ids.filter((i) => byConversation.get(`load-conv-${i}`) !== 1).length;
    const bySurvey = new Map(surveys.map((s) => [s.conversationId as string, s]));
    let scoresNotStoredOnce = 0;
    let commentsNotStoredOnce = 0;
    ids.forEach((i, k) => {
      const s = bySurvey.get(`load-conv-${i}`);
      if (scores.accepted.has(k) && s?.score !== scoreOf(i)) scoresNotStoredOnce++;
      if (comments.accepted.has(k) && !(s?.comment === `comment number ${i}` && s?.state === 'completed')) commentsNotStoredOnce++;
    });
    const answersAccepted = scores.accepted.size + comments.accepted.size;
    const result = {
      resolutionsSent: N,
      resolutionsAccepted: resolutions.accepted.size,
      answersSent: 2 * ids.length,
      answersAccepted,
      acceptedPerSecond: Math.round((resolutions.accepted.size + answersAccepted) / burstSeconds),
      ackMs: {
        resolutions: { p50: resolutions.p50, p99: resolutions.p99 },
        answers: { p50: Math.max(scores.p50, comments.p50), p99: Math.max(scores.p99, comments.p99) },
      },
      status5xx: resolutions.status5xx + scores.status5xx + comments.status5xx,
      refused: resolutions.other + scores.other + comments.other,
      burstSeconds: Number(burstSeconds.toFixed(1)),
      questionsOutSeconds: Number(questionsSeconds.toFixed(1)),
      wallSeconds: Math.round((Date.now() - run) / 1000),
      resolutionsWithoutOneSurvey,
      scoresNotStoredOnce,
      commentsNotStoredOnce,
      botCrashes: targets.crashes.length,
      connectionsPerProcess: CONNECTIONS,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    exit = result.status5xx === 0 && resolutionsWithoutOneSurvey === 0 && scoresNotStoredOnce === 0 && commentsNotStoredOnce === 0
      && result.resolutionsAccepted >= 5000 && answersAccepted >= 10_000 && burstSeconds < 60 ? 0 : 1;
  } finally {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    await targets.stop();
  }
  return exit;
}

main().then((code) => process.exit(code), (err) => {
  process.stderr.write(`[load] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
