/**
 * A small Discord gateway (API v10, JSON encoding, no compression) for the real
 * discord.js client on loopback. It speaks the protocol the way Discord does:
 * HELLO (op 10) with a heartbeat interval, IDENTIFY (op 2) → READY dispatch (session
 * id, resume URL, the user, servers as unavailable) then GUILD_CREATE per server,
 * HEARTBEAT (op 1) → HEARTBEAT_ACK (op 11), dispatches (op 0) numbered by sequence,
 * RESUME (op 6) → the missed dispatches replayed, then RESUMED; an unknown session
 * gets INVALID_SESSION (op 9). Events are only sent for the intents identified with,
 * and guild message text only with MESSAGE_CONTENT (or when it mentions the bot).
 *
 * Sharding: an IDENTIFY with `shard: [id, count]` gets its own session (one per shard
 * id, as on Discord); a server's events go to shard `(guild_id >> 22) % count` and DMs
 * to shard 0, which is also the session the single-session getters below describe.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DiscordWorld, MessageJson } from './discord-world.ts';

export const Op = { Dispatch: 0, Heartbeat: 1, Identify: 2, Resume: 6, Reconnect: 7, InvalidSession: 9, Hello: 10, HeartbeatAck: 11 } as const;
export const Intent = { Guilds: 1, GuildMembers: 2, GuildPresences: 256, GuildMessages: 512, DirectMessages: 4096, MessageContent: 32768 } as const;

/** READY, RESUMED and INTERACTION_CREATE reach every session, whatever its intents. */
export const ALWAYS = 'always' as const;

interface Dispatch { op: 0; s: number; t: string; d: unknown }

interface Session {
  id: string;
  seq: number;
  intents: number;
  /** Every dispatch of the session, for replay on RESUME. */
  sent: Dispatch[];
  socket: WebSocket | null;
  /** [shard id, shard count] from IDENTIFY ([0, 1] without one). */
  shard: [number, number];
  /** The highest sequence this session's client reported in a heartbeat. */
  acked: number;
}

/** Where one shard's session stands: what was dispatched to it and what its client has received. */
export interface ShardState { sessionId: string; seq: number; acked: number; connected: boolean }

export interface GatewayLogEntry { op: number; path: string; d?: unknown }

export class FakeGateway {
  readonly heartbeatIntervalMs: number;
  /** Every payload the client sent (tokens removed), in order. */
  readonly received: GatewayLogEntry[] = [];
  /** Problems with what the client asked for; a test asserts this stays empty. */
  readonly protocolErrors: string[] = [];
  /** Query strings of every connection, e.g. `v=10&encoding=json`. */
  readonly connections: Array<{ path: string; query: string }> = [];
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  /** Sessions by shard id; without sharding only shard 0. */
  private readonly sessions = new Map<number, Session>();
  private get session(): Session | null { return this.sessions.get(0) ?? null; }
  private baseUrl = '';

  constructor(private readonly world: DiscordWorld, private readonly token: string, opts: { heartbeatIntervalMs?: number } = {}) {
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 500;
  }

  setBaseUrl(url: string): void {
    this.baseUrl = url;
  }

  /** Where discord.js first connects (returned by GET /gateway/bot) and where it resumes. */
  get url(): string { return `${this.baseUrl}/gateway`; }
  get resumeUrl(): string { return `${this.baseUrl}/resume`; }

  /** Close codes for the next IDENTIFYs: the gateway closes the connection instead of READY (Discord's 4000, or 1011 under load). */
  readonly closeOnIdentify: number[] = [];

  get identifies(): number { return this.received.filter((r) => r.op === Op.Identify).length; }
  get resumes(): number { return this.received.filter((r) => r.op === Op.Resume).length; }
  get heartbeats(): number { return this.received.filter((r) => r.op === Op.Heartbeat).length; }
  /** The sequence number of the last dispatch of the session. */
  get sequence(): number { return this.session?.seq ?? 0; }
  /**
   * The highest sequence the client has reported in a heartbeat: every dispatch up to it
   * has been received and handed to discord.js's listeners.
   */
  get acknowledged(): number {
    return Math.max(0, ...this.received.filter((r) => r.op === Op.Heartbeat && typeof r.d === 'number').map((r) => r.d as number));
  }
  get connected(): boolean { return this.session?.socket?.readyState === 1; }
  get intents(): number { return this.session?.intents ?? 0; }

  /** One shard's session, or null before it identified. */
  shardState(shard: number): ShardState | null {
    const s = this.sessions.get(shard);
    return s ? { sessionId: s.id, seq: s.seq, acked: s.acked, connected: s.socket?.readyState === 1 } : null;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/gateway' && url.pathname !== '/resume') {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, url));
  }

  private onConnection(ws: WebSocket, url: URL): void {
    this.connections.push({ path: url.pathname, query: url.searchParams.toString() });
    if (url.searchParams.get('v') !== '10') {
      this.protocolErrors.push(`API version ${url.searchParams.get('v')} requested`);
      ws.close(4012, 'Invalid API version');
      return;
    }
    if (url.searchParams.get('encoding') !== 'json') {
      this.protocolErrors.push(`encoding ${url.searchParams.get('encoding')} requested`);
      ws.close(4002, 'Error while decoding payload.');
      return;
    }
    if (url.searchParams.has('compress')) {
      // Real Discord would zlib-stream every frame; this fake only speaks plain JSON.
      this.protocolErrors.push(`compression ${url.searchParams.get('compress')} requested`);
      ws.close(4000, 'Unknown error');
      return;
    }
    let authenticated = false;
    ws.on('message', (raw, isBinary) => {
      if (isBinary) {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      let payload: { op?: unknown; d?: unknown };
      try {
        payload = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      const op = payload.op;
      this.received.push({ op: typeof op === 'number' ? op : -1, path: url.pathname, d: withoutToken(payload.d) });
      switch (op) {
        case Op.Heartbeat:
          for (const s of this.sessions.values()) {
            if (s.socket === ws && typeof payload.d === 'number') s.acked = Math.max(s.acked, payload.d);
          }
          send(ws, { op: Op.HeartbeatAck, d: null, s: null, t: null });
          return;
        case Op.Identify:
          if (authenticated) return void ws.close(4005, 'Already authenticated.');
          if (this.closeOnIdentify.length > 0) return void ws.close(this.closeOnIdentify.shift()!, 'Unknown error');
          authenticated = this.identify(ws, payload.d);
          return;
        case Op.Resume:
          if (authenticated) return void ws.close(4005, 'Already authenticated.');
          authenticated = this.resume(ws, payload.d);
          return;
        default:
          if (!authenticated) return void ws.close(4003, 'Not authenticated.');
          // Presence and voice updates are accepted and ignored.
          if (op === 3 || op === 4 || op === 8) return;
          ws.close(4001, 'Unknown opcode.');
      }
    });
    ws.on('close', () => {
      for (const s of this.sessions.values()) if (s.socket === ws) s.socket = null;
    });
    send(ws, { op: Op.Hello, d: { heartbeat_interval: this.heartbeatIntervalMs }, s: null, t: null });
  }

  private identify(ws: WebSocket, d: unknown): boolean {
    const id = d as { token?: unknown; intents?: unknown; shard?: unknown; compress?: unknown } | null;
    if (!id || id.token !== this.token) {
      ws.close(4004, 'Authentication failed.');
      return false;
    }
    if (typeof id.intents !== 'number') {
      ws.close(4013, 'Invalid intent(s).');
      return false;
    }
    if (id.compress === true) this.protocolErrors.push('identify compression requested');
    const shard: [number, number] = Array.isArray(id.shard) && id.shard.length === 2 && id.shard.every((n) => Number.isInteger(n))
      ? [id.shard[0] as number, id.shard[1] as number] : [0, 1];
    const previous = this.sessions.get(shard[0]);
    if (previous?.socket) previous.socket.close(4009, 'Session timed out.');
    const guilds = [...this.world.guilds.keys()].filter((g) => shardOf(g, shard[1]) === shard[0]);
    const session: Session = { id: randomBytes(16).toString('hex'), seq: 0, intents: id.intents, sent: [], socket: ws, shard, acked: 0 };
    this.sessions.set(shard[0], session);
    this.dispatchTo(session, 'READY', {
      v: 10,
      user: { ...this.world.bot, verified: true, mfa_enabled: false, flags: 0 },
      guilds: guilds.map((g) => ({ id: g, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.resumeUrl,
      shard: Array.isArray(id.shard) ? id.shard : [0, 1],
      application: { id: this.world.applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      user_settings: {},
    }, ALWAYS);
    for (const g of guilds) this.dispatchTo(session, 'GUILD_CREATE', this.world.guildCreateJson(g), Intent.Guilds);
    return true;
  }

  private resume(ws: WebSocket, d: unknown): boolean {
    const r = d as { token?: unknown; session_id?: unknown; seq?: unknown } | null;
    if (!r || r.token !== this.token) {
      ws.close(4004, 'Authentication failed.');
      return false;
    }
    const session = [...this.sessions.values()].find((s) => s.id === r.session_id) ?? null;
    if (!session || r.session_id !== session.id || typeof r.seq !== 'number' || r.seq > session.seq) {
      send(ws, { op: Op.InvalidSession, d: false, s: null, t: null });
      return false;
    }
    session.socket?.close(4009, 'Session timed out.');
    session.socket = ws;
    for (const missed of session.sent.filter((x) => x.s > (r.seq as number))) send(ws, missed);
    this.dispatchTo(session, 'RESUMED', null, ALWAYS);
    return true;
  }

  /**
   * Send a dispatch to the session if it asked for this event's intent. While the
   * socket is down the event is only numbered and kept, as Discord does, for RESUME.
   */
  dispatch(t: string, d: unknown, intent: number | typeof ALWAYS): boolean {
    return this.dispatchTo(this.sessionFor(d), t, d, intent);
  }

  /** The dispatch sent last with this event name to one shard, to deliver it a second time. */
  lastDispatchOf(t: string, shard: number): Dispatch | undefined {
    return this.sessions.get(shard)?.sent.filter((x) => x.t === t).at(-1);
  }

  /** The shard a dispatch belongs to: its server's (`guild_id`), or 0 for DMs. */
  shardFor(d: unknown): number {
    const guildId = d && typeof d === 'object' && typeof (d as { guild_id?: unknown }).guild_id === 'string' ? (d as { guild_id: string }).guild_id : null;
    if (guildId === null) return 0;
    for (const [id, s] of this.sessions) if (shardOf(guildId, s.shard[1]) === id) return id;
    return 0;
  }

  private sessionFor(d: unknown): Session | null {
    return this.sessions.get(this.shardFor(d)) ?? null;
  }

  private dispatchTo(session: Session | null, t: string, d: unknown, intent: number | typeof ALWAYS): boolean {
    if (!session || (intent !== ALWAYS && (session.intents & intent) === 0)) return false;
    const payload: Dispatch = { op: 0, s: ++session.seq, t, d };
    session.sent.push(payload);
    if (session.sent.length > 1000) session.sent.shift();
    if (session.socket?.readyState === 1) send(session.socket, payload);
    return true;
  }

  /** MESSAGE_CREATE as the session may see it: guild text hidden without MESSAGE_CONTENT. */
  dispatchMessage(message: MessageJson, member: Record<string, unknown> | null): boolean {
    const inGuild = !!message.guild_id;
    const intents = this.sessionFor(message)?.intents ?? 0;
    // Discord tells the channel's type with each message, so a client can place a DM it has never seen.
    let d: Record<string, unknown> = { ...message, channel_type: this.world.channel(message.channel_id).type };
    if (inGuild) {
      const visible = (intents & Intent.MessageContent) !== 0
        || message.author.id === this.world.bot.id
        || message.mentions.some((u) => u.id === this.world.bot.id);
      if (!visible) d = { ...d, content: '', embeds: [], attachments: [], components: [] };
      if (member) {
        const { user: _user, ...rest } = member;
        d.member = rest;
      }
    }
    return this.dispatch('MESSAGE_CREATE', d, inGuild ? Intent.GuildMessages : Intent.DirectMessages);
  }

  /** The dispatch sent last with this event name, to deliver it a second time. */
  lastDispatch(t: string): Dispatch | undefined {
    return this.session?.sent.filter((x) => x.t === t).at(-1);
  }

  /** Close the connection from the server side (e.g. 4000 "Unknown error": the client resumes). */
  close(code: number, reason = ''): void {
    this.session?.socket?.close(code, reason);
  }

  /** Drop the TCP connection without a close frame (the client sees 1006 and resumes). */
  drop(): void {
    this.session?.socket?.terminate();
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** Discord's shard formula: `(guild_id >> 22) % shard count`. */
function shardOf(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(Math.max(1, count)));
}

function send(ws: WebSocket, payload: unknown): void {
  ws.send(JSON.stringify(payload));
}

function withoutToken(d: unknown): unknown {
  if (d && typeof d === 'object' && 'token' in d) {
    const { token: _token, ...rest } = d as Record<string, unknown>;
    return rest;
  }
  return d;
}
