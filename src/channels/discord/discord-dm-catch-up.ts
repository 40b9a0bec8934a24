/**
 * Answers typed in a DM that no process handled. The gateway delivers a message once, to
 * the process holding shard 0 (DMs); an answer that process held through a database outage
 * and then lost (it was killed, or the hold ran out), or one sent while no session was up
 * and not replayed, would be gone. So every survey asked by DM is remembered in the
 * channel's shared state (`dm-open:<customer>`: the survey, the DM channel and a snowflake
 * from just before the question), and after a (re)start of shard 0 and after a hold gave
 * up, the DM is re-read after that point (GET /channels/{id}/messages?after=) and each
 * customer message goes to the engine with Discord's message id as its event id, so one
 * already applied is a duplicate, not a second answer.
 *
 * An entry goes when its survey closes (completed, opted out, gave up) or no longer takes
 * answers, or after OPEN_DM_MS. Passes are one at a time per process; a pass that fails
 * (the database or Discord away) is tried again with a growing wait until it completes.
 */
import type { ChannelStateStore } from '../../conversation/channel-contract/channel-state.ts';
import type { ReplyOutcome } from '../../conversation/channel-contract/channel.ts';
import type { Logger } from '../../logger.ts';
import { DiscordCode, discordCode } from './discord-errors.ts';
import type { DiscordMessage, DiscordRest } from './discord-rest.ts';
import { SingleFlightLoop } from '../../single-flight-loop.ts';

const PREFIX = 'dm-open:';
/** How long a survey's DM is re-read at most (longer than any survey stays open). */
export const OPEN_DM_MS = 30 * 86_400_000;
/** Per pass: entries read from the shared state at a time, and pages of one DM. */
const ENTRIES_PER_READ = 100;
const PAGES_PER_DM = 5;
/** Waits between failed passes. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** Outcomes after which the survey takes no more answers in this DM. */
const CLOSED = new Set(['completed', 'opted-out', 'gave-up', 'ignored']);
const DISCORD_EPOCH = 1_420_070_400_000n;

/** A customer's message as the catch-up forwards it. */
export interface TypedAnswer { id: string; authorId: string; content: string; createdAt: Date }

interface OpenDm { s: string; c: string; a: string }

export interface DmCatchUpDeps {
  rest: DiscordRest;
  state: ChannelStateStore;
  /** Hand one message to the engine, in order with the customer's live messages. */
  forward: (answer: TypedAnswer) => Promise<ReplyOutcome>;
  botId: () => string | undefined;
  logger: Logger;
  signal: AbortSignal;
  now?: () => number;
}

/** The smallest snowflake of millisecond `ms`: every message created from then on has a larger id. */
export function snowflakeAt(ms: number): string {
  return ((BigInt(ms) - DISCORD_EPOCH) << 22n).toString();
}

/** When a snowflake was made. */
export function snowflakeTime(id: string): Date {
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH));
}

export class DmCatchUp {
  /** One pass at a time; a request during a pass asks for one more; a failed pass is tried again. */
  private readonly loop: SingleFlightLoop;
  /** Passes completed (tests). */
  passes = 0;

  constructor(private readonly deps: DmCatchUpDeps) {
    this.loop = new SingleFlightLoop({
      pass: () => this.pass(),
      onError: (err) => deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'discord DM look-back failed; trying again'),
      retry: { firstMs: RETRY_FIRST_MS, maxMs: RETRY_MAX_MS },
    });
    // The adapter stopping: no new pass, and a wait between failed passes ends.
    if (deps.signal.aborted) void this.loop.stop();
    else deps.signal.addEventListener('abort', () => void this.loop.stop(), { once: true });
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /**
   * Remember the DM of a survey about to be asked, before the question goes (so there is no
   * moment when it is out and not remembered). A re-send of the same survey's question keeps
   * the first point: an answer typed between the two must still be read.
   */
  async remember(customerId: string, surveyId: string, dmChannelId: string): Promise<void> {
    const key = PREFIX + customerId;
    const now = this.now();
    const current = await this.deps.state.get(key);
    if (current !== null && parse(current)?.s === surveyId) return;
    const value: OpenDm = { s: surveyId, c: dmChannelId, a: snowflakeAt(now) };
    await this.deps.state.set(key, JSON.stringify(value), { expiresAt: new Date(now + OPEN_DM_MS), dueAt: new Date(now) });
  }

  /** The customer's survey took its last answer here: nothing more to re-read. */
  async forget(customerId: string): Promise<void> {
    await this.deps.state.delete(PREFIX + customerId);
  }

  /** Re-read every remembered DM soon (after a restart, or after an answer could not be held). */
  request(): void {
    void this.loop.request();
  }

  /** Resolves once no pass is running or asked for (tests, stop). */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  /**
   * One look at every remembered DM. An entry done in this pass gets a due time just after
   * the pass began, so the next read of the list skips it; a later pass lists it again.
   */
  private async pass(): Promise<void> {
    const started = this.now();
    const seen = new Set<string>();
    let applied = 0;
    for (;;) {
      const entries = (await this.deps.state.due(PREFIX, new Date(started), ENTRIES_PER_READ)).filter((e) => !seen.has(e.key));
      if (entries.length === 0) break;
      for (const entry of entries) {
        if (this.deps.signal.aborted) return;
        seen.add(entry.key);
        applied += await this.one(entry.key.slice(PREFIX.length), entry.value, started);
      }
    }
    this.passes++;
    if (applied > 0) this.deps.logger.info({ dms: seen.size, applied }, 'discord DM look-back applied answers no process had handled');
  }

  /** Re-read one DM; returns how many messages the engine took as new. */
  private async one(customerId: string, raw: string, passStarted: number): Promise<number> {
    const key = PREFIX + customerId;
    const open = parse(raw);
    if (!open) {
      await this.deps.state.delete(key);
      return 0;
    }
    let after = open.a;
    let applied = 0;
    for (let page = 0; page < PAGES_PER_DM; page++) {
      let messages: DiscordMessage[];
      try {
        messages = await this.deps.rest.messagesAfter(open.c, after, 100);
      } catch (err) {
        const code = discordCode(err);
        // The DM is gone or closed to the bot: nothing to read there, ever.
        if (code === DiscordCode.UnknownChannel || code === DiscordCode.MissingAccess) {
          await this.deps.state.compareAndSet(key, raw, null, { expiresAt: new Date(passStarted) });
          return applied;
        }
        throw err;
      }
      for (const m of messages) {
        after = m.id;
        if (m.author.id !== customerId || m.author.bot || m.webhook_id || m.author.id === this.deps.botId()) continue;
        const outcome = await this.deps.forward({ id: m.id, authorId: m.author.id, content: m.content, createdAt: snowflakeTime(m.id) });
        if (outcome.status !== 'duplicate' && outcome.status !== 'ignored') applied++;
        if (CLOSED.has(outcome.status)) {
          await this.deps.state.compareAndSet(key, raw, null, { expiresAt: new Date(passStarted) });
          return applied;
        }
      }
      if (messages.length < 100) break;
    }
    // Read up to here: the next pass starts after it (unless a new question replaced the entry meanwhile).
    const next: OpenDm = { ...open, a: after };
    const expiresAt = snowflakeTime(open.a).getTime() + OPEN_DM_MS;
    await this.deps.state.compareAndSet(key, raw, JSON.stringify(next), { expiresAt: new Date(expiresAt), dueAt: new Date(passStarted + 1) });
    return applied;
  }
}

function parse(raw: string): OpenDm | null {
  try {
    const v = JSON.parse(raw) as Partial<OpenDm>;
    return typeof v.s === 'string' && typeof v.c === 'string' && typeof v.a === 'string' && /^\d{1,20}$/.test(v.a) ? { s: v.s, c: v.c, a: v.a } : null;
  } catch {
    return null;
  }
}

