/**
 * The fake Discord's REST API v10: the routes the bot calls, answered the way Discord
 * answers them: JSON bodies, `Authorization: Bot <token>` checked (interaction
 * callbacks use their token instead), rate-limit headers on every answer, errors as
 * `{code, message}` with Discord's codes, a 429 with `retry_after` or a 5xx when a test
 * asks for one, and `enforce_nonce` honoured on message creation.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ChannelTypes, type MessageJson } from './discord-world.ts';
import type { FakeDiscord } from './discord-fake.ts';
import { stormHits } from './storm.ts';

export interface RestRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  at: number;
  status?: number;
}

export class RestError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) { super(message); }
}

type Handler = (fake: FakeDiscord, p: string[], req: RestRequest) => { status: number; body?: unknown };

const routes: Array<[string, RegExp, Handler]> = [
  ['GET', /^\/gateway\/bot$/, (fake) => ({
    status: 200,
    body: { url: fake.gateway.url, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } },
  })],
  ['PUT', /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/, (fake, [app, guild], req) => {
    if (app !== fake.world.applicationId) throw new RestError(403, 50001, 'Missing Access');
    if (!fake.world.guilds.has(guild!)) throw new RestError(404, 10004, 'Unknown Guild');
    if (!Array.isArray(req.body) || req.body.length > 100) throw invalidForm('body', 'expected an array of at most 100 commands');
    const commands = (req.body as Array<Record<string, unknown>>).map((c) => {
      if (typeof c.name !== 'string' || !/^[-_\p{L}\p{N}]{1,32}$/u.test(c.name) || c.name !== c.name.toLowerCase()) throw invalidForm('name', 'invalid command name');
      if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 100) throw invalidForm('description', 'must be 1–100 characters');
      return { ...c, id: fake.snowflake(), application_id: app, guild_id: guild, version: fake.snowflake() };
    });
    fake.commands.set(guild!, commands);
    return { status: 200, body: commands };
  }],
  ['POST', /^\/users\/@me\/channels$/, (fake, _p, req) => {
    const recipient = (req.body as { recipient_id?: unknown } | null)?.recipient_id;
    if (typeof recipient !== 'string' || !fake.world.users.has(recipient)) throw new RestError(400, 50033, 'Invalid Recipient(s)');
    return { status: 200, body: fake.world.dmChannelFor(recipient) };
  }],
  ['GET', /^\/channels\/(\d+)$/, (fake, [id]) => {
    const channel = fake.world.channels.get(id!);
    if (!channel) throw new RestError(404, 10003, 'Unknown Channel');
    return { status: 200, body: channel };
  }],
  ['GET', /^\/channels\/(\d+)\/messages$/, (fake, [id], req) => {
    const list = fake.world.messages.get(id!);
    if (!list) throw new RestError(404, 10003, 'Unknown Channel');
    const limit = Number(req.query.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalidForm('limit', 'must be 1–100');
    // Newest first, as Discord answers; with `after`, the `limit` messages right after that id.
    const after = typeof req.query.after === 'string' ? req.query.after : undefined;
    if (after !== undefined) {
      if (!/^\d{1,20}$/.test(after)) throw invalidForm('after', 'Value "' + after + '" is not snowflake.');
      return { status: 200, body: list.filter((m) => BigInt(m.id) > BigInt(after)).slice(0, limit).reverse() };
    }
    return { status: 200, body: [...list].reverse().slice(0, limit) };
  }],
  ['POST', /^\/channels\/(\d+)\/messages$/, (fake, [id], req) => ({ status: 200, body: fake.createMessageFromBot(id!, req.body) })],
  ['GET', /^\/guilds\/(\d+)\/members\/(\d+)$/, (fake, [guild, user]) => {
    if (!fake.world.guilds.has(guild!)) throw new RestError(404, 10004, 'Unknown Guild');
    const member = fake.world.memberJson(guild!, user!);
    if (!member) throw new RestError(404, 10007, 'Unknown Member');
    return { status: 200, body: member };
  }],
  ['GET', /^\/guilds\/(\d+)\/audit-logs$/, (fake, [guild], req) => {
    const g = fake.world.guilds.get(guild!);
    if (!g) throw new RestError(404, 10004, 'Unknown Guild');
    if (!fake.auditLogAllowed) throw new RestError(403, 50013, 'Missing Permissions');
    const type = req.query.action_type ? Number(req.query.action_type) : undefined;
    const limit = Math.min(100, Number(req.query.limit ?? 50));
    // `before` / `after`: entries with a smaller / larger id than the given snowflake, as on Discord.
    const before = req.query.before ? BigInt(req.query.before) : null;
    const after = req.query.after ? BigInt(req.query.after) : null;
    const entries = [...g.audit].reverse()
      .filter((e) => type === undefined || e.action_type === type)
      .filter((e) => (before === null || BigInt(e.id) < before) && (after === null || BigInt(e.id) > after))
      .slice(0, limit);
    return {
      status: 200,
      body: {
        audit_log_entries: entries, users: [...new Set(entries.map((e) => e.user_id))].filter((u): u is string => !!u).map((u) => fake.world.user(u)),
        integrations: [], webhooks: [], guild_scheduled_events: [], threads: [], application_commands: [], auto_moderation_rules: [],
      },
    };
  }],
  ['GET', /^\/channels\/(\d+)\/threads\/archived\/public$/, (fake, [id], req) => {
    const parent = fake.world.channels.get(id!);
    if (!parent) throw new RestError(404, 10003, 'Unknown Channel');
    if (parent.type !== ChannelTypes.GuildText && parent.type !== ChannelTypes.GuildForum) throw new RestError(400, 50024, 'Cannot execute action on this channel type');
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 2 || limit > 100) throw invalidForm('limit', 'must be 2–100');
    const before = req.query.before ? Date.parse(req.query.before) : Infinity;
    if (Number.isNaN(before)) throw invalidForm('before', 'Could not interpret the value as an ISO8601 timestamp.');
    // Newest archive first; `before` is an ISO8601 archive timestamp, as on Discord.
    const archived = [...fake.world.channels.values()]
      .filter((c) => c.parent_id === id && c.type === ChannelTypes.PublicThread && c.thread_metadata?.archived)
      .filter((c) => Date.parse(c.thread_metadata!.archive_timestamp) < before)
      .sort((a, b) => Date.parse(b.thread_metadata!.archive_timestamp) - Date.parse(a.thread_metadata!.archive_timestamp));
    return { status: 200, body: { threads: archived.slice(0, limit), members: [], has_more: archived.length > limit } };
  }],
  ['GET', /^\/guilds\/(\d+)\/threads\/active$/, (fake, [guild]) => {
    if (!fake.world.guilds.has(guild!)) throw new RestError(404, 10004, 'Unknown Guild');
    const threads = [...fake.world.channels.values()]
      .filter((c) => c.guild_id === guild && c.type === ChannelTypes.PublicThread && !c.thread_metadata?.archived);
    return { status: 200, body: { threads, members: [] } };
  }],
  ['POST', /^\/interactions\/(\d+)\/([\w-]+)\/callback$/, (fake, [id, token], req) => {
    fake.interactionCallback(id!, token!, req.body);
    return { status: 204 };
  }],
  ['PATCH', /^\/webhooks\/(\d+)\/([\w-]+)\/messages\/@original$/, (fake, [app, token], req) => ({
    status: 200, body: fake.editOriginal(app!, token!, req.body),
  })],
  ['POST', /^\/webhooks\/(\d+)\/([\w-]+)$/, (fake, [app, token], req) => ({
    status: 200, body: fake.followUp(app!, token!, req.body),
  })],
];

export async function handleRest(fake: FakeDiscord, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const raw = await readBody(req);
  const record: RestRequest = {
    method: req.method ?? 'GET',
    path: decodeURIComponent(url.pathname).replace(/^\/api\/v10/, ''),
    query: Object.fromEntries(url.searchParams),
    body: undefined,
    at: Date.now(),
  };
  fake.requests.push(record);
  const reply = (status: number, body?: unknown, extraHeaders: Record<string, string> = {}) => {
    record.status = status;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '4', 'x-ratelimit-reset-after': '1.000',
      'x-ratelimit-reset': String((Date.now() + 1000) / 1000), 'x-ratelimit-bucket': bucketOf(record.method, record.path),
      ...extraHeaders,
    };
    if (body === undefined) {
      res.writeHead(status, headers).end();
      return;
    }
    res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  if (!url.pathname.startsWith('/api/v10/')) return reply(404, { message: '404: Not Found', code: 0 });
  if (raw.length > 0) {
    try {
      record.body = JSON.parse(raw.toString('utf8'));
    } catch {
      return reply(400, { message: 'The request body contains invalid JSON.', code: 50109 });
    }
  }
  const isInteraction = /^\/(interactions|webhooks)\//.test(record.path);
  if (!isInteraction && req.headers.authorization !== `Bot ${fake.token}`) return reply(401, { message: '401: Unauthorized', code: 0 });

  if (!isInteraction && stormHits(fake.storm)) {
    const { status, retryAfterSec } = fake.storm;
    if (status !== 429) return reply(status, { message: `${status}: Server Error`, code: 0 });
    const after = retryAfterSec ?? 1;
    return reply(429, { message: 'You are being rate limited.', retry_after: after, global: false }, {
      'retry-after': String(Math.ceil(after)), 'x-ratelimit-remaining': '0',
      'x-ratelimit-reset-after': after.toFixed(3), 'x-ratelimit-reset': String((Date.now() + after * 1000) / 1000), 'x-ratelimit-scope': 'user',
    });
  }
  const failure = fake.takeFailure(record.method, record.path);
  if (failure) return reply(failure, { message: `${failure}: Server Error`, code: 0 });
  const limited = fake.takeRateLimit(record.method, record.path);
  if (limited) {
    return reply(429, { message: 'You are being rate limited.', retry_after: limited, global: false }, {
      'retry-after': String(Math.ceil(limited)), 'x-ratelimit-remaining': '0',
      'x-ratelimit-reset-after': limited.toFixed(3), 'x-ratelimit-reset': String((Date.now() + limited * 1000) / 1000), 'x-ratelimit-scope': 'user',
    });
  }
  for (const [method, pattern, handler] of routes) {
    if (method !== record.method) continue;
    const m = pattern.exec(record.path);
    if (!m) continue;
    try {
      const out = handler(fake, m.slice(1), record);
      return reply(out.status, out.body);
    } catch (err) {
      if (err instanceof RestError) return reply(err.status, err.code === 50035 ? { message: 'Invalid Form Body', code: 50035, errors: { detail: err.message } } : { message: err.message, code: err.code });
      fake.internalErrors.push(err instanceof Error ? err.stack ?? err.message : String(err));
      return reply(500, { message: '500: Internal Server Error', code: 0 });
    }
  }
  return reply(404, { message: '404: Not Found', code: 0 });
}

export function invalidForm(field: string, message: string): RestError {
  return new RestError(400, 50035, `${field}: ${message}`);
}

/** Validate a message body as Discord does for what the bot sends. */
export function checkMessageBody(body: unknown): {
  content: string; components: MessageJson['components']; nonce?: string | number; enforceNonce: boolean; allowedUsers: string[] | null;
} {
  if (!body || typeof body !== 'object') throw invalidForm('body', 'expected an object');
  const b = body as Record<string, unknown>;
  const content = typeof b.content === 'string' ? b.content : '';
  if (content.length > 2000) throw invalidForm('content', 'Must be 2000 or fewer in length.');
  const components = Array.isArray(b.components) ? b.components as MessageJson['components'] : [];
  if (!content && components.length === 0) throw new RestError(400, 50006, 'Cannot send an empty message');
  if (components.length > 5) throw invalidForm('components', 'Must be 5 or fewer in length.');
  for (const row of components) {
    if (row.type !== 1 || !Array.isArray(row.components) || row.components.length < 1 || row.components.length > 5) {
      throw invalidForm('components', 'an action row holds 1–5 buttons');
    }
    for (const button of row.components) {
      if (button.type !== 2 || typeof button.custom_id !== 'string' || button.custom_id.length > 100 || !button.label || button.label.length > 80) {
        throw invalidForm('components', 'invalid button');
      }
    }
  }
  const nonce = b.nonce as string | number | undefined;
  if (nonce !== undefined && (typeof nonce === 'string' ? nonce.length > 25 : !Number.isInteger(nonce))) throw invalidForm('nonce', 'Must be 25 or fewer in length.');
  if (b.enforce_nonce === true && nonce === undefined) throw invalidForm('enforce_nonce', 'requires a nonce');
  const allowed = b.allowed_mentions as { parse?: string[]; users?: string[] } | undefined;
  const allowedUsers = allowed ? (allowed.parse?.includes('users') ? null : allowed.users ?? []) : null;
  return { content, components, ...(nonce !== undefined ? { nonce } : {}), enforceNonce: b.enforce_nonce === true, allowedUsers };
}

/** Discord names buckets with opaque hashes shared by routes of the same shape. */
function bucketOf(method: string, path: string): string {
  return createHash('sha1').update(`${method} ${path.replace(/\d{17,20}/g, ':id')}`).digest('hex').slice(0, 32);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1 << 20) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
