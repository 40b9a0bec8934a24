/**
 * The Slack channel's settings, read from the environment with zod. The channel is on
 * when SLACK_BOT_TOKEN is set; everything else has a default or is checked against it
 * (HTTP mode needs the signing secret, Socket Mode needs the app-level token).
 */
import { z } from 'zod';
import { ConfigError, csv, flag, httpUrl, positiveInt, readEnv, type Env } from '../../env-readers.ts';

const slackUserId = /^[UW][A-Z0-9]{2,30}$/;
const slackChannelId = /^[CG][A-Z0-9]{2,30}$/;

const idList = (pattern: RegExp, what: string) => csv.refine(
  (ids) => ids.every((id) => pattern.test(id)),
  `expected comma-separated Slack ${what} ids`,
).refine((ids) => ids.length <= 5000, 'at most 5000 ids');

export const slackEnvSchema = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-[A-Za-z0-9-]+$/, 'expected a bot token starting with xoxb-').optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, 'must be at least 8 characters').max(200).optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-[A-Za-z0-9-]+$/, 'expected an app-level token starting with xapp-').optional(),
  SLACK_API_URL: httpUrl.optional(),
  SLACK_CARE_CHANNELS: idList(slackChannelId, 'channel (C… or G…)').default([]),
  SLACK_STAFF_IDS: idList(slackUserId, 'user (U… or W…)').default([]),
  // Emoji names as Slack sends them in reaction_added: letters, digits, _ + - ' only.
  SLACK_RESOLVE_EMOJI: z.string().regex(/^[a-z0-9_+'-]{1,100}$/, 'expected an emoji name without colons, e.g. white_check_mark')
    .default('white_check_mark'),
  SLACK_AGENT_RULE: z.enum(['resolver', 'most-replies'], { message: 'expected resolver or most-replies' }).default('resolver'),
  SLACK_THREAD_FALLBACK: flag.default(true),
  SLACK_SHORTCUT_CALLBACK_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/, 'expected a callback id of letters, digits, _ . or -')
    .default('mark_resolved'),
  SLACK_RATE_PER_SECOND: positiveInt(100).min(1, 'must be at least 1').default(1),
});

export type AgentRule = 'resolver' | 'most-replies';

export interface SlackSettings {
  botToken: string;
  /** HTTP mode: verifies every request Slack sends. Absent in Socket Mode. */
  signingSecret?: string;
  /** Socket Mode when set. */
  appToken?: string;
  /** Web API base URL, ending in `/` (tests point it at a local fake). */
  apiUrl?: string;
  careChannels: ReadonlySet<string>;
  staffIds: ReadonlySet<string>;
  resolveEmoji: string;
  agentRule: AgentRule;
  threadFallback: boolean;
  shortcutCallbackId: string;
  ratePerSecond: number;
}

/** The settings, or null when SLACK_BOT_TOKEN is unset (the channel is off). */
export function readSlackSettings(env: Env): SlackSettings | null {
  const e = readEnv(slackEnvSchema, env);
  if (!e.SLACK_BOT_TOKEN) return null;
  if (!e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET) {
    throw new ConfigError('SLACK_SIGNING_SECRET: required in HTTP mode, i.e. when SLACK_BOT_TOKEN is set without SLACK_APP_TOKEN (it is not set)');
  }
  return {
    botToken: e.SLACK_BOT_TOKEN,
    signingSecret: e.SLACK_SIGNING_SECRET,
    appToken: e.SLACK_APP_TOKEN,
    apiUrl: e.SLACK_API_URL ? (e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`) : undefined,
    careChannels: new Set(e.SLACK_CARE_CHANNELS),
    staffIds: new Set(e.SLACK_STAFF_IDS),
    resolveEmoji: e.SLACK_RESOLVE_EMOJI,
    agentRule: e.SLACK_AGENT_RULE,
    threadFallback: e.SLACK_THREAD_FALLBACK,
    shortcutCallbackId: e.SLACK_SHORTCUT_CALLBACK_ID,
    ratePerSecond: e.SLACK_RATE_PER_SECOND,
  };
}
