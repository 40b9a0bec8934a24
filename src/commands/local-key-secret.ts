/**
 * The first run on the embedded database (no MONGODB_URI): a newcomer has not set
 * OPT_OUT_KEY_SECRET yet, and the bot should still start. A random key is made once and
 * kept beside the embedded data (DATA_DIR/opt-out-key-secret, readable by the owner only),
 * so opt-outs keyed with it stay valid across restarts of that same local database. A
 * deployment with its own MongoDB must set the key itself: it is refused without one.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function localKeySecret(dataDir: string): { secret: string; created: boolean } {
  const file = join(dataDir, 'opt-out-key-secret');
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return { secret: kept, created: false };
  } catch {
    // not made yet
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { secret, created: true };
}
