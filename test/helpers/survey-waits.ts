/**
 * Bounded waits for stored surveys, for end-to-end tests that drive the bot and then
 * wait for the database to show the result (polled by `eventually`, never a fixed sleep).
 */
import type { Types } from 'mongoose';
import type { SurveyDoc } from '../../src/storage/surveys/survey-model.ts';
import { eventually, type TestApp } from './app.ts';
import { readSurvey, type SurveyFilter } from './surveys.ts';

/** A survey's id as tests hold it (a string, or the stored ObjectId). */
export type SurveyId = string | Types.ObjectId;

/** The survey matching `filter`, once there is one. */
export async function surveyAppears(app: TestApp, filter: SurveyFilter, what: string, ms = 10_000): Promise<SurveyDoc> {
  return eventually(async () => readSurvey(app, filter), ms, what);
}

/** The survey with this id, once it is in `state`. */
export async function surveyInState(app: TestApp, id: SurveyId, state: string, ms = 15_000): Promise<SurveyDoc> {
  return eventually(async () => {
    const s = await readSurvey(app, { _id: id });
    return s?.state === state ? s : null;
  }, ms, `survey ${String(id)} to be ${state}`);
}
