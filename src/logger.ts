/**
 * The one logger. Structured JSON (pino); secrets are redacted by path, and customer
 * message text is only ever logged at debug level under the key `text`.
 */
import { pino } from 'pino';

export type Logger = pino.Logger;

const REDACT = [
  'token', '*.token', 'secret', '*.secret', 'password', '*.password', 'authorization',
  '*.authorization', 'headers.authorization', 'req.headers.authorization', 'uri', '*.uri',
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'nps-bot' } });
}

/** A logger that prints nothing, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
