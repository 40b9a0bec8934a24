/** docker-compose.yml parses, wires the bot to MongoDB, and names only settings the bot knows. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../src/config.ts';

interface Compose { services: Record<string, { image?: string; ports?: string[]; build?: unknown; environment?: Record<string, string>; healthcheck?: unknown; volumes?: string[]; depends_on?: Record<string, { condition: string }> }>; volumes?: Record<string, unknown> }

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
  assert.equal(bot.environment?.MONGODB_URI, 'mongodb://${MONGO_USERNAME:-nps}:${MONGO_PASSWORD:?set MONGO_PASSWORD}@mongo:27017/?authSource=admin');
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
  assert.equal(config.mongodbUri, 'mongodb://nps:@mongo:27017/?authSource=admin');
  assert.equal(config.port, 3000);
});

test('the bot is published on loopback only, MongoDB needs a password and is not published', () => {
  const { bot, mongo } = compose.services;
  assert.ok(bot!.ports && bot!.ports.length > 0);
  for (const p of bot!.ports) assert.match(p, /^127\.0\.0\.1:/, `published on every interface: ${p}`);
  assert.equal(mongo!.ports, undefined);
  assert.match(mongo!.environment?.MONGO_INITDB_ROOT_PASSWORD ?? '', /^\$\{MONGO_PASSWORD:\?/, 'a password is required, never defaulted');
  assert.ok(mongo!.environment?.MONGO_INITDB_ROOT_USERNAME);
  assert.match(bot!.environment?.MONGODB_URI ?? '', /MONGO_PASSWORD.*@mongo:27017/);
});

test('mongodb-memory-server (it downloads mongod) is not a runtime dependency and stays out of the image', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
  assert.equal(pkg.dependencies['mongodb-memory-server'], undefined);
  assert.ok(pkg.optionalDependencies?.['mongodb-memory-server'], 'optional: a local first run may still use it');
  const docker = readFileSync('Dockerfile', 'utf8');
  assert.match(docker, /MONGOMS_DISABLE_POSTINSTALL=1/);
  assert.match(docker, /npm prune --omit=dev --omit=optional/);
  // Loaded only by a dynamic import, so its absence is a clear message, not a crash at start.
  const src = sourceText('src');
  assert.ok(!/^import[^;]*from 'mongodb-memory-server'/m.test(src));
});
