/**
 * Every channel's texts fit its platform's documented limit, in bytes where the platform
 * counts bytes (the table is in docs/architecture.md). One bot runs Messenger,
 * Instagram, WhatsApp, Chatwoot, Telegram and X against their local fakes, which refuse
 * what the platforms refuse; its question is a company's own Danish wording that renders
 * to several thousand characters (the company name, with æ, ø and å, appears many
 * times). Slack and Discord are checked on the message bodies their adapters build.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitText, utf8Bytes } from '../../src/channels/text-limit.ts';
import { messageText, questionBlocks } from '../../src/channels/slack/slack-blocks.ts';
import { answeredContent, surveyMessageBody } from '../../src/channels/discord/discord-survey-message.ts';
import { FakeGraphApi } from '../fakes/graph-api.ts';
import { FakeChatwootApi } from '../fakes/chatwoot-api.ts';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.ts';
import { FakeXApi } from '../fakes/x-api.ts';
import { authHeaders, eventually, startTestApp, type TestApp } from '../helpers/app.ts';
import { readSurvey } from '../helpers/surveys.ts';

/** 80 characters, 98 bytes of UTF-8. */
const COMPANY = 'Ærøskøbing Øl & Åbenrå Blåbærgård — Søndergårds Fiskehandel på Østerbro ÆØÅ æøåø';
/** 978 characters of template; about 7,400 characters once `{company}` is filled in 90 times. */
const QUESTION = `Hej{name}! Hvor sandsynligt er det, at du vil anbefale ${'{company} '.repeat(90)}til en ven? Svar 0–10.`;

const VERSION = 'v24.0';
const APP_SECRET = 'limits-app-secret-0123456789';
const TG_TOKEN = '123456789:AAHfake-telegram-token-limits-0123456';
const X_CREDS = { consumerKey: 'x-key-limits', consumerSecret: 'x-secret-limits-0123456789', accessToken: '1000-token-limits', accessTokenSecret: 'x-token-secret-limits', brandUserId: '1000' };

let graph: FakeGraphApi;
let chatwoot: FakeChatwootApi;
let telegram: FakeTelegramBotApi;
let x: FakeXApi;
let app: TestApp;

beforeAll(async () => {
  assert.equal(COMPANY.length, 80);
  assert.ok(QUESTION.length <= 1000);
  graph = await FakeGraphApi.start({
    version: VERSION, appSecret: APP_SECRET,
    messenger: { pageId: '100200300', token: 'page-token-limits-0123' },
    instagram: { accountId: '17841400000000009', token: 'ig-token-limits-0123' },
    whatsapp: { phoneNumberId: '106540352242922', businessAccountId: '102290129340398', token: 'wa-token-limits-0123' },
  });
  chatwoot = await FakeChatwootApi.start({ accountId: 1, apiToken: 'chatwoot-token-limits', webhookSecret: 'chatwoot-secret-limits-0123' });
  telegram = await FakeTelegramBotApi.start({ token: TG_TOKEN });
  x = await FakeXApi.start(X_CREDS);
  const dir = mkdtempSync(join(tmpdir(), 'nps-limits-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ templates: { en: { question: QUESTION } } }));
  app = await startTestApp({
    label: 'textlimits',
    env: {
      CONFIG_FILE: configFile,
      COMPANY_NAME: COMPANY,
      META_APP_SECRET: APP_SECRET, META_VERIFY_TOKEN: 'verify-token-limits', META_GRAPH_URL: graph.url, META_GRAPH_VERSION: VERSION,
      MESSENGER_PAGE_ACCESS_TOKEN: 'page-token-limits-0123', MESSENGER_PAGE_ID: '100200300',
      INSTAGRAM_ACCESS_TOKEN: 'ig-token-limits-0123', INSTAGRAM_ACCOUNT_ID: '17841400000000009',
      WHATSAPP_ACCESS_TOKEN: 'wa-token-limits-0123', WHATSAPP_PHONE_NUMBER_ID: '106540352242922', WHATSAPP_STATUS_WAIT_SECONDS: '0',
      CHATWOOT_URL: chatwoot.url, CHATWOOT_API_TOKEN: 'chatwoot-token-limits', CHATWOOT_ACCOUNT_ID: '1', CHATWOOT_WEBHOOK_SECRET: 'chatwoot-secret-limits-0123',
      TELEGRAM_BOT_TOKEN: TG_TOKEN, TELEGRAM_WEBHOOK_SECRET: 'telegram-secret-limits-0123', TELEGRAM_API_ROOT: telegram.url,
      X_CONSUMER_KEY: X_CREDS.consumerKey, X_CONSUMER_SECRET: X_CREDS.consumerSecret, X_ACCESS_TOKEN: X_CREDS.accessToken,
      X_ACCESS_TOKEN_SECRET: X_CREDS.accessTokenSecret, X_BRAND_USER_ID: X_CREDS.brandUserId, X_API_URL: `${x.url}/1.1/`,
    },
  });
  chatwoot.webhookUrl = `${app.url}/chatwoot/webhook`;
});

afterAll(async () => {
  await graph?.settled();
  await chatwoot?.settled();
  await app?.close();
  await Promise.all([graph?.stop(), chatwoot?.stop(), telegram?.stop(), x?.stop()]);
});

/** The question as the engine renders it (no name given). */
const FULL = QUESTION.replaceAll('{name}', '').replaceAll('{company}', COMPANY);

async function resolveOn(channel: string, customerId: string): Promise<string> {
  const res = await fetch(`${app.url}/api/resolutions`, {
    method: 'POST', headers: authHeaders(),
    body: JSON.stringify({ channel, conversationId: `limits-${channel}-${customerId}`, customer: { id: customerId }, agent: { id: 'agent-anna' } }),
  });
  assert.equal(res.status, 202, await res.clone().text());
  return (await res.json() as { surveyId: string }).surveyId;
}

async function asked(surveyId: string): Promise<void> {
  const s = await eventually(async () => {
    const found = await readSurvey(app, { _id: surveyId });
    return found && found.state !== 'scheduled' && found.state !== 'sending' ? found : null;
  }, 15_000, `survey ${surveyId} to be sent`);
  assert.equal(s.state, 'asked', `the platform took the question (${String(s.lastError ?? '')})`);
}

/** A cut text: a start of the full text, then "…". */
function assertCutFrom(text: string, full: string): void {
  assert.ok(text.endsWith('…'), 'marked as cut');
  assert.ok(full.startsWith(text.slice(0, -1).trimEnd()), 'a start of the full text');
}

describe('fitText', () => {
  test('a 999-character Danish text is 1,033 bytes; cut to 1,000 bytes it keeps whole letters', () => {
    const danish = 'Hvor sandsynligt er det, at du vil anbefale os? Æbler, øl og ål på Ærø. '.repeat(14).slice(0, 999);
    assert.equal(danish.length, 999);
    assert.ok(utf8Bytes(danish) > 1000);
    const fitted = fitText(danish, { bytes: 1000 });
    assert.ok(utf8Bytes(fitted) <= 1000);
    assertCutFrom(fitted, danish);
    assert.doesNotMatch(fitted, /\uFFFD/);
  });

  test('never splits an emoji, a flag or a letter from its accent; a text that fits is unchanged', () => {
    const family = '👨‍👩‍👧‍👦';
    const text = `ab${family}${family}`;
    assert.equal(fitText(text, { chars: 14 }), `ab${family}…`);
    assert.equal(fitText('e\u0301e\u0301e\u0301', { chars: 4 }), 'e\u0301…');
    assert.equal(fitText('🇩🇰🇸🇪🇳🇴', { bytes: 12 }), '🇩🇰…', 'a flag is 8 bytes: one flag and the 3-byte ellipsis');
    assert.equal(fitText('short', { chars: 10, bytes: 10 }), 'short');
  });
});

describe('each channel keeps to its platform\'s limit', () => {
  test('Instagram: 1,000 bytes of UTF-8 (not 2,000 characters)', async () => {
    const id = await resolveOn('instagram', '5550001');
    await asked(id);
    const text = String(graph.to('instagram', '5550001')[0]!.body.text);
    assert.ok(utf8Bytes(text) <= 1000, `${utf8Bytes(text)} bytes`);
    assert.ok(utf8Bytes(text) > 950, 'as much as fits');
    assertCutFrom(text, FULL);
  });

  test('Messenger: 2,000 characters', async () => {
    const id = await resolveOn('messenger', '5550002');
    await asked(id);
    const text = String(graph.to('messenger', '5550002')[0]!.body.text);
    assert.ok(text.length <= 2000 && text.length > 1900);
    assertCutFrom(text, FULL);
  });

  test('WhatsApp: an interactive list\'s body 1,024 characters', async () => {
    const id = await resolveOn('whatsapp', '46701234567');
    await asked(id);
    const first = graph.to('whatsapp', '46701234567')[0]!.body.interactive as { body: { text: string } };
    assert.ok(first.body.text.length <= 1024 && first.body.text.length > 1000);
    assertCutFrom(first.body.text, FULL);
  });

  test('Chatwoot: the limit of the platform behind the inbox (Instagram 1,000 bytes; WhatsApp lists 1,024 characters)', async () => {
    const ig = chatwoot.addConversation({ channel: 'Channel::Instagram', contact: { id: 901, name: 'Ida' } });
    const wa = chatwoot.addConversation({ channel: 'Channel::Whatsapp', contact: { id: 902, name: 'Maja', phone: '+4670902000' } });
    const web = chatwoot.addConversation({ channel: 'Channel::WebWidget', contact: { id: 903, name: 'Eva' } });
    for (const c of [ig, wa, web]) assert.equal((await chatwoot.resolve(c.id))?.status, 200);
    const igQ = await eventually(async () => chatwoot.sentTo(ig.id)[0], 15_000, 'the instagram question');
    assert.ok(utf8Bytes(igQ.content) <= 1000);
    assert.notEqual(igQ.delivered, 'failed');
    const waQ = await eventually(async () => chatwoot.sentTo(wa.id)[0], 15_000, 'the whatsapp question');
    assert.ok(waQ.content.length <= 1024);
    assert.equal(waQ.delivered, 'list');
    const webQ = await eventually(async () => chatwoot.sentTo(web.id)[0], 15_000, 'the web question');
    assert.ok(webQ.content.length > 7000 && webQ.content.endsWith('Svar 0–10.'), 'the web widget takes the whole text');
  });

  test('Telegram: 4,096 characters', async () => {
    const u = telegram.user();
    telegram.startChat(u);
    const id = await resolveOn('telegram', String(u.id));
    await asked(id);
    const text = String(telegram.to(u.id)[0]!.text);
    assert.ok(text.length <= 4096 && text.length > 4000);
    assertCutFrom(text, FULL);
  });

  test('X: 10,000 characters (the whole question fits)', async () => {
    const id = await resolveOn('x', '7770001');
    await asked(id);
    const dm = await eventually(async () => x.sent.find((d) => d.recipientId === '7770001'), 5000, 'the DM');
    assert.equal(dm.text, FULL);
  });

  test('Discord: 2,000 characters of content, also once answered', () => {
    const body = surveyMessageBody({ surveyId: '65a1b2c3d4e5f60718293a4b', customerId: '81234567890123456' }, { kind: 'question', text: FULL, choices: [0, 1, 2] }, true);
    assert.ok(body.content!.length <= 2000);
    assert.ok(body.content!.startsWith('<@81234567890123456> '));
    assert.ok(answeredContent(FULL, 9).length <= 2000);
  });

  test('Slack: a section\'s 3,000 characters; the escaped text stays far under 40,000', () => {
    const blocks = questionBlocks(FULL, [0, 1], 's1', 'U1') as Array<{ text?: { text: string } }>;
    assert.ok(blocks[0]!.text!.text.length <= 3000);
    const escaped = messageText('<&>'.repeat(5000));
    assert.ok(escaped.length <= 40_000, `${escaped.length}`);
  });
});
