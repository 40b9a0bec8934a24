/**
 * The managers' texts (detractor alert, weekly digest) in every locale: each line
 * carries its figures, none is left in English where the locale is another language,
 * REPORT_LOCALE (else DEFAULT_LOCALE) chooses the language, and a real alert notice
 * comes out in German when the setting says so.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Types, type Connection } from 'mongoose';
import { LOCALES } from '../../src/conversation/templates.ts';
import { managerTexts } from '../../src/reports/manager-texts.ts';
import { loadReportSettings } from '../../src/reports/report-config.ts';
import { DetractorAlerts } from '../../src/reports/followups/detractor-alerts.ts';
import { Followups } from '../../src/reports/followups/followup-workflow.ts';
import type { FollowupDoc } from '../../src/reports/followups/followup-model.ts';
import { silentLogger } from '../../src/logger.ts';
import { openTestDb } from '../helpers/database.ts';

/** Every rendered line, with figures no other line uses, so each can be looked for. */
function renderAll(locale: (typeof LOCALES)[number]): string[] {
  const { alert, digest } = managerTexts(locale);
  return [
    alert.headline(3, false), alert.headline(2, true), alert.channelAgent('slack', 'Anna (U1)'), alert.conversation('C42'),
    alert.comment('slow'), alert.comment(null), alert.followupOpen('f-77'),
    digest.header('2024-05-06', '2024-05-12', 'Europe/Berlin'), digest.nps(12, 9), digest.nps(null, null), digest.change(-4),
    digest.change(null), digest.lowSample(30), digest.overall('NPS 12 (±9)', 41, 97, 42, 'x'), digest.noSurveys, digest.byChannel,
    digest.channelRow('discord', 'NPS 5', 13, 31, 'x'), digest.themes(17, 'T'), digest.themeItem('Price', 6, 35, ', +5 pp'),
    digest.value({ atRisk: 1234, detractorCustomers: 7, change: '+50', promoterValue: 5678, promoterCustomers: 8, withValue: 15, customers: 23 }),
    digest.agentsHeader(30), digest.agentRow('Bo (U2)', '44', '11', 19, 39, digest.versusTeam('+8', -3, 19), 'label'),
    digest.moreAgents(4), digest.hiddenAgents(6, 30), digest.openFollowups(5, 2),
    digest.closedLoop({ closed: 3, opened: 9, rate: 33, recovered: 2, medianHours: 26 }), digest.closedLoop({ closed: 0, opened: 1, rate: 0, recovered: 0, medianHours: null }),
  ];
}

describe('manager texts', () => {
  test.each([...LOCALES])('%s: every line renders its figures, never "undefined" or "NaN"', (locale) => {
    const lines = renderAll(locale);
    const all = lines.join('\n');
    assert.doesNotMatch(all, /undefined|NaN|\[object/);
    for (const figure of ['3/10', 'slack', 'Anna (U1)', 'C42', '"slow"', 'f-77', '2024-05-06', 'Europe/Berlin', '±9', '-4', '30', '41', '97', '42',
      '13/31', '17', '35%', '1234', '5678', '23', '19/39', '+8', '-3', '4', '6', '26 h']) {
      assert.ok(all.includes(figure), `${locale} lost ${figure}`);
    }
  });

  test.each(LOCALES.filter((l) => l !== 'en'))('%s: no line is the English one', (locale) => {
    const en = renderAll('en');
    const own = renderAll(locale);
    const same = own.filter((line, i) => line === en[i] && /\p{L}{4,}/u.test(line.replace(/NPS|slack|Anna|Europe\/Berlin|discord|Price|label|Bo/g, '')));
    assert.deepEqual(same, []);
  });

  test('REPORT_LOCALE chooses the language; unset, DEFAULT_LOCALE; neither, English; a bad one stops start-up', () => {
    assert.equal(loadReportSettings({ REPORT_LOCALE: 'de' }).locale, 'de');
    assert.equal(loadReportSettings({ DEFAULT_LOCALE: 'pl' }).locale, 'pl');
    assert.equal(loadReportSettings({ REPORT_LOCALE: 'fi', DEFAULT_LOCALE: 'pl' }).locale, 'fi');
    assert.equal(loadReportSettings({}).locale, 'en');
    assert.throws(() => loadReportSettings({ REPORT_LOCALE: 'xx' }), /REPORT_LOCALE/);
  });
});

describe('a detractor alert in the managers\' language', () => {
  let db: { conn: Connection; drop(): Promise<void> };
  beforeAll(async () => { db = await openTestDb('manager-texts'); });
  afterAll(async () => { await db.drop(); });

  test('German when the setting says German; English otherwise', async () => {
    const followup = {
      _id: new Types.ObjectId(), surveyId: new Types.ObjectId(), score: 2, type: 'transactional', channel: 'slack',
      agentId: 'U1', agentName: 'Anna', conversationId: 'C42',
    } as unknown as FollowupDoc;
    const deps = { conn: db.conn, followups: new Followups(db.conn), post: async () => {}, logger: silentLogger(), now: () => new Date() };
    const de = await new DetractorAlerts({ ...deps, locale: 'de' }).notice(followup);
    assert.match(de.text, /^Kritiker-Alarm: Ein Kunde hat 2\/10 vergeben \(nach einem Servicekontakt\)\./);
    assert.match(de.text, /Kommentar: \(noch keiner\)/);
    assert.equal(de.fields?.score, '2');
    const en = await new DetractorAlerts(deps).notice(followup);
    assert.match(en.text, /^Detractor alert: a customer scored 2\/10 \(after a care conversation\)\./);
  });
});
