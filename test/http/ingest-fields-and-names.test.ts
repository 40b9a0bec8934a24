/**
 * What an ingest token may send to `POST /api/resolutions`, and what a customer's name
 * can do to the question, on the whole bot with an in-process channel: `address` and
 * `link` (routing: where the bot posts, a link on the dashboard and in alerts) are a
 * manager's; a name is greeted by its first word only when that word reads as a name,
 * cut at every blank including the invisible ones (U+2800, U+3164, zero-width); Discord
 * shows the question's text literally.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { authHeaders, eventually, startTestApp, type TestApp } from '../helpers/app.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';
import { readSurvey } from '../helpers/surveys.ts';
import { surveyMessageBody } from '../../src/channels/discord/discord-survey-message.ts';
import { firstName } from '../../src/conversation/first-name.ts';

const INGEST = 'ingest-token-fields-0123456789abcdefgh';
let app: TestApp;
const channel = new RecordingChannel('test');

beforeAll(async () => {
  app = await startTestApp({ label: 'ingestfields', channels: [channel], env: { INGEST_TOKENS: INGEST, FATIGUE_DAYS: '0', COMPANY_NAME: 'Acme' } });
});
afterAll(async () => { await app?.close(); });

let n = 0;
function resolution(extra: Record<string, unknown> = {}, name?: string) {
  n++;
  return { channel: 'test', conversationId: `conv-${n}`, customer: { id: `cust-${n}`, ...(name === undefined ? {} : { name }) }, agent: { id: 'a1' }, ...extra };
}

async function post(body: unknown, token?: string): Promise<Response> {
  return fetch(`${app.url}/api/resolutions`, { method: 'POST', headers: authHeaders(token), body: JSON.stringify(body) });
}

describe('ingest tokens deliver, they do not route', () => {
  test('address and link from an ingest token are refused with a 400 naming the field; nothing is stored', async () => {
    const cases = [{ address: { channel: 'CINTERNAL', mode: 'thread', thread_ts: '1.2' } }, { link: 'https://evil.example/reset' }, { address: {}, link: '' }];
    for (const extra of cases) {
      const body = resolution(extra);
      const res = await post(body, INGEST);
      assert.equal(res.status, 400, JSON.stringify(extra));
      const answer = await res.json() as { field: string; error: string };
      assert.ok(['address', 'link'].includes(answer.field));
      assert.match(answer.error, /not accepted from an ingest token/);
      assert.equal(await readSurvey(app, { conversationId: body.conversationId }), null);
    }
  });

  test('the same resolution without them is accepted from the ingest token; a manager may still send both', async () => {
    assert.equal((await post(resolution(), INGEST)).status, 202);
    const managed = resolution({ link: 'https://care.example/c/1', address: { thread: 'T1' } });
    assert.equal((await post(managed)).status, 202);
    const s = await readSurvey(app, { conversationId: managed.conversationId });
    assert.equal(s?.link, 'https://care.example/c/1');
  });
});

describe('names in the question', () => {
  test('invisible blanks end the first name; a first word that is not a name greets nobody', async () => {
    const cases: Array<[string, string]> = [
      ['Anna\u2800[Reset your password](https://evil.example)', 'Hi Anna!'],
      ['Anna\u3164<@everyone>', 'Hi Anna!'],
      ['Anna\u200b**urgent**', 'Hi Anna!'],
      ['[Reset](https://evil.example) Anna', 'Hi!'],
      ['<!channel>', 'Hi!'],
      ['\u2800\u2800', 'Hi!'],
      ['Anne-Marie O\'Brien', 'Hi Anne-Marie!'],
      ['Åsa Öberg', 'Hi Åsa!'],
    ];
    for (const [name, greeting] of cases) {
      const body = resolution({}, name);
      assert.equal((await post(body, INGEST)).status, 202);
      const sent = await eventually(async () => channel.sent.find((m) => m.to.conversationId === body.conversationId), 5000, `the question for ${JSON.stringify(name)}`);
      assert.ok(sent.message.text.startsWith(`${greeting} `), `${JSON.stringify(name)} → ${sent.message.text.slice(0, 60)}`);
      assert.doesNotMatch(sent.message.text, /evil|everyone|channel|urgent|\u2800|\u3164|\u200b/);
    }
  });

  test('firstName keeps letters, marks and inner punctuation only', () => {
    assert.equal(firstName('José  Luis'), 'José');
    assert.equal(firstName('J. Smith'), 'J.');
    assert.equal(firstName('anna_x'), undefined);
    assert.equal(firstName('A'.repeat(41)), undefined);
    assert.equal(firstName(undefined), undefined);
  });

  test('Discord shows the question literally: markdown, masked links and mentions are escaped', () => {
    const body = surveyMessageBody({ surveyId: 's1', customerId: '123456789012345678' }, { kind: 'question', text: 'Hi **there** [x](https://evil.example) @everyone', choices: null }, false);
    assert.equal(body.content, 'Hi \\*\\*there\\*\\* \\[x\\](https://evil.example) @\u200beveryone');
  });
});
