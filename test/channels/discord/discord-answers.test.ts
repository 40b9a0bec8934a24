/**
 * The customer's side on Discord, through the real discord.js client and the fake
 * gateway and REST API: a button press, a typed score, the follow-up and the thanks,
 * DMs refused (50007) and the thread fallback, a 429 waited out, a retried send that
 * does not post twice, duplicate dispatches, the gateway dropping and the client
 * resuming without losing an answer, notices to managers, and the reports.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { authHeaders, eventually, startTestApp, type TestApp } from '../../helpers/app.ts';
import { readSurvey } from '../../helpers/surveys.ts';
import { FakeDiscord } from '../../fakes/discord-fake.ts';
import { Intent } from '../../fakes/discord-gateway.ts';
import { buildSupportServer, TEST_DISCORD_TOKEN, type SupportServer } from '../../fakes/discord-support-server.ts';
import type { MessageJson, UserJson } from '../../fakes/discord-world.ts';
import type { SurveyDoc } from '../../../src/storage/surveys/survey-model.ts';
import type { DiscordChannel } from '../../../src/channels/discord/index.ts';

/** Generous: the database is shared with other test files; healthy runs take a fraction of this. */
const WAIT = 15_000;

let discord: FakeDiscord;
let server: SupportServer;
let app: TestApp;

beforeAll(async () => {
  discord = await FakeDiscord.start({ token: TEST_DISCORD_TOKEN, heartbeatIntervalMs: 250 });
  server = buildSupportServer(discord);
  app = await startTestApp({ label: 'discordans', env: server.env({ COMPANY_NAME: 'Acme' }) });
});

afterAll(async () => {
  await app?.close();
  await discord?.stop();
});

/**
 * The survey once it is in `state`. Gives up only after a read that began after the
 * deadline, so one slow read of the shared database cannot fail a correct run.
 */
async function surveyIn(conversationId: string, state?: string): Promise<SurveyDoc> {
  const deadline = Date.now() + WAIT;
  let seen: string | undefined;
  for (;;) {
    const startedAt = Date.now();
    const s = await readSurvey(app, { channel: 'discord', conversationId });
    seen = s ? JSON.stringify({ state: s.state, skipReason: s.skipReason, lastError: s.lastError, score: s.score }) : undefined;
    if (s && (!state || s.state === state)) return s;
    if (startedAt > deadline) throw new Error(`timed out waiting for survey ${state ?? ''} (last seen: ${seen ?? 'no survey'})`);
    await settled();
  }
}

/**
 * Wait until the bot has received every dispatch sent so far (the client reports the
 * last sequence it saw in its heartbeats) and finished handling them, so a check that
 * nothing happened is not made too early.
 */
async function settled(): Promise<void> {
  const seq = discord.gateway.sequence;
  await eventually(async () => discord.gateway.acknowledged >= seq, WAIT, 'the client to receive every dispatch');
  await (app.channels.get('discord') as DiscordChannel).drain();
}

/** A customer helped in a forum post that staff resolve with /resolve. */
async function resolvedFor(name: string, helper: UserJson = server.agent) {
  const customer = server.customer(name);
  const thread = discord.openThread(server.forum.id, customer.id, `${name}'s problem`, 'Something is broken');
  discord.post(thread.id, helper.id, 'Fixed, please try again');
  discord.runCommand(thread.id, helper.id, 'resolve');
  return { customer, thread };
}

async function askedByDm(name: string, helper?: UserJson) {
  const { customer, thread } = await resolvedFor(name, helper);
  const question = await eventually(async () => discord.dmsTo(customer.id)[0], WAIT, 'the DM question');
  const survey = await surveyIn(thread.id, 'asked');
  return { customer, thread, question, survey };
}

function buttonFor(question: MessageJson, score: number): string {
  const button = question.components.flatMap((row) => row.components).find((b) => b.label === String(score));
  assert.ok(button?.custom_id, `a button for ${score}`);
  return button.custom_id;
}

describe('discord: answering', () => {
  test('a button press: answered only once stored, with the question showing the choice (buttons gone), then follow-up, comment, thanks', async () => {
    const { customer, thread, question, survey } = await askedByDm('Bea Button');
    const press = discord.pressButton(question.id, customer.id, buttonFor(question, 9));
    await eventually(async () => press.callback, WAIT, 'the interaction callback');
    // Discord does not deliver a press again: by the time it is acknowledged the answer is stored.
    const scored = await readSurvey(app, { channel: 'discord', conversationId: thread.id });
    assert.equal(scored?.state, 'scored', 'stored before the press was acknowledged');
    assert.equal(scored?.score, 9);
    assert.equal(String(scored?._id), String(survey._id));
    assert.equal(press.callback?.type, 7, 'UPDATE_MESSAGE: the question shows the choice');
    assert.deepEqual(press.callback?.data?.components, []);
    assert.match(String(press.callback?.data?.content), /\*\*9\*\* \/ 10/);
    assert.deepEqual(discord.dmsTo(customer.id)[0]?.components, [], 'the question no longer has buttons');
    assert.equal(press.followUps.length, 0);

    const followup = await eventually(async () => discord.dmsTo(customer.id)[1], WAIT, 'the follow-up');
    assert.match(followup.content, /main reason/);
    assert.deepEqual(followup.components, []);

    discord.dm(customer.id, 'Quick and friendly help');
    const done = await surveyIn(thread.id, 'completed');
    assert.equal(done.comment, 'Quick and friendly help');
    const thanks = await eventually(async () => discord.dmsTo(customer.id)[2], WAIT, 'the thanks');
    assert.match(thanks.content, /Thanks a lot/);
  });

  test('a typed score in the DM ("8/10"), then the comment', async () => {
    const { customer, thread } = await askedByDm('Tim Typer', server.agent2);
    discord.dm(customer.id, '8/10');
    const scored = await surveyIn(thread.id, 'scored');
    assert.equal(scored.score, 8);
    assert.equal(scored.category, 'passive');
    await eventually(async () => discord.dmsTo(customer.id)[1], WAIT, 'the follow-up');
    discord.dm(customer.id, 'Took a while');
    const done = await surveyIn(thread.id, 'completed');
    assert.equal(done.comment, 'Took a while');
    assert.equal(done.agent.id, server.agent2.id);
  });

  test('a score and a comment typed right after each other are read in that order', async () => {
    const { customer, thread } = await askedByDm('Quick Quinn');
    discord.dm(customer.id, '9');
    discord.dm(customer.id, 'Great help from Sam');
    const done = await surveyIn(thread.id, 'completed');
    assert.equal(done.score, 9);
    assert.equal(done.comment, 'Great help from Sam');
    assert.equal(done.reprompts ?? 0, 0);
  });

  test('a button interaction delivered twice is acknowledged once and counted once', async () => {
    const { customer, thread, question } = await askedByDm('Dan Double');
    const press = discord.pressButton(question.id, customer.id, buttonFor(question, 3));
    await surveyIn(thread.id, 'scored');
    await eventually(async () => discord.dmsTo(customer.id)[1], WAIT, 'the follow-up');
    const last = discord.gateway.lastDispatch('INTERACTION_CREATE');
    assert.ok(last);
    discord.gateway.dispatch('INTERACTION_CREATE', last.d, Intent.Guilds);
    await eventually(async () => press.refused === 1, WAIT, 'the second callback to be refused (40060)');
    await settled();
    const s = await surveyIn(thread.id, 'scored');
    assert.equal(s.score, 3);
    assert.equal(discord.dmsTo(customer.id).length, 2, 'question and one follow-up');
  });

  test('the same DM delivered twice is one answer', async () => {
    const { customer, thread } = await askedByDm('Mia Message');
    discord.dm(customer.id, '10');
    await surveyIn(thread.id, 'scored');
    await eventually(async () => discord.dmsTo(customer.id)[1], WAIT, 'the follow-up');
    const answer = discord.world.messages.get(discord.world.dmChannelFor(customer.id).id)!.find((m) => m.author.id === customer.id);
    assert.equal(answer?.content, '10');
    discord.gateway.dispatchMessage(answer, null);
    await settled();
    const s = await surveyIn(thread.id);
    assert.equal(s.state, 'scored', 'the repeated "10" was not taken as the comment');
    assert.equal(discord.dmsTo(customer.id).length, 2);
  });

  test('DMs closed (50007): the question is asked in the thread with a mention, and answered there', async () => {
    const customer = server.customer('Priya Private');
    discord.world.dmClosed.add(customer.id);
    const thread = discord.openThread(server.forum.id, customer.id, 'Password reset', 'Reset mail never arrives');
    discord.post(thread.id, server.agent.id, 'Sent it again');
    discord.changeThread(thread.id, { archived: true }, server.agent.id);

    const question = await eventually(async () => discord.botMessagesIn(thread.id)[0], WAIT, 'the question in the thread');
    assert.ok(question.content.startsWith(`<@${customer.id}> `));
    assert.equal(question.components.length, 3);
    const sent = discord.requestsTo('POST', new RegExp(`^/channels/${thread.id}/messages$`))[0];
    assert.deepEqual((sent?.body as { allowed_mentions?: unknown }).allowed_mentions, { parse: [], users: [customer.id] });
    assert.equal(discord.dmsTo(customer.id).length, 0);
    const asked = await surveyIn(thread.id, 'asked');
    assert.equal(asked.address?.mode, 'thread');
    assert.equal(asked.address?.threadId, thread.id);

    // Others in the thread (people and bots) are not the customer: neither their words nor their presses count.
    discord.post(thread.id, server.member.id, '10');
    discord.post(thread.id, server.otherBot.id, '10');
    const nosy = discord.pressButton(question.id, server.member.id, buttonFor(question, 10));
    await eventually(async () => nosy.callback, WAIT, 'the answer to the wrong person');
    assert.equal(nosy.callback?.type, 4);
    assert.equal(nosy.callback?.data?.flags, 64);
    await settled();
    assert.equal((await surveyIn(thread.id)).state, 'asked');

    discord.post(thread.id, customer.id, 'I would say 6');
    const scored = await surveyIn(thread.id, 'scored');
    assert.equal(scored.score, 6);
    const followup = await eventually(async () => discord.botMessagesIn(thread.id)[1], WAIT, 'the follow-up in the thread');
    assert.ok(followup.content.startsWith(`<@${customer.id}> `));
    discord.post(thread.id, customer.id, 'The mail took ages');
    const done = await surveyIn(thread.id, 'completed');
    assert.equal(done.comment, 'The mail took ages');
    await eventually(async () => discord.botMessagesIn(thread.id)[2], WAIT, 'the thanks in the thread');
  });

  test('a 429 with retry_after is waited out: the question goes once, after the wait', async () => {
    discord.rateLimitNext('POST', /^\/users\/@me\/channels$/, 1, 0.3);
    const { customer } = await resolvedFor('Rory Ratelimit');
    await eventually(async () => discord.dmsTo(customer.id)[0], WAIT, 'the DM question');
    const opens = discord.requestsTo('POST', /^\/users\/@me\/channels$/).filter((r) => (r.body as { recipient_id?: string }).recipient_id === customer.id);
    assert.equal(opens.length, 2);
    assert.equal(opens[0]?.status, 429);
    assert.equal(opens[1]?.status, 200);
    assert.ok(opens[1]!.at - opens[0]!.at >= 250, `retried after the limit reset (${opens[1]!.at - opens[0]!.at} ms)`);
    assert.equal(discord.dmsTo(customer.id).length, 1);
  });

  test('a retried send (same survey, same message) does not post twice: the nonce is enforced', async () => {
    const { customer, survey } = await askedByDm('Nora Nonce');
    const adapter = app.channels.get('discord')!;
    const to = { surveyId: String(survey._id), conversationId: survey.conversationId, customerId: customer.id, locale: 'en', address: survey.address as Record<string, string> };
    const message = { kind: 'question' as const, text: 'On a scale from 0 to 10…', choices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };
    const first = await adapter.send(to, message);
    const again = await adapter.send(to, message);
    assert.equal(first.messageId, again.messageId);
    assert.equal(discord.dmsTo(customer.id).length, 1, 'the engine\'s question and both retries are one message');
  });

  test('the gateway closing (4000) and dropping: the client resumes and no answer is lost', async () => {
    const one = await askedByDm('Res Umé');
    const two = await askedByDm('Drop Table');
    const identifies = discord.gateway.identifies;
    const resumes = discord.gateway.resumes;

    discord.gateway.close(4000, 'Unknown error');
    discord.dm(one.customer.id, '7'); // dispatched while the socket is down: kept for RESUME
    await eventually(async () => discord.gateway.resumes > resumes && discord.gateway.connected, WAIT, 'a RESUME');
    const scored = await surveyIn(one.thread.id, 'scored');
    assert.equal(scored.score, 7);

    discord.gateway.drop();
    const press = discord.pressButton(two.question.id, two.customer.id, buttonFor(two.question, 10));
    await eventually(async () => discord.gateway.resumes > resumes + 1 && discord.gateway.connected, WAIT, 'a second RESUME');
    const scoredTwo = await surveyIn(two.thread.id, 'scored');
    assert.equal(scoredTwo.score, 10);
    assert.ok(press.callback === undefined || press.callback.type === 7, 'answered once stored (showing the choice), when the press came in time');

    assert.equal(discord.gateway.identifies, identifies, 'resumed, never re-identified');
    assert.ok(discord.gateway.connections.slice(1).every((c) => c.path === '/resume'), 'reconnected to resume_gateway_url');
  });

  test('post(): a notice to managers lands in the channel and can ping nobody', async () => {
    const adapter = app.channels.get('discord')!;
    await adapter.post(server.general.id, { text: 'Detractor alert @everyone', fields: { Score: '2', Agent: 'Sam' } });
    const notice = discord.botMessagesIn(server.general.id).at(-1);
    assert.ok(notice);
    assert.match(notice.content, /^Detractor alert @\u200beveryone\n\*\*Score:\*\* 2\n\*\*Agent:\*\* Sam$/);
    // A customer's comment cannot become a masked link, a mention or markdown in the managers' channel.
    await adapter.post(server.general.id, { text: 'Comment: "[Claim your refund](https://evil.example) <@1> **now**"', fields: { comment: '[here](https://evil.example)' } });
    const quoted = discord.botMessagesIn(server.general.id).at(-1)!.content;
    assert.equal(quoted, 'Comment: "\\[Claim your refund\\](https://evil.example) \\<@1> \\*\\*now\\*\\*"\n**comment:** \\[here\\](https://evil.example)');
    const request = discord.requestsTo('POST', new RegExp(`^/channels/${server.general.id}/messages$`)).at(-1);
    assert.deepEqual((request?.body as { allowed_mentions?: unknown }).allowed_mentions, { parse: [] });
    await assert.rejects(adapter.post('not-a-channel', { text: 'x' }), { name: 'PermanentSendError' });
    await assert.rejects(adapter.post(server.forum.id, { text: 'x' }), (err: Error & { code?: string }) => err.name === 'PermanentSendError' && err.code === '50008');
  });

  test('a DM from someone without an open survey gets no answer', async () => {
    const stranger = server.customer('Stan Stranger');
    const dm = discord.dm(stranger.id, 'hello bot, 10');
    await settled();
    assert.equal(discord.dmsTo(stranger.id).length, 0);
    assert.equal(discord.requestsTo('POST', new RegExp(`^/channels/${dm.channel_id}/messages$`)).length, 0);
  });

  test('the answers show in the NPS report by channel "discord" and by agent', async () => {
    for (const by of ['channel', 'agent']) {
      const res = await fetch(`${app.url}/api/reports/nps?by=${by}`, { headers: authHeaders() });
      assert.equal(res.status, 200);
      const body = await res.json() as { rows: Array<{ channel?: string; agentId?: string; responses: number; promoters: number; nps: number | null }> };
      if (by === 'channel') {
        const row = body.rows.find((r) => r.channel === 'discord');
        assert.ok(row, 'a discord row');
        assert.ok(row.responses >= 7, `responses ${row.responses}`);
      } else {
        const sam = body.rows.find((r) => r.agentId === server.agent.id);
        const alex = body.rows.find((r) => r.agentId === server.agent2.id);
        assert.ok(sam && sam.promoters >= 2, 'Sam has the promoters (9, 10, 10)');
        assert.equal(alex?.responses, 1);
        assert.equal(alex?.nps, 0, 'one passive (8)');
      }
    }
  });
});

describe('discord: thread fallback off', () => {
  let offDiscord: FakeDiscord;
  let offApp: TestApp;
  let off: SupportServer;

  beforeAll(async () => {
    offDiscord = await FakeDiscord.start({ token: TEST_DISCORD_TOKEN, heartbeatIntervalMs: 250 });
    off = buildSupportServer(offDiscord);
    offApp = await startTestApp({ label: 'discordoff', env: off.env({ DISCORD_THREAD_FALLBACK: 'false' }) });
  });
  afterAll(async () => {
    await offApp?.close();
    await offDiscord?.stop();
  });

  test('no privileged intent is asked for, and DMs closed (50007) fail the survey with Discord\'s code', async () => {
    const intents = offDiscord.gateway.intents;
    assert.equal(intents & Intent.MessageContent, 0);
    assert.equal(intents & Intent.GuildMessages, 0);
    assert.equal(intents & Intent.DirectMessages, Intent.DirectMessages);

    const customer = off.customer('Closed Carl');
    offDiscord.world.dmClosed.add(customer.id);
    const thread = offDiscord.openThread(off.forum.id, customer.id, 'Help', 'Please help');
    offDiscord.post(thread.id, off.agent.id, 'Done');
    offDiscord.runCommand(thread.id, off.agent.id, 'resolve');
    const failed = await eventually(async () => {
      const s = await readSurvey(offApp, { channel: 'discord', conversationId: thread.id });
      return s?.state === 'failed' ? s : null;
    }, WAIT, 'the failed survey');
    assert.match(String(failed.lastError), /50007/);
    assert.equal(offDiscord.botMessagesIn(thread.id).length, 0, 'nothing posted in the thread');
  });
});
