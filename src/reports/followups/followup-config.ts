/**
 * The follow-up settings: how long managers have to contact a detractor before the
 * follow-up is overdue, and how many overdue reminders go to ALERT_TARGET.
 */
import { z } from 'zod';
import { positiveInt, readEnv, type Env } from '../../env-readers.ts';

export const followupEnvSchema = z.object({
  FOLLOWUP_DUE_HOURS: positiveInt(720).min(1, 'must be at least 1').default(48),
  FOLLOWUP_REMINDERS: positiveInt(20).default(3),
});

export interface FollowupSettings {
  /** A follow-up is due this long after it was opened (ms). */
  dueMs: number;
  /** Overdue reminders per follow-up, one per due period while nobody has contacted the customer; 0 turns them off. */
  reminders: number;
}

export const DEFAULT_FOLLOWUP_SETTINGS: FollowupSettings = { dueMs: 48 * 3_600_000, reminders: 3 };

export function loadFollowupSettings(env: Env): FollowupSettings {
  const e = readEnv(followupEnvSchema, env);
  return { dueMs: e.FOLLOWUP_DUE_HOURS * 3_600_000, reminders: e.FOLLOWUP_REMINDERS };
}
