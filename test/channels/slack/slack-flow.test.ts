/**
 * The Slack channel end to end in HTTP mode: the real Bolt app mounted on the bot's
 * port, the real Web API client talking to a fake Slack on 127.0.0.1, and this test
 * POSTing signed events and interactions the way Slack does.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { authHeaders, eventually, type TestApp } from '../../helpers/app.ts';
import { startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { countSurveys, readSurvey } from '../../helpers/surveys.ts';
import { BOT_TOKEN, FakeSlack, type FakeMessage } from '../../fakes/slack-web-api.ts';
import {
  buttonPress, deliver, dmMessage, eventCallback, messageShortcut, reactionAdded, sign, SIGNING_SECRET, threadMessage,
} from '../../fakes/slack-events.ts';

const CARE = 'CCARE0001';
const OTHER = 'COTHER001';
const AGENT = 'UAGENT001';
const AGENT2 = 'UAGENT002';

let fake: FakeSlack;
let app: TestApp;

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'slack',
    fake: async () => {
      const f = await new FakeSlack().start();
      f.addUser({ id: AGENT, real_name: 'Sam Agent', locale: 'en-US' });
      f.addUser({ id: AGENT2, real_name: 'Kim Agent', locale: 'en-US' });
      return f;
    },
    env: (f) => ({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: f.apiUrl,
      SLACK_CARE_CHANNELS: `${CARE},CCARE0002`,
      SLACK_STAFF_IDS: `${AGENT},${AGENT2}`,
      COMPANY_NAME: 'Acme',
      // Slack's real pace is 1/s (the default); the fake does not mind, and the tests run faster.
      SLACK_RATE_PER_SECOND: '20',
    }),
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

function customer(id: string, extra: { locale?: string; is_bot?: boolean; real_name?: string } = {}): string {
  fake.addUser({ id, real_name: extra.real_name ?? 'Maja Kund', locale: extra.locale ?? 'en-GB', ...(extra.is_bot ? { is_bot: true } : {}) });
  return id;
}

async function surveyOf(channel: string, ts: string) {
  return readSurvey(app, { channel: 'slack', conversationId: `${channel}:${ts}` });
}

/** The bot's n-th message in the customer's DM, once it is there. */
function dm(userId: string, n: number, what = `DM #${n} to ${userId}`): Promise<FakeMessage> {
  return eventually(async () => fake.botMessages(fake.dmChannelOf(userId))[n], 10_000, what);
}

/** Wait until the engine stored the survey as asked (the DM may land a moment before). */
function asked(channel: string, ts: string) {
  return eventually(async () => { const s = await surveyOf(channel, ts); return s?.state === 'asked' && s; }, 5000, 'survey asked');
}

function buttonsOf(message: FakeMessage): Array<{ action_id: string; value: string; text: { text: string } }> {
  const actions = (message.blocks ?? []).find((b) => (b as { type?: string }).type === 'actions') as { elements: Array<{ action_id: string; value: string; text: { text: string } }> } | undefined;
  return actions?.elements ?? [];
}

async function ok(post: Parameters<typeof deliver>[1], opts: Parameters<typeof deliver>[2] = {}): Promise<void> {
  const res = await deliver(app.url, post, opts);
  assert.equal(res.status, 200, `Slack request answered ${res.status}: ${res.text}`);
}

describe('slack channel (HTTP mode, signed requests)', () => {
  test('reaction on the root by staff → DM with 0–10 buttons → button answer → follow-up → comment → thanks', async () => {
    const cust = customer('UCUST0001');
    const root = fake.say(CARE, cust, 'My order never arrived');
    fake.say(CARE, AGENT, 'Sorry! Resent it today.', root);
    await ok(reactionAdded(AGENT, 'white_check_mark', CARE, root, cust));

    const question = await dm(cust, 0, 'the question');
    assert.match(question.text ?? '', /recommend Acme/);
    const buttons = buttonsOf(question);
    assert.deepEqual(buttons.map((b) => b.text.text), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    assert.equal(new Set(buttons.map((b) => b.action_id)).size, 11, 'action ids are unique within the block');
    const open = fake.callsTo('conversations.open').find((c) => c.params.users === cust);
    assert.ok(open, 'the DM was opened with conversations.open');
    assert.ok(fake.callsTo('users.info').some((c) => c.params.user === cust && c.params.include_locale === 'true'), 'users.info asked with include_locale');

    const stored = await asked(CARE, root);
    assert.equal(stored.customer.id, cust);
    assert.equal(stored.customer.name, 'Maja Kund');
    assert.equal(stored.agent.id, AGENT);
    assert.equal(stored.agent.name, 'Sam Agent');
    assert.match(stored.link ?? '', new RegExp(`/archives/${CARE}/p`));
    assert.deepEqual(stored.address, { mode: 'dm', channel: fake.dmChannelOf(cust) });

    const nine = buttons.find((b) => b.text.text === '9')!;
    const press = await deliver(app.url, buttonPress({ user: cust, channel: fake.dmChannelOf(cust), message: question, actionId: nine.action_id, value: nine.value }));
    assert.equal(press.status, 200);

    const followup = await dm(cust, 1, 'the follow-up');
    assert.match(followup.text ?? '', /main reason/);
    const scored = await surveyOf(CARE, root);
    assert.equal(scored?.state, 'scored');
    assert.equal(scored?.score, 9);
    assert.equal(scored?.category, 'promoter');

    // The question now shows the chosen score and has no buttons left.
    const update = await eventually(async () => fake.callsTo('chat.update').find((c) => c.params.ts === question.ts), 5000, 'chat.update');
    assert.equal(update.params.channel, fake.dmChannelOf(cust));
    const updated = fake.botMessages(fake.dmChannelOf(cust)).find((m) => m.ts === question.ts)!;
    assert.equal(buttonsOf(updated).length, 0);
    assert.match(JSON.stringify(updated.blocks), /\*9\* \/ 10/);

    await ok(dmMessage(cust, 'Fast and friendly', '1800000000.000100'));
    const thanks = await dm(cust, 2, 'the thank-you');
    assert.match(thanks.text ?? '', /Thanks a lot/);
    const done = await surveyOf(CARE, root);
    assert.equal(done?.state, 'completed');
    assert.equal(done?.comment, 'Fast and friendly');
  });

  test('typed answer in the DM; a retried event never gives a second answer', async () => {
    const cust = customer('UCUST0002');
    const root = fake.say(CARE, cust, 'Where is my refund?');
    const reply = fake.say(CARE, AGENT2, 'Refunded just now.', root);
    await ok(messageShortcut({ user: AGENT2, channel: CARE, ts: reply, threadTs: root, author: AGENT2 }));
    await dm(cust, 0, 'the question');
    await asked(CARE, root);

    const typed = dmMessage(cust, 'I would say 8/10', '1800000000.000200');
    await ok(typed);
    await dm(cust, 1, 'the follow-up');
    // Slack redelivers the very same event (same event_id and message), marked as a retry.
    await ok(typed, { retryNum: 1 });
    await ok(typed, { retryNum: 2 });
    const s = await surveyOf(CARE, root);
    assert.equal(s?.state, 'scored');
    assert.equal(s?.score, 8);
    assert.equal(s?.agent.id, AGENT2, 'the staff member who used the shortcut is the agent');

    await ok(dmMessage(cust, 'Took a week', '1800000000.000300'));
    await dm(cust, 2, 'the thank-you');
    // Give any wrongly handled retry time to show up, then count the DMs.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(fake.botMessages(fake.dmChannelOf(cust)).length, 3, 'question, follow-up, thanks — nothing twice');
    assert.equal((await surveyOf(CARE, root))?.comment, 'Took a week');
  });

  test('a resolution event delivered twice asks once', async () => {
    const cust = customer('UCUST0003');
    const root = fake.say(CARE, cust, 'App crashes');
    const event = reactionAdded(AGENT, 'white_check_mark', CARE, root, cust);
    await ok(event);
    await ok(event, { retryNum: 1 });
    await dm(cust, 0, 'the question');
    // A window for a wrongly repeated question to show (a negative check; the 200s above mean both were handled).
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(fake.botMessages(fake.dmChannelOf(cust)).length, 1, 'one question');
    assert.equal(await countSurveys(app, { conversationId: `${CARE}:${root}` }), 1);
  });

  test('message shortcut on the root confirms to the staff member; again says already resolved', async () => {
    const cust = customer('UCUST0004');
    const root = fake.say(CARE, cust, 'Billing question');
    await ok(messageShortcut({ user: AGENT, channel: CARE, ts: root, author: cust }));
    await dm(cust, 0, 'the question');
    const first = await eventually(async () => fake.callsTo('chat.postEphemeral').find((c) => c.params.user === AGENT && String(c.params.text).includes(`<@${cust}>`)), 5000, 'confirmation');
    assert.match(String(first.params.text), /Marked resolved/);
    await ok(messageShortcut({ user: AGENT, channel: CARE, ts: root, author: cust }));
    await eventually(async () => fake.callsTo('chat.postEphemeral').find((c) => /already marked resolved/.test(String(c.params.text))), 5000, 'already resolved');
  });

  test('non-staff, non-root, wrong-channel and wrong-emoji reactions, and non-staff shortcuts, do nothing', async () => {
    const cust = customer('UCUST0005');
    const root = fake.say(CARE, cust, 'Help please');
    const reply = fake.say(CARE, AGENT, 'On it', root);
    const elsewhere = fake.say(OTHER, cust, 'Also here');
    const before = fake.callsTo('chat.postEphemeral').length;
    await ok(reactionAdded(cust, 'white_check_mark', CARE, root, cust)); // not staff
    await ok(reactionAdded(AGENT, 'white_check_mark', CARE, reply, AGENT)); // not the root
    await ok(reactionAdded(AGENT, 'white_check_mark', OTHER, elsewhere, cust)); // not a care channel
    await ok(reactionAdded(AGENT, 'thumbsup', CARE, root, cust)); // not the resolve emoji
    await ok(messageShortcut({ user: cust, channel: CARE, ts: root, author: cust })); // not staff
    await eventually(async () => fake.callsTo('chat.postEphemeral').slice(before).find((c) => /Only care staff/.test(String(c.params.text))), 5000, 'refusal');

    // A valid resolution after them, to know the ones before were handled by now.
    const control = customer('UCUST0006');
    const controlRoot = fake.say(CARE, control, 'Control');
    await ok(reactionAdded(AGENT, 'white_check_mark::skin-tone-3', CARE, controlRoot, control));
    await dm(control, 0, 'the control question');
    // A window for a wrongly counted refusal to show (a negative check; the control above was handled after them).
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await countSurveys(app, { 'customer.id': cust }), 0);
    assert.equal(fake.botMessages(fake.dmChannelOf(cust)).length, 0);
  });

  test('staff-started threads and bot customers are not surveyed', async () => {
    const staffRoot = fake.say(CARE, AGENT2, 'Announcement');
    await ok(reactionAdded(AGENT, 'white_check_mark', CARE, staffRoot, AGENT2));
    const bot = customer('UBOTCUST1', { is_bot: true });
    const botRoot = fake.say(CARE, bot, 'Automated alert');
    await ok(reactionAdded(AGENT, 'white_check_mark', CARE, botRoot, bot));
    const skipped = await eventually(async () => { const s = await surveyOf(CARE, botRoot); return s?.state === 'skipped' && s; }, 5000, 'bot survey skipped');
    assert.equal(skipped.skipReason, 'bot');
    assert.equal(await surveyOf(CARE, staffRoot), null);
    assert.equal(fake.botMessages(fake.dmChannelOf(bot)).length, 0);
  });

  test("the customer's locale comes from users.info: a Swedish user gets the Swedish question", async () => {
    const cust = customer('UCUSTSV01', { locale: 'sv-SE', real_name: 'Astrid Lind' });
    const root = fake.say(CARE, cust, 'Hej, min order?');
    await ok(reactionAdded(AGENT, 'white_check_mark', CARE, root, cust));
    const question = await dm(cust, 0, 'the Swedish question');
    assert.match(question.text ?? '', /Hej Astrid!.*rekommendera Acme/);
    assert.equal((await surveyOf(CARE, root))?.customer.locale, 'sv');
  });

  test("the bot's own messages, other bots, edits, deletions and joins are not answers", async () => {
    const cust = customer('UCUST0007');
    const root = fake.say(CARE, cust, 'Password reset?');
    await ok(reactionAdded(AGENT, 'white_check_mark', CARE, root, cust));
    await dm(cust, 0, 'the question');
    await asked(CARE, root);
    const d = fake.dmChannelOf(cust);
    await ok(eventCallback({ type: 'message', channel: d, channel_type: 'im', user: fake.botUserId, bot_id: fake.botId, text: '2', ts: '1800000001.000001' }));
    await ok(eventCallback({ type: 'message', channel: d, channel_type: 'im', user: cust, bot_id: 'BOTHER', text: '3', ts: '1800000001.000002' }));
    await ok(eventCallback({ type: 'message', subtype: 'message_changed', channel: d, channel_type: 'im', hidden: true, ts: '1800000001.000003', message: { user: cust, text: '4', ts: '1800000001.000000' } }));
    await ok(eventCallback({ type: 'message', subtype: 'message_deleted', channel: d, channel_type: 'im', hidden: true, ts: '1800000001.000004', deleted_ts: '1800000001.000000' }));
    await ok(eventCallback({ type: 'message', subtype: 'channel_join', channel: d, channel_type: 'im', user: cust, text: '<@x> has joined', ts: '1800000001.000005' }));
    await ok(eventCallback({ type: 'message', subtype: 'message_changed', channel: d, channel_type: 'im', user: cust, text: '5', ts: '1800000001.000006' }));
    // A window for a wrongly read score to show (a negative check; each 200 above came after its listeners ran).
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await surveyOf(CARE, root))?.state, 'asked', 'none of them was read as a score');
    await ok(dmMessage(cust, '7', '1800000001.000007'));
    await dm(cust, 1, 'the follow-up');
    const s = await surveyOf(CARE, root);
    assert.equal(s?.score, 7);
    assert.equal(s?.state, 'scored');
  });

  test('forged signatures and stale timestamps are refused with 401 and change nothing', async () => {
    const cust = customer('UCUST0008');
    const root = fake.say(CARE, cust, 'Forged?');
    const event = reactionAdded(AGENT, 'white_check_mark', CARE, root, cust);
    const wrongSecret = await deliver(app.url, event, { secret: 'not-the-signing-secret' });
    assert.equal(wrongSecret.status, 401);
    const now = Math.floor(Date.now() / 1000);
    const forged = await deliver(app.url, event, { signature: `v0=${'0'.repeat(64)}` });
    assert.equal(forged.status, 401);
    const stale = now - 6 * 60;
    const old = await deliver(app.url, event, { timestamp: stale, signature: sign(SIGNING_SECRET, stale, event.body) });
    assert.equal(old.status, 401, 'a correctly signed request older than five minutes is a replay');
    // A body changed after signing.
    const tampered = await deliver(app.url, { ...event, body: event.body.replace(AGENT, AGENT2) }, { signature: sign(SIGNING_SECRET, now, event.body), timestamp: now });
    assert.equal(tampered.status, 401);
    const unsigned = await fetch(`${app.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: event.body });
    assert.equal(unsigned.status, 401);
    // A window for a wrongly accepted forged request to show (a negative check: all were refused with 401).
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await surveyOf(CARE, root), null);
    assert.equal(fake.callsTo('conversations.replies').filter((c) => c.params.ts === root).length, 0, 'nothing reached the listeners');
  });

  test("Slack's URL verification challenge is answered (signed)", async () => {
    const body = JSON.stringify({ token: 'x', challenge: 'chal-123', type: 'url_verification' });
    const res = await deliver(app.url, { body, contentType: 'application/json' });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.text).challenge, 'chal-123');
  });

  test('DM refused for good → asked in the thread with a mention; the customer answers there', async () => {
    const cust = customer('UCUSTEXT1', { real_name: 'Ext Ernal' });
    fake.dmRefusals.set(cust, 'user_not_visible');
    const root = fake.say(CARE, cust, 'Slack Connect user here');
    await ok(reactionAdded(AGENT, 'white_check_mark', CARE, root, cust));
    const inThread = () => fake.botMessages(CARE).filter((m) => m.thread_ts === root);
    const question = await eventually(async () => inThread()[0], 5000, 'question in the thread');
    assert.match(question.text ?? '', new RegExp(`^<@${cust}> `));
    assert.equal(buttonsOf(question).length, 11);
    assert.equal(question.metadata?.event_type, 'nps_survey');
    const stored = await asked(CARE, root);
    assert.deepEqual(stored.address, { mode: 'thread', channel: CARE, thread_ts: root });

    // Someone else in the thread is not the customer: neither their words nor their button count.
    const other = customer('UCUSTOTH1');
    await ok(threadMessage(CARE, other, '10', fake.say(CARE, other, '10', root), root, cust));
    const ten = buttonsOf(question).find((b) => b.text.text === '10')!;
    await ok(buttonPress({ user: other, channel: CARE, message: question, actionId: ten.action_id, value: ten.value }));
    await eventually(async () => fake.callsTo('chat.postEphemeral').find((c) => c.params.user === other), 5000, 'ephemeral to the other user');
    // A window for a wrongly counted press to show (a negative check; the ephemeral above means it was handled).
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await surveyOf(CARE, root))?.state, 'asked');

    // Staff talking in the thread is not an answer either.
    await ok(threadMessage(CARE, AGENT, '0', fake.say(CARE, AGENT, '0', root), root, cust));
    const answerTs = fake.say(CARE, cust, 'hmm, 6', root);
    await ok(threadMessage(CARE, cust, 'hmm, 6', answerTs, root, cust));
    const followup = await eventually(async () => inThread()[1], 5000, 'follow-up in the thread');
    assert.match(followup.text ?? '', new RegExp(`^<@${cust}> .*main reason`));
    const scored = await surveyOf(CARE, root);
    assert.equal(scored?.score, 6);
    assert.equal(scored?.category, 'detractor');

    const commentTs = fake.say(CARE, cust, 'Slow replies', root);
    await ok(threadMessage(CARE, cust, 'Slow replies', commentTs, root, cust));
    await eventually(async () => inThread()[2], 5000, 'thanks in the thread');
    const done = await surveyOf(CARE, root);
    assert.equal(done?.state, 'completed');
    assert.equal(done?.comment, 'Slow replies');
    assert.equal(fake.botMessages(fake.dmChannelOf(cust)).length, 0);
  });

  test('the answers show in the NPS report by channel and by agent', async () => {
    const byChannel = await (await fetch(`${app.url}/api/reports/nps?by=channel`, { headers: authHeaders() })).json() as { rows: Array<Record<string, unknown>> };
    const slack = byChannel.rows.find((r) => r.channel === 'slack');
    assert.ok(slack, 'a slack row');
    assert.ok(Number(slack.responses) >= 3, `responses: ${slack.responses}`);
    const byAgent = await (await fetch(`${app.url}/api/reports/nps?by=agent`, { headers: authHeaders() })).json() as { rows: Array<Record<string, unknown>> };
    const sam = byAgent.rows.find((r) => r.agentId === AGENT);
    const kim = byAgent.rows.find((r) => r.agentId === AGENT2);
    assert.ok(sam && Number(sam.responses) >= 2, 'Sam has answers');
    assert.equal(kim?.responses, 1, 'Kim resolved one thread, answered 8');
    assert.equal(kim?.passives, 1);
  });
});
