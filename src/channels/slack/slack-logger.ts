/**
 * Bolt and the Slack Web API client log through this bridge into the bot's one pino
 * logger. Their debug output echoes request bodies (which hold customer text), so it
 * goes to pino's `trace`, below the level where customer text is allowed.
 */
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../logger.ts';

export function slackLogger(logger: Logger): SlackLogger {
  const text = (parts: unknown[]): string => parts
    .map((p) => (p instanceof Error ? `${p.name}: ${p.message}` : typeof p === 'string' ? p : safeJson(p)))
    .join(' ')
    .slice(0, 2000);
  return {
    debug: (...parts: unknown[]) => { if (logger.isLevelEnabled('trace')) logger.trace({ lib: 'slack' }, text(parts)); },
    info: (...parts: unknown[]) => logger.debug({ lib: 'slack' }, text(parts)),
    warn: (...parts: unknown[]) => logger.warn({ lib: 'slack' }, text(parts)),
    error: (...parts: unknown[]) => logger.error({ lib: 'slack' }, text(parts)),
    // The pino level decides; Bolt's own level knob is only read back.
    setLevel: () => {},
    getLevel: () => (logger.isLevelEnabled('trace') ? LogLevel.DEBUG : LogLevel.INFO),
    setName: () => {},
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
