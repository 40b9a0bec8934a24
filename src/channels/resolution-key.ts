/**
 * Intercom and Freshchat keep one conversation per customer for months: it is closed,
 * reopened by the customer's next message, closed again. The engine keeps one survey per
 * (channel, conversation id), so a bridge keys each **resolution**, not the conversation:
 * `<conversation id>#<what marks this resolution>` (the close part's id, the resolution's
 * time). A redelivered webhook carries the same marker (the same survey); a later
 * resolution is a new survey, which the fatigue window may still skip. The platform's
 * own conversation id goes to the adapter in `address.conversationId`.
 */

export function resolutionKey(conversationId: string, marker: string): string {
  return `${conversationId}#${marker}`;
}

/** The platform conversation id of a key (a key without `#` is one already). */
export function conversationOfKey(key: string): string {
  const i = key.indexOf('#');
  return i < 0 ? key : key.slice(0, i);
}
