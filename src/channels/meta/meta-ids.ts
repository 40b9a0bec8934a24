/**
 * The canonical form of the customer ids Meta's channels use, so an id typed by a care
 * tool matches the one Meta's webhooks carry (ids are compared exactly: a WhatsApp
 * customer stored as `+46709999999` would never match the `46709999999` Meta delivers,
 * and could neither answer nor opt out). Null: not an id of this channel.
 */

/** WhatsApp ids (`wa_id`) are the phone number in digits: a leading `+` and spaces, dashes, dots or brackets are dropped. */
export function canonicalWhatsAppId(id: string): string | null {
  const trimmed = id.trim();
  if (!/^\+?[\d\s().-]{6,40}$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, '');
  return /^\d{6,20}$/.test(digits) ? digits : null;
}

/** Page-scoped (Messenger) and Instagram-scoped user ids are decimal strings. */
export function canonicalMetaUserId(id: string): string | null {
  const trimmed = id.trim();
  return /^\d{1,40}$/.test(trimmed) ? trimmed : null;
}
