/**
 * The Slack channel's sending side against the fake Slack: a refused DM with the
 * thread fallback turned off fails the survey with Slack's error, a 429 is waited out
 * (Retry-After) rather than dropped (a send, and a resolution's look-ups), notices for managers land in their channel, and
 * the "most replies" agent rule picks the staff member who did the talking.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { eventually, type TestApp } from '../../helpers/app.ts';
import { startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { readSurvey } from '../../helpers/surveys.ts';
import { BOT_TOKEN, FakeSlack } from '../../fakes/slack-web-api.ts';
import { deliver, reactionAdded, SIGNING_SECRET } from '../../fakes/slack-events.ts';
import { PermanentSendError } from '../../../src/conversation/channel-contract/send-errors.ts';
import { Router } from 'express';
import { silentLogger } from '../../../src/logger.ts';
import { MongoChannelStateStore } from '../../../src/shared-state/channel-state-store.ts';
import { SlackChannel } from '../../../src/channels/slack/slack-channel.ts';
import { readSlackSettings } from '../../../src/channels/slack/slack-settings.ts';
import type { EngineSink } from '../../../src/conversation/channel-contract/channel.ts';
import { SlackApi } from '../../../src/channels/slack/slack-api.ts';
import { FallbackThreads, surveyMetadata } from '../../../src/channels/slack/slack-fallback-threads.ts';
import { StartUpRefusedError } from '../../../src/channels/start-up-retry.ts';

const CARE = 'CCARE0009';
const AGENT = 'UAGENT009';
const AGENT2 = 'UAGENT010';

let fake: FakeSlack;
let app: TestApp;

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'slackdelivery',
    fake: async () => {
      const f = await new FakeSlack().start();
      f.addUser({ id: AGENT, real_name: 'Sam Agent' });
      f.addUser({ id: AGENT2, real_name: 'Kim Agent' });
      return f;
    },
    env: (f) => ({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: f.apiUrl,
      SLACK_CARE_CHANNELS: CARE,
      SLACK_STAFF_IDS: `${AGENT},${AGENT2}`,
      SLACK_THREAD_FALLBACK: 'false',
      SLACK_AGENT_RULE: 'most-replies',
      SLACK_RESOLVE_EMOJI: 'heavy_check_mark',
    }),
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

async function resolve(customerId: string, replies: Array<[string, string]> = []): Promise<string> {
  fake.addUser({ id: customerId, real_name: 'Cus Tomer', locale: 'en-US' });
  const root = fake.say(CARE, customerId, 'Help');
  for (const [user, text] of replies) fake.say(CARE, user, text, root);
  const res = await deliver(app.url, reactionAdded(AGENT, 'heavy_check_mark', CARE, root, customerId));
  assert.equal(res.status, 200);
  return root;
}

function survey(root: string) {
  return readSurvey(app, { channel: 'slack', conversationId: `${CARE}:${root}` });
}

describe('slack channel: delivery', () => {
  test("DM refused and fallback off → the survey fails with Slack's error code; nothing is posted in the thread", async () => {
    const cust = 'UEXTERN01';
    fake.dmRefusals.set(cust, 'invalid_user_combination');
    const root = await resolve(cust);
    const failed = await eventually(async () => { const s = await survey(root); return s?.state === 'failed' && s; }, 10_000, 'survey failed');
    assert.match(failed.lastError ?? '', /invalid_user_combination/);
    assert.equal(fake.botMessages(CARE).length, 0, 'no question in the care thread');
  });

  test('a 429 with Retry-After is waited out and the question still goes out', async () => {
    const cust = 'URATELIM1';
    fake.rateLimits.set('chat.postMessage', [1]);
    const root = await resolve(cust);
    const question = await eventually(async () => fake.botMessages(fake.dmChannelOf(cust))[0], 10_000, 'the question after the 429');
    assert.match(question.text ?? '', /recommend/);
    const posts = fake.callsTo('chat.postMessage').filter((c) => c.params.channel === fake.dmChannelOf(cust));
    assert.deepEqual(posts.map((c) => c.status), [429, 200], 'refused once, then sent');
    assert.ok(posts[1]!.at - posts[0]!.at >= 950, `the retry waited for Retry-After (waited ${posts[1]!.at - posts[0]!.at} ms)`);
    const s = await eventually(async () => { const x = await survey(root); return x?.state === 'asked' && x; }, 5000, 'asked');
    assert.equal(s.attempts ?? 0, 0, 'a rate limit is not a failed attempt at the survey');
  });

  test('a resolution whose look-ups Slack answers `ratelimited` is waited out (Retry-After) in the same delivery, not dropped', async () => {
    const cust = 'URATELIM2';
    fake.rateLimits.set('conversations.replies', [1]);
    fake.rateLimits.set('users.info', [1]);
    const root = await resolve(cust); // one delivery, answered 200: no redelivery needed
    const s = await eventually(async () => survey(root), 10_000, 'the survey');
    assert.equal(s.customer.name, 'Cus Tomer', 'the customer\'s name was read after the wait, not given up');
    const replies = fake.callsTo('conversations.replies').filter((c) => c.params.ts === root);
    assert.deepEqual(replies.map((c) => c.status), [429, 200], 'refused once, then read');
    assert.ok(replies[1]!.at - replies[0]!.at >= 950, `the look-up waited for Retry-After (waited ${replies[1]!.at - replies[0]!.at} ms)`);
    await eventually(async () => fake.botMessages(fake.dmChannelOf(cust))[0], 10_000, 'the question');
  });

  test('"most replies" makes the staff member who replied most the agent', async () => {
    const cust = 'UMOSTREP1';
    const root = await resolve(cust, [[AGENT2, 'Hi!'], [cust, 'Thanks'], [AGENT2, 'Checking'], [AGENT, 'Pinging Kim'], [AGENT2, 'Fixed']]);
    const s = await eventually(async () => survey(root), 5000, 'survey');
    assert.equal(s.agent.id, AGENT2);
    assert.equal(s.agent.name, 'Kim Agent');
    // Every staff member who replied, with their replies (the customer's own are not counted), the last replier last.
    assert.deepEqual(s.participants, [{ id: AGENT, replies: 1 }, { id: AGENT2, name: 'Kim Agent', replies: 3 }]);
  });

  test('notices for managers are posted into the channel; a refusal is a permanent error with the code', async () => {
    await app.outbox.post('slack', 'CMANAGERS', { text: 'Detractor: score 3 <from> Maja & co', fields: { Agent: 'Sam', Score: '3' } });
    const notice = fake.botMessages('CMANAGERS')[0];
    assert.ok(notice, 'posted');
    assert.match(notice.text ?? '', /Detractor: score 3 &lt;from&gt; Maja &amp; co/);
    assert.match(JSON.stringify(notice.blocks), /\*Agent\*\\nSam/);

    fake.postRefusals.set('CGONE0001', 'not_in_channel');
    await assert.rejects(
      app.outbox.post('slack', 'CGONE0001', { text: 'digest' }),
      (err: unknown) => err instanceof PermanentSendError && err.code === 'not_in_channel',
    );
  });

  test('after a restart, a fallback thread is found again from the metadata on the bot\'s own messages', async () => {
    const api = new SlackApi({ token: BOT_TOKEN, apiUrl: fake.apiUrl, logger: silentLogger() });
    const root = fake.say(CARE, 'UTHREAD01', 'Question from an external user');
    fake.say(CARE, AGENT, 'Answered', root);
    await api.post({ channel: CARE, threadTs: root, text: '<@UTHREAD01> How likely…', metadata: surveyMetadata('survey-old', 'UTHREAD01') });
    await api.post({ channel: CARE, threadTs: root, text: '<@UTHREAD01> And why?', metadata: surveyMetadata('survey-new', 'UTHREAD01') });
    // Another app posting look-alike metadata is not trusted.
    fake.channels.get(CARE)!.push({ ts: '1900000000.000001', bot_id: 'BOTHERAPP', thread_ts: root, metadata: surveyMetadata('forged', 'UTHREAD02') });

    const fresh = new FallbackThreads(api, silentLogger(), () => fake.botId);
    assert.equal(await fresh.surveyIn(CARE, root, 'UTHREAD01'), 'survey-new', 'the latest question in the thread');
    assert.equal(await fresh.surveyIn(CARE, root, 'UTHREAD02'), undefined);
    const lookups = fake.callsTo('conversations.replies').filter((c) => c.params.ts === root);
    assert.ok(lookups.every((c) => c.params.include_all_metadata === 'true'));
    assert.equal(await fresh.surveyIn(CARE, root, 'UTHREAD01'), 'survey-new');
    assert.equal(fake.callsTo('conversations.replies').filter((c) => c.params.ts === root).length, lookups.length, 'found once, then remembered');
  });

  test('a bot token Slack refuses stops the channel from starting, with a clear line and no token in it', async () => {
    const settings = readSlackSettings({ SLACK_BOT_TOKEN: 'xoxb-revoked-9999', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl })!;
    const channel = new SlackChannel(settings, silentLogger());
    const sink: EngineSink = {
      resolved: async () => { throw new Error('not expected'); },
      message: async () => { throw new Error('not expected'); },
    };
    await assert.rejects(channel.start({ sink, logger: silentLogger(), http: Router(), state: new MongoChannelStateStore(app.conn, 'slack') }), (err: unknown) =>
      err instanceof StartUpRefusedError && /^SLACK_BOT_TOKEN: Slack refused the token \(invalid_auth\)/.test(err.message) && !err.message.includes('xoxb-revoked'));
  });
});
