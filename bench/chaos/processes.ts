/**
 * The processes of a fault-injection run: its own mongo-java-server (H2 file, so data
 * survives the restart the run does) and the bot processes (`node --import tsx
 * src/cli.ts start`), each in its own process group so nothing outlives the run.
 * A bot that exits without being killed by the run is a crash: counted, logged, restarted.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');

/** A free TCP port on 127.0.0.1 (free when asked; the run binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The run's own MongoDB-protocol server (scripts/mongo-test-server.sh with an H2 data file). */
export class ChaosDatabase {
  readonly dir: string;
  readonly dataFile: string;
  port = 0;
  /** [stopped at, answering again at] of each restart. */
  readonly outages: Array<[number, number]> = [];

  constructor(tmpDir: string) {
    this.dir = join(tmpDir, 'mongo');
    this.dataFile = join(this.dir, 'data.h2');
  }

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, MONGO_TEST_PORT: String(this.port), MONGO_TEST_DIR: this.dir, MONGO_TEST_DATA_FILE: this.dataFile };
  }

  async start(): Promise<void> {
    if (!this.port) {
      this.port = await freePort();
      mkdirSync(this.dir, { recursive: true });
      // The jars and the compiled launcher of the shared server, so no Maven fetch is needed (the script installs them if missing).
      const shared = join(ROOT, '.mongo-test-server');
      for (const part of ['lib', 'classes']) {
        if (existsSync(join(shared, part)) && !existsSync(join(this.dir, part))) cpSync(join(shared, part), join(this.dir, part), { recursive: true, preserveTimestamps: true });
      }
    }
    await run('bash', [join(ROOT, 'scripts/mongo-test-server.sh'), 'start'], { env: this.env(), timeout: 180_000 });
  }

  async stop(): Promise<void> {
    if (!this.port) return;
    // The pid first: the script removes its pid file after 5 s even when the JVM is still
    // shutting down, and a new server must not open the same H2 file before the old one
    // closed it (acknowledged writes would be lost: that would be the harness, not the bot).
    const pidFile = join(this.dir, 'pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
    await run('bash', [join(ROOT, 'scripts/mongo-test-server.sh'), 'stop'], { env: this.env(), timeout: 60_000 }).catch(() => undefined);
    // TERM runs the shutdown hook, which closes the H2 file; wait for it (a loaded machine is slow).
    for (let i = 0; i < 600 && Number.isFinite(pid) && alive(pid); i++) await sleep(100);
    if (Number.isFinite(pid) && alive(pid)) {
      this.hardKills++;
      process.kill(pid, 'SIGKILL');
    }
  }

  /** Stops that needed SIGKILL (the H2 file may then miss its last writes). */
  hardKills = 0;

  /** Stop and start again on the same port and H2 file; records the outage window. */
  async restart(): Promise<void> {
    const from = Date.now();
    await this.stop();
    await this.start();
    this.outages.push([from, Date.now()]);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface CrashRecord { slot: string; at: number; code: number | null; signal: string | null; logTail: string }

/** One bot process slot: a fixed port and env, (re)started as needed. */
export class BotSlot {
  child: ChildProcess | null = null;
  ready = false;
  starts = 0;
  kills = 0;
  readonly crashes: CrashRecord[] = [];
  private killing = false;
  private stopping = false;
  readonly logFile: string;

  /** Children this slot killed itself (their exit is not a crash). */
  private readonly killed = new WeakSet<ChildProcess>();

  constructor(readonly name: string, readonly port: number, private readonly env: Record<string, string>, logDir: string, private readonly onCrash: (c: CrashRecord) => void) {
    this.logFile = join(logDir, `bot-${name}.log`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Start the process and wait until /healthz answers (or the process dies). */
  async start(): Promise<void> {
    this.killing = false;
    this.ready = false;
    this.starts++;
    const fd = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
      cwd: ROOT, env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', fd, fd], detached: true,
    });
    closeSync(fd);
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.child === child) { this.child = null; this.ready = false; }
      // Per child: a killed process may report its exit only after the slot started the next one.
      if (this.killed.has(child) || this.stopping) return;
      const crash: CrashRecord = { slot: this.name, at: Date.now(), code, signal, logTail: tail(this.logFile, 2500) };
      this.crashes.push(crash);
      this.onCrash(crash);
      // Keep the run going: a crashed bot is restarted like a killed one.
      if (!this.stopping) setTimeout(() => { if (!this.child && !this.stopping) void this.start().catch(() => undefined); }, 1000);
    });
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && this.child === child) {
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.ok) { this.ready = true; return; }
      } catch { /* not yet */ }
      await sleep(200);
    }
    if (this.child === child && !this.ready) throw new Error(`bot ${this.name} did not become healthy within 90 s (see ${this.logFile})`);
  }

  /** kill -9 (the whole process group), as an OOM killer or a power cut would. */
  kill9(): void {
    if (!this.child?.pid) return;
    this.killing = true;
    this.killed.add(this.child);
    this.ready = false;
    this.kills++;
    try { process.kill(-this.child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child?.pid) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 8000);
    await exited;
    clearTimeout(timer);
  }

  /** Kill without waiting (the run is failing): nothing may outlive it. */
  forceKill(): void {
    this.stopping = true;
    if (this.child?.pid) { try { process.kill(-this.child.pid, 'SIGKILL'); } catch { /* gone */ } }
  }
}

function tail(file: string, chars: number): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-chars);
  } catch {
    return '';
  }
}
