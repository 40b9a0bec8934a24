/**
 * How tests read stored surveys: straight from the surveys collection of the app's
 * connection, through the storage model, not through the engine (whose model is its
 * own business). Reads only; tests change surveys by driving the bot.
 */
import type { Connection, QueryFilter } from 'mongoose';
import { surveyModel, type SurveyDoc } from '../../src/storage/surveys/survey-model.ts';

/** A MongoDB filter on stored surveys, e.g. `{ channel: 'slack', conversationId }` or `{ _id: surveyId }`. */
export type SurveyFilter = QueryFilter<SurveyDoc>;

/** Anything that holds the app's database connection (a TestApp, a RunningApp). */
interface HasConnection {
  conn: Connection;
}

/** The one survey matching `filter`, or null. */
export async function readSurvey(app: HasConnection, filter: SurveyFilter): Promise<SurveyDoc | null> {
  return surveyModel(app.conn).findOne(filter).lean<SurveyDoc>().exec();
}

/** Every survey matching `filter`. */
export async function readSurveys(app: HasConnection, filter: SurveyFilter): Promise<SurveyDoc[]> {
  return surveyModel(app.conn).find(filter).lean<SurveyDoc[]>().exec();
}

/** How many surveys match `filter`. */
export async function countSurveys(app: HasConnection, filter: SurveyFilter): Promise<number> {
  return surveyModel(app.conn).countDocuments(filter).exec();
}
