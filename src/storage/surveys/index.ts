/**
 * The survey document's seam: the repository (every write, as named operations), the
 * reader (every read reports and commands need) and the types. Import from here.
 */
export { SurveyRepository, stageSurveyEvents, EVENT_IDS_KEPT, type NewSurvey, type ReplyTarget, type SurveyId } from './survey-repository.ts';
export { SurveyReader, type FindOptions, type SurveyPageQuery } from './survey-reader.ts';
export { dirtySurveyCount, oldestDueAskAt, surveyCountsByStateAndChannel, type SurveyCount } from './survey-gauges-query.ts';
export {
  SURVEY_STATES, OPEN_STATES, AWAITING_SCORE,
  type SurveyDoc, type SurveyState, type OwedMessage, type OwedNote, type StagedEvent,
} from './survey-model.ts';
