/**
 * The Meta channels' parts with real inputs: settings, the webhook signature, the
 * choice payloads, the error mapping (window closed / rate limited / transient /
 * permanent), the webhook payload readers, the WhatsApp question's split and the status
 * waiter, and the Graph client against the fake Graph API (real HTTP on 127.0.0.1).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { loadConfig } from '../../../src/config.ts';
import { ConfigError } from '../../../src/env-readers.ts';
import { silentLogger } from '../../../src/logger.ts';
import { PermanentSendError, TransientSendError, WindowClosedError } from '../../../src/conversation/channel-contract/send-errors.ts';
import { createChannels } from '../../../src/channels/registry.ts';
import { channelNameSchema } from '../../../src/conversation/inbound-validation.ts';
import { choicePayload, readChoicePayload } from '../../../src/channels/meta/choice-payload.ts';
import { GraphClient } from '../../../src/channels/meta/graph-client.ts';
import { classifyGraphFailure, graphSendError, rateLimitWaitMs, regainAccessMs, retryAfterMs, type GraphFailure } from '../../../src/channels/meta/graph-errors.ts';
import { hubSignature, secretsEqual, verifyHubSignature } from '../../../src/channels/meta/hub-signature.ts';
import { messagingEvents, messagingPayloadSchema } from '../../../src/channels/meta/messaging-payload.ts';
import { feedbackQuestionId, quickReplies, readFeedbackAnswer } from '../../../src/channels/meta/messenger-question.ts';
import { DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION, readInstagramSettings, readMessengerSettings, readWhatsAppSettings } from '../../../src/channels/meta/meta-settings.ts';
import { whatsappEvents, whatsappPayloadSchema } from '../../../src/channels/meta/whatsapp-payload.ts';
import { questionLists, splitChoices } from '../../../src/channels/meta/whatsapp-question.ts';
import { StatusWaiter } from '../../../src/channels/meta/whatsapp-status-waiter.ts';
import { FakeGraphApi } from '../../fakes/graph-api.ts';

const messengerEnv = { MESSENGER_PAGE_ACCESS_TOKEN: 'page-token-0123', MESSENGER_PAGE_ID: '123', META_APP_SECRET: 'app-secret-0123', META_VERIFY_TOKEN: 'verify-0123' };

function configError(read: () => unknown): string {
  try {
    read();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

describe('Meta settings', () => {
  test('each product is off without its token; on with it, with defaults', () => {
    assert.equal(readMessengerSettings({}), null);
    assert.equal(readInstagramSettings({ INSTAGRAM_ACCESS_TOKEN: '  ' }), null);
    assert.equal(readWhatsAppSettings({}), null);
    const m = readMessengerSettings(messengerEnv)!;
    assert.equal(m.graphUrl, DEFAULT_GRAPH_URL);
    assert.equal(m.graphVersion, DEFAULT_GRAPH_VERSION);
    assert.equal(m.ratePerSecond, 20);
    assert.equal(m.feedbackTemplate, false);
    assert.equal(m.bodyLimitBytes, 512 * 1024);
    const w = readWhatsAppSettings({ ...messengerEnv, WHATSAPP_ACCESS_TOKEN: 'wa-token-0123', WHATSAPP_PHONE_NUMBER_ID: '456' })!;
    assert.equal(w.statusWaitMs, 10_000);
    assert.equal(w.templateName, undefined);
  });

  test('per-product app secrets and the Instagram Graph URL override the shared ones', () => {
    const i = readInstagramSettings({ ...messengerEnv, INSTAGRAM_ACCESS_TOKEN: 'ig-token-0123', INSTAGRAM_ACCOUNT_ID: '1784', INSTAGRAM_APP_SECRET: 'ig-secret-0123', INSTAGRAM_GRAPH_URL: 'https://graph.instagram.com/' })!;
    assert.equal(i.appSecret, 'ig-secret-0123');
    assert.equal(i.graphUrl, 'https://graph.instagram.com');
    assert.equal(readMessengerSettings({ ...messengerEnv, META_GRAPH_URL: 'http://127.0.0.1:9/' })!.graphUrl, 'http://127.0.0.1:9');
  });

  test('a bad or missing value stops the bot with one line naming the variable, secrets hidden', () => {
    assert.match(configError(() => readMessengerSettings({ MESSENGER_PAGE_ACCESS_TOKEN: 'page-token-0123' })), /^MESSENGER_PAGE_ID: required when MESSENGER_PAGE_ACCESS_TOKEN is set/);
    assert.match(configError(() => readMessengerSettings({ ...messengerEnv, MESSENGER_PAGE_ID: 'acme' })), /^MESSENGER_PAGE_ID: expected a numeric Meta id/);
    assert.match(configError(() => readMessengerSettings({ ...messengerEnv, META_APP_SECRET: '' })), /^META_APP_SECRET: required when MESSENGER_PAGE_ACCESS_TOKEN is set/);
    assert.match(configError(() => readMessengerSettings({ ...messengerEnv, META_VERIFY_TOKEN: '' })), /^META_VERIFY_TOKEN: required/);
    assert.match(configError(() => readMessengerSettings({ ...messengerEnv, META_GRAPH_VERSION: '24' })), /^META_GRAPH_VERSION: expected a Graph API version/);
    assert.match(configError(() => readMessengerSettings({ ...messengerEnv, MESSENGER_FEEDBACK_TEMPLATE: 'on' })), /^MESSENGER_PRIVACY_URL: required when MESSENGER_FEEDBACK_TEMPLATE is on/);
    assert.match(configError(() => readWhatsAppSettings({ ...messengerEnv, WHATSAPP_ACCESS_TOKEN: 'wa-token-0123', WHATSAPP_PHONE_NUMBER_ID: '4', WHATSAPP_TEMPLATE_NAME: 'NPS Question' })), /^WHATSAPP_TEMPLATE_NAME: expected a template name/);
    assert.match(configError(() => readWhatsAppSettings({ ...messengerEnv, WHATSAPP_ACCESS_TOKEN: 'wa-token-0123', WHATSAPP_PHONE_NUMBER_ID: '4', WHATSAPP_STATUS_WAIT_SECONDS: '120' })), /^WHATSAPP_STATUS_WAIT_SECONDS: must be at most 50/);
    const hidden = configError(() => readMessengerSettings({ ...messengerEnv, META_APP_SECRET: 'short' }));
    assert.match(hidden, /^META_APP_SECRET: must be at least 8 characters \(got "\[hidden\]"\)/);
  });

  test('the registry turns on each configured Meta channel, and none without settings', () => {
    assert.deepEqual(createChannels(loadConfig({}), silentLogger()).map((c) => c.name), []);
    const names = createChannels(loadConfig({
      ...messengerEnv, INSTAGRAM_ACCESS_TOKEN: 'ig-token-0123', INSTAGRAM_ACCOUNT_ID: '1784', WHATSAPP_ACCESS_TOKEN: 'wa-token-0123', WHATSAPP_PHONE_NUMBER_ID: '4',
    }), silentLogger()).map((c) => c.name);
    assert.deepEqual(names, ['messenger', 'instagram', 'whatsapp']);
  });
});

describe('channel names', () => {
  test('accept plain names and one bridge:kind pair, at most 32 characters; nothing else', () => {
    for (const ok of ['slack', 'x', 'webhook', 'messenger', 'chatwoot:whatsapp', 'chatwoot:web', 'a-b_c:d-e', 'a'.repeat(32)]) {
      assert.ok(channelNameSchema.safeParse(ok).success, ok);
    }
    for (const bad of ['', 'Slack', 'chatwoot:', ':whatsapp', 'a:b:c', 'chatwoot:Whats', 'chatwoot: web', '1x', 'a'.repeat(33), `chatwoot:${'w'.repeat(24)}`, 'x\n']) {
      assert.ok(!channelNameSchema.safeParse(bad).success, JSON.stringify(bad));
    }
  });
});

describe('webhook signature and verify token', () => {
  test('X-Hub-Signature-256 is the hex HMAC-SHA256 of the raw body with the app secret', () => {
    const body = Buffer.from('{"object":"page","entry":[]}');
    const expected = `sha256=${createHmac('sha256', 's3cret-app').update(body).digest('hex')}`;
    assert.equal(hubSignature(body, 's3cret-app'), expected);
    assert.ok(verifyHubSignature(body, 's3cret-app', expected));
    assert.ok(verifyHubSignature(body, 's3cret-app', expected.toUpperCase().replace('SHA256=', 'sha256=')));
    assert.ok(!verifyHubSignature(body, 's3cret-app', undefined));
    assert.ok(!verifyHubSignature(body, 'other-secret', expected));
    assert.ok(!verifyHubSignature(Buffer.from(`${body} `), 's3cret-app', expected));
    assert.ok(!verifyHubSignature(body, 's3cret-app', 'sha256=abc'));
    assert.ok(!verifyHubSignature(body, 's3cret-app', expected.replace('sha256=', 'sha1=')));
  });

  test('verify tokens are compared whole', () => {
    assert.ok(secretsEqual('token-123', 'token-123'));
    assert.ok(!secretsEqual('token-12', 'token-123'));
    assert.ok(!secretsEqual('token-1234', 'token-123'));
    assert.ok(!secretsEqual('', 'token-123'));
  });
});

describe('choice payloads and quick replies', () => {
  test('round trip, and refuse what is not ours', () => {
    assert.equal(choicePayload('66f0c0ffee', 7), 'nps:66f0c0ffee:7');
    assert.deepEqual(readChoicePayload('nps:66f0c0ffee:10'), { surveyId: '66f0c0ffee', choice: 10 });
    for (const bad of [undefined, null, '', 'nps:abc:11', 'nps:abc:-1', 'nps::5', 'NPS:abc:5', 'nps:abc:5:x', 'nps:a b:5', 'BUY_NOW']) {
      assert.equal(readChoicePayload(bad), null, String(bad));
    }
    assert.throws(() => choicePayload('has space', 1), RangeError);
    assert.throws(() => choicePayload('abc', 11), RangeError);
  });

  test('quick replies: 0–10 within Meta\'s 13; more are refused', () => {
    const qr = quickReplies('abc', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(qr.length, 11);
    assert.deepEqual(qr[9], { content_type: 'text', title: '9', payload: 'nps:abc:9' });
    assert.throws(() => quickReplies('abc', Array.from({ length: 14 }, (_, i) => i % 11)), RangeError);
  });

  test('feedback template question ids carry the survey id', () => {
    assert.equal(feedbackQuestionId('66f0c0ffee'), 'nps66f0c0ffee');
    assert.deepEqual(readFeedbackAnswer({ questionId: 'nps66f0c0ffee', type: 'nps', payload: '4' }), { surveyId: '66f0c0ffee', choice: 4 });
    assert.equal(readFeedbackAnswer({ questionId: 'nps66f0c0ffee', type: 'csat', payload: '4' }), null);
    assert.equal(readFeedbackAnswer({ questionId: 'nps66f0c0ffee', type: 'nps', payload: '11' }), null);
    assert.equal(readFeedbackAnswer({ questionId: 'other', type: 'nps', payload: '4' }), null);
  });
});

describe('Graph API errors', () => {
  const f = (over: Partial<GraphFailure>): GraphFailure => ({ product: 'messenger', status: 400, message: 'x', ...over });

  test('classification by code and subcode', () => {
    const cases: Array<[Partial<GraphFailure>, string]> = [
      [{ code: 10, subcode: 2018278 }, 'window-closed'],
      [{ code: 10, subcode: 2018065 }, 'window-closed'],
      [{ product: 'instagram', code: 10, subcode: 2534022, status: 403 }, 'window-closed'],
      [{ product: 'whatsapp', code: 131047 }, 'window-closed'],
      [{ product: 'whatsapp', code: 470 }, 'window-closed'],
      [{ code: 10, subcode: 9999999, message: '(#10) This message is sent outside of allowed window.' }, 'window-closed'],
      [{ code: 10, message: '(#10) Application does not have permission for this action' }, 'permanent'],
      [{ code: 613 }, 'rate-limited'],
      [{ code: 4 }, 'rate-limited'],
      [{ code: 80006 }, 'rate-limited'],
      [{ product: 'whatsapp', code: 130429 }, 'rate-limited'],
      [{ product: 'whatsapp', code: 131056 }, 'rate-limited'],
      [{ status: 429 }, 'rate-limited'],
      [{ status: 500, code: 1 }, 'transient'],
      [{ status: 503 }, 'transient'],
      [{ status: null }, 'transient'],
      [{ code: 1200 }, 'transient'],
      [{ code: 2 }, 'transient'],
      [{ code: 999, isTransient: true }, 'transient'],
      [{ product: 'whatsapp', code: 131000 }, 'transient'],
      [{ code: 551, subcode: 1545041 }, 'permanent'],
      [{ code: 200, subcode: 2018108 }, 'permanent'],
      [{ code: 100, subcode: 2018001 }, 'permanent'],
      [{ code: 190 }, 'permanent'],
      [{ product: 'whatsapp', code: 131026 }, 'permanent'],
      [{ product: 'whatsapp', code: 132001, status: 404 }, 'permanent'],
      [{ status: 400 }, 'permanent'],
    ];
    for (const [over, kind] of cases) assert.equal(classifyGraphFailure(f(over)), kind, JSON.stringify(over));
  });

  test('the errors thrown: WindowClosedError, TransientSendError with a wait, PermanentSendError with a code', () => {
    const closed = graphSendError(f({ code: 10, subcode: 2018278, message: 'This message is sent outside of allowed window.' }));
    assert.ok(closed instanceof WindowClosedError);
    assert.match(closed.message, /2018278/);
    const limited = graphSendError(f({ product: 'whatsapp', code: 131056 }));
    assert.ok(limited instanceof TransientSendError);
    assert.equal(limited.retryAfterMs, 6_000);
    const permanent = graphSendError(f({ code: 551, subcode: 1545041, message: "(#551) This person isn't available right now." }));
    assert.ok(permanent instanceof PermanentSendError);
    assert.equal(permanent.code, 'meta-551-1545041');
    assert.match(permanent.message, /isn't available/);
    assert.equal((graphSendError(f({ code: undefined, status: 403 })) as PermanentSendError).code, 'http-403');
  });

  test('how long a rate limit waits: Retry-After, else the usage header, else the code\'s default; at least a second', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterMs('3', now), 3000);
    assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(regainAccessMs(JSON.stringify({ 1: [{ type: 'pages', estimated_time_to_regain_access: 2 }, { type: 'messenger', estimated_time_to_regain_access: 5 }] })), 300_000);
    assert.equal(regainAccessMs('not json'), undefined);
    assert.equal(regainAccessMs(JSON.stringify({ 1: [{ type: 'pages', call_count: 90 }] })), undefined);
    assert.equal(rateLimitWaitMs(f({ code: 613, retryAfter: '2' }), now), 2000);
    assert.equal(rateLimitWaitMs(f({ code: 613, businessUseCaseUsage: JSON.stringify({ 9: [{ estimated_time_to_regain_access: 1 }] }) }), now), 60_000);
    assert.equal(rateLimitWaitMs(f({ code: 613, businessUseCaseUsage: JSON.stringify({ 9: [{ estimated_time_to_regain_access: 0 }] }) }), now), 1000);
    assert.equal(rateLimitWaitMs(f({ code: 130429 }), now), 1000);
    assert.equal(rateLimitWaitMs(f({ code: 4 }), now), 60_000);
  });
});

describe('webhook payload readers', () => {
  test('Messenger/Instagram: messages, quick replies, echoes, postbacks and feedback; unreadable events are dropped, not the batch', () => {
    const payload = messagingPayloadSchema.parse({
      object: 'page',
      entry: [{
        id: '123', time: 1,
        messaging: [
          { sender: { id: '9' }, recipient: { id: '123' }, timestamp: 5, message: { mid: 'm_1', text: '9', quick_reply: { payload: 'nps:abc:9' } } },
          { sender: { id: '123' }, recipient: { id: '9' }, message: { mid: 'm_2', text: 'hi', is_echo: true, app_id: 42 } },
          { sender: { id: 'not-a-number' }, recipient: { id: '123' }, message: { mid: 'm_3', text: 'x' } },
          { sender: { id: '9' }, recipient: { id: '123' }, postback: { title: 'Seven', payload: 'nps:abc:7', mid: 'm_4' } },
          { sender: { id: '9' }, recipient: { id: '123' }, messaging_feedback: { feedback_screens: [{ screen_id: 0, questions: { npsabc: { type: 'nps', payload: '6', follow_up: { type: 'free_form', payload: 'ok' } } } }] } },
          { sender: { id: '9' }, recipient: { id: '123' }, read: { watermark: 1 } },
          { sender: { id: '9' }, recipient: { id: '123' }, message: { mid: 'm_5', is_deleted: true } },
        ],
      }],
    });
    const { events, dropped } = messagingEvents(payload);
    assert.equal(dropped, 1);
    assert.deepEqual(events.map((e) => e.kind), ['message', 'message', 'postback', 'feedback']);
    assert.deepEqual(events[0], { kind: 'message', accountId: '123', senderId: '9', recipientId: '123', timestamp: 5, mid: 'm_1', text: '9', quickReplyPayload: 'nps:abc:9', isEcho: false });
    assert.equal(events[1]!.kind === 'message' && events[1]!.isEcho, true);
    assert.deepEqual(events[3]!.kind === 'feedback' && events[3]!.answers, [{ questionId: 'npsabc', type: 'nps', payload: '6', comment: 'ok' }]);
    assert.throws(() => messagingPayloadSchema.parse({ object: 'user', entry: [] }));
  });

  test('WhatsApp: text, list and button replies, template buttons, statuses; media and unknown types are not answers', () => {
    const payload = whatsappPayloadSchema.parse({
      object: 'whatsapp_business_account',
      entry: [{
        id: 'waba',
        changes: [
          { field: 'messages', value: {
            messaging_product: 'whatsapp', metadata: { phone_number_id: '55', display_phone_number: '1555' },
            contacts: [{ wa_id: '4670', profile: { name: ' Maja ' } }],
            messages: [
              { from: '4670', id: 'wamid.1', type: 'text', text: { body: 'nio' } },
              { from: '4670', id: 'wamid.2', type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'nps:abc:9', title: '9' } } },
              { from: '4670', id: 'wamid.3', type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'nps:abc:1', title: '1' } } },
              { from: '4670', id: 'wamid.4', type: 'button', button: { text: '10', payload: '10' } },
              { from: '4670', id: 'wamid.5', type: 'image', image: { id: 'media' } },
              { id: 'wamid.6', type: 'text', text: { body: 'no sender' } },
            ],
            statuses: [{ id: 'wamid.out', status: 'failed', recipient_id: '4670', errors: [{ code: 131047, title: 'Re-engagement message', error_data: { details: 'more than 24 hours' } }] }],
          } },
          { field: 'account_update', value: { whatever: true } },
        ],
      }],
    });
    const { messages, statuses, dropped } = whatsappEvents(payload);
    assert.equal(dropped, 1);
    assert.deepEqual(messages.map((m) => [m.id, m.text, m.tappedId ?? null]), [
      ['wamid.1', 'nio', null], ['wamid.2', '9', 'nps:abc:9'], ['wamid.3', '1', 'nps:abc:1'], ['wamid.4', '10', '10'],
    ]);
    assert.equal(messages[0]!.name, 'Maja');
    assert.deepEqual(statuses, [{ phoneNumberId: '55', id: 'wamid.out', status: 'failed', errors: [{ code: 131047, message: 'Re-engagement message — more than 24 hours' }] }]);
  });
});

describe('the WhatsApp question', () => {
  test('scores split into lists of at most 10 rows, in order, as evenly as possible', () => {
    const scale = Array.from({ length: 11 }, (_, i) => i);
    assert.deepEqual(splitChoices(scale), [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]);
    assert.deepEqual(splitChoices([1, 2, 3]), [[1, 2, 3]]);
    assert.deepEqual(splitChoices(Array.from({ length: 10 }, (_, i) => i)).length, 1);
    assert.deepEqual(splitChoices(Array.from({ length: 21 }, (_, i) => i % 11)).map((p) => p.length), [7, 7, 7]);
    assert.deepEqual(splitChoices([]), []);
    const lists = questionLists('abc', 'How likely…?', scale);
    assert.equal(lists.length, 2);
    const rows = (l: Record<string, unknown>) => (l.interactive as { action: { sections: Array<{ rows: unknown[] }> } }).action.sections[0]!.rows.length;
    assert.deepEqual(lists.map(rows), [6, 5]);
  });

  test('the status waiter: a status that arrives first is kept; a wait ends with the status or after the timeout', async () => {
    const w = new StatusWaiter();
    assert.equal(w.report('early', { status: 'sent', errors: [] }), false);
    assert.deepEqual(await w.wait('early', 1000), { status: 'sent', errors: [] });
    const pending = w.wait('later', 5000);
    assert.equal(w.report('later', { status: 'failed', errors: [{ code: 131047, message: 'x' }] }), true);
    assert.equal((await pending)?.status, 'failed');
    assert.equal(await w.wait('never', 20), null);
    assert.equal(await w.wait('nothing', 0), null);
    const closing = w.wait('closing', 5000);
    w.close();
    assert.equal(await closing, null);
  });
});

describe('the Graph client over HTTP', () => {
  let fake: FakeGraphApi;
  beforeAll(async () => {
    fake = await FakeGraphApi.start({ version: 'v24.0', appSecret: 'x'.repeat(16), messenger: { pageId: '1', token: 'page-token-parts' } });
  });
  afterAll(async () => {
    await fake.stop();
  });

  test('sends with the token in the Authorization header and reads the answer', async () => {
    const client = new GraphClient({ product: 'messenger', baseUrl: `${fake.url}/`, version: 'v24.0', accessToken: 'page-token-parts' });
    const answer = await client.post('me/messages', { recipient: { id: '42' }, messaging_type: 'RESPONSE', message: { text: 'hi' } }) as { message_id: string };
    assert.match(answer.message_id, /^m_/);
  });

  test('a bad token, a wrong version, a 5xx without a body and no server at all become the right errors', async () => {
    const bad = new GraphClient({ product: 'messenger', baseUrl: fake.url, version: 'v24.0', accessToken: 'wrong-token' });
    const e1 = await bad.post('me/messages', { recipient: { id: '42' }, message: { text: 'hi' } }).catch((e: unknown) => e);
    assert.ok(e1 instanceof PermanentSendError && e1.code === 'meta-190', String(e1));
    const old = new GraphClient({ product: 'messenger', baseUrl: fake.url, version: 'v2.0', accessToken: 'page-token-parts' });
    const e2 = await old.post('me/messages', {}).catch((e: unknown) => e);
    assert.ok(e2 instanceof PermanentSendError && e2.code === 'meta-2500', String(e2));
    fake.failNext('messenger', { status: 502, headers: { 'retry-after': '2' } });
    const ok = new GraphClient({ product: 'messenger', baseUrl: fake.url, version: 'v24.0', accessToken: 'page-token-parts' });
    const e3 = await ok.post('me/messages', { recipient: { id: '42' }, message: { text: 'hi' } }).catch((e: unknown) => e);
    assert.ok(e3 instanceof TransientSendError && e3.retryAfterMs === 2000, String(e3));

    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const gone = new GraphClient({ product: 'whatsapp', baseUrl: `http://127.0.0.1:${closedPort}`, version: 'v24.0', accessToken: 't', timeoutMs: 2000 });
    const e4 = await gone.post('1/messages', {}).catch((e: unknown) => e);
    assert.ok(e4 instanceof TransientSendError, String(e4));
    assert.match(e4.message, /unreachable/);
  });
});
