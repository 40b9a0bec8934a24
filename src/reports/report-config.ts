/**
 * The reports' settings, read from the environment with the same `readEnv` as the core
 * config, so a bad value stops start-up with one line naming the variable.
 */
import cron from 'node-cron';
import { z } from 'zod';
import { AGENT_VISIBILITIES, type AgentVisibility, type Principal } from '../http/token-auth.ts';
import { ConfigError, positiveInt, readEnv, type Env } from '../env-readers.ts';
import type { NoticeTarget } from './notice-target.ts';
import { isTimeZone } from './time-zone.ts';
import { ATTRIBUTION_RULES, type AttributionRule } from './rollups/attribution.ts';
import { LOCALES, type Locale } from '../conversation/templates.ts';

const timeZone = z.string().refine(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Stockholm');

const target = z.string()
  .regex(/^[a-z][a-z0-9_-]{0,31}:\S{1,200}$/, 'expected <channel>:<channelId>, e.g. slack:C0123 or webhook:managers')
  .transform((s): NoticeTarget => {
    const at = s.indexOf(':');
    return { channel: s.slice(0, at), channelId: s.slice(at + 1) };
  });

export const reportEnvSchema = z.object({
  REPORT_TZ: timeZone.default('UTC'),
  REPORT_MIN_SAMPLE: positiveInt(1_000_000).min(1, 'must be at least 1').default(30),
  REPORT_TOKENS: z.string().max(10_000).optional(),
  REPORT_SYNC_INTERVAL_MS: positiveInt(3_600_000).min(100, 'must be at least 100').default(5000),
  ALERT_TARGET: target.optional(),
  DIGEST_CRON: z.string().max(100)
    .refine((s) => cron.validate(s), 'not a valid cron expression (five or six fields, e.g. "0 8 * * 1" for Mondays at 08:00)')
    .default('0 8 * * 1'),
  DIGEST_TZ: timeZone.optional(),
  DIGEST_TARGET: target.optional(),
  AGENT_VISIBILITY: z.enum(AGENT_VISIBILITIES).default('comments'),
  ATTRIBUTION_RULE: z.enum(ATTRIBUTION_RULES).default('resolver'),
  /** The managers' language for alerts and digests; unset, DEFAULT_LOCALE (validated by the core config). */
  REPORT_LOCALE: z.enum(LOCALES).optional(),
  DEFAULT_LOCALE: z.string().optional(),
});

export interface ReportSettings {
  /** Days are counted in this zone (rollups, periods, ranges). */
  timeZone: string;
  /** Below this many answers a row is flagged `lowSample`. */
  minSample: number;
  tokens: Array<[string, Principal]>;
  /** What agent tokens may read: own figures, also own comments (default), or nothing. */
  agentVisibility: AgentVisibility;
  /** Who a survey is credited to in per-agent figures (attribution.ts). */
  attribution: AttributionRule;
  /** How often dirty surveys and unsent alerts are swept (ms). */
  syncIntervalMs: number;
  alertTarget?: NoticeTarget;
  digest: { cron: string; timeZone: string; target?: NoticeTarget };
  /** Language of the detractor alert and the weekly digest. */
  locale: Locale;
}

export function loadReportSettings(env: Env): ReportSettings {
  const e = readEnv(reportEnvSchema, env);
  return {
    timeZone: e.REPORT_TZ,
    minSample: e.REPORT_MIN_SAMPLE,
    tokens: parseReportTokens(e.REPORT_TOKENS ?? '', e.AGENT_VISIBILITY),
    agentVisibility: e.AGENT_VISIBILITY,
    attribution: e.ATTRIBUTION_RULE,
    syncIntervalMs: e.REPORT_SYNC_INTERVAL_MS,
    alertTarget: e.ALERT_TARGET,
    digest: { cron: e.DIGEST_CRON, timeZone: e.DIGEST_TZ ?? e.REPORT_TZ, target: e.DIGEST_TARGET },
    locale: e.REPORT_LOCALE ?? ((LOCALES as readonly string[]).includes(e.DEFAULT_LOCALE ?? '') ? e.DEFAULT_LOCALE as Locale : 'en'),
  };
}

/** A `<channel>:<channelId>` given elsewhere than DIGEST_TARGET (`nps-bot digest --target`), checked alike. */
export function readDigestTarget(raw: string): NoticeTarget {
  return readEnv(z.object({ DIGEST_TARGET: target }), { DIGEST_TARGET: raw }).DIGEST_TARGET;
}

/**
 * `REPORT_TOKENS=<token>:manager,<token>:agent:<agentId>`. Tokens are at least 32
 * characters; errors name the entry by position, never by its token.
 */
export function parseReportTokens(raw: string, sees: AgentVisibility = 'comments'): Array<[string, Principal]> {
  const out: Array<[string, Principal]> = [];
  const seen = new Set<string>();
  const entries = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  entries.forEach((entry, i) => {
    const where = `REPORT_TOKENS: entry ${i + 1}`;
    const [token = '', role, ...rest] = entry.split(':');
    if (token.length < 32 || token.length > 200 || !/^[\x21-\x7e]+$/.test(token)) {
      throw new ConfigError(`${where}: the token must be 32–200 printable characters without spaces, commas or colons`);
    }
    if (seen.has(token)) throw new ConfigError(`${where}: the same token is listed twice`);
    seen.add(token);
    if (role === 'manager' && rest.length === 0) {
      out.push([token, { role: 'manager' }]);
    } else if (role === 'agent' && rest.length > 0 && rest.join(':').length > 0 && rest.join(':').length <= 256) {
      out.push([token, { ...agentPrincipal(rest.join(':')), sees } as Principal]);
    } else {
      throw new ConfigError(`${where}: expected <token>:manager or <token>:agent:<agentId>[@<channel>]`);
    }
  });
  return out;
}

const CHANNEL_NAME = /^(?=.{1,32}$)[a-z][a-z0-9_-]*(?::[a-z][a-z0-9_-]*)?$/;

/**
 * `<agentId>@<channel>` names the channel too (`U123@slack`, `7@chatwoot:web`): that agent
 * on that channel only. Without a channel suffix (or when what follows the last `@` is not
 * a channel name, as in an e-mail-like id) the token covers that id on every channel, and
 * may read but not message customers.
 */
export function agentPrincipal(spec: string): Principal {
  const at = spec.lastIndexOf('@');
  if (at > 0 && CHANNEL_NAME.test(spec.slice(at + 1))) return { role: 'agent', agentId: spec.slice(0, at), channel: spec.slice(at + 1) };
  return { role: 'agent', agentId: spec };
}
