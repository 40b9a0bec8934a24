/**
 * The Freshchat bridge's settings (FRESHCHAT_* variables, docs/freshchat.md). On when
 * `FRESHCHAT_URL` is set; it then needs an API key, the agent the bot writes as, and the
 * account's webhook **public key** (Freshchat signs webhooks with RSA; the bot only
 * verifies, it holds no shared secret).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, flag, httpUrl, positiveInt, readEnv, type Env } from '../../env-readers.ts';

const required = (what: string) => z.string({ message: `required when FRESHCHAT_URL is set (${what})` });

export const freshchatEnvSchema = z.object({
  FRESHCHAT_URL: httpUrl,
  FRESHCHAT_API_KEY: required('an API key, Admin → Configure API tokens').min(20, 'must be at least 20 characters').max(4000),
  FRESHCHAT_AGENT_ID: required('the id of the agent the bot writes as').regex(/^[A-Za-z0-9-]{8,64}$/, 'expected the agent id (a UUID)'),
  FRESHCHAT_WEBHOOK_PUBLIC_KEY: required('the RSA public key shown in Admin → Webhooks').min(100, 'expected a PEM public key').max(5000),
  FRESHCHAT_QUICK_REPLIES: flag.default(true),
  FRESHCHAT_RATE_PER_SECOND: positiveInt(1000).min(1, 'must be at least 1').default(5),
  FRESHCHAT_BODY_LIMIT_KB: positiveInt(10_240).min(1, 'must be at least 1').default(512),
});

export interface FreshchatSettings {
  /** `https://<account>.freshchat.com`, no trailing slash; the API is under `/v2`. */
  url: string;
  apiKey: string;
  agentId: string;
  publicKey: KeyObject;
  quickReplies: boolean;
  ratePerSecond: number;
  bodyLimitBytes: number;
}

/** A PEM given in one line (`\n` escaped, as env files often hold it) or bare base64 becomes a key. */
export function readPublicKey(value: string): KeyObject {
  let pem = value.trim().replace(/\\n/g, '\n');
  if (!pem.includes('-----BEGIN')) pem = `-----BEGIN PUBLIC KEY-----\n${pem.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n')}\n-----END PUBLIC KEY-----`;
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`expected an RSA key, got ${key.asymmetricKeyType}`);
  return key;
}

export function readFreshchatSettings(env: Env): FreshchatSettings | null {
  if (!env.FRESHCHAT_URL?.trim()) return null;
  const e = readEnv(freshchatEnvSchema, env);
  let publicKey: KeyObject;
  try {
    publicKey = readPublicKey(e.FRESHCHAT_WEBHOOK_PUBLIC_KEY);
  } catch (err) {
    throw new ConfigError(`FRESHCHAT_WEBHOOK_PUBLIC_KEY: not an RSA public key in PEM (${(err as Error).message.slice(0, 80)})`);
  }
  return {
    url: e.FRESHCHAT_URL.replace(/\/+$/, '').replace(/\/v2$/, ''),
    apiKey: e.FRESHCHAT_API_KEY,
    agentId: e.FRESHCHAT_AGENT_ID,
    publicKey,
    quickReplies: e.FRESHCHAT_QUICK_REPLIES,
    ratePerSecond: e.FRESHCHAT_RATE_PER_SECOND,
    bodyLimitBytes: e.FRESHCHAT_BODY_LIMIT_KB * 1024,
  };
}
