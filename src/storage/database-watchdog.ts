/**
 * A watchdog for the database connection: notices when the driver has stopped looking
 * for the server and starts it looking again, so a process recovers from an outage or a
 * failover without a restart.
 *
 * Why: the MongoDB driver (7.5, under mongoose 9) can hang its server monitor for good.
 * When a connection drop lands between a socket being destroyed and the driver's
 * `close` handler running, the next heartbeat writes to the destroyed socket; Node
 * answers that write with neither an error event nor `drain`, and the driver waits for
 * one of them (`Connection.writeCommand`), with no timeout that still applies. The
 * heartbeat never ends, the monitor never runs again, the server stays `Unknown`, and
 * every operation fails server selection although the database is back.
 *
 * Two signs, both bounded, both from what the driver publishes (its heartbeat events, a ping),
 * and only while our ping fails (a hung monitor on a working connection is left alone
 * until it matters):
 * - stuck heartbeat: the monitor has published no heartbeat event (started, succeeded,
 *   failed) for longer than the driver's own bound on one heartbeat (connectTimeoutMS,
 *   plus heartbeatFrequencyMS for the streaming protocol) plus slack. A working monitor
 *   publishes at least every heartbeatFrequencyMS, also while the server is away;
 * - stale client: our pings have failed for `staleAfterMs` while a fresh client to the
 *   same server answers one (the database is back, our client does not see it).
 * Either way the client is closed and connected again. It is the same MongoClient (the
 * driver supports connect after close), so mongoose's `Db`, collections and models keep
 * working; operations in flight at that moment fail as they would in the outage.
 */
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../logger.ts';
import { SingleFlightLoop } from '../single-flight-loop.ts';

// The driver mongoose itself uses (no second copy of it to keep in step).
const { MongoClient } = mongoose.mongo;
type MongoClient = InstanceType<typeof MongoClient>;

export interface DatabaseWatchdogOptions {
  /** How often the watchdog looks. */
  intervalMs?: number;
  /** A ping slower than this counts as failed. */
  pingTimeoutMs?: number;
  /** Pings failing this long make the watchdog ask a fresh client whether the database is back. */
  staleAfterMs?: number;
  /** Slack over the driver's own heartbeat bound before a heartbeat counts as stuck. */
  heartbeatSlackMs?: number;
  /** The server's address for the fresh client's probe; without it only stuck heartbeats are noticed. */
  uri?: string;
  /** Called after each re-established connection (metrics). */
  onRestart?: (why: RestartReason) => void;
}

export type RestartReason = 'stuck-heartbeat' | 'stale-client';

const HEARTBEAT_EVENTS = ['serverHeartbeatStarted', 'serverHeartbeatSucceeded', 'serverHeartbeatFailed'] as const;

export class DatabaseWatchdog {
  /** A look every interval, the first one interval after start(); a tick during a look is dropped. */
  private readonly looks: SingleFlightLoop;
  /** When the monitor last published a heartbeat event (or the watchdog started). */
  private heartbeatSeenAt = Date.now();
  private failingSince: number | null = null;
  /** Closed by us and not connected again yet (the database was still away): why. */
  private needsConnect: RestartReason | null = null;
  private stopped = false;
  private readonly client: MongoClient;
  private readonly intervalMs: number;
  private readonly pingTimeoutMs: number;
  private readonly staleAfterMs: number;
  private readonly heartbeatBoundMs: number;

  private readonly onHeartbeat = () => { this.heartbeatSeenAt = Date.now(); };

  constructor(private readonly conn: Connection, private readonly logger: Logger, private readonly options: DatabaseWatchdogOptions = {}) {
    this.client = conn.getClient() as MongoClient;
    const { connectTimeoutMS, heartbeatFrequencyMS } = this.client.options;
    this.intervalMs = options.intervalMs ?? 2000;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 2000;
    this.staleAfterMs = options.staleAfterMs ?? Math.max(3 * heartbeatFrequencyMS, 5000);
    // The driver bounds a polled heartbeat by connectTimeoutMS and a streamed one by that plus heartbeatFrequencyMS.
    this.heartbeatBoundMs = (connectTimeoutMS || 30_000) + heartbeatFrequencyMS + (options.heartbeatSlackMs ?? 5000);
    this.looks = new SingleFlightLoop({
      pass: () => this.check(),
      // (No look throws today: a ping, a close and a connect each catch their own failure.)
      onError: (err) => this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'database watchdog: a look failed'),
      intervalMs: this.intervalMs,
      firstPass: 'first-tick',
      whileRunning: 'join',
    });
  }

  start(): this {
    this.heartbeatSeenAt = Date.now();
    for (const event of HEARTBEAT_EVENTS) this.client.on(event, this.onHeartbeat);
    void this.looks.start();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const stopped = this.looks.stop();
    for (const event of HEARTBEAT_EVENTS) this.client.off(event, this.onHeartbeat);
    await stopped;
  }

  /** One look; public so a test can drive it without waiting for the interval. */
  async check(): Promise<void> {
    if (this.stopped) return;
    if (this.needsConnect) {
      await this.connect(this.needsConnect);
      return;
    }
    if (await this.pingAnswered(this.conn.db ? () => this.conn.db!.command({ ping: 1 }) : undefined)) {
      this.failingSince = null;
      return;
    }
    const now = Date.now();
    if (now - this.heartbeatSeenAt > this.heartbeatBoundMs) {
      await this.restart('stuck-heartbeat', { silentMs: now - this.heartbeatSeenAt });
      return;
    }
    this.failingSince ??= now;
    if (this.options.uri && now - this.failingSince >= this.staleAfterMs && await this.freshClientAnswers(this.options.uri)) {
      await this.restart('stale-client', { failingMs: now - this.failingSince });
    }
  }

  private async restart(why: RestartReason, detail: Record<string, number>): Promise<void> {
    if (this.stopped) return;
    this.logger.warn({ why, ...detail }, 'database connection stuck: closing and connecting it again');
    this.heartbeatSeenAt = Date.now();
    this.failingSince = null;
    await this.client.close().catch(() => undefined);
    this.needsConnect = why;
    await this.connect(why);
  }

  /** Connect the closed client; if the database is still away, the next look tries again. */
  private async connect(why: RestartReason): Promise<void> {
    if (this.stopped) return;
    try {
      await this.client.connect();
      this.needsConnect = null;
      this.logger.info({ why }, 'database connection re-established');
      this.options.onRestart?.(why);
    } catch (err) {
      this.logger.warn({ why, err: (err as Error).message }, 'database connection not re-established yet');
    }
  }

  private async freshClientAnswers(uri: string): Promise<boolean> {
    const probe = new MongoClient(uri, {
      serverSelectionTimeoutMS: this.pingTimeoutMs, connectTimeoutMS: this.pingTimeoutMs, socketTimeoutMS: this.pingTimeoutMs,
      maxPoolSize: 1, directConnection: this.client.options.directConnection,
    });
    try {
      return await this.pingAnswered(async () => { await probe.connect(); return probe.db('admin').command({ ping: 1 }); });
    } finally {
      await probe.close().catch(() => undefined);
    }
  }

  private async pingAnswered(ping: (() => Promise<unknown>) | undefined): Promise<boolean> {
    if (!ping) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), this.pingTimeoutMs); });
    try {
      return await Promise.race([ping().then(() => true, () => false), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
