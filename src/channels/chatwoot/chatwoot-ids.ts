/** Chatwoot contact ids are whole numbers (sent as numbers or strings). Null for anything else. */
export function canonicalChatwootContactId(id: string): string | null {
  const trimmed = id.trim();
  return /^\d{1,20}$/.test(trimmed) ? trimmed : null;
}
