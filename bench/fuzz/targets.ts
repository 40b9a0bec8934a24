/**
 * Two live bot processes for the fuzz and load runs: every channel with an HTTP route on
 * (webhook, Slack, X, WhatsApp, Chatwoot) against the local fakes in test/fakes/, one
 * database, and the tokens of every role. Loopback only; everything stops at the end.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BotSlot, ChaosDatabase, freePort, type CrashRecord } from '../chaos/processes.ts';
import { WebhookReceiver } from '../../test/fakes/webhook-receiver.ts';
import { FakeSlack, BOT_TOKEN } from '../../test/fakes/slack-web-api.ts';
import { sign as signSlack, SIGNING_SECRET } from '../../test/fakes/slack-events.ts';
import { FakeXApi, signActivity } from '../../test/fakes/x-api.ts';
import { FakeGraphApi, signHub } from '../../test/fakes/graph-api.ts';
import { FakeChatwootApi, signChatwoot } from '../../test/fakes/chatwoot-api.ts';

export const MANAGER = 'fuzz-manager-token-0123456789abcdefghijkl';
export const INGEST = 'fuzz-ingest-token-0123456789abcdefghijklm';
export const AGENT = 'fuzz-agent-token-0123456789abcdefghijklmn';
export const WEBHOOK_SECRET = 'fuzz-webhook-secret-0123456789';
const X = { consumerKey: 'fuzz-x-key', consumerSecret: 'fuzz-x-consumer-secret-0123456789', accessToken: '4400-fuzz-access', accessTokenSecret: 'fuzz-x-access-secret', brandUserId: '4400' };
const META_SECRET = 'fuzz-meta-app-secret-0123456789';
const WA = { phoneNumberId: '1100200300', businessAccountId: '9900', token: 'fuzz-whatsapp-token-0123456789' };
const CHATWOOT = { accountId: 3, apiToken: 'fuzz-chatwoot-api-token', webhookSecret: 'fuzz-chatwoot-secret-0123456789' };

/** Headers that sign `body` as each platform does (the signature is valid, whatever the body is). */
export const signers = {
  slack: (body: string): Record<string, string> => {
    const ts = Math.floor(Date.now() / 1000);
    return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlack(SIGNING_SECRET, ts, body) };
  },
  x: (body: string): Record<string, string> => ({ 'x-twitter-webhooks-signature': signActivity(body, X.consumerSecret) }),
  whatsapp: (body: string): Record<string, string> => ({ 'x-hub-signature-256': signHub(body, META_SECRET) }),
  chatwoot: (body: string): Record<string, string> => {
    const ts = String(Math.floor(Date.now() / 1000));
    return { 'x-chatwoot-timestamp': ts, 'x-chatwoot-signature': signChatwoot(ts, body, CHATWOOT.webhookSecret) };
  },
};

/** An X CRC check's answer, for the GET route. */
export function xCrc(token: string): string {
  return `sha256=${createHmac('sha256', X.consumerSecret).update(token).digest('base64')}`;
}

export interface Targets {
  bots: BotSlot[];
  dbUri: string;
  dbName: string;
  crashes: CrashRecord[];
  receiver: WebhookReceiver;
  stop(): Promise<void>;
}

export async function startTargets(label: string, extraEnv: Record<string, string> = {}): Promise<Targets> {
  const dir = mkdtempSync(join(tmpdir(), `nps-${label}-`));
  let db: ChaosDatabase | null = null;
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    db = new ChaosDatabase(dir);
    await db.start();
    uri = db.uri;
  }
  const dbName = `${label}_${randomBytes(4).toString('hex')}`;
  const receiver = await new WebhookReceiver(WEBHOOK_SECRET).start();
  const slack = await new FakeSlack().start();
  slack.addUser({ id: 'UFUZZAGENT', real_name: 'Fuzz Agent' });
  const x = await FakeXApi.start(X);
  const graph = await FakeGraphApi.start({ version: 'v24.0', appSecret: META_SECRET, whatsapp: { phoneNumberId: WA.phoneNumberId, businessAccountId: WA.businessAccountId, token: WA.token } });
  const chatwoot = await FakeChatwootApi.start({ accountId: CHATWOOT.accountId, apiToken: CHATWOOT.apiToken, webhookSecret: CHATWOOT.webhookSecret });
  const env: Record<string, string> = {
    MONGODB_URI: uri, MONGODB_DB: dbName, DEV_DATABASE: 'off',
    API_TOKEN: MANAGER, INGEST_TOKENS: INGEST, REPORT_TOKENS: `${AGENT}:agent:a1@webhook`,
    OPT_OUT_KEY_SECRET: 'fuzz-opt-out-key-secret-0123456789abcdef',
    AUTH_FAILURES_PER_15MIN: '100000', LOG_LEVEL: 'warn', SCHEDULER_INTERVAL_MS: '500', SHUTDOWN_SECONDS: '5',
    WEBHOOK_OUTBOUND_URL: receiver.url, WEBHOOK_SECRET, WEBHOOK_RATE_PER_SECOND: '1000',
    SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, SLACK_CARE_CHANNELS: 'CFUZZCARE', SLACK_STAFF_IDS: 'UFUZZAGENT',
    X_CONSUMER_KEY: X.consumerKey, X_CONSUMER_SECRET: X.consumerSecret, X_ACCESS_TOKEN: X.accessToken, X_ACCESS_TOKEN_SECRET: X.accessTokenSecret,
    X_BRAND_USER_ID: X.brandUserId, X_API_URL: `${x.url}/1.1/`,
    META_APP_SECRET: META_SECRET, META_VERIFY_TOKEN: 'fuzz-verify-token', META_GRAPH_URL: graph.url,
    WHATSAPP_ACCESS_TOKEN: WA.token, WHATSAPP_PHONE_NUMBER_ID: WA.phoneNumberId, WHATSAPP_STATUS_WAIT_SECONDS: '0',
    CHATWOOT_URL: chatwoot.url, CHATWOOT_API_TOKEN: CHATWOOT.apiToken, CHATWOOT_ACCOUNT_ID: String(CHATWOOT.accountId), CHATWOOT_WEBHOOK_SECRET: CHATWOOT.webhookSecret,
    NODE_ENV: label,
    ...extraEnv,
  };
  const crashes: CrashRecord[] = [];
  const bots: BotSlot[] = [];
  for (const name of ['a', 'b']) bots.push(new BotSlot(name, await freePort(), env, dir, (c) => crashes.push(c)));
  try {
    await Promise.all(bots.map((b) => b.start()));
  } catch (err) {
    for (const b of bots) b.forceKill();
    throw err;
  }
  return {
    bots, dbUri: uri, dbName, crashes, receiver,
    async stop() {
      await Promise.allSettled(bots.map((b) => b.stop()));
      await Promise.allSettled([receiver.stop(), slack.close(), x.stop(), graph.stop(), chatwoot.stop()]);
      await db?.stop();
    },
  };
}
