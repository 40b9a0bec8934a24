/** docker-compose.yml parses, wires the bot to MongoDB, and names only settings the bot knows. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../src/config.ts';

interface Compose { services: Record<string, { image?: string; build?: unknown; environment?: Record<string, string>; healthcheck?: unknown; volumes?: string[]; depends_on?: Record<string, { condition: string }> }>; volumes?: Record<string, unknown> }

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as Compose;

function sourceText(dir: string): string {
  return readdirSync(dir).map((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceText(p) : f.endsWith('.ts') ? readFileSync(p, 'utf8') : '';
  }).join('\n');
}

test('mongo runs the real MongoDB image with a volume and a healthcheck', () => {
  const mongo = compose.services.mongo!;
  assert.match(mongo.image ?? '', /^mongo:/);
  assert.ok(mongo.healthcheck);
  assert.ok(mongo.volumes?.some((v) => v.endsWith(':/data/db')));
  assert.ok(compose.volumes && 'mongo-data' in compose.volumes);
});

test('the bot is built from the Dockerfile, waits for a healthy mongo, and is wired by MONGODB_URI', () => {
  const bot = compose.services.bot!;
  assert.ok(bot.build);
  assert.equal(bot.depends_on?.mongo?.condition, 'service_healthy');
  assert.equal(bot.environment?.MONGODB_URI, 'mongodb://mongo:27017');
  assert.equal(bot.environment?.HOST, '0.0.0.0');
  assert.match(bot.environment?.API_TOKEN ?? '', /API_TOKEN:\?/, 'API_TOKEN is required, not defaulted');
  assert.ok(readFileSync('Dockerfile', 'utf8').includes('dist/cli.js'));
});

test('the bot\'s healthchecks (compose and Dockerfile) ask /readyz, not the liveness route', () => {
  const check = compose.services.bot!.healthcheck as { test: string[] } | undefined;
  assert.ok(check, 'the bot has a healthcheck');
  assert.match(check.test.join(' '), /127\.0\.0\.1:3000\/readyz/);
  const healthcheck = readFileSync('Dockerfile', 'utf8').split('\n').find((l) => l.startsWith('HEALTHCHECK')) ?? '';
  assert.match(healthcheck, /\/readyz/);
});

test('every variable compose sets is one the bot reads, and its defaults load', () => {
  const src = sourceText('src');
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(compose.services.bot!.environment ?? {})) {
    assert.ok(src.includes(`${name}`), `${name} is not read anywhere in src/`);
    // Resolve ${VAR:-default} the way compose does with nothing set.
    env[name] = String(value).replace(/\$\{[A-Z0-9_]+(?::-([^}]*)|:\?[^}]*)\}/g, (_m, def: string | undefined) => def ?? '');
  }
  env.API_TOKEN = 'a-token-of-thirty-two-characters';
  const config = loadConfig(env);
  assert.equal(config.mongodbUri, 'mongodb://mongo:27017');
  assert.equal(config.port, 3000);
});
