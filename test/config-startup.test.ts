/**
 * Settings are read once, before anything starts: a bad value of any part (a channel
 * that is on, the reports, follow-ups, metrics, a token given twice) stops `nps-bot start` with one line
 * naming the variable, and the database is never connected to. MONGODB_URI points at a
 * plain TCP server that only records connections.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { eventually } from './helpers/app.ts';

let recorder: Server;
let port = 0;
let connections = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  recorder = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  port = (recorder.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => recorder.close(() => resolve()));
});

const ROOT = new URL('..', import.meta.url).pathname;

/** Only what the test gives: nothing from the developer's own environment leaks in. */
function startBot(env: Record<string, string>): { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      MONGODB_URI: `mongodb://127.0.0.1:${port}/nps`,
      OPT_OUT_KEY_SECRET: 'startup-test-opt-out-key-0123456789abcdef',
      PORT: '0',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, done };
}

const DISCORD = {
  DISCORD_TOKEN: 'x'.repeat(59),
  DISCORD_CARE_CHANNELS: '123456789012345678',
  DISCORD_AGENT_ROLE: 'Support',
};

describe('nps-bot start with a bad setting', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['a channel that is on (Discord)', { ...DISCORD, DISCORD_GUILD_IDS: '12345678901234567,1234O' }, /^nps-bot: DISCORD_GUILD_IDS: expected a comma-separated list of server \(guild\) ids/],
    ['the reports', { DIGEST_CRON: 'every monday' }, /^nps-bot: DIGEST_CRON: not a valid cron expression/],
    ['the follow-ups', { FOLLOWUP_DUE_HOURS: 'two days' }, /^nps-bot: FOLLOWUP_DUE_HOURS: expected a whole number/],
    ['the metrics', { METRICS_GAUGE_SECONDS: '0' }, /^nps-bot: METRICS_GAUGE_SECONDS: must be at least 1/],
    ['a token in two roles', { API_TOKEN: 'startup-test-api-token-0123456789abcdef', INGEST_TOKENS: 'startup-test-api-token-0123456789abcdef' }, /^nps-bot: INGEST_TOKENS entry 1: the same token is also given as API_TOKEN: every token must be distinct/],
  ];

  test.each(cases)('%s: exits 1 with one line naming it, and never connects to the database', async (_what, env, line) => {
    const before = connections;
    const { code, stderr } = await startBot(env).done;
    assert.equal(code, 1);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, line);
    assert.equal(connections, before, 'the database was connected to');
  }, 60_000);

  test('with good settings the same start does connect (the recorder sees it)', async () => {
    const before = connections;
    const { child, done } = startBot(DISCORD);
    try {
      await eventually(async () => connections > before, 30_000, 'a connection to MONGODB_URI');
    } finally {
      child.kill('SIGKILL');
      await done;
    }
  }, 60_000);
});
