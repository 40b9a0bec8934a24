/**
 * The loop closed to the end: follow-ups are due FOLLOWUP_DUE_HOURS after they open;
 * past due and still uncontacted, managers are reminded once per due period (two
 * processes sweeping the same database post each reminder once, and no more than
 * FOLLOWUP_REMINDERS); an outcome closes the follow-up with who and when; the
 * closed-loop rate and the median time to first contact come out of the API (JSON and
 * CSV) and the CLI as computed by hand. Real server, a fake clock.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { execFile } from 'node:child_process';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import { loadConfig } from '../../src/config.ts';
import type { TransitionEvent } from '../../src/conversation/engine.ts';
import { TokenAuth } from '../../src/http/token-auth.ts';
import { silentLogger } from '../../src/logger.ts';
import type { CustomerReplyRequest } from '../../src/reports/followups/customer-reply.ts';
import { followupModel, type FollowupDoc } from '../../src/reports/followups/followup-model.ts';
import type { Notice, NoticeTarget } from '../../src/reports/notice-target.ts';
import { createReports, type Reports } from '../../src/reports/reports-module.ts';
import { EVERYTHING } from '../../src/reports/scope.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { authHeaders, eventually, startTestApp, TEST_API_TOKEN, type TestApp } from '../helpers/app.ts';
import { mongoUri, openTestDb } from '../helpers/database.ts';
import { surveyDoc } from '../helpers/report-fixtures.ts';

const HOUR = 3_600_000;

/** A clock the test moves. */
function clock(start: string): { now: () => Date; set(iso: string): void; advance(ms: number): void } {
  let t = Date.parse(start);
  return { now: () => new Date(t), set(iso) { t = Date.parse(iso); }, advance(ms) { t += ms; } };
}

describe('due times and overdue reminders, two processes', () => {
  let db: { conn: Connection; dbName: string; drop(): Promise<void> };
  const running: Reports[] = [];
  const posted: Array<{ target: NoticeTarget; notice: Notice }> = [];
  const time = clock('2024-06-03T09:00:00Z');

  beforeAll(async () => { db = await openTestDb('fu-loop'); });
  afterAll(async () => {
    for (const r of running) await r.stop();
    await db.drop();
  });

  async function start(): Promise<Reports> {
    const reports = createReports({
      config: loadConfig({ REPORT_SYNC_INTERVAL_MS: '3600000', ALERT_TARGET: 'webhook:managers', FOLLOWUP_DUE_HOURS: '48', FOLLOWUP_REMINDERS: '2' }),
      conn: db.conn,
      engine: new EventEmitter<{ transition: [TransitionEvent] }>(),
      post: async (target, notice) => { posted.push({ target, notice }); },
      logger: silentLogger(),
      now: time.now,
    });
    await reports.start();
    running.push(reports);
    return reports;
  }

  const reminders = (conversation: string) => posted.filter((p) => p.notice.text.startsWith('Overdue follow-up') && p.notice.text.includes(conversation));

  test('a reminder once per due period while nobody made contact, posted once by two processes, at most FOLLOWUP_REMINDERS', async () => {
    const [a, b] = [await start(), await start()];
    const late = surveyDoc({ resolvedAt: new Date('2024-06-03T08:00:00Z'), channel: 'slack', conversationId: 'conv-late', agent: { id: 'a1', name: 'Anna' }, score: 2 });
    const quick = surveyDoc({ resolvedAt: new Date('2024-06-03T08:00:00Z'), channel: 'slack', conversationId: 'conv-quick', agent: { id: 'a1', name: 'Anna' }, score: 4 });
    await surveyModel(db.conn).insertMany([late, quick]);
    await Promise.all([a.sweep(), b.sweep()]);

    const opened = await followupModel(db.conn).findOne({ conversationId: 'conv-late' }).lean().exec() as FollowupDoc;
    assert.equal(opened.dueAt?.toISOString(), '2024-06-05T09:00:00.000Z', 'due 48 hours after it opened');
    assert.equal(posted.filter((p) => p.notice.text.startsWith('Detractor alert')).length, 2, 'one alert per detractor');
    const quickId = String((await followupModel(db.conn).findOne({ conversationId: 'conv-quick' }).lean().exec())!._id);
    await a.followups.update(quickId, { status: 'contacted' }, EVERYTHING, time.now());

    time.set('2024-06-05T08:59:00Z'); // not yet due
    await Promise.all([a.sweep(), b.sweep()]);
    assert.equal(reminders('conv-late').length, 0);
    assert.equal(await a.followups.overdueCount(EVERYTHING, time.now()), 0);

    time.set('2024-06-05T10:00:00Z'); // overdue
    await Promise.all([a.sweep(), b.sweep(), a.sweep(), b.sweep()]);
    assert.equal(reminders('conv-late').length, 1, 'one reminder, though both processes swept twice');
    assert.equal(reminders('conv-quick').length, 0, 'contacted in time: no reminder');
    assert.match(reminders('conv-late')[0]!.notice.text, /waited 49 h without being contacted \(due 2024-06-05T09:00:00.000Z\)/);
    assert.equal(reminders('conv-late')[0]!.target.channelId, 'managers');
    assert.equal(await a.followups.overdueCount(EVERYTHING, time.now()), 1);
    const listed = await a.followups.list({ overdue: true, scope: EVERYTHING, page: 1, limit: 10, now: time.now() });
    assert.deepEqual(listed.followups.map((f) => [f.conversationId, f.overdue]), [['conv-late', true]]);

    time.set('2024-06-06T10:00:00Z'); // same period: nothing more
    await Promise.all([a.sweep(), b.sweep()]);
    assert.equal(reminders('conv-late').length, 1);

    time.set('2024-06-07T09:30:00Z'); // the second period
    await Promise.all([a.sweep(), b.sweep()]);
    assert.equal(reminders('conv-late').length, 2);

    time.set('2024-06-12T09:30:00Z'); // FOLLOWUP_REMINDERS=2: no third
    await Promise.all([a.sweep(), b.sweep()]);
    assert.equal(reminders('conv-late').length, 2);
    const after = await followupModel(db.conn).findOne({ conversationId: 'conv-late' }).lean().exec();
    assert.equal(after?.remindersSent, 2);
    assert.equal(after?.remindAt ?? null, null);
  });

  test('contact stops the reminders; reopening past due plans one a full period later', async () => {
    const reports = running[0]!;
    await surveyModel(db.conn).insertMany([surveyDoc({ resolvedAt: time.now(), channel: 'slack', conversationId: 'conv-reopen', agent: { id: 'a2' }, score: 1 })]);
    await reports.sweep();
    const f = await followupModel(db.conn).findOne({ conversationId: 'conv-reopen' }).lean().exec() as FollowupDoc;
    await reports.followups.update(String(f._id), { status: 'contacted' }, EVERYTHING, time.now());
    time.advance(72 * HOUR);
    await reports.sweep();
    assert.equal(reminders('conv-reopen').length, 0, 'contacted: not overdue, no reminder');
    const reopened = await reports.followups.update(String(f._id), { status: 'open' }, EVERYTHING, time.now());
    assert.equal(reopened?.overdue, true, 'open and past due');
    const stored = await followupModel(db.conn).findById(f._id).lean().exec();
    assert.equal(stored?.remindAt?.getTime(), time.now().getTime() + 48 * HOUR);
    time.advance(48 * HOUR);
    await reports.sweep();
    assert.equal(reminders('conv-reopen').length, 1);
  });
});

describe('outcomes and the closed-loop figures over HTTP and the CLI', () => {
  let app: TestApp;
  const time = clock('2024-05-06T08:00:00Z');
  const AGENT_TOKEN = 'agent-a1-token-0123456789abcdefghijkl';
  const ids = new Map<string, string>();

  beforeAll(async () => {
    app = await startTestApp({
      label: 'fu-http',
      env: { REPORT_TOKENS: `${AGENT_TOKEN}:agent:a1`, FOLLOWUP_DUE_HOURS: '24', REPORT_SYNC_INTERVAL_MS: '100' },
      now: time.now,
    });
    // Five detractors on 2024-05-06 (opened at 08:00), one the week before (outside the range).
    const convs = ['c1', 'c2', 'c3', 'c4', 'c5'];
    await surveyModel(app.conn).insertMany([
      ...convs.map((c, i) => surveyDoc({ resolvedAt: new Date('2024-05-06T07:00:00Z'), channel: 'slack', conversationId: c, agent: { id: i < 3 ? 'a1' : 'a2' }, score: i })),
    ]);
    const followups = () => followupModel(app.conn).countDocuments({}).exec();
    await eventually(async () => (await followups()) === 5, 10_000, 'five follow-ups opened by the sweep');
    time.set('2024-04-29T08:00:00Z');
    await surveyModel(app.conn).insertMany([surveyDoc({ resolvedAt: new Date('2024-04-29T07:00:00Z'), channel: 'slack', conversationId: 'c-old', agent: { id: 'a1' }, score: 0 })]);
    await eventually(async () => (await followups()) === 6, 10_000, 'the old follow-up opened');
    for (const f of await followupModel(app.conn).find({}).lean().exec()) ids.set(f.conversationId, String(f._id));
    assert.equal(ids.size, 6);
  });
  afterAll(async () => { await app.close(); });

  async function patch(conv: string, body: unknown, token = TEST_API_TOKEN) {
    const res = await fetch(`${app.url}/api/followups/${ids.get(conv)}`, { method: 'PATCH', headers: authHeaders(token), body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() as Record<string, unknown> };
  }

  test('an outcome closes the follow-up and records who and when; contact is the first talk', async () => {
    time.set('2024-05-06T10:00:00Z'); // c1: contacted after 2 h, recovered later
    assert.equal((await patch('c1', { status: 'contacted' })).status, 200);
    time.set('2024-05-06T15:00:00Z');
    const c1 = await patch('c1', { outcome: 'recovered', note: 'refund sent' });
    assert.equal(c1.status, 200, JSON.stringify(c1.json));
    assert.equal(c1.json.status, 'closed');
    assert.equal(c1.json.outcome, 'recovered');
    assert.equal(c1.json.outcomeBy, 'manager');
    assert.equal(c1.json.outcomeAt, '2024-05-06T15:00:00.000Z');
    assert.equal(c1.json.firstContactAt, '2024-05-06T10:00:00.000Z', 'the first contact stays the first');

    time.set('2024-05-06T12:00:00Z'); // c2: the agent records a talk after 4 h that did not win the customer back
    const c2 = await patch('c2', { outcome: 'not-recovered' }, AGENT_TOKEN);
    assert.equal(c2.status, 200);
    assert.equal(c2.json.outcomeBy, 'agent:a1');
    assert.equal(c2.json.firstContactAt, '2024-05-06T12:00:00.000Z');
    assert.equal((await patch('c4', { outcome: 'recovered' }, AGENT_TOKEN)).status, 404, 'not the agent\'s follow-up');

    time.set('2024-05-07T02:00:00Z'); // c3: nobody answered after 18 h: closed, but no contact
    const c3 = await patch('c3', { outcome: 'no-answer' });
    assert.equal(c3.json.status, 'closed');
    assert.equal(c3.json.firstContactAt, null);
    time.set('2024-05-06T18:00:00Z'); // c4: contacted after 10 h, still open for an outcome
    assert.equal((await patch('c4', { status: 'contacted' })).status, 200);

    const bad = await patch('c5', { outcome: 'maybe' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.field, 'outcome');
    const contradictory = await patch('c5', { outcome: 'recovered', status: 'open' });
    assert.equal(contradictory.status, 400);
    assert.match(String(contradictory.json.error), /an outcome closes the follow-up/);
  });

  test('closed-loop rate, outcomes, overdue and the median time to first contact, as computed by hand (JSON and CSV)', async () => {
    time.set('2024-05-08T12:00:00Z'); // c5 (open, due 2024-05-07T08:00) is overdue; c-old too but outside the range
    const res = await fetch(`${app.url}/api/followups/summary?from=2024-05-06&to=2024-05-12`, { headers: authHeaders() });
    assert.equal(res.status, 200);
    const s = await res.json() as Record<string, unknown>;
    // Opened 5: closed c1, c2, c3 → 60%; recovered 1 of 2 talks → 50%; contacts after 2, 4, 10 h → median 4 h.
    assert.deepEqual(s, {
      from: '2024-05-06', to: '2024-05-12', timeZone: 'UTC', dueHours: 24,
      opened: 5, open: 1, contacted: 1, closed: 3, recovered: 1, notRecovered: 1, noAnswer: 1, overdue: 1,
      closedLoopRate: 60, recoveryRate: 50, firstContacts: 3, medianHoursToFirstContact: 4,
    });
    const agent = await (await fetch(`${app.url}/api/followups/summary?from=2024-05-06&to=2024-05-12`, { headers: authHeaders(AGENT_TOKEN) })).json() as Record<string, unknown>;
    assert.equal(agent.opened, 3, 'an agent sees its own follow-ups only');
    assert.equal(agent.medianHoursToFirstContact, 3, 'contacts after 2 and 4 h: the mean of the middle two');

    const csv = await fetch(`${app.url}/api/followups/summary?from=2024-05-06&to=2024-05-12&format=csv`, { headers: authHeaders() });
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    assert.equal(await csv.text(),
      'from,to,timeZone,dueHours,opened,open,contacted,closed,recovered,notRecovered,noAnswer,overdue,closedLoopRate,recoveryRate,firstContacts,medianHoursToFirstContact\r\n'
      + '2024-05-06,2024-05-12,UTC,24,5,1,1,3,1,1,1,1,60,50,3,4\r\n');
    const bad = await fetch(`${app.url}/api/followups/summary?from=2024-05-12&to=2024-05-06`, { headers: authHeaders() });
    assert.equal(bad.status, 400);

    const overdue = await (await fetch(`${app.url}/api/followups?overdue=true`, { headers: authHeaders() })).json() as { total: number; followups: Array<{ conversationId: string }> };
    assert.deepEqual(overdue.followups.map((f) => f.conversationId).sort(), ['c-old', 'c5']);
  });

  test('nps-bot followups --summary prints the same figures; --set --outcome records the CLI as author', async () => {
    const cli = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'followups', ...args], {
        cwd: new URL('../..', import.meta.url).pathname,
        env: { PATH: process.env.PATH ?? '', MONGODB_URI: mongoUri(), MONGODB_DB: app.dbName, LOG_LEVEL: 'warn', FOLLOWUP_DUE_HOURS: '24' },
        timeout: 120_000,
      }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
    const json = await cli(['--summary', '--from', '2024-05-06', '--to', '2024-05-12', '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const s = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(s.closedLoopRate, 60);
    assert.equal(s.medianHoursToFirstContact, 4);
    const table = await cli(['--summary', '--from', '2024-05-06', '--to', '2024-05-12']);
    assert.match(table.stdout, /closed-loop rate 60% · outcomes: recovered 1, not recovered 1, no answer 1/);
    assert.match(table.stdout, /median time to first contact 4 h \(3 contacted\)/);
    const set = await cli(['--set', ids.get('c4')!, '--outcome', 'recovered', '--format', 'json']);
    assert.equal(set.code, 0, set.stderr);
    assert.equal((JSON.parse(set.stdout) as { outcomeBy: string; status: string }).outcomeBy, 'cli');
    const wrong = await cli(['--set', ids.get('c5')!, '--outcome', 'perhaps']);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /--outcome/);
  });

  test('a message back to the customer goes through the engine: on a channel the bot does not run it is unavailable, and nothing is sent', async () => {
    const res = await fetch(`${app.url}/api/followups/${ids.get('c5')}/reply`, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ text: 'We fixed it.' }) });
    assert.equal(res.status, 409);
    assert.deepEqual(await res.json(), { status: 'unavailable' });
    const empty = await fetch(`${app.url}/api/followups/${ids.get('c5')}/reply`, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ text: ' \u0007 ' }) });
    assert.equal(empty.status, 400, 'control characters only: nothing to send');
    const f = await followupModel(app.conn).findById(ids.get('c5')).lean().exec();
    // The attempt is on record; it is no contact with the customer.
    assert.deepEqual(f?.replies?.map((r) => r.status), ['unavailable']);
    assert.equal(f?.firstContactAt ?? null, null);
  });

  test('the dashboard marks overdue follow-ups, and its form records an outcome (the status beside it is ignored)', async () => {
    const page = await (await fetch(`${app.url}/dashboard`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).text();
    assert.match(page, /overdue<\/strong>/);
    assert.match(page, /<select name="outcome"/);
    const res = await fetch(`${app.url}/dashboard/followups/${ids.get('c5')}`, {
      method: 'POST', redirect: 'manual',
      headers: { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ status: 'open', outcome: 'no-answer', owner: 'Maria' }).toString(),
    });
    assert.equal(res.status, 303);
    const f = await followupModel(app.conn).findById(ids.get('c5')).lean().exec();
    assert.deepEqual([f?.status, f?.outcome, f?.outcomeBy, f?.owner], ['closed', 'no-answer', 'manager', 'Maria']);
  });
});

describe('a message back to the customer through the engine port', () => {
  test('sent: recorded on the follow-up as its first contact; a closed window: recorded, no contact', async () => {
    const db = await openTestDb('fu-reply');
    const time = clock('2024-05-06T08:00:00Z');
    const asked: CustomerReplyRequest[] = [];
    const reports = createReports({
      config: loadConfig({ REPORT_SYNC_INTERVAL_MS: '3600000' }),
      conn: db.conn,
      engine: new EventEmitter<{ transition: [TransitionEvent] }>(),
      post: async () => {},
      replyToCustomer: async (r) => {
        asked.push(r);
        return { status: r.text.includes('late') ? 'window-closed' : 'sent' };
      },
      logger: silentLogger(),
      now: time.now,
    });
    let server: Server | undefined;
    try {
      await reports.start();
      const survey = surveyDoc({ resolvedAt: new Date('2024-05-06T07:00:00Z'), channel: 'slack', conversationId: 'c-reply', agent: { id: 'a1' }, score: 3 });
      await surveyModel(db.conn).insertMany([survey]);
      await reports.sweep();
      const f = await followupModel(db.conn).findOne({ conversationId: 'c-reply' }).lean().exec() as FollowupDoc;
      const web = express();
      reports.mount(web, new TokenAuth([[TEST_API_TOKEN, { role: 'manager' }]]));
      server = await new Promise<Server>((resolve) => { const s = web.listen(0, '127.0.0.1', () => resolve(s)); });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/followups/${String(f._id)}/reply`;

      time.set('2024-05-06T09:30:00Z');
      const sent = await fetch(url, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ text: 'We fixed\u001b[2J what you told us.' }) });
      assert.equal(sent.status, 202);
      assert.deepEqual(asked, [{ surveyId: String(survey._id), text: 'We fixed[2J what you told us.', by: 'manager' }]);
      time.set('2024-05-06T10:00:00Z');
      const closed = await fetch(url, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ text: 'too late' }) });
      assert.equal(closed.status, 409);
      assert.deepEqual(await closed.json(), { status: 'window-closed' });

      const stored = await followupModel(db.conn).findById(f._id).lean().exec();
      assert.equal(stored?.status, 'contacted');
      assert.equal(stored?.firstContactAt?.toISOString(), '2024-05-06T09:30:00.000Z');
      assert.equal(stored?.contactDelayMs, 1.5 * HOUR);
      assert.deepEqual(stored?.replies?.map((r) => [r.status, r.by]), [['sent', 'manager'], ['window-closed', 'manager']]);
    } finally {
      await new Promise((r) => server ? server.close(r) : r(undefined));
      await reports.stop();
      await db.drop();
    }
  });
});

describe('messages back are capped, only while the follow-up is open, and agents are scoped by channel and id', () => {
  test('at most 3 per follow-up in 24 hours (a burst of 8 sends 3, the rest 429 with Retry-After); a closed follow-up sends nothing; an agent token must name its channel', async () => {
    const db = await openTestDb('fu-reply-cap');
    const time = clock('2024-05-06T08:00:00Z');
    const asked: CustomerReplyRequest[] = [];
    const reports = createReports({
      config: loadConfig({ REPORT_SYNC_INTERVAL_MS: '3600000' }),
      conn: db.conn,
      engine: new EventEmitter<{ transition: [TransitionEvent] }>(),
      post: async () => {},
      replyToCustomer: async (r) => { asked.push(r); return { status: 'sent' }; },
      logger: silentLogger(),
      now: time.now,
    });
    const SLACK_AGENT = 'agent-token-a1-slack-0123456789abcdef';
    const DISCORD_AGENT = 'agent-token-a1-discord-0123456789abcde';
    const ANY_AGENT = 'agent-token-a1-any-channel-0123456789ab';
    let server: Server | undefined;
    try {
      await reports.start();
      const slack = surveyDoc({ resolvedAt: new Date('2024-05-06T07:00:00Z'), channel: 'slack', conversationId: 'c-cap', agent: { id: 'a1' }, score: 3 });
      const other = surveyDoc({ resolvedAt: new Date('2024-05-06T07:00:00Z'), channel: 'slack', conversationId: 'c-closed', agent: { id: 'a1' }, score: 2 });
      await surveyModel(db.conn).insertMany([slack, other]);
      await reports.sweep();
      const idOf = async (c: string) => String((await followupModel(db.conn).findOne({ conversationId: c }).lean().exec())!._id);
      const web = express();
      reports.mount(web, new TokenAuth([
        [TEST_API_TOKEN, { role: 'manager' }],
        [SLACK_AGENT, { role: 'agent', agentId: 'a1', channel: 'slack' }],
        [DISCORD_AGENT, { role: 'agent', agentId: 'a1', channel: 'discord' }],
        [ANY_AGENT, { role: 'agent', agentId: 'a1' }],
      ]));
      server = await new Promise<Server>((resolve) => { const s = web.listen(0, '127.0.0.1', () => resolve(s)); });
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/followups`;
      const reply = (id: string, token = TEST_API_TOKEN, text = 'We fixed it.') =>
        fetch(`${base}/${id}/reply`, { method: 'POST', headers: authHeaders(token), body: JSON.stringify({ text }) });
      const cap = await idOf('c-cap');

      // Equal ids on two channels are two people; a token without a channel may not message customers.
      assert.equal((await reply(cap, DISCORD_AGENT)).status, 404);
      assert.equal((await fetch(`${base}/${cap}`, { headers: authHeaders(DISCORD_AGENT) })).status, 404, 'nor read it');
      assert.equal((await reply(cap, ANY_AGENT)).status, 403);
      assert.equal(asked.length, 0);

      const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => reply(cap, i % 2 ? SLACK_AGENT : TEST_API_TOKEN)));
      const statuses = burst.map((r) => r.status).sort();
      assert.deepEqual(statuses, [202, 202, 202, 429, 429, 429, 429, 429]);
      const refused = burst.find((r) => r.status === 429)!;
      assert.ok(Number(refused.headers.get('retry-after')) > 23 * 3600, 'Retry-After: until the window ends');
      assert.equal(asked.length, 3, 'only three reached the customer');
      time.advance(24 * HOUR + 1000);
      assert.equal((await reply(cap)).status, 202, 'a new window');

      const closedId = await idOf('c-closed');
      const patched = await fetch(`${base}/${closedId}`, { method: 'PATCH', headers: authHeaders(), body: JSON.stringify({ outcome: 'no-answer' }) });
      assert.equal(patched.status, 200);
      const before = asked.length;
      const closed = await reply(closedId);
      assert.equal(closed.status, 409);
      assert.match(((await closed.json()) as { error: string }).error, /closed/);
      assert.equal(asked.length, before, 'nothing sent for a closed follow-up');
    } finally {
      await new Promise((r) => server ? server.close(r) : r(undefined));
      await reports.stop();
      await db.drop();
    }
  });

  test('REPORT_TOKENS: <token>:agent:<id>@<channel> names the channel; an e-mail-like id stays whole', async () => {
    const { parseReportTokens } = await import('../../src/reports/report-config.ts');
    const t = 'x'.repeat(32);
    assert.deepEqual(parseReportTokens(`${t}:agent:U123@slack`), [[t, { role: 'agent', agentId: 'U123', channel: 'slack', sees: 'comments' }]]);
    assert.deepEqual(parseReportTokens(`${t}:agent:7@chatwoot:web`), [[t, { role: 'agent', agentId: '7', channel: 'chatwoot:web', sees: 'comments' }]]);
    assert.deepEqual(parseReportTokens(`${t}:agent:anna@acme.example`), [[t, { role: 'agent', agentId: 'anna@acme.example', sees: 'comments' }]]);
  });
});
