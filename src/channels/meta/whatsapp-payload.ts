/**
 * The WhatsApp Cloud API webhook payload (`object: "whatsapp_business_account"`), as
 * far as this channel reads it: `entry[].changes[]` with `field: "messages"`, whose
 * `value` holds the customers' `messages` (text, an interactive list or button reply, a
 * template's quick-reply button) and the `statuses` of what the business sent (sent,
 * delivered, read, failed with `errors`). Other fields pass through unread; a message
 * or status we cannot read is dropped, never the delivery.
 */
import { z } from 'zod';

const waId = z.string().regex(/^[A-Za-z0-9._:+-]{1,64}$/, 'expected a WhatsApp user id');

const messageSchema = z.object({
  from: waId,
  // Becomes the engine's event id (at most 300 characters); wamids are about 60.
  id: z.string().min(1).max(300),
  timestamp: z.string().max(20).optional(),
  type: z.string().max(40),
  text: z.object({ body: z.string().max(20_000) }).optional(),
  interactive: z.object({
    type: z.string().max(40),
    list_reply: z.object({ id: z.string().max(200), title: z.string().max(200).optional(), description: z.string().max(200).optional() }).optional(),
    button_reply: z.object({ id: z.string().max(256), title: z.string().max(200).optional() }).optional(),
  }).loose().optional(),
  button: z.object({ text: z.string().max(200).optional(), payload: z.string().max(1000).optional() }).optional(),
}).loose();

const statusSchema = z.object({
  id: z.string().min(1).max(500),
  status: z.string().max(40),
  recipient_id: z.string().max(64).optional(),
  errors: z.array(z.object({
    code: z.number().int(),
    title: z.string().max(1000).optional(),
    message: z.string().max(1000).optional(),
    error_data: z.object({ details: z.string().max(2000).optional() }).loose().optional(),
  }).loose()).max(20).optional(),
}).loose();

const valueSchema = z.object({
  messaging_product: z.string().max(40).optional(),
  metadata: z.object({ phone_number_id: z.string().max(40), display_phone_number: z.string().max(40).optional() }).loose(),
  contacts: z.array(z.object({ wa_id: z.string().max(64).optional(), profile: z.object({ name: z.string().max(1000).optional() }).loose().optional() }).loose()).max(1000).optional().catch(undefined),
  messages: z.array(z.unknown()).max(1000).optional(),
  statuses: z.array(z.unknown()).max(1000).optional(),
}).loose();

export const whatsappPayloadSchema = z.object({
  object: z.literal('whatsapp_business_account', { message: 'expected "whatsapp_business_account"' }),
  entry: z.array(z.object({
    id: z.string().max(40),
    changes: z.array(z.object({ field: z.string().max(100), value: z.unknown() }).loose()).max(1000),
  }).loose()).max(1000),
});

export type WhatsAppPayload = z.infer<typeof whatsappPayloadSchema>;

export interface WhatsAppInbound {
  phoneNumberId: string;
  from: string;
  id: string;
  /** What the customer typed, or the label of what they tapped. */
  text: string;
  /** The id of a tapped list row or reply button, or a template button's payload. */
  tappedId?: string;
  name?: string;
  /** When the customer sent it (ms since the epoch; WhatsApp sends whole seconds), if said. */
  sentAt?: number;
}

export interface WhatsAppStatus {
  phoneNumberId: string;
  /** The wamid of the message the status is about. */
  id: string;
  status: string;
  errors: Array<{ code: number; message: string }>;
}

export interface WhatsAppReadResult { messages: WhatsAppInbound[]; statuses: WhatsAppStatus[]; dropped: number }

export function whatsappEvents(payload: WhatsAppPayload): WhatsAppReadResult {
  const out: WhatsAppReadResult = { messages: [], statuses: [], dropped: 0 };
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      const value = valueSchema.safeParse(change.value);
      if (!value.success) {
        out.dropped++;
        continue;
      }
      const phoneNumberId = value.data.metadata.phone_number_id;
      const names = new Map((value.data.contacts ?? []).flatMap((c) => (c.wa_id && c.profile?.name ? [[c.wa_id, c.profile.name.trim().slice(0, 200)] as const] : [])));
      for (const raw of value.data.messages ?? []) {
        const m = messageSchema.safeParse(raw);
        if (!m.success) {
          out.dropped++;
          continue;
        }
        const read = readMessage(m.data);
        const sentAt = m.data.timestamp !== undefined && /^\d{1,12}$/.test(m.data.timestamp) ? Number(m.data.timestamp) * 1000 : undefined;
        if (read) out.messages.push({ phoneNumberId, from: m.data.from, id: m.data.id, ...read, name: names.get(m.data.from) || undefined, sentAt });
      }
      for (const raw of value.data.statuses ?? []) {
        const s = statusSchema.safeParse(raw);
        if (!s.success) {
          out.dropped++;
          continue;
        }
        out.statuses.push({
          phoneNumberId,
          id: s.data.id,
          status: s.data.status,
          errors: (s.data.errors ?? []).map((e) => ({ code: e.code, message: [e.title ?? e.message ?? '', e.error_data?.details].filter(Boolean).join(' — ') })),
        });
      }
    }
  }
  return out;
}

/** Text and tapped id of a message; null for what is not an answer (images, locations, reactions…). */
function readMessage(m: z.infer<typeof messageSchema>): { text: string; tappedId?: string } | null {
  switch (m.type) {
    case 'text':
      return m.text ? { text: m.text.body } : null;
    case 'interactive': {
      const reply = m.interactive?.list_reply ?? m.interactive?.button_reply;
      return reply ? { text: reply.title ?? '', tappedId: reply.id } : null;
    }
    case 'button':
      // A template's quick-reply button: its payload, or its label when no payload was set.
      return m.button ? { text: m.button.text ?? '', tappedId: m.button.payload } : null;
    default:
      return null;
  }
}
