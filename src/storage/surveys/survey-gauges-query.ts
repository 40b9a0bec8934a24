/**
 * Read-only questions the metrics ask of the surveys collection, beside the repository
 * that owns it. Each is served by an index of survey-model.ts; see storage/hot-queries.ts.
 */
import type { Connection } from 'mongoose';
import { surveyModel } from './survey-model.ts';

export interface SurveyCount { state: string; channel: string; count: number }

/** How many surveys there are per state and channel: an aggregation over the whole collection, so callers cache it. */
export async function surveyCountsByStateAndChannel(conn: Connection): Promise<SurveyCount[]> {
  const rows = await surveyModel(conn).aggregate<{ _id: { state: string; channel: string }; count: number }>([
    { $group: { _id: { state: '$state', channel: '$channel' }, count: { $sum: 1 } } },
  ]).exec();
  return rows.map((r) => ({ state: r._id.state, channel: r._id.channel, count: r.count }));
}

/** The ask time of the oldest survey that is due and not yet asked, or null ({state, askAt} index). */
export async function oldestDueAskAt(conn: Connection, now: Date): Promise<Date | null> {
  const doc = await surveyModel(conn).findOne({ state: 'scheduled', askAt: { $lte: now } }, { askAt: 1 }).sort({ askAt: 1 }).lean().exec();
  return doc?.askAt ?? null;
}

/** Surveys whose counted figures the rollups have not caught up with ({dirty} index). */
export async function dirtySurveyCount(conn: Connection): Promise<number> {
  return surveyModel(conn).countDocuments({ dirty: true }).exec();
}
