/**
 * Reading settings from the environment with zod, so that a bad value stops the
 * program with one line naming the variable and what is wrong with it.
 */
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

/**
 * Parse the variables a schema names out of `env`. Empty strings count as unset, so
 * `FOO=` in a compose file falls back to the default instead of failing oddly.
 */
export function readEnv<S extends z.ZodObject>(schema: S, env: Env): z.infer<S> {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') picked[key] = value.trim();
  }
  const result = schema.safeParse(picked);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = issue.path.map(String).join('.') || 'config';
  const got = picked[String(issue.path[0])];
  const shown = got === undefined ? 'it is not set' : `got "${isSecretName(name) ? '[hidden]' : truncate(got)}"`;
  throw new ConfigError(`${name}: ${issue.message} (${shown})`);
}

/** A comma-separated list of non-empty trimmed items. */
export const csv = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));

/** "true/false/1/0/yes/no/on/off" as a boolean. */
export const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
  message: 'expected true or false',
}).transform((s) => ['true', '1', 'yes', 'on'].includes(s));

export const positiveInt = (max: number) => z.coerce.number({ message: 'expected a whole number' })
  .int('expected a whole number').min(0, 'must not be negative').max(max, `must be at most ${max}`);

export const httpUrl = z.string().url('expected an http(s) URL').refine((u) => /^https?:\/\//.test(u), 'expected an http(s) URL');

function isSecretName(name: string): boolean {
  return /TOKEN|SECRET|PASSWORD|KEY|URI/i.test(name);
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
