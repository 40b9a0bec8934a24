/**
 * Signed Slack bodies that Bolt itself cannot read (found by `npm run fuzz`): an event
 * whose `channel` is null or a number, an `event` that is not an object, a body of
 * `null`. Bolt threw a TypeError and the bot answered 500, so Slack would deliver the same
 * unreadable event again; now it is acknowledged (200) and skipped, and a readable event
 * right after is still handled.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { startApp, type RunningApp } from '../../../src/app.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { FakeSlack, BOT_TOKEN } from '../../fakes/slack-web-api.ts';
import { sign, SIGNING_SECRET } from '../../fakes/slack-events.ts';
import { openTestDb } from '../../helpers/database.ts';
import { TEST_API_TOKEN } from '../../helpers/app.ts';

let slack: FakeSlack;
let db: Awaited<ReturnType<typeof openTestDb>>;
let app: RunningApp;

beforeAll(async () => {
  slack = await new FakeSlack().start();
  db = await openTestDb('slack-unreadable');
  app = await startApp({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', API_TOKEN: TEST_API_TOKEN, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, SLACK_CARE_CHANNELS: 'CCARE1' }),
    logger: silentLogger(), database: { conn: db.conn, embedded: false, close: async () => {} }, schedule: false,
  });
});
afterAll(async () => { await app?.stop(); await db?.drop(); await slack?.close(); });

async function post(body: string): Promise<number> {
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(`${app.url}/slack/events`, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(SIGNING_SECRET, ts, body) },
  });
  await res.arrayBuffer();
  return res.status;
}

const envelope = (event: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'event_callback', team_id: 'T1', api_app_id: 'A1', event_id: 'Ev1', event_time: 1, event, ...extra });

test('signed bodies Bolt cannot read are acknowledged and skipped, never 500', async () => {
  const unreadable = [
    envelope({ type: 'message', channel: null, channel_type: 'im', user: 'U1', text: '9', ts: '1.1' }),
    envelope({ type: 'message', channel: 0, channel_type: 'im', text: '9', ts: '1.1' }, { team_id: [true, ''] }),
    envelope(true, { type: '' }),
    envelope('text'),
    'null',
    '[]',
  ];
  for (const body of unreadable) assert.equal(await post(body), 200, body);
  // A readable event is still handled (the URL check Slack sends when the app is set up).
  const res = await fetch(`${app.url}/slack/events`, {
    method: 'POST', body: JSON.stringify({ type: 'url_verification', challenge: 'abc', token: 'x' }),
    headers: (() => { const ts = Math.floor(Date.now() / 1000); const b = JSON.stringify({ type: 'url_verification', challenge: 'abc', token: 'x' }); return { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(SIGNING_SECRET, ts, b) }; })(),
  });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /abc/);
});
