/**
 * A database outage on loopback: a TCP proxy between the bot and the real
 * MongoDB-protocol server. `cut()` drops every open connection and refuses new ones
 * (the bot's driver sees the server vanish, as in a crash or a network split);
 * `restore()` lets connections through again. `hold()` keeps the connections open but
 * passes nothing on to the server until `release()` (a database that stalls: operations
 * neither fail nor finish). Nothing in the bot is stubbed: its
 * mongoose connection simply points at the proxy.
 *
 * @example
 * const outage = await DatabaseOutage.start();
 * const conn = await mongoose.createConnection(outage.uri, { dbName, ...outage.fastFailure }).asPromise();
 * outage.cut(); ...; outage.restore();
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import mongoose, { type Connection } from 'mongoose';
import type { AddressInfo } from 'node:net';
import { mongoUri, openTestDb } from '../helpers/database.ts';

export class DatabaseOutage {
  private readonly sockets = new Set<Socket>();
  private down = false;
  private held = false;
  /** Each bot connection and its upstream, for hold/release. */
  private readonly pairs = new Map<Socket, Socket>();

  private constructor(private readonly server: Server, private readonly target: { host: string; port: number }) {}

  /** A proxy to the server of MONGODB_URI. */
  static async start(): Promise<DatabaseOutage> {
    const target = new URL(mongoUri());
    const server = createServer();
    const outage = new DatabaseOutage(server, { host: target.hostname, port: Number(target.port || 27017) });
    server.on('connection', (client) => outage.accept(client));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return outage;
  }

  /** Where the bot connects instead of the database. */
  get uri(): string {
    return `mongodb://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /**
   * Driver settings that make an outage fail an operation within about a second (the
   * defaults wait 10–30 s) and notice the recovery at once; the behaviour is the same.
   * connectTimeoutMS also bounds a heartbeat, so the bot's watchdog
   * (src/storage/database-watchdog.ts) calls a stuck one stuck after about 10 s, not 35.
   */
  readonly fastFailure = { serverSelectionTimeoutMS: 1000, heartbeatFrequencyMS: 500, connectTimeoutMS: 5000, bufferCommands: false } as const;

  /**
   * The driver defect the watchdog exists for, made to happen now instead of by chance:
   * the socket of `conn`'s server monitor is destroyed without the driver's connection
   * hearing of it (as when the drop lands between the socket closing and the driver's
   * `close` handler), so the monitor's next heartbeat writes to a destroyed socket and
   * waits forever for a `drain` (mongodb 7.5 `Connection.writeCommand`). This reaches into
   * the driver's internals on purpose: it is the state a loaded machine produced.
   * Resolves once a monitor was hung; the server keeps its last description until an
   * operation fails.
   */
  async hangMonitor(conn: Connection, withinMs = 15_000): Promise<void> {
    const started = Date.now();
    for (;;) {
      const client = conn.getClient() as unknown as { topology?: { s: { servers: Map<string, { monitor?: { connection?: { socket?: Socket } | null } }> } } };
      const sockets = [...(client.topology?.s.servers.values() ?? [])].map((s) => s.monitor?.connection?.socket).filter((s): s is Socket => !!s && !s.destroyed);
      if (sockets.length > 0) {
        for (const socket of sockets) {
          for (const event of ['close', 'error', 'timeout', 'end'] as const) socket.removeAllListeners(event);
          socket.destroy();
        }
        return;
      }
      if (Date.now() - started > withinMs) throw new Error('no server monitor connection to hang');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  cut(): void {
    this.events.push(`${Date.now() % 1_000_000} cut`);
    this.down = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.down = false;
  }

  /** Stall: requests already sent and new ones wait in the proxy, none fails. */
  hold(): void {
    this.held = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      client.pause();
    }
  }

  /** Pass on what waited, and everything after it. */
  release(): void {
    this.held = false;
    for (const [client, upstream] of this.pairs) client.pipe(upstream);
  }

  /**
   * Let connections through again and wait until `conn` has noticed: a ping through it is
   * answered (the driver found the server again). On a busy machine that takes from tens
   * of milliseconds to seconds; what a test does next must not race it.
   * (Not mongoose's readyState: it can stay `disconnected` while operations succeed.)
   */
  async restoreFor(conn: Connection, withinMs = 45_000): Promise<void> {
    this.restore();
    const started = Date.now();
    this.events.push(`${started % 1_000_000} restore`);
    let last: unknown;
    for (;;) {
      try {
        await conn.db!.command({ ping: 1 });
        if (process.env.OUTAGE_DEBUG) process.stderr.write(`database back after ${Date.now() - started} ms\n`);
        return;
      } catch (err) {
        last = err;
      }
      if (Date.now() - started > withinMs) {
        if (process.env.OUTAGE_DEBUG) process.stderr.write(`${this.events.slice(-60).join('\n')}\n`);
        throw new Error(`the database connection did not come back within ${withinMs} ms: ${String(last)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private readonly events: string[] = [];

  /** With OUTAGE_DEBUG=1: record `conn`'s driver events, printed when a restore is not noticed. */
  watch(conn: Connection): void {
    if (!process.env.OUTAGE_DEBUG) return;
    const client = conn.getClient();
    const note = (what: string) => (e: { newDescription?: { type?: string; error?: { message?: string } }; failure?: Error; connectionId?: unknown }) => {
      this.events.push(`${Date.now() % 1_000_000} ${what} ${e.newDescription?.type ?? ''} ${e.newDescription?.error?.message ?? e.failure?.message ?? ''} ${String(e.connectionId ?? '')}`);
    };
    for (const ev of ['serverDescriptionChanged', 'serverHeartbeatStarted', 'serverHeartbeatFailed', 'serverHeartbeatSucceeded', 'connectionPoolCleared', 'connectionPoolReady', 'connectionClosed', 'connectionCreated']) {
      client.on(ev as never, note(ev) as never);
    }
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private accept(client: Socket): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = createConnection(this.target);
    this.pairs.set(client, upstream);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        this.pairs.delete(client);
        client.destroy();
        upstream.destroy();
      });
    }
    if (this.held) client.pause();
    else client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** A test database the bot reaches only through an outage proxy; `direct` reads it past the proxy. */
export interface TestDbBehindOutage {
  outage: DatabaseOutage;
  direct: Awaited<ReturnType<typeof openTestDb>>;
  /** The bot's connection, through the proxy, failing fast. */
  conn: Connection;
}

export async function openTestDbBehindOutage(label: string): Promise<TestDbBehindOutage> {
  const outage = await DatabaseOutage.start();
  const direct = await openTestDb(label);
  try {
    const conn = await mongoose.createConnection(outage.uri, { dbName: direct.dbName, ...outage.fastFailure }).asPromise();
    return { outage, direct, conn };
  } catch (err) {
    await direct.drop();
    await outage.stop();
    throw err;
  }
}

/**
 * Undo openTestDbBehindOutage (whatever of it was made): the proxy restored first, so
 * `stopUser` (the app on the connection) can finish its writes, then the connection
 * closed, the database dropped and the proxy stopped.
 */
export async function closeTestDbBehindOutage(db: TestDbBehindOutage | undefined, stopUser?: () => Promise<unknown>): Promise<void> {
  db?.outage.restore();
  await stopUser?.();
  await db?.conn.close();
  await db?.direct.drop();
  await db?.outage.stop();
}
