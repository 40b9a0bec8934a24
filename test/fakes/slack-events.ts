/**
 * Slack's side of the HTTP conversation: builds event and interaction payloads shaped
 * like Slack's, signs them the way Slack does (v0 HMAC-SHA256 over
 * `v0:{timestamp}:{body}` with the signing secret), and POSTs them to the bot.
 */
import { createHmac, randomUUID } from 'node:crypto';

/** A Slack timestamp for now, as Slack writes it: seconds, a dot, six digits ("1700000000.000100"), also on a whole second. */
function slackTsNow(): string {
  return (Date.now() / 1000).toFixed(6);
}

export const SIGNING_SECRET = 'test-signing-secret-0123456789';

export interface SlackPost {
  /** The body as Slack sends it: JSON for events, `payload=` form for interactions. */
  body: string;
  contentType: string;
}

export interface SendOptions {
  secret?: string;
  /** Seconds since the epoch to put in X-Slack-Request-Timestamp (default now). */
  timestamp?: number;
  /** Sent as X-Slack-Retry-Num, as Slack does when it redelivers. */
  retryNum?: number;
  /** Replace the signature (a forgery). */
  signature?: string;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** POST a Slack request to the bot; returns the HTTP status and body text. */
export async function deliver(botUrl: string, post: SlackPost, opts: SendOptions = {}): Promise<{ status: number; text: string }> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': post.contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': opts.signature ?? sign(opts.secret ?? SIGNING_SECRET, timestamp, post.body),
  };
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const res = await fetch(`${botUrl}/slack/events`, { method: 'POST', headers, body: post.body });
  return { status: res.status, text: await res.text() };
}

/** An Events API callback around one event. */
export function eventCallback(event: Record<string, unknown>, eventId = `Ev${randomUUID().replaceAll('-', '').slice(0, 12).toUpperCase()}`): SlackPost & { eventId: string; payload: Record<string, unknown> } {
  const payload = {
    token: 'legacy-verification-token',
    team_id: 'TFAKE',
    api_app_id: 'AFAKE',
    event: { event_ts: slackTsNow(), ...event },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: 'TFAKE', user_id: 'UBOT0001', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
  return { body: JSON.stringify(payload), contentType: 'application/json', eventId, payload };
}

/** An interaction (shortcut, button) as Slack posts it: a form with one `payload` field. */
export function interaction(payload: Record<string, unknown>): SlackPost & { payload: Record<string, unknown> } {
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: 'application/x-www-form-urlencoded', payload };
}

export function reactionAdded(user: string, reaction: string, channel: string, ts: string, itemUser?: string) {
  return eventCallback({ type: 'reaction_added', user, reaction, item: { type: 'message', channel, ts }, ...(itemUser ? { item_user: itemUser } : {}) });
}

export function dmMessage(user: string, text: string, ts: string, extra: Record<string, unknown> = {}) {
  return eventCallback({ type: 'message', channel: `D${user}`, channel_type: 'im', user, text, ts, client_msg_id: randomUUID(), ...extra });
}

export function threadMessage(channel: string, user: string, text: string, ts: string, threadTs: string, parentUserId?: string) {
  return eventCallback({
    type: 'message', channel, channel_type: 'channel', user, text, ts, thread_ts: threadTs,
    ...(parentUserId ? { parent_user_id: parentUserId } : {}), client_msg_id: randomUUID(),
  });
}

export function messageShortcut(opts: { user: string; channel: string; ts: string; threadTs?: string; author?: string; callbackId?: string }) {
  return interaction({
    type: 'message_action',
    token: 'legacy-verification-token',
    action_ts: slackTsNow(),
    team: { id: 'TFAKE', domain: 'fake' },
    user: { id: opts.user, name: opts.user.toLowerCase(), team_id: 'TFAKE' },
    channel: { id: opts.channel, name: 'care' },
    callback_id: opts.callbackId ?? 'mark_resolved',
    trigger_id: '1.2.3',
    message_ts: opts.ts,
    message: { type: 'message', user: opts.author ?? 'UNKNOWN', text: '…', ts: opts.ts, ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}) },
    response_url: 'http://127.0.0.1:9/unused',
  });
}

/** A press on one of the bot's buttons, echoing the message it sits on as Slack does. */
export function buttonPress(opts: { user: string; channel: string; message: { ts: string; thread_ts?: string; blocks?: unknown[] }; actionId: string; value: string }) {
  return interaction({
    type: 'block_actions',
    team: { id: 'TFAKE', domain: 'fake' },
    user: { id: opts.user, username: opts.user.toLowerCase(), team_id: 'TFAKE' },
    api_app_id: 'AFAKE',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: opts.message.ts, channel_id: opts.channel, is_ephemeral: false, ...(opts.message.thread_ts ? { thread_ts: opts.message.thread_ts } : {}) },
    trigger_id: '1.2.3',
    channel: { id: opts.channel, name: 'directmessage' },
    message: { type: 'message', user: 'UBOT0001', bot_id: 'BBOT0001', text: '…', ...opts.message },
    response_url: 'http://127.0.0.1:9/unused',
    actions: [{ type: 'button', action_id: opts.actionId, block_id: 'nps_scores', text: { type: 'plain_text', text: '?' }, value: opts.value, action_ts: slackTsNow() }],
  });
}
