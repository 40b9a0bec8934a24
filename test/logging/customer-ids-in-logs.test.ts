/**
 * Customer platform ids stay out of info and warn logs (they may be kept at debug).
 * Every `.info({...}` and `.warn({...}` call in src/ is read, and its fields must not
 * name a customer's id or a platform's id of their messages or conversations (X
 * inactivity conversation ids contain the customer's X id; a Chatwoot conversation id
 * and a WhatsApp message id lead straight to the customer). The engine logs a failed
 * send's error message at warn ("survey failed"), so adapters' send errors must not
 * quote the ids they were given either.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const BANNED = [
  'customerId', 'customer', 'userId', 'user', 'senderId', 'recipientId', 'authorId', 'memberId', 'conversationId',
  'wamid', 'mid', 'messageId', 'eventId', 'waId', 'psid', 'contactId',
];
/** file → fields allowed there, with why. */
const ALLOWED: Record<string, string[]> = {};

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

test('send errors (the engine logs their message at warn as "survey failed") quote no id they were given', () => {
  const offenders: string[] = [];
  let errors = 0;
  for (const file of files('src/channels')) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/new (?:Permanent|Transient)SendError\(\s*`([^`]*)`|new WindowClosedError\(\s*`([^`]*)`/g)) {
      errors++;
      const template = m[1] ?? m[2] ?? '';
      for (const p of template.matchAll(/\$\{([^}]*)\}/g)) {
        // An id named in the expression: `${to.customerId}`, `${id.slice(0, 40)}`, `${conversationId}`, `${channelId}`.
        if (/\bid\b|Id\b|\bto\.|recipient/.test(p[1]!)) {
          const line = source.slice(0, m.index).split('\n').length;
          offenders.push(`${file}:${line} quotes \${${p[1]}}`);
        }
      }
    }
  }
  assert.ok(errors > 10, `the scan found the send errors (${errors})`);
  assert.deepEqual(offenders, []);
});
