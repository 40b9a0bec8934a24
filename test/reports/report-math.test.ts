/**
 * The pure parts of reports, on tables of cases: the NPS arithmetic, the margin of
 * error against hand-computed values, CSV escaping, local days across DST, and the
 * report settings (tokens, time zone, cron) failing with one clear line.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { figuresOf, npsChange, npsMarginOfError, npsScore, percent, roundHalfAwayFromZero } from '../../src/reports/nps-math.ts';
import { csvCell, toCsv } from '../../src/reports/csv.ts';
import {
  addDays, dayKeyOf, instantRange, isDayKey, periodEnd, periodStart, previousPeriodStart, startOfDay,
} from '../../src/reports/time-zone.ts';
import { loadReportSettings, parseReportTokens } from '../../src/reports/report-config.ts';
import { ConfigError } from '../../src/env-readers.ts';
import { escapeHtml, html } from '../../src/reports/dashboard/html.ts';

describe('npsScore', () => {
  const cases: Array<[string, [number, number, number], number | null]> = [
    ['nobody answered', [0, 0, 0], null],
    ['all passive', [0, 10, 0], 0],
    ['all promoters', [7, 0, 0], 100],
    ['all detractors', [0, 0, 3], -100],
    ['one of each', [1, 1, 1], 0],
    ['+12.5 rounds up to 13', [2, 5, 1], 13],
    ['−12.5 rounds away from zero to −13', [1, 5, 2], -13],
    ['+37.5 → 38', [4, 3, 1], 38],
    ['−37.5 → −38', [1, 3, 4], -38],
    ['+66.67 → 67', [2, 1, 0], 67],
    ['−66.67 → −67', [0, 1, 2], -67],
    ['passives dilute: 50 promoters, 50 passives → 50', [50, 50, 0], 50],
    ['25 on 200 answers', [100, 50, 50], 25],
  ];
  for (const [name, [p, pa, d], want] of cases) {
    test(name, () => {
      const got = npsScore(p, pa, d);
      assert.equal(got, want);
      if (got === 0) assert.ok(Object.is(got, 0), 'no −0');
    });
  }
  test('+0.5 and −0.5 exactly', () => {
    // 1 promoter among 200 answers: 0.5 → 1; 1 detractor: −0.5 → −1.
    assert.equal(npsScore(1, 199, 0), 1);
    assert.equal(npsScore(0, 199, 1), -1);
    assert.equal(roundHalfAwayFromZero(-2.5), -3);
    assert.equal(roundHalfAwayFromZero(2.5), 3);
    assert.ok(Object.is(roundHalfAwayFromZero(-0.4), 0));
  });
});

describe('margin of error (95%) against hand-computed values', () => {
  // Adjusted Wald (Rocks 2016): ñ = n + 3, p̃ = (P + ¾)/ñ, d̃ = (D + ¾)/ñ,
  // MoE = 1.96 · √((p̃ + d̃ − (p̃ − d̃)²) / ñ) · 100, one decimal.
  const cases: Array<[string, [number, number, number], number | null]> = [
    ['empty', [0, 0, 0], null],
    // ñ=13, p̃=d̃=.057692: var=.115385/13=.0088757, √=.094211 → 18.465 (the plain formula said 0)
    ['all passive: still a spread', [0, 10, 0], 18.5],
    // ñ=13, p̃=.826923 d̃=.057692: .884615−.591716=.292899/13=.022531, √=.150103 → 29.420
    ['all promoters: still a spread', [10, 0, 0], 29.4],
    // ñ=103, p̃=.492718 d̃=.201456: .694175−.084834=.609341/103=.0059159, √=.076915 → 15.075
    ['50/30/20 of 100', [50, 30, 20], 15.1],
    // ñ=103, p̃=.395631 d̃=.201456: .597087−.037704=.559383/103=.0054309, √=.073695 → 14.444
    ['40/40/20 of 100', [40, 40, 20], 14.4],
    // ñ=5, p̃=d̃=.35: var=.7/5=.14, √=.374166 → 73.335
    ['1 promoter, 1 detractor', [1, 0, 1], 73.3],
    // ñ=33, p̃=.295455 d̃=.113636: .409091−.033058=.376033/33=.011395, √=.106747 → 20.922
    ['9/15/3 of 30', [9, 18, 3], 20.9],
    // ñ=1003: barely different from the plain 4.158
    ['600/300/100 of 1000', [600, 300, 100], 4.2],
  ];
  for (const [name, [p, pa, d], want] of cases) {
    test(name, () => assert.equal(npsMarginOfError(p, pa, d), want));
  }
});

describe('figures of a row', () => {
  test('rates, shares, NPS, low-sample flag', () => {
    const f = figuresOf({ sent: 10, responses: 4, promoters: 2, passives: 1, detractors: 1, scoreSum: 30 }, 30);
    assert.deepEqual(f, {
      sent: 10, responses: 4, responseRate: 40, promoters: 2, passives: 1, detractors: 1,
      promotersPct: 50, passivesPct: 25, detractorsPct: 25, nps: 25, marginOfError: 58.4, npsLow: -44.2, npsHigh: 72.7,
      averageScore: 7.5, lowSample: true,
    });
  });
  test('nothing sent: rates are null, not NaN', () => {
    const f = figuresOf({ sent: 0, responses: 0, promoters: 0, passives: 0, detractors: 0, scoreSum: 0 }, 1);
    assert.equal(f.responseRate, null);
    assert.equal(f.nps, null);
    assert.equal(f.marginOfError, null);
    assert.equal(f.lowSample, true);
  });
  test('the minimum sample is a boundary: 30 answers are enough, 29 are not', () => {
    assert.equal(figuresOf({ sent: 30, responses: 30, promoters: 30, passives: 0, detractors: 0, scoreSum: 300 }, 30).lowSample, false);
    assert.equal(figuresOf({ sent: 30, responses: 29, promoters: 29, passives: 0, detractors: 0, scoreSum: 290 }, 30).lowSample, true);
  });
  test('percent and change', () => {
    assert.equal(percent(1, 3), 33.3);
    assert.equal(percent(2, 3), 66.7);
    assert.equal(percent(1, 0), null);
    assert.equal(npsChange(10, -5), 15);
    assert.equal(npsChange(10, null), null);
    assert.ok(Object.is(npsChange(7, 7), 0));
  });
});

describe('CSV escaping', () => {
  const cases: Array<[string, string | number | boolean | null, string]> = [
    ['plain', 'fine', 'fine'],
    ['comma', 'slow, but polite', '"slow, but polite"'],
    ['quotes', 'she said "never"', '"she said ""never"""'],
    ['newline', 'line one\nline two', '"line one\nline two"'],
    ['CRLF', 'a\r\nb', '"a\r\nb"'],
    ['formula =', '=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['formula +', '+1', "'+1"],
    ['formula - in text', '-2+3', "'-2+3"],
    ['formula @', '@SUM(A1)', "'@SUM(A1)"],
    ['tab first', '\tx', "'\tx"],
    ['a negative number stays a number', -20, '-20'],
    ['null is empty', null, ''],
    ['boolean', true, 'true'],
    ['unicode', 'Snabbt svar 🔟 tack', 'Snabbt svar 🔟 tack'],
  ];
  for (const [name, input, want] of cases) test(name, () => assert.equal(csvCell(input), want));
  test('a table has a header row and CRLF line ends', () => {
    assert.equal(toCsv(['a', 'b'], [[1, 'x,y'], [null, '=1']]), 'a,b\r\n1,"x,y"\r\n,\'=1\r\n');
  });
});

describe('local days in a time zone', () => {
  const tz = 'Europe/Stockholm';
  test('day keys around the spring and autumn DST changes', () => {
    assert.equal(dayKeyOf(new Date('2024-03-30T22:59:00Z'), tz), '2024-03-30');
    assert.equal(dayKeyOf(new Date('2024-03-30T23:00:00Z'), tz), '2024-03-31');
    assert.equal(dayKeyOf(new Date('2024-03-31T21:59:00Z'), tz), '2024-03-31'); // 23:59 CEST
    assert.equal(dayKeyOf(new Date('2024-03-31T22:00:00Z'), tz), '2024-04-01');
    assert.equal(dayKeyOf(new Date('2024-10-26T22:00:00Z'), tz), '2024-10-27');
    assert.equal(dayKeyOf(new Date('2024-10-27T22:59:00Z'), tz), '2024-10-27'); // 23:59 CET
    assert.equal(dayKeyOf(new Date('2024-10-27T23:00:00Z'), tz), '2024-10-28');
    assert.equal(dayKeyOf(new Date('2024-10-27T23:00:00Z'), 'UTC'), '2024-10-27');
  });
  test('start of day: 23- and 25-hour days, a midnight DST jump, a half-hour zone', () => {
    assert.equal(startOfDay('2024-03-31', tz).toISOString(), '2024-03-30T23:00:00.000Z');
    assert.equal(startOfDay('2024-04-01', tz).toISOString(), '2024-03-31T22:00:00.000Z');
    assert.equal(startOfDay('2024-10-27', tz).toISOString(), '2024-10-26T22:00:00.000Z');
    assert.equal(startOfDay('2024-10-28', tz).toISOString(), '2024-10-27T23:00:00.000Z');
    const r = instantRange('2024-10-27', '2024-10-27', tz);
    assert.equal(r.to.getTime() - r.from.getTime(), 25 * 3_600_000);
    // Chile springs forward at midnight: 2024-09-08 begins at 01:00 local (−03).
    assert.equal(startOfDay('2024-09-08', 'America/Santiago').toISOString(), '2024-09-08T04:00:00.000Z');
    assert.equal(startOfDay('2024-01-01', 'Asia/Kolkata').toISOString(), '2023-12-31T18:30:00.000Z');
    assert.equal(startOfDay('2024-01-01', 'UTC').toISOString(), '2024-01-01T00:00:00.000Z');
  });
  test('weeks start on Monday; months on the 1st', () => {
    assert.equal(periodStart('2024-03-31', 'week'), '2024-03-25'); // a Sunday
    assert.equal(periodStart('2024-04-01', 'week'), '2024-04-01'); // a Monday
    assert.equal(periodStart('2024-01-03', 'week'), '2024-01-01');
    assert.equal(periodStart('2023-01-01', 'week'), '2022-12-26');
    assert.equal(periodEnd('2024-02-01', 'month'), '2024-02-29');
    assert.equal(periodStart('2024-10-31', 'month'), '2024-10-01');
    assert.equal(previousPeriodStart('2024-03-01', 'month'), '2024-02-01');
    assert.equal(addDays('2024-02-28', 2), '2024-03-01');
    assert.ok(isDayKey('2024-02-29'));
    assert.ok(!isDayKey('2023-02-29'));
    assert.ok(!isDayKey('2024-1-1'));
  });
});

describe('report settings', () => {
  test('defaults', () => {
    const s = loadReportSettings({});
    assert.equal(s.timeZone, 'UTC');
    assert.equal(s.minSample, 30);
    assert.deepEqual(s.tokens, []);
    assert.equal(s.digest.cron, '0 8 * * 1');
    assert.equal(s.digest.timeZone, 'UTC');
    assert.equal(s.digest.target, undefined);
    assert.equal(s.alertTarget, undefined);
  });
  test('DIGEST_TZ defaults to REPORT_TZ; targets are channel:id', () => {
    const s = loadReportSettings({ REPORT_TZ: 'Europe/Stockholm', ALERT_TARGET: 'slack:C0123', DIGEST_TARGET: 'webhook:managers' });
    assert.equal(s.digest.timeZone, 'Europe/Stockholm');
    assert.deepEqual(s.alertTarget, { channel: 'slack', channelId: 'C0123' });
    assert.deepEqual(s.digest.target, { channel: 'webhook', channelId: 'managers' });
  });
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ DIGEST_CRON: 'every monday' }, /^DIGEST_CRON: not a valid cron expression.*\(got "every monday"\)$/],
    [{ DIGEST_CRON: '61 8 * * 1' }, /^DIGEST_CRON: not a valid cron expression/],
    [{ REPORT_TZ: 'Mars/Olympus' }, /^REPORT_TZ: expected an IANA time zone/],
    [{ DIGEST_TZ: 'CEST+2' }, /^DIGEST_TZ: expected an IANA time zone/],
    [{ REPORT_MIN_SAMPLE: '0' }, /^REPORT_MIN_SAMPLE: must be at least 1/],
    [{ ALERT_TARGET: 'slack' }, /^ALERT_TARGET: expected <channel>:<channelId>/],
    [{ DIGEST_TARGET: 'Slack:C1' }, /^DIGEST_TARGET: expected <channel>:<channelId>/],
  ];
  for (const [env, message] of bad) {
    test(`refuses ${JSON.stringify(env)}`, () => {
      assert.throws(() => loadReportSettings(env), (err: unknown) => err instanceof ConfigError && message.test(err.message));
    });
  }
  test('REPORT_TOKENS: roles, and errors that never show the token', () => {
    assert.deepEqual(parseReportTokens('manager-token-000001-0123456789abc:manager, agent-token-a1-000001-0123456789abc:agent:a1'), [
      ['manager-token-000001-0123456789abc', { role: 'manager' }],
      ['agent-token-a1-000001-0123456789abc', { role: 'agent', agentId: 'a1', sees: 'comments' }],
    ]);
    assert.deepEqual(parseReportTokens('agent-token-a1-000001-0123456789abc:agent:U:with:colons')[0]?.[1], { role: 'agent', agentId: 'U:with:colons', sees: 'comments' });
    const wrong: Array<[string, RegExp]> = [
      ['short:manager', /entry 1: the token must be 32/],
      ['manager-token-000001-0123456789abc:boss', /entry 1: expected <token>:manager or <token>:agent:<agentId>/],
      ['manager-token-000001-0123456789abc:agent', /entry 1: expected/],
      ['manager-token-000001-0123456789abc:manager,manager-token-000001-0123456789abc:agent:a1', /entry 2: the same token is listed twice/],
    ];
    for (const [raw, message] of wrong) {
      assert.throws(() => parseReportTokens(raw), (err: unknown) => err instanceof ConfigError && message.test(err.message) && !err.message.includes('token-000001'));
    }
  });
});

describe('HTML escaping', () => {
  test('every interpolated value is escaped', () => {
    const comment = '<script>alert("x")</script> & \'quoted\' `tick`';
    assert.equal(escapeHtml(comment), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; &#96;tick&#96;');
    assert.equal(html`<td>${comment}</td>`.value, `<td>${escapeHtml(comment)}</td>`);
    assert.equal(html`<ul>${['<a>', '<b>'].map((x) => html`<li>${x}</li>`)}</ul>`.value, '<ul><li>&lt;a&gt;</li><li>&lt;b&gt;</li></ul>');
  });
});
