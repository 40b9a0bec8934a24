/**
 * Attribution rules (ATTRIBUTION_RULE): `resolver`, `last-replier`, `shared` by share of
 * replies, read from the participants snapshot on the survey (`participants: [{id,
 * name?, replies}]`, last replier last), defensively. The rules as a table; then real
 * reports modules on the test database: the live rollups credit by the rule, match a
 * full recount, the report names the rule, and a change of rule rebuilds the rollups
 * on start so old surveys are re-read the new way.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Connection } from 'mongoose';
import { loadConfig } from '../../src/config.ts';
import type { TransitionEvent } from '../../src/conversation/engine.ts';
import { silentLogger } from '../../src/logger.ts';
import { creditsOf, participantsOf } from '../../src/reports/rollups/attribution.ts';
import { runReport } from '../../src/reports/report-query.ts';
import { createReports, type Reports } from '../../src/reports/reports-module.ts';
import { rollupMetaModel } from '../../src/reports/rollups/rollup-model.ts';
import { verifyRollups } from '../../src/reports/rollups/rollup-rebuild.ts';
import { EVERYTHING } from '../../src/reports/scope.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { openTestDb } from '../helpers/database.ts';
import { surveyDoc, type SurveyRecord } from '../helpers/report-fixtures.ts';
import { eventually } from '../helpers/app.ts';

const anna = { id: 'a1', name: 'Anna' };

describe('the rules', () => {
  const survey = { agent: anna, participants: [{ id: 'a2', name: 'Bo', replies: 1 }, { id: 'a3', replies: 3 }] };
  test('resolver: the agent who resolved, whoever replied', () => {
    assert.deepEqual(creditsOf(survey, 'resolver'), [{ agentId: 'a1', agentName: 'Anna', weight: 1 }]);
  });
  test('last-replier: the last entry that replied', () => {
    assert.deepEqual(creditsOf(survey, 'last-replier'), [{ agentId: 'a3', weight: 1 }]);
    assert.deepEqual(creditsOf({ agent: anna, participants: [{ id: 'a2', replies: 2 }, { id: 'a1', replies: 0 }] }, 'last-replier'), [{ agentId: 'a2', weight: 1 }], 'an agent without replies is not a replier');
  });
  test('shared: each replier by share of replies, summing to 1', () => {
    assert.deepEqual(creditsOf(survey, 'shared'), [{ agentId: 'a2', agentName: 'Bo', weight: 0.25 }, { agentId: 'a3', weight: 0.75 }]);
    // The resolver who also replied keeps the name the survey knows.
    assert.deepEqual(creditsOf({ agent: anna, participants: [{ id: 'a1', replies: 1 }, { id: 'a2', replies: 1 }] }, 'shared'), [{ agentId: 'a1', agentName: 'Anna', weight: 0.5 }, { agentId: 'a2', weight: 0.5 }]);
  });
  test.each([
    ['missing', undefined],
    ['not an array', { a1: 3 }],
    ['no usable entry', [null, 'a2', { id: '', replies: 2 }, { id: 'a2', replies: -1 }, { id: 'a2', replies: 'two' }, { id: 'a3', replies: Number.NaN }]],
    ['nobody replied', [{ id: 'a2', replies: 0 }]],
  ])('a snapshot %s falls back to the resolver under every rule', (_name, participants) => {
    for (const rule of ['last-replier', 'shared'] as const) {
      assert.deepEqual(creditsOf({ agent: anna, participants }, rule), [{ agentId: 'a1', agentName: 'Anna', weight: 1 }]);
    }
  });
  test('a repeated id is one participant (replies added, its last place kept)', () => {
    assert.deepEqual(participantsOf([{ id: 'a2', replies: 1 }, { id: 'a3', replies: 1 }, { id: 'a2', name: 'Bo', replies: 2 }]), [{ id: 'a3', replies: 1 }, { id: 'a2', name: 'Bo', replies: 3 }]);
  });
});

let db: { conn: Connection; dbName: string; drop(): Promise<void> };
const running: Reports[] = [];

async function startReports(rule: string): Promise<Reports> {
  const reports = createReports({
    config: loadConfig({ REPORT_SYNC_INTERVAL_MS: '3600000', ATTRIBUTION_RULE: rule }),
    conn: db.conn,
    engine: new EventEmitter<{ transition: [TransitionEvent] }>(),
    post: async () => {},
    logger: silentLogger(),
  });
  await reports.start();
  running.push(reports);
  return reports;
}

const at = new Date('2024-05-08T10:00:00Z');
const withParticipants = (seed: Parameters<typeof surveyDoc>[0], participants: unknown): SurveyRecord => ({ ...surveyDoc(seed), participants });

beforeAll(async () => {
  db = await openTestDb('attribution');
  await surveyModel(db.conn).init();
  await surveyModel(db.conn).collection.insertMany([
    // Resolved by Anna; Bo replied once, Cy three times, Cy last: a promoter.
    withParticipants({ resolvedAt: at, channel: 'slack', agent: anna, score: 10 }, [{ id: 'a2', name: 'Bo', replies: 1 }, { id: 'a3', name: 'Cy', replies: 3 }]),
    // Resolved by Anna; Anna replied twice, then Bo twice, Bo last: a detractor.
    withParticipants({ resolvedAt: at, channel: 'slack', agent: anna, score: 3 }, [{ id: 'a1', replies: 2 }, { id: 'a2', name: 'Bo', replies: 2 }]),
    // No snapshot (an older survey, or a platform that does not tell): Anna's under every rule. A passive.
    surveyDoc({ resolvedAt: at, channel: 'slack', agent: anna, score: 8 }),
    // A broken snapshot: read as none.
    withParticipants({ resolvedAt: at, channel: 'slack', agent: anna, score: 9 }, 'a2,a3'),
  ] as never[]);
});
afterAll(async () => {
  for (const r of running) await r.stop();
  await db.drop();
});

type Credit = [string, number, number, number, number];
async function byAgent(rule: 'resolver' | 'last-replier' | 'shared'): Promise<{ rows: Credit[]; attribution: unknown }> {
  const r = await runReport({ conn: db.conn, timeZone: 'UTC', minSample: 1, now: new Date('2024-05-09T00:00:00Z'), attribution: rule }, { by: 'agent', from: '2024-05-08', to: '2024-05-08' }, EVERYTHING);
  return { rows: r.rows.map((x) => [x.agentId!, x.responses, x.promoters, x.passives, x.detractors]), attribution: r.attribution.rule };
}

describe('rollups under a rule', () => {
  test('shared: each agent credited by share of replies, live, equal to a full recount; the report names the rule', async () => {
    const reports = await startReports('shared');
    await eventually(async () => (await surveyModel(db.conn).countDocuments({ dirty: true })) === 0, 30_000, 'the surveys to be rolled up');
    assert.deepEqual(await byAgent('shared'), {
      attribution: 'shared',
      rows: [
        // Anna: half the detractor, the passive, the promoter with a broken snapshot.
        ['a1', 2.5, 1, 1, 0.5],
        // Bo: a quarter of the promoter, half the detractor.
        ['a2', 0.75, 0.25, 0, 0.5],
        // Cy: three quarters of the promoter.
        ['a3', 0.75, 0.75, 0, 0],
      ],
    });
    assert.deepEqual((await verifyRollups(db.conn, 'UTC', 'shared')).differences, []);
    assert.equal((await rollupMetaModel(db.conn).findById('rollups').lean().exec())?.attribution, 'shared');
    await reports.stop();
    running.splice(running.indexOf(reports), 1);
  });

  test('a change of rule rebuilds the rollups on start: the same surveys re-read as last-replier, then as resolver', async () => {
    const reports = await startReports('last-replier');
    assert.deepEqual(await byAgent('last-replier'), {
      attribution: 'last-replier',
      rows: [['a1', 2, 1, 1, 0], ['a2', 1, 0, 0, 1], ['a3', 1, 1, 0, 0]],
    });
    assert.deepEqual((await verifyRollups(db.conn, 'UTC', 'last-replier')).differences, []);
    await reports.stop();
    running.splice(running.indexOf(reports), 1);

    const back = await startReports('resolver');
    assert.deepEqual(await byAgent('resolver'), { attribution: 'resolver', rows: [['a1', 4, 2, 1, 1]] });
    assert.deepEqual((await verifyRollups(db.conn, 'UTC', 'resolver')).differences, []);
    assert.equal((await rollupMetaModel(db.conn).findById('rollups').lean().exec())?.attribution, 'resolver');
  });
});
