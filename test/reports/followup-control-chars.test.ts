/**
 * Follow-up owner and note reach managers' terminals (`nps-bot followups`): terminal
 * control sequences sent through the API are dropped before anything is stored.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { stripControlChars, stripControlCharsOneLine } from '../../src/control-chars.ts';
import { followupModel } from '../../src/reports/followups/followup-model.ts';
import { authHeaders, startTestApp, type TestApp } from '../helpers/app.ts';
import mongoose from 'mongoose';
import { command as followupsCommand } from '../../src/commands/followups.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';

let app: TestApp;
beforeAll(async () => { app = await startTestApp({ label: 'fu-ctrl' }); });
afterAll(async () => { await app.close(); });

test('ESC sequences, other controls and bidi overrides are dropped from owner and note; newlines stay in notes', async () => {
  const now = new Date();
  const f = await followupModel(app.conn).create({
    surveyId: new mongoose.Types.ObjectId(), channel: 'slack', conversationId: 'c1', agentId: 'a1', type: 'transactional',
    score: 2, resolvedAt: now, openedAt: now, notifyAfter: now,
  });
  const res = await fetch(`${app.url}/api/followups/${String(f._id)}`, {
    method: 'PATCH', headers: authHeaders(),
    body: JSON.stringify({ owner: '\u001b[2J\u001b[31mMal\u202elory\r\n', note: 'Called back.\n\u001b]0;pwned\u0007Refund \u0000sent\u009b1m' }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const stored = await followupModel(app.conn).findById(f._id).lean().exec();
  assert.equal(stored?.owner, '[2J[31mMallory');
  assert.equal(stored?.note, 'Called back.\n]0;pwnedRefund sent1m');
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/.test(`${stored?.owner}${stored?.note}`));
});

test('the sanitisers', () => {
  assert.equal(stripControlChars('a\tb\nc\u001bd\u2066e\u007f'), 'a\tb\ncde');
  assert.equal(stripControlCharsOneLine('a\tb\nc\u2028d'), 'abcd');
  assert.equal(stripControlChars('Åsa ✓ 10/10'), 'Åsa ✓ 10/10');
});

test('nps-bot followups prints no control characters, even from a customer comment or a note stored earlier', async () => {
  const now = new Date();
  const survey = await surveyModel(app.conn).create({
    channel: 'slack', conversationId: 'c-esc', customer: { id: 'U1', locale: 'en' }, agent: { id: 'a1' }, state: 'completed',
    score: 1, category: 'detractor', comment: 'bad\u001b[2J\u001b]0;owned\u0007 service', resolvedAt: now, askAt: now, completedAt: now,
  });
  await followupModel(app.conn).create({
    surveyId: survey._id, channel: 'slack', conversationId: 'c-esc', agentId: 'a1', type: 'transactional',
    score: 1, resolvedAt: now, openedAt: now, notifyAfter: now, note: 'old \u001b[31mnote',
  });
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const saved = { uri: process.env.MONGODB_URI, db: process.env.MONGODB_DB };
  process.env.MONGODB_DB = app.dbName;
  process.stdout.write = ((chunk: string | Uint8Array) => { written.push(String(chunk)); return true; }) as typeof process.stdout.write;
  try {
    assert.equal(await followupsCommand.run(['--status', 'open']), 0);
  } finally {
    process.stdout.write = write;
    process.env.MONGODB_DB = saved.db;
  }
  const out = written.join('');
  assert.match(out, /comment "bad\[2J\]0;owned service"/);
  assert.match(out, /note "old \[31mnote"/);
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(out), JSON.stringify(out));
});
