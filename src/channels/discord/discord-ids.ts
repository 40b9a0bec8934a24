/** Discord user ids are snowflakes: 17 to 20 decimal digits (a 64-bit number). Null for anything else. */
export function canonicalDiscordUserId(id: string): string | null {
  const trimmed = id.trim();
  return /^\d{17,20}$/.test(trimmed) ? trimmed : null;
}
