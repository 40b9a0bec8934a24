/** X user ids are numeric (`id_str`); a handle such as `@casey` is not one. Null for anything else. */
export function canonicalXUserId(id: string): string | null {
  const trimmed = id.trim();
  return /^\d{1,25}$/.test(trimmed) ? trimmed : null;
}
