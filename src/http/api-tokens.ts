/**
 * Every API token the settings give, with its role and the setting it came from:
 * API_TOKEN (manager), REPORT_TOKENS (manager or agent), INGEST_TOKENS (ingest).
 * `tokenAuthFrom` refuses the same token twice, naming both settings.
 */
import type { NamedToken, Principal } from './token-auth.ts';

export function apiTokens(config: { apiToken?: string; ingestTokens: readonly string[] }, reportTokens: ReadonlyArray<readonly [string, Principal]>): NamedToken[] {
  const out: NamedToken[] = [];
  if (config.apiToken) out.push({ token: config.apiToken, principal: { role: 'manager' }, source: 'API_TOKEN' });
  reportTokens.forEach(([token, principal], i) => out.push({ token, principal, source: `REPORT_TOKENS entry ${i + 1}` }));
  config.ingestTokens.forEach((token, i) => out.push({ token, principal: { role: 'ingest' }, source: `INGEST_TOKENS entry ${i + 1}` }));
  return out;
}
