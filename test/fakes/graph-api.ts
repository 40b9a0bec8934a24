/**
 * A small local stand-in for Meta's Graph API and its webhooks, on 127.0.0.1, for the
 * Messenger, Instagram and WhatsApp channels. It answers the way Meta does:
 *
 * - `POST /{version}/me/messages` (Messenger with a page token, Instagram with an
 *   Instagram token): checks the token (code 190), the version (2500), the request
 *   (code 100: recipient, text ≤ 2000 characters — on Instagram ≤ 1000 bytes of UTF-8 —, at most 13 quick replies with titles ≤ 20 and
 *   payloads ≤ 1000, the customer feedback template's fields), refuses a closed 24-hour
 *   window (code 10, subcode 2018278 / Instagram 2534022), answers
 *   `{recipient_id, message_id}` and, like a page subscribed to `message_echoes`,
 *   POSTs the echo of what the page sent to the product's webhook.
 * - `POST /{version}/{phone-number-id}/messages` (WhatsApp Cloud API): checks the token,
 *   the request (131009 for a list of more than 10 rows, an interactive body over 1024 characters, more than 3 buttons, labels over
 *   WhatsApp's lengths; 132001 for an unknown template or language), answers
 *   `{messaging_product, contacts, messages: [{id: "wamid…"}]}` and then reports the
 *   message's fate on the webhook: `sent` and `delivered`, or — for a free-form message
 *   to a customer whose window has closed — `failed` with 131047, as the Cloud API does.
 *
 * Tests can script the next answers (`failNext`, e.g. a rate limit with
 * `X-Business-Use-Case-Usage`), and deliver signed webhook payloads the way Meta does
 * (`X-Hub-Signature-256`), built with the payload helpers below.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake, type ScriptedFailure } from './loopback-fake.ts';

export type Product = 'messenger' | 'instagram' | 'whatsapp';

export interface FakeGraphOptions {
  version: string;
  appSecret: string;
  messenger?: { pageId: string; token: string };
  instagram?: { accountId: string; token: string };
  whatsapp?: { phoneNumberId: string; businessAccountId: string; token: string };
  /** WhatsApp templates approved for the number: name → language codes. */
  templates?: Record<string, string[]>;
  /** The app id Meta puts on echoes. */
  appId?: string;
}

export interface SentMessage {
  product: Product;
  to: string;
  id: string;
  /** Messenger/Instagram: the `message` object; WhatsApp: the whole request body. */
  body: Record<string, unknown>;
}

export type { ScriptedFailure };

export interface Attempt { product: Product; to?: string; status: number; code?: number }

export function signHub(body: string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

let counter = 0;
const nextId = () => `${Date.now().toString(36)}${(++counter).toString(36)}`;

export class FakeGraphApi extends LoopbackFake<ScriptedFailure & { product: Product }> {
  readonly sent: SentMessage[] = [];
  readonly attempts: Attempt[] = [];
  /** Customers (`product:userId`) whose 24-hour window has closed. */
  readonly closedWindows = new Set<string>();
  /** Whether the page may use Messenger's customer feedback template. */
  feedbackTemplateAllowed = true;
  /** Where each product's webhook is (the bot's routes). */
  readonly webhookUrls: Partial<Record<Product, string>> = {};
  /** What the bot answered to the echoes and statuses this fake delivered. */
  readonly webhookAnswers: number[] = [];
  protected override readonly jsonType = 'application/json; charset=UTF-8';

  private constructor(readonly options: FakeGraphOptions) { super(); }

  static async start(options: FakeGraphOptions): Promise<FakeGraphApi> {
    return new FakeGraphApi(options).listen();
  }

  failNext(product: Product, ...failures: ScriptedFailure[]): void {
    this.script(...failures.map((f) => ({ ...f, product })));
  }

  closeWindow(product: Product, userId: string): void {
    this.closedWindows.add(`${product}:${userId}`);
  }

  to(product: Product, userId: string): SentMessage[] {
    return this.sent.filter((m) => m.product === product && m.to === userId);
  }

  // ── webhook deliveries ───────────────────────────────────────────────────────

  /** POST a payload to a product's webhook, signed like Meta unless told otherwise. */
  async deliver(product: Product, payload: unknown, opts: { signature?: string | null; rawBody?: string } = {}): Promise<Response> {
    const url = this.webhookUrls[product];
    if (!url) throw new Error(`FakeGraphApi.webhookUrls.${product} is not set`);
    const body = opts.rawBody ?? JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const signature = opts.signature === undefined ? signHub(body, this.options.appSecret) : opts.signature;
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    return fetch(url, { method: 'POST', headers, body });
  }

  /** A customer's message to the page (Messenger) or account (Instagram), as Meta delivers it. */
  customerMessage(product: 'messenger' | 'instagram', userId: string, text: string, opts: { mid?: string; quickReplyPayload?: string } = {}): Record<string, unknown> {
    const account = this.accountId(product);
    return this.messaging(product, {
      sender: { id: userId },
      recipient: { id: account },
      timestamp: Date.now(),
      message: {
        mid: opts.mid ?? `m_${nextId()}`,
        text,
        ...(opts.quickReplyPayload ? { quick_reply: { payload: opts.quickReplyPayload } } : {}),
      },
    });
  }

  /** A message the page sent (the bot or an agent in Meta Business Suite), echoed back. */
  pageEcho(product: 'messenger' | 'instagram', userId: string, text: string, opts: { mid?: string; appId?: string } = {}): Record<string, unknown> {
    const account = this.accountId(product);
    return this.messaging(product, {
      sender: { id: account },
      recipient: { id: userId },
      timestamp: Date.now(),
      message: { mid: opts.mid ?? `m_${nextId()}`, is_echo: true, app_id: Number(opts.appId ?? this.options.appId ?? '1234567890'), text },
    });
  }

  /** The customer's answer to the Messenger customer feedback template. */
  feedbackAnswer(userId: string, questionId: string, score: number): Record<string, unknown> {
    return this.messaging('messenger', {
      sender: { id: userId },
      recipient: { id: this.accountId('messenger') },
      timestamp: Date.now(),
      messaging_feedback: {
        feedback_screens: [{ screen_id: 0, questions: { [questionId]: { type: 'nps', payload: String(score) } } }],
      },
    });
  }

  /** A WhatsApp customer message: text, or the tap on a list row / reply button. */
  whatsappMessage(waId: string, m: { text: string } | { listReply: { id: string; title: string } } | { buttonReply: { id: string; title: string } } | { templateButton: { text: string; payload?: string } }, opts: { id?: string; name?: string } = {}): Record<string, unknown> {
    const id = opts.id ?? `wamid.${nextId()}`;
    const message: Record<string, unknown> = { from: waId, id, timestamp: String(Math.floor(Date.now() / 1000)) };
    if ('text' in m) Object.assign(message, { type: 'text', text: { body: m.text } });
    else if ('listReply' in m) Object.assign(message, { type: 'interactive', interactive: { type: 'list_reply', list_reply: { ...m.listReply, description: '' } } });
    else if ('buttonReply' in m) Object.assign(message, { type: 'interactive', interactive: { type: 'button_reply', button_reply: m.buttonReply } });
    else Object.assign(message, { type: 'button', button: { text: m.templateButton.text, payload: m.templateButton.payload ?? m.templateButton.text } });
    return this.whatsappChange({
      contacts: [{ profile: { name: opts.name ?? 'Casey' }, wa_id: waId }],
      messages: [message],
    });
  }

  whatsappStatus(waId: string, wamid: string, status: string, errors?: Array<{ code: number; title: string; details?: string }>): Record<string, unknown> {
    return this.whatsappChange({
      statuses: [{
        id: wamid, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: waId,
        ...(errors ? { errors: errors.map((e) => ({ code: e.code, title: e.title, message: e.title, error_data: { details: e.details ?? e.title } })) } : {}),
      }],
    });
  }

  private messaging(product: 'messenger' | 'instagram', event: Record<string, unknown>): Record<string, unknown> {
    return { object: product === 'messenger' ? 'page' : 'instagram', entry: [{ id: this.accountId(product), time: Date.now(), messaging: [event] }] };
  }

  private whatsappChange(value: Record<string, unknown>): Record<string, unknown> {
    const wa = this.options.whatsapp!;
    return {
      object: 'whatsapp_business_account',
      entry: [{
        id: wa.businessAccountId,
        changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: wa.phoneNumberId }, ...value } }],
      }],
    };
  }

  private accountId(product: 'messenger' | 'instagram'): string {
    const id = product === 'messenger' ? this.options.messenger?.pageId : this.options.instagram?.accountId;
    if (!id) throw new Error(`FakeGraphApi: ${product} is not configured`);
    return id;
  }

  private background(p: Promise<Response>): void {
    this.inBackground(p, (status) => this.webhookAnswers.push(status));
  }

  // ── the Graph API ────────────────────────────────────────────────────────────

  protected handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://graph.local');
    const parts = url.pathname.split('/').filter(Boolean);
    if (req.method !== 'POST' || parts.length !== 3 || parts[2] !== 'messages') {
      graphError(res, 400, { message: `Unsupported ${req.method} request.`, type: 'GraphMethodException', code: 100 });
      return;
    }
    if (parts[0] !== this.options.version) {
      graphError(res, 400, { message: `Unknown path components: /${parts[0]}`, type: 'OAuthException', code: 2500 });
      return;
    }
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('access_token') ?? '';
    const product = this.productFor(parts[1]!, token);
    if (!product) {
      graphError(res, 400, { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 });
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      graphError(res, 400, { message: '(#100) The request body is not valid JSON', type: 'OAuthException', code: 100 });
      return;
    }
    if (product === 'whatsapp') this.whatsappSend(body, res);
    else this.messagingSend(product, body, res);
  }

  private productFor(node: string, token: string): Product | null {
    const o = this.options;
    if (node === 'me' && o.messenger && token === o.messenger.token) return 'messenger';
    if (node === 'me' && o.instagram && token === o.instagram.token) return 'instagram';
    if (o.whatsapp && node === o.whatsapp.phoneNumberId && token === o.whatsapp.token) return 'whatsapp';
    return null;
  }

  private scripted(product: Product, to: string | undefined, res: ServerResponse): boolean {
    const failure = this.takeScripted((f) => f.product === product);
    if (!failure) return false;
    const code = (failure.body as { error?: { code?: number } } | undefined)?.error?.code;
    this.attempts.push({ product, to, status: failure.status, code });
    this.sendJson(res, failure.status, failure.body, failure.headers);
    return true;
  }

  private messagingSend(product: 'messenger' | 'instagram', body: Record<string, unknown>, res: ServerResponse): void {
    const to = (body.recipient as { id?: unknown } | undefined)?.id;
    const fail = (message: string, code = 100, subcode?: number) => {
      this.attempts.push({ product, to: typeof to === 'string' ? to : undefined, status: 400, code });
      graphError(res, 400, { message, type: product === 'instagram' ? 'IGApiException' : 'OAuthException', code, ...(subcode ? { error_subcode: subcode } : {}) });
    };
    if (typeof to !== 'string' || !/^\d+$/.test(to)) return fail('(#100) The parameter recipient is required');
    if (this.scripted(product, to, res)) return;
    const message = body.message as Record<string, unknown> | undefined;
    if (!message || typeof message !== 'object') return fail('(#100) The parameter message is required');
    const problem = checkMessagingMessage(message, product, this.feedbackTemplateAllowed);
    if (problem) return fail(problem.message, problem.code);
    if (this.closedWindows.has(`${product}:${to}`)) {
      return fail('This message is sent outside of allowed window.', 10, product === 'messenger' ? 2018278 : 2534022);
    }
    const id = product === 'messenger' ? `m_${nextId()}` : `aWdf${nextId()}`;
    this.sent.push({ product, to, id, body: message });
    this.attempts.push({ product, to, status: 200 });
    this.sendJson(res, 200, { recipient_id: to, message_id: id });
    if (this.webhookUrls[product]) {
      const text = typeof message.text === 'string' ? message.text : '';
      this.background(this.deliver(product, this.pageEcho(product, to, text, { mid: id })));
    }
  }

  private whatsappSend(body: Record<string, unknown>, res: ServerResponse): void {
    const to = body.to;
    const fail = (status: number, code: number, title: string, details: string) => {
      this.attempts.push({ product: 'whatsapp', to: typeof to === 'string' ? to : undefined, status, code });
      graphError(res, status, { message: `(#${code}) ${title}`, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details }, fbtrace_id: 'Afake' });
    };
    if (body.messaging_product !== 'whatsapp') return fail(400, 100, 'Invalid parameter', 'messaging_product must be whatsapp');
    if (typeof to !== 'string' || !/^\d{6,20}$/.test(to)) return fail(400, 100, 'Invalid parameter', 'to: expected a phone number');
    if (this.scripted('whatsapp', to, res)) return;
    const problem = checkWhatsAppMessage(body, this.options.templates ?? {});
    if (problem) return fail(problem.status ?? 400, problem.code, problem.title, problem.details);
    const id = `wamid.${Buffer.from(nextId()).toString('base64url')}`;
    this.sent.push({ product: 'whatsapp', to, id, body });
    this.attempts.push({ product: 'whatsapp', to, status: 200 });
    this.sendJson(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id }] });
    if (!this.webhookUrls.whatsapp) return;
    // The Cloud API accepts first and reports what became of the message afterwards.
    if (body.type !== 'template' && this.closedWindows.has(`whatsapp:${to}`)) {
      this.background(this.deliver('whatsapp', this.whatsappStatus(to, id, 'failed', [{
        code: 131047, title: 'Re-engagement message',
        details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      }])));
      return;
    }
    const statuses = (async () => {
      const sent = await this.deliver('whatsapp', this.whatsappStatus(to, id, 'sent'));
      await sent.arrayBuffer();
      return this.deliver('whatsapp', this.whatsappStatus(to, id, 'delivered'));
    })();
    this.background(statuses);
  }
}

function graphError(res: ServerResponse, status: number, error: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'www-authenticate': 'OAuth "Facebook Platform" "invalid_request"' });
  res.end(JSON.stringify({ error: { fbtrace_id: 'Afake', ...error } }));
}

/** The checks Meta makes on a Messenger/Instagram message (limits from Meta's documentation). */
function checkMessagingMessage(m: Record<string, unknown>, product: 'messenger' | 'instagram', templateAllowed: boolean): { message: string; code: number } | null {
  const attachment = m.attachment as { type?: string; payload?: Record<string, unknown> } | undefined;
  if (attachment) {
    const p = attachment.payload ?? {};
    if (attachment.type !== 'template' || p.template_type !== 'customer_feedback') return { message: '(#100) Unsupported attachment', code: 100 };
    if (product !== 'messenger' || !templateAllowed) return { message: '(#100) This page cannot send the customer feedback template', code: 100 };
    const screens = p.feedback_screens as Array<{ questions?: Array<Record<string, unknown>> }> | undefined;
    const q = screens?.[0]?.questions?.[0];
    if (typeof p.title !== 'string' || p.title.length === 0 || p.title.length > 65) return { message: '(#100) title must be 1 to 65 characters', code: 100 };
    if (typeof p.button_title !== 'string' || p.button_title.length === 0 || p.button_title.length > 20) return { message: '(#100) button_title must be 1 to 20 characters', code: 100 };
    if (!q || q.type !== 'nps' || typeof q.id !== 'string' || !/^[A-Za-z0-9]{1,80}$/.test(q.id)) return { message: '(#100) feedback_screens: one nps question with an alphanumeric id', code: 100 };
    if (q.score_option !== undefined && q.score_option !== 'zero_to_ten') return { message: '(#100) nps questions take score_option zero_to_ten', code: 100 };
    const privacy = p.business_privacy as { url?: unknown } | undefined;
    if (typeof privacy?.url !== 'string' || !/^https?:\/\//.test(privacy.url)) return { message: '(#100) business_privacy.url is required', code: 100 };
    return null;
  }
  if (typeof m.text !== 'string' || m.text.length === 0) return { message: '(#100) The parameter message[text] is required', code: 100 };
  // Messenger counts characters; Instagram counts bytes of UTF-8 (a 999-letter Danish text can be over).
  if (product === 'instagram' && Buffer.byteLength(m.text, 'utf8') > 1000) return { message: '(#100) Length of param message[text] must be less than or equal to 1000 bytes', code: 100 };
  if (m.text.length > 2000) return { message: '(#100) Length of param message[text] must be less than or equal to 2000', code: 100 };
  const qr = m.quick_replies;
  if (qr !== undefined) {
    if (!Array.isArray(qr) || qr.length === 0 || qr.length > 13) return { message: '(#100) param message[quick_replies] must be an array of 1 to 13 items', code: 100 };
    for (const r of qr as Array<Record<string, unknown>>) {
      if (r.content_type !== 'text') return { message: '(#100) quick reply content_type must be text', code: 100 };
      if (typeof r.title !== 'string' || r.title.length === 0 || r.title.length > 20) return { message: '(#100) quick reply title must be 1 to 20 characters', code: 100 };
      if (typeof r.payload !== 'string' || r.payload.length === 0 || r.payload.length > 1000) return { message: '(#100) quick reply payload must be 1 to 1000 characters', code: 100 };
    }
  }
  return null;
}

/** The checks the WhatsApp Cloud API makes (limits from Meta's documentation). */
function checkWhatsAppMessage(b: Record<string, unknown>, templates: Record<string, string[]>): { status?: number; code: number; title: string; details: string } | null {
  const invalid = (details: string) => ({ code: 131009, title: 'Parameter value is not valid', details });
  switch (b.type) {
    case 'text': {
      const body = (b.text as { body?: unknown } | undefined)?.body;
      if (typeof body !== 'string' || body.length === 0) return { code: 131008, title: 'Required parameter is missing', details: 'text.body' };
      if (body.length > 4096) return invalid('text.body is over 4096 characters');
      return null;
    }
    case 'template': {
      const t = b.template as { name?: unknown; language?: { code?: unknown } } | undefined;
      const langs = typeof t?.name === 'string' ? templates[t.name] : undefined;
      if (!langs || typeof t?.language?.code !== 'string' || !langs.includes(t.language.code)) {
        return { status: 404, code: 132001, title: 'Template name does not exist in the translation', details: `template name (${String(t?.name)}) does not exist in ${String(t?.language?.code)}` };
      }
      return null;
    }
    case 'interactive': {
      const i = b.interactive as { type?: string; body?: { text?: unknown }; action?: Record<string, unknown> } | undefined;
      const text = i?.body?.text;
      if (typeof text !== 'string' || text.length === 0 || text.length > 1024) return invalid('interactive.body.text must be 1 to 1024 characters');
      if (i?.type === 'list') {
        const button = i.action?.button;
        if (typeof button !== 'string' || button.length === 0 || button.length > 20) return invalid('action.button must be 1 to 20 characters');
        const sections = i.action?.sections as Array<{ title?: unknown; rows?: Array<{ id?: unknown; title?: unknown; description?: unknown }> }> | undefined;
        if (!Array.isArray(sections) || sections.length === 0 || sections.length > 10) return invalid('action.sections must have 1 to 10 sections');
        if (sections.length > 1 && sections.some((s) => typeof s.title !== 'string')) return invalid('a section title is required when there is more than one section');
        const rows = sections.flatMap((s) => s.rows ?? []);
        if (rows.length === 0) return invalid('a list needs at least one row');
        if (rows.length > 10) return invalid('Total row count exceed max allowed count: 10');
        for (const r of rows) {
          if (typeof r.id !== 'string' || r.id.length === 0 || r.id.length > 200) return invalid('row id must be 1 to 200 characters');
          if (typeof r.title !== 'string' || r.title.length === 0 || r.title.length > 24) return invalid('row title must be 1 to 24 characters');
        }
        if (sections.some((s) => typeof s.title === 'string' && s.title.length > 24)) return invalid('section title must be at most 24 characters');
        return null;
      }
      if (i?.type === 'button') {
        const buttons = i.action?.buttons as Array<{ reply?: { id?: unknown; title?: unknown } }> | undefined;
        if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 3) return invalid('buttons: 1 to 3 reply buttons');
        for (const btn of buttons) {
          if (typeof btn.reply?.title !== 'string' || btn.reply.title.length === 0 || btn.reply.title.length > 20) return invalid('button title must be 1 to 20 characters');
        }
        return null;
      }
      return invalid(`interactive.type ${String(i?.type)} is not supported here`);
    }
    default:
      return { code: 131051, title: 'Unsupported message type', details: `type ${String(b.type)}` };
  }
}
