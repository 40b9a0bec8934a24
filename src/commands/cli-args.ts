/** A small `--name value` / `--flag` parser for the CLI, checked by a zod schema. */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError } from '../env-readers.ts';

export function parseOptions<S extends z.ZodObject>(args: string[], schema: S, booleans: string[] = []): { options: z.infer<S>; positionals: string[] } {
  const spec: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const key of Object.keys(schema.shape)) spec[key] = { type: booleans.includes(key) ? 'boolean' : 'string' };
  let parsed;
  try {
    parsed = parseArgs({ args, options: spec, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`--${issue.path.join('.')}: ${issue.message}`);
  }
  return { options: result.data, positionals: parsed.positionals };
}
