/**
 * When a Discord support thread counts as resolved: the real discord.js client on a
 * real WebSocket to the fake gateway, and real REST to the fake API, the whole bot
 * behind it. Resolved by tag, by staff archiving (not Discord's auto-archive), by
 * staff locking, by /resolve; ignored for non-staff and outside the care channels.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { eventually, startTestApp, type TestApp } from '../../helpers/app.ts';
import { countSurveys, readSurvey } from '../../helpers/surveys.ts';
import { FakeDiscord } from '../../fakes/discord-fake.ts';
import { Intent } from '../../fakes/discord-gateway.ts';
import { buildSupportServer, TEST_DISCORD_TOKEN, type SupportServer } from '../../fakes/discord-support-server.ts';
import type { UserJson } from '../../fakes/discord-world.ts';
import { Router } from 'express';
import { DiscordChannel, readDiscordSettings } from '../../../src/channels/discord/index.ts';
import { silentLogger } from '../../../src/logger.ts';
import { MongoChannelStateStore } from '../../../src/shared-state/channel-state-store.ts';

/** Generous: the database is shared with other test files; healthy runs take a fraction of this. */
const WAIT = 15_000;

let discord: FakeDiscord;
let server: SupportServer;
let app: TestApp;

beforeAll(async () => {
  discord = await FakeDiscord.start({ token: TEST_DISCORD_TOKEN, heartbeatIntervalMs: 250 });
  server = buildSupportServer(discord, { preferredLocale: 'sv-SE' });
  app = await startTestApp({ label: 'discordres', env: server.env({ COMPANY_NAME: 'Acme' }) });
});

afterAll(async () => {
  await app?.close();
  await discord?.stop();
});

function survey(conversationId: string) {
  return readSurvey(app, { channel: 'discord', conversationId });
}

/** The audit-log look-ups the bot made (each THREAD_UPDATE that needs one asks at most twice). */
function auditLookups(): number {
  return discord.requestsTo('GET', /\/audit-logs$/).length;
}

/** A forum post by a new customer, with a staff answer. */
function helpedPost(name: string, helper: UserJson = server.agent) {
  const customer = server.customer(name);
  const thread = discord.openThread(server.forum.id, customer.id, `${name} cannot log in`, 'I cannot log in since yesterday');
  discord.post(thread.id, helper.id, 'Fixed it on our side, try again?');
  discord.post(thread.id, customer.id, 'Works now, thanks!');
  return { customer, thread };
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

describe('discord: connecting', () => {
  test('identifies with only the intents it needs, no compression, and registers /resolve', async () => {
    const intents = discord.gateway.intents;
    assert.equal(intents & Intent.Guilds, Intent.Guilds);
    assert.equal(intents & Intent.DirectMessages, Intent.DirectMessages);
    // The thread fallback (on by default) reads typed answers in threads.
    assert.equal(intents & Intent.GuildMessages, Intent.GuildMessages);
    assert.equal(intents & Intent.MessageContent, Intent.MessageContent);
    assert.equal(intents & Intent.GuildMembers, 0, 'no privileged members intent');
    assert.equal(intents & Intent.GuildPresences, 0, 'no privileged presence intent');
    assert.deepEqual(discord.gateway.protocolErrors, []);
    assert.equal(discord.gateway.connections[0]?.query, 'v=10&encoding=json');
    assert.equal(discord.gateway.identifies, 1);
    const commands = discord.commands.get(server.guildId);
    assert.equal(commands?.length, 1);
    assert.equal(commands[0]?.name, 'resolve');
    assert.deepEqual(commands[0]?.contexts, [0]);
    await eventually(async () => discord.gateway.heartbeats >= 1, WAIT, 'a heartbeat');
  });

  test('a wrong token stops start-up with a clear error that does not show the token', async () => {
    const wrong = `${TEST_DISCORD_TOKEN.slice(0, -4)}XXXX`;
    const channel = new DiscordChannel(readDiscordSettings(server.env({ DISCORD_TOKEN: wrong }))!, silentLogger());
    const sink = { resolved: () => Promise.reject(new Error('unused')), message: () => Promise.reject(new Error('unused')) };
    await assert.rejects(
      channel.start({ sink, logger: silentLogger(), http: Router(), state: new MongoChannelStateStore(app.conn, 'discord') }),
      (err: Error) => /^DISCORD_TOKEN: Discord refused the token \(401 Unauthorized\)/.test(err.message) && !err.message.includes(wrong),
    );
    assert.equal(discord.requestsTo('GET', /^\/gateway\/bot$/).at(-1)?.status, 401);
  });
});

describe('discord: what counts as resolved', () => {
  test('a forum post tagged "Resolved": the customer is asked by DM, the agent is the staff member who wrote last', async () => {
    const customer = server.customer('Maja Berg');
    const thread = discord.openThread(server.forum.id, customer.id, 'Invoice question', 'Why was I charged twice?');
    discord.post(thread.id, server.agent.id, 'Let me check.');
    discord.post(thread.id, server.agent2.id, 'Refunded the second charge.');
    discord.post(thread.id, server.member.id, 'Same happened to me once');
    discord.changeThread(thread.id, { appliedTags: [server.bugTagId] }, server.agent.id);
    discord.changeThread(thread.id, { appliedTags: [server.bugTagId, server.resolvedTagId] }, server.agent.id);

    const s = await eventually(() => survey(thread.id), WAIT, 'the survey');
    assert.equal(s.customer.id, customer.id);
    assert.equal(s.customer.name, 'Maja Berg');
    assert.equal(s.customer.locale, 'sv', 'the server\'s preferred locale (sv-SE)');
    assert.equal(s.agent.id, server.agent2.id, 'the staff member who wrote last; the member without the role does not count');
    assert.equal(s.agent.name, 'Alex Agent');
    assert.deepEqual(s.participants?.map((p) => [p.id, p.replies]), [[server.agent.id, 1], [server.agent2.id, 1]], 'every agent who wrote, the last to write last; not the member without the role');
    assert.equal(s.link, `https://discord.com/channels/${server.guildId}/${thread.id}`);

    const question = await eventually(async () => discord.dmsTo(customer.id)[0], WAIT, 'the DM question');
    assert.match(question.content, /rekommendera Acme/);
    assert.deepEqual(question.components.map((row) => row.components.map((b) => b.label)), [
      ['0', '1', '2', '3', '4'], ['5', '6', '7', '8', '9'], ['10'],
    ]);
    assert.ok(question.components.every((row) => row.components.length <= 5));
    assert.equal(question.components[2]?.components[0]?.custom_id, `nps:${String(s._id)}:${customer.id}:10`);
    const sent = discord.requestsTo('POST', /^\/channels\/\d+\/messages$/).find((r) => (r.body as { content?: string }).content === question.content);
    const body = sent?.body as { nonce?: unknown; enforce_nonce?: unknown; allowed_mentions?: unknown };
    assert.equal(typeof body.nonce, 'string');
    assert.equal(body.enforce_nonce, true);
    assert.deepEqual(body.allowed_mentions, { parse: [] });
    const after = await eventually(async () => { const x = await survey(thread.id); return x?.state === 'asked' ? x : null; }, WAIT, 'asked');
    assert.equal(after.address?.mode, 'dm');
  });

  test('the same THREAD_UPDATE delivered twice changes nothing', async () => {
    const { customer, thread } = helpedPost('Duplicate Dora');
    discord.changeThread(thread.id, { appliedTags: [server.resolvedTagId] }, server.agent.id);
    await eventually(async () => discord.dmsTo(customer.id)[0], WAIT, 'the DM question');
    const last = discord.gateway.lastDispatch('THREAD_UPDATE');
    assert.ok(last);
    discord.gateway.dispatch('THREAD_UPDATE', last.d, Intent.Guilds);
    discord.gateway.dispatch('THREAD_UPDATE', last.d, Intent.Guilds);
    await settled();
    assert.equal(await countSurveys(app, { channel: 'discord', conversationId: thread.id }), 1);
    assert.equal(discord.dmsTo(customer.id).length, 1);
  });

  test('staff archiving a thread resolves it; Discord auto-archiving an idle one does not', async () => {
    const manual = helpedPost('Archie Manual');
    discord.changeThread(manual.thread.id, { archived: true }, server.agent.id);
    const s = await eventually(() => survey(manual.thread.id), WAIT, 'the survey');
    assert.equal(s.agent.id, server.agent.id);
    await eventually(async () => discord.dmsTo(manual.customer.id)[0], WAIT, 'the DM question');

    const idle = helpedPost('Idle Ida');
    const lookups = auditLookups();
    discord.changeThread(idle.thread.id, { archived: true }, null); // no audit-log entry: Discord did it
    await settled();
    assert.ok(auditLookups() >= lookups + 2, 'the audit log was read (twice: an entry can trail the event)');
    assert.equal(await survey(idle.thread.id), null);
    assert.equal(discord.dmsTo(idle.customer.id).length, 0);
  });

  test('an archive from an old audit-log entry (archived, reopened, then auto-archived) is not a resolution', async () => {
    const { customer, thread } = helpedPost('Old Entry Olle');
    // A staff archive long ago: its entry is outside the time window of today's auto-archive.
    discord.world.guild(server.guildId).audit.push({
      id: snowflakeAt(Date.now() - 3_600_000), user_id: server.agent.id, target_id: thread.id, action_type: 111,
      changes: [{ key: 'archived', old_value: false, new_value: true }],
    });
    const lookups = auditLookups();
    discord.changeThread(thread.id, { archived: true }, null);
    await settled();
    assert.ok(auditLookups() >= lookups + 2, 'the audit log was read (twice: an entry can trail the event)');
    assert.equal(await survey(thread.id), null);
    assert.equal(discord.dmsTo(customer.id).length, 0);
  });

  test('without the View Audit Log permission an archive does not count, and the bot carries on', async () => {
    const { thread } = helpedPost('Perm Pelle');
    discord.auditLogAllowed = false;
    try {
      discord.changeThread(thread.id, { archived: true }, server.agent.id);
      await settled();
      assert.equal(discord.requestsTo('GET', /\/audit-logs$/).at(-1)?.status, 403);
      assert.equal(await survey(thread.id), null);
    } finally {
      discord.auditLogAllowed = true;
    }
    const next = helpedPost('After Perm');
    discord.changeThread(next.thread.id, { archived: true }, server.agent.id);
    await eventually(() => survey(next.thread.id), WAIT, 'the next survey');
  });

  test('a customer closing their own post is not a resolution', async () => {
    const { customer, thread } = helpedPost('Closing Clara');
    const lookups = auditLookups();
    discord.changeThread(thread.id, { archived: true }, customer.id);
    await settled();
    assert.ok(auditLookups() >= lookups + 1, 'the audit log was read');
    assert.equal(await survey(thread.id), null);
  });

  test('staff locking a thread in a support text channel resolves it', async () => {
    const customer = server.customer('Lukas Lock');
    const thread = discord.openThread(server.support.id, customer.id, 'Order 1234', 'Where is my order?');
    discord.post(thread.id, server.agent2.id, 'Shipped today.');
    discord.changeThread(thread.id, { locked: true }, server.agent2.id);
    const s = await eventually(() => survey(thread.id), WAIT, 'the survey');
    assert.equal(s.agent.id, server.agent2.id);
    assert.equal(s.customer.id, customer.id);
  });

  test('/resolve by staff: acknowledged at once (ephemeral), the runner is the agent even if another agent wrote last', async () => {
    const { customer, thread } = helpedPost('Rita Resolve', server.agent);
    const run = discord.runCommand(thread.id, server.agent2.id, 'resolve');
    await eventually(async () => run.edited, WAIT, 'the edited reply');
    assert.equal(run.callback?.type, 5, 'deferred reply first');
    assert.equal(run.callback?.data?.flags, 64, 'ephemeral');
    assert.match(String(run.edited?.content), /^Resolved\./);
    const s = await eventually(() => survey(thread.id), WAIT, 'the survey');
    assert.equal(s.agent.id, server.agent2.id);
    assert.equal(s.customer.id, customer.id);

    const again = discord.runCommand(thread.id, server.agent.id, 'resolve');
    await eventually(async () => again.edited, WAIT, 'the second reply');
    assert.match(String(again.edited?.content), /already resolved/);
    assert.equal(await countSurveys(app, { channel: 'discord', conversationId: thread.id }), 1);
  });

  test('/resolve by someone without the agent role is refused and nobody is asked', async () => {
    const { customer, thread } = helpedPost('Nina Nonstaff');
    const byMember = discord.runCommand(thread.id, server.member.id, 'resolve');
    const byCustomer = discord.runCommand(thread.id, customer.id, 'resolve');
    await eventually(async () => byMember.edited && byCustomer.edited, WAIT, 'the replies');
    assert.match(String(byMember.edited?.content), /agent role/);
    assert.match(String(byCustomer.edited?.content), /agent role/);
    assert.equal(await survey(thread.id), null);
  });

  test('threads outside the care channels are ignored, whatever staff do', async () => {
    const customer = server.customer('Gus General');
    const thread = discord.openThread(server.general.id, customer.id, 'Off topic', 'Hello all');
    discord.post(thread.id, server.agent.id, 'Hi!');
    const run = discord.runCommand(thread.id, server.agent.id, 'resolve');
    await eventually(async () => run.edited, WAIT, 'the reply');
    assert.match(String(run.edited?.content), /inside a support thread/);
    const lookups = auditLookups();
    discord.changeThread(thread.id, { locked: true, archived: true }, server.agent.id);
    await settled();
    assert.equal(auditLookups(), lookups, 'not even looked at');
    assert.equal(await survey(thread.id), null);
  });

  test('no survey when the thread was opened by staff or by a bot, or no staff took part', async () => {
    const byStaff = discord.openThread(server.forum.id, server.agent.id, 'Announcement', 'New release');
    discord.post(byStaff.id, server.agent2.id, 'Nice');
    const staffRun = discord.runCommand(byStaff.id, server.agent2.id, 'resolve');

    const byBot = discord.openThread(server.support.id, server.otherBot.id, 'Bot report', 'Daily report');
    const botRun = discord.runCommand(byBot.id, server.agent.id, 'resolve');

    const alone = server.customer('Lone Lars');
    const noStaff = discord.openThread(server.forum.id, alone.id, 'Figured it out', 'Never mind, solved');
    const lookups = auditLookups();
    discord.changeThread(noStaff.id, { appliedTags: [server.resolvedTagId] }, alone.id);

    await eventually(async () => staffRun.edited && botRun.edited, WAIT, 'the replies');
    assert.match(String(staffRun.edited?.content), /opened by staff/);
    assert.match(String(botRun.edited?.content), /opened by a bot/);
    await settled();
    assert.ok(auditLookups() >= lookups + 1, 'the audit log was read for who tagged it');
    for (const t of [byStaff, byBot, noStaff]) assert.equal(await survey(t.id), null);
  });
});

function snowflakeAt(ms: number): string {
  return (((BigInt(ms) - 1_420_070_400_000n) << 22n) | 7n).toString();
}
