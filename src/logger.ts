/**
 * The one logger. Structured JSON (pino) for machines; on a terminal (or LOG_FORMAT=pretty)
 * one readable line per entry through pino-pretty, in this process (no worker thread).
 * LOG_FORMAT=json forces JSON. Secrets are redacted by path either way, and customer
 * message text is only ever logged at debug level under the key `text`.
 */
import { pino } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type Logger = pino.Logger;

const REDACT = [
  'token', '*.token', 'secret', '*.secret', 'password', '*.password', 'authorization',
  '*.authorization', 'headers.authorization', 'req.headers.authorization', 'uri', '*.uri',
];

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT=json|pretty; anything else (or unset): pretty on a terminal, JSON otherwise. */
export function logFormat(env: Record<string, string | undefined> = process.env, isTTY = Boolean(process.stdout.isTTY)): LogFormat {
  const asked = env.LOG_FORMAT?.trim().toLowerCase();
  if (asked === 'json' || asked === 'pretty') return asked;
  return isTTY ? 'pretty' : 'json';
}

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', format: LogFormat = logFormat()): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'nps-bot' } };
  if (format === 'json') return pino(options);
  return pino(options, PinoPretty({ sync: true, singleLine: true, colorize: Boolean(process.stdout.isTTY), translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,app' }));
}

/** A logger that prints nothing, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
