/**
 * Survey documents for report tests, written straight into the surveys collection the
 * way the engine leaves them (category stored with the score, `dirty` set by the last
 * transition). A small seeded PRNG keeps "random" data reproducible.
 */
import { Types } from 'mongoose';
import type { SurveyDoc } from '../../src/storage/surveys/survey-model.ts';
import { categorize } from '../../src/conversation/nps-category.ts';
import { prng } from './prng.ts';

export { prng };

export type SurveySeed = Partial<Omit<SurveyDoc, 'agent' | 'customer'>> & {
  agent?: { id: string; name?: string };
  customer?: SurveyDoc['customer'];
};

let counter = 0;

/** A survey as stored. With `score`, an answered (completed) survey; without, asked and unanswered. */
export type SurveyRecord = Record<string, unknown> & { _id: Types.ObjectId };

export function surveyDoc(seed: SurveySeed & { resolvedAt: Date }): SurveyRecord {
  counter++;
  const answered = typeof seed.score === 'number';
  const askedAt = new Date(seed.resolvedAt.getTime() + 60_000);
  const doc: SurveyRecord = {
    _id: new Types.ObjectId(),
    channel: 'webhook',
    conversationId: `conv-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    type: 'transactional',
    customer: { id: `cust-${counter}`, locale: 'en' },
    agent: { id: 'a1', name: 'Anna' },
    state: answered ? 'completed' : 'asked',
    askAt: seed.resolvedAt,
    askedAt,
    reprompts: 0,
    attempts: 0,
    version: answered ? 3 : 2,
    dirty: true,
    createdAt: seed.resolvedAt,
    updatedAt: new Date(),
    ...(answered ? { category: categorize(seed.score!), scoredAt: askedAt, completedAt: askedAt } : {}),
    ...seed,
  };
  for (const [k, v] of Object.entries(doc)) if (v === undefined) delete doc[k];
  return doc;
}


/** `n` surveys over `days` days before `end`, on a few channels and agents, some unanswered, some skipped. */
export function randomSurveys(n: number, seed: number, end = new Date('2024-06-30T12:00:00Z'), days = 60): SurveyRecord[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: SurveyRecord[] = [];
  for (let i = 0; i < n; i++) {
    const resolvedAt = new Date(end.getTime() - Math.floor(rnd() * days * 86_400_000));
    const kind = rnd();
    const base = {
      resolvedAt,
      channel: pick(['slack', 'discord', 'webhook'] as const),
      agent: pick([{ id: 'a1', name: 'Anna' }, { id: 'a2', name: 'Bo' }, { id: 'a3' }, { id: 'a4', name: 'Dina' }]),
      type: rnd() < 0.85 ? 'transactional' as const : 'relational' as const,
    };
    if (kind < 0.6) out.push(surveyDoc({ ...base, score: Math.floor(rnd() * 11), ...(rnd() < 0.5 ? { comment: `comment ${i}` } : {}) }));
    else if (kind < 0.85) out.push(surveyDoc({ ...base, state: 'expired' }));
    else out.push(surveyDoc({ ...base, state: 'skipped', askedAt: undefined, skipReason: 'fatigue' }));
  }
  return out;
}
