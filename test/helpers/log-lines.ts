/** A real pino logger whose JSON lines a test can read (what was logged at warn, that no secret was). */
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger } from '../../src/logger.ts';

export interface LogLine { level: number; msg: string; [key: string]: unknown }

export function recordingLogger(level = 'info'): { logger: Logger; lines: LogLine[]; text: () => string } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level }, stream);
  return {
    logger,
    get lines() { return raw.map((l) => JSON.parse(l) as LogLine); },
    text: () => raw.join('\n'),
  };
}

/** pino's number for warn. */
export const WARN = 40;
