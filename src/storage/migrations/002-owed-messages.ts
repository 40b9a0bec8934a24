/**
 * Surveys from before durable intents kept a message that did not go out in
 * `pendingReply`, and a question in flight as a `lease` (replies to it in `earlyReplies`).
 * The message becomes the survey's owed message, sent again when due; the old fields go.
 * Through the survey repository, which owns the collection.
 */
import { SurveyRepository } from '../surveys/index.ts';
import type { Migration } from './migration.ts';

export const owedMessages: Migration = {
  id: 2,
  name: 'owed-messages',
  describe: 'surveys: pendingReply becomes the owed message; lease and earlyReplies removed',
  async up({ conn }) {
    return { changed: await new SurveyRepository(conn).upgradeLegacyOwed() };
  },
};
