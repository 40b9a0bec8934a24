/**
 * Customer platform ids stay out of info and warn logs (they may be kept at debug).
 * Every `.info({...}` and `.warn({...}` call in src/ is read, and its fields must not
 * name a customer's id. X inactivity conversation ids contain the customer's X id, so
 * `conversationId` counts too, except where a channel's conversation id is its own number.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const BANNED = ['customerId', 'customer', 'userId', 'user', 'senderId', 'recipientId', 'authorId', 'memberId', 'conversationId'];
/** file → fields allowed there, with why. */
const ALLOWED: Record<string, string[]> = {
  // Chatwoot's conversation id is Chatwoot's own running number, not a platform id.
  'src/channels/chatwoot/chatwoot-bridge.ts': ['conversationId'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('no info/warn log call carries a customer id field', () => {
  const offenders: string[] = [];
  let calls = 0;
  for (const file of files('src')) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/\b(?:log|logger)\.(info|warn)\(\s*\{([^}]*)\}/g)) {
      calls++;
      const fields = [...m[2]!.matchAll(/(?:^|,)\s*([A-Za-z_$][\w$]*)\s*(?::|,|$)/g)].map((f) => f[1]!);
      for (const field of fields) {
        if (BANNED.includes(field) && !(ALLOWED[file] ?? []).includes(field)) {
          const line = source.slice(0, m.index).split('\n').length;
          offenders.push(`${file}:${line} ${m[1]} logs "${field}"`);
        }
      }
    }
  }
  assert.ok(calls > 20, `the scan found the log calls (${calls})`);
  assert.deepEqual(offenders, []);
});
