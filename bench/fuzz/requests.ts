/**
 * Generated requests (fast-check): every route the bot serves, every role (none, a wrong
 * token, agent, ingest, manager, a dashboard session, each platform's valid signature over
 * a mutated body), and bodies of every kind: wrong types, MongoDB operators, huge and deep
 * JSON, bad UTF-8, wrong content types, missing and doubled headers, random query strings.
 */
import fc from 'fast-check';
import { AGENT, INGEST, MANAGER, signers, xCrc } from './targets.ts';

export type Role = 'none' | 'wrong' | 'agent' | 'ingest' | 'manager' | 'session' | 'signed';
export interface FuzzRequest {
  method: string;
  path: string;
  role: Role;
  headers: Array<[string, string]>;
  body: Buffer | null;
}

export interface Fixtures { followupIds: string[]; sessionCookie: () => string }

type Platform = keyof typeof signers;

/** Percent-encoding that survives lone surrogates (generated strings have them). */
const enc = (s: string): string => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, (c, i: number, all: string) => (/[\ud800-\udbff]/.test(c) && /[\udc00-\udfff]/.test(all[i + 1] ?? '')) || (/[\udc00-\udfff]/.test(c) && /[\ud800-\udbff]/.test(all[i - 1] ?? '')) ? c : '\ufffd'));

/** Valid-looking bodies of each platform, to mutate. */
const SAMPLES: Record<Platform | 'resolution' | 'message' | 'patch' | 'reply', unknown> = {
  slack: { type: 'event_callback', team_id: 'T1', api_app_id: 'A1', event_id: 'Ev1', event_time: 1, event: { type: 'message', channel: 'DUFUZZ1', channel_type: 'im', user: 'UFUZZ1', text: '9', ts: '1800000000.000100' } },
  x: { for_user_id: '4400', direct_message_events: [{ type: 'message_create', id: '1', created_timestamp: String(Date.now()), message_create: { target: { recipient_id: '4400' }, sender_id: '8000001', message_data: { text: '9' } } }], users: { 8000001: { id: '8000001', name: 'Fuzz', screen_name: 'fuzz' } } },
  whatsapp: { object: 'whatsapp_business_account', entry: [{ id: '9900', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: '1100200300' }, contacts: [{ wa_id: '46700000001', profile: { name: 'Fuzz' } }], messages: [{ from: '46700000001', id: 'wamid.1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: '9' } }] } }] }] },
  chatwoot: { event: 'message_created', account: { id: 3 }, message_type: 'incoming', content: '9', id: 1, conversation: { id: 5, status: 'open', inbox_id: 1, channel: 'Channel::WebWidget' }, sender: { id: 7, type: 'contact' } },
  resolution: { channel: 'webhook', conversationId: 'fz-conv', customer: { id: 'fz-cust', name: 'Fuzz', locale: 'en', segment: 'retail', value: 10 }, agent: { id: 'a1', name: 'Anna' } },
  message: { customerId: 'fz-cust', text: '9' },
  patch: { status: 'contacted', owner: 'Maria', note: 'called' },
  reply: { text: 'We fixed it' },
};

const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\u001b[2J', '\ud800', '{"$gt":""}', '$where', '__proto__', 'constructor', '../../etc/passwd', '%00', '9', '-1', '1e309', 'NaN', '2024-13-45', 'webhook', 'a'.repeat(70_000)),
);
const operatorValue = fc.oneof(fc.constant({ $gt: '' }), fc.constant({ $ne: null }), fc.constant({ $where: 'sleep(1000)' }), fc.constant({ $regex: '.*' }), fc.constant({ __proto__: { admin: true } }));
const leaf: fc.Arbitrary<unknown> = fc.oneof(nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), operatorValue, fc.array(nastyString, { maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }));

/** A deep or wide JSON document. */
const hugeJson = fc.oneof(
  fc.integer({ min: 100, max: 5000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 100, max: 3000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.integer({ min: 1000, max: 200_000 }).map((n) => JSON.stringify({ customerId: 'x', text: 'y'.repeat(n) })),
  fc.integer({ min: 10, max: 5000 }).map((n) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])))),
);

/** Every leaf path of a JSON value. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value as Record<string, unknown>);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function mutate(sample: unknown, picks: number[], values: unknown[], deletes: boolean[]): unknown {
  const doc = structuredClone(sample) as unknown;
  let root = doc;
  picks.forEach((pick, i) => {
    const all = paths(root);
    const path = all[pick % all.length]!;
    if (path.length === 0) { root = values[i]; return; }
    let node = root as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (deletes[i] && !Array.isArray(node)) delete node[last];
    else node[last] = values[i];
  });
  return root;
}

const mutatedJson = (sample: unknown): fc.Arbitrary<string> => fc.tuple(
  fc.array(fc.nat(), { minLength: 0, maxLength: 4 }),
  fc.array(leaf, { minLength: 4, maxLength: 4 }),
  fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
).map(([picks, values, deletes]) => JSON.stringify(mutate(sample, picks, values, deletes)));

const badUtf8 = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.concat([Buffer.from('{"text":"'), Buffer.from(a), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]));

const body = (sample: unknown): fc.Arbitrary<Buffer | null> => fc.oneof(
  { weight: 6, arbitrary: mutatedJson(sample).map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
  { weight: 1, arbitrary: hugeJson.map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: badUtf8 },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.constant(null) },
);

const contentType = fc.constantFrom<string | null>(
  'application/json', 'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json; charset=latin1',
  'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml', '*/*', 'application/json, text/plain', null,
);

const query = fc.array(fc.tuple(
  fc.oneof(fc.constantFrom('from', 'to', 'by', 'period', 'format', 'page', 'limit', 'status', 'overdue', 'type', 'channel', 'agent', 'theme', 'saved', 'hub.mode', 'hub.verify_token', 'hub.challenge', 'crc_token', 'from[$gt]', 'by[]', '__proto__'), fc.string({ maxLength: 10 })),
  fc.oneof(nastyString.map((s) => s.slice(0, 200)), fc.constantFrom('2024-01-01', '2024-02-30', 'channel', 'agent,channel', 'week', 'csv', 'json', '1', '0', '-5', '99999999999', 'true', 'subscribe', 'fuzz-verify-token')),
), { maxLength: 6 }).map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}` : ''));

interface RouteSpec { method: string; path: (ids: fc.Arbitrary<string>) => fc.Arbitrary<string>; sample?: unknown; platform?: Platform }
const fixed = (p: string) => () => fc.constant(p);
const withId = (pre: string, post = '') => (ids: fc.Arbitrary<string>) => ids.map((id) => `${pre}${id}${post}`);

const ROUTES: RouteSpec[] = [
  { method: 'GET', path: fixed('/healthz') },
  { method: 'POST', path: fixed('/api/resolutions'), sample: SAMPLES.resolution },
  { method: 'POST', path: fixed('/api/channels/webhook/messages'), sample: SAMPLES.message },
  ...['nps', 'comments', 'testimonials', 'themes', 'drivers', 'agents', 'segments', 'value'].map((v) => ({ method: 'GET', path: fixed(`/api/reports/${v}`) })),
  { method: 'GET', path: fixed('/api/followups') },
  { method: 'GET', path: fixed('/api/followups/summary') },
  { method: 'GET', path: withId('/api/followups/') },
  { method: 'PATCH', path: withId('/api/followups/'), sample: SAMPLES.patch },
  { method: 'POST', path: withId('/api/followups/', '/reply'), sample: SAMPLES.reply },
  { method: 'GET', path: fixed('/dashboard') },
  { method: 'GET', path: fixed('/dashboard/login') },
  { method: 'POST', path: fixed('/dashboard/login'), sample: { token: MANAGER } },
  { method: 'GET', path: fixed('/dashboard/testimonials') },
  { method: 'GET', path: fixed('/dashboard/testimonials.csv') },
  { method: 'GET', path: fixed('/dashboard/export.csv') },
  { method: 'POST', path: withId('/dashboard/followups/'), sample: { status: 'closed', outcome: 'recovered' } },
  { method: 'POST', path: fixed('/slack/events'), sample: SAMPLES.slack, platform: 'slack' },
  { method: 'GET', path: fixed('/x/webhook') },
  { method: 'POST', path: fixed('/x/webhook'), sample: SAMPLES.x, platform: 'x' },
  { method: 'GET', path: fixed('/meta/whatsapp') },
  { method: 'POST', path: fixed('/meta/whatsapp'), sample: SAMPLES.whatsapp, platform: 'whatsapp' },
  { method: 'POST', path: fixed('/chatwoot/webhook'), sample: SAMPLES.chatwoot, platform: 'chatwoot' },
  { method: 'POST', path: withId('/chatwoot/webhook/'), sample: SAMPLES.chatwoot },
  { method: 'GET', path: (ids) => fc.tuple(fc.constantFrom('/api/', '/dashboard/', '/', '/api/reports/', '/meta/'), ids).map(([a, b]) => `${a}${b}`) },
];
/** What the `signed` role means on a route without a platform: a random method on it. */
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];

/** Mutated bodies of one platform's webhook (for reproducing a finding). */
export function platformBodies(platform: Platform): fc.Arbitrary<string> {
  return mutatedJson(SAMPLES[platform]);
}

export function requestArbitrary(fx: Fixtures): fc.Arbitrary<FuzzRequest> {
  const ids = fc.oneof(
    fc.constantFrom(...(fx.followupIds.length ? fx.followupIds : ['000000000000000000000000'])),
    fc.constantFrom('000000000000000000000000', 'ffffffffffffffffffffffff', 'not-an-id', '%24gt', '..%2F..%2F', '[object Object]', 'a'.repeat(300)),
    fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 24, maxLength: 24 }),
    fc.string({ maxLength: 30 }).map(enc),
    fc.constantFrom('%ZZ', '%', '%E0%A4%A', '%00'),
  );
  return fc.record({
    route: fc.nat({ max: ROUTES.length - 1 }),
    role: fc.constantFrom<Role>('none', 'wrong', 'agent', 'ingest', 'manager', 'session', 'signed', 'signed'),
    query,
    contentType,
    doubled: fc.boolean(),
    methodSwap: fc.integer({ min: 0, max: 20 }),
    seed: fc.nat(),
  }).chain(({ route, role, query: q, contentType: ct, doubled, methodSwap, seed }) => {
    const spec = ROUTES[route]!;
    return fc.tuple(spec.path(ids), body(spec.sample ?? SAMPLES.message)).map(([path, b]): FuzzRequest => {
      const method = methodSwap === 0 ? METHODS[seed % METHODS.length]! : spec.method;
      const headers: Array<[string, string]> = [];
      if (ct) headers.push(['content-type', ct]);
      if (doubled && ct) headers.push(['content-type', seed % 2 ? 'text/plain' : 'application/json']);
      const auth = (token: string): void => {
        headers.push(['authorization', `Bearer ${token}`]);
        if (doubled) headers.push(['authorization', `Bearer ${seed % 2 ? MANAGER : 'x'}`]);
      };
      if (role === 'wrong') auth('wrong-token-0123456789abcdefghijklmnop');
      else if (role === 'agent') auth(AGENT);
      else if (role === 'ingest') auth(INGEST);
      else if (role === 'manager') auth(MANAGER);
      else if (role === 'session') headers.push(['cookie', fx.sessionCookie()], ['origin', seed % 3 ? 'http://127.0.0.1' : 'https://evil.example']);
      let payload = b;
      if (role === 'signed' && spec.platform && payload) {
        for (const [k, v] of Object.entries(signers[spec.platform](payload.toString('utf8')))) headers.push([k, v]);
        // Signed over the text; bad UTF-8 is sent as the text it decodes to, so the signature stays valid.
        payload = Buffer.from(payload.toString('utf8'));
      }
      let fullPath = path + q;
      if (path === '/x/webhook' && method === 'GET' && seed % 2) fullPath = `${path}?crc_token=${encodeURIComponent(xCrc(String(seed)))}`;
      if (method === 'GET' || method === 'HEAD') payload = seed % 5 === 0 ? payload : null;
      return { method, path: fullPath, role, headers, body: payload };
    });
  });
}
