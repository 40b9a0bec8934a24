/** Every migration, in order. A new one is appended with the next number, never renumbered. */
import { followupDueTimes } from './001-followup-due-times.ts';
import { owedMessages } from './002-owed-messages.ts';
import type { Migration } from './migration.ts';

export const MIGRATIONS: readonly Migration[] = [
  followupDueTimes,
  owedMessages,
];
