/**
 * The two APIs the Zendesk bridge calls, each over its own paced client:
 *
 * - Zendesk Support (`<ZENDESK_URL>/api/v2`, basic auth `email/token:token`):
 *   `GET /tickets/{id}/conversation_log` — who wrote in a solved ticket (the messaging
 *   user's Sunshine id; every agent who replied), and `PUT /tickets/{id}` for a
 *   private note (managers' notices).
 * - Sunshine Conversations (`<ZENDESK_URL>/sc/v2`, basic auth with an app key):
 *   `GET /apps/{app}/conversations?filter[userId]=` (the customer's conversations),
 *   `GET /apps/{app}/conversations/{id}/messages` (which channel the customer wrote
 *   through), `GET /apps/{app}/users/{id}` (the customer's `profile.locale`, so the
 *   question is in their language), `POST /apps/{app}/conversations/{id}/messages`
 *   (ask and thank, as the business).
 */
import { HttpJsonClient } from '../http-json-client.ts';
import { PermanentSendError } from '../../conversation/channel-contract/send-errors.ts';
import {
  conversationListSchema, conversationLogSchema, messageListSchema, sunshineMessageSchema, type ConversationLog, type SunshineMessage,
} from './zendesk-payload.ts';
import type { SunshineText } from './zendesk-question.ts';
import type { ZendeskSettings } from './zendesk-settings.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Sunshine ids are 24 hex digits; Zendesk's are numbers. Checked before they go into a path. */
const SUNSHINE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TICKET_ID = /^\d{1,20}$/;

const MAX_LOG_PAGES = 5;

export class ZendeskSupportClient {
  readonly http: HttpJsonClient;

  constructor(s: ZendeskSettings) {
    this.http = new HttpJsonClient({ platform: 'zendesk', baseUrl: `${s.url}/api/v2`, headers: { authorization: basic(`${s.email}/token`, s.apiToken) }, ratePerSecond: s.ratePerSecond });
  }

  /** Every record of a ticket's conversation log (at most a few pages of 100). */
  async conversationLog(ticketId: string): Promise<ConversationLog['events']> {
    const id = checked(ticketId, TICKET_ID, 'ticket');
    const events: ConversationLog['events'] = [];
    let after: string | null | undefined;
    for (let page = 0; page < MAX_LOG_PAGES; page++) {
      const query = `page[size]=100${after ? `&page[after]=${encodeURIComponent(after)}` : ''}`;
      const parsed = conversationLogSchema.safeParse(await this.http.get(`/tickets/${id}/conversation_log?${query}`));
      if (!parsed.success) throw new PermanentSendError('zendesk: the ticket\'s conversation log is not what the Support API documents', 'zendesk-bad-answer');
      events.push(...parsed.data.events);
      after = parsed.data.meta?.after_cursor;
      if (!parsed.data.meta?.has_more || !after) break;
    }
    return events;
  }

  async privateNote(ticketId: string, body: string): Promise<void> {
    const id = checked(ticketId, TICKET_ID, 'ticket');
    await this.http.put(`/tickets/${id}`, { ticket: { comment: { body, public: false } } });
  }
}

export class SunshineClient {
  readonly http: HttpJsonClient;
  private readonly app: string;

  constructor(s: ZendeskSettings) {
    this.http = new HttpJsonClient({ platform: 'sunshine', baseUrl: `${s.sunshineUrl}/v2`, headers: { authorization: basic(s.keyId, s.keySecret) }, ratePerSecond: s.ratePerSecond });
    this.app = `/apps/${encodeURIComponent(s.appId)}`;
  }

  /** The customer's conversations, most recently active first. */
  async conversationsOf(userId: string): Promise<string[]> {
    const json = await this.http.get(`${this.app}/conversations?filter[userId]=${encodeURIComponent(checked(userId, SUNSHINE_ID, 'user'))}`);
    const parsed = conversationListSchema.safeParse(json);
    if (!parsed.success) return [];
    return [...parsed.data.conversations]
      .sort((a, b) => Date.parse(b.lastUpdatedAt ?? '') - Date.parse(a.lastUpdatedAt ?? '') || 0)
      .map((c) => c.id);
  }

  /** The latest messages of a conversation (unreadable ones left out). */
  async messages(conversationId: string): Promise<SunshineMessage[]> {
    const json = await this.http.get(`${this.app}/conversations/${checked(conversationId, SUNSHINE_ID, 'conversation')}/messages`);
    const parsed = messageListSchema.safeParse(json);
    if (!parsed.success) return [];
    return parsed.data.messages.flatMap((m) => {
      const one = sunshineMessageSchema.safeParse(m);
      return one.success ? [one.data] : [];
    });
  }

  /** The customer's locale as their messaging profile says (`da-DK`), or undefined. */
  async userLocale(userId: string): Promise<string | undefined> {
    const json = await this.http.get<{ user?: { profile?: { locale?: unknown } } }>(`${this.app}/users/${encodeURIComponent(checked(userId, SUNSHINE_ID, 'user'))}`);
    const locale = json?.user?.profile?.locale;
    return typeof locale === 'string' && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/.test(locale) ? locale : undefined;
  }

  /** Post as the business; resolves with Sunshine's message id. */
  async postMessage(conversationId: string, content: SunshineText): Promise<string | undefined> {
    const json = await this.http.post<{ messages?: Array<{ id?: unknown }> }>(
      `${this.app}/conversations/${checked(conversationId, SUNSHINE_ID, 'conversation')}/messages`,
      { author: { type: 'business' }, content },
    );
    const id = json?.messages?.[0]?.id;
    return typeof id === 'string' ? id : undefined;
  }

  stop(): Promise<void> {
    return this.http.stop();
  }
}

function checked(id: string, pattern: RegExp, what: string): string {
  if (!pattern.test(id)) throw new PermanentSendError(`zendesk: the ${what} id is not one`, `zendesk-bad-${what}`);
  return id;
}
