/**
 * A chat system on the other end of the webhook channel: an HTTP server on 127.0.0.1
 * that checks X-NPS-Signature over X-NPS-Timestamp and the body (refusing timestamps
 * more than 5 minutes off, as a receiver should) and records what the bot POSTs. It can
 * answer with a chosen status for the next requests (429 with Retry-After, 410, 500,
 * or a redirect with a Location).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyBody } from '../../src/channels/webhook-signature.ts';
import { stormHits, type Storm } from './storm.ts';
import { LoopbackFake } from './loopback-fake.ts';

export interface Received { body: Record<string, unknown>; signed: boolean; raw: string; headers: Record<string, string | undefined> }

export class WebhookReceiver extends LoopbackFake {
  readonly received: Received[] = [];
  /** Statuses (with optional Retry-After seconds) to answer with, in order, before answering 200. */
  readonly answers: Array<{ status: number; retryAfter?: string; location?: string }> = [];
  /** While set, a share of requests is refused with the storm's status (fault injection). */
  storm: Storm | null = null;
  /** Called with each signed message as it is accepted, before the answer goes back (fault injection at that moment). */
  onAccept: ((body: Record<string, unknown>) => void) | null = null;

  constructor(private readonly secret: string) { super(); }

  async start(): Promise<this> {
    return this.listen();
  }

  /** Where the bot POSTs. */
  override get url(): string {
    return `${super.url}/hook`;
  }

  protected handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const headers = { signature: req.headers['x-nps-signature'] as string | undefined, timestamp: req.headers['x-nps-timestamp'] as string | undefined, 'x-nps-delivery': req.headers['x-nps-delivery'] as string | undefined };
    const signed = verifyBody(raw, this.secret, headers.signature, headers.timestamp);
    if (stormHits(this.storm)) {
      const retryAfter = this.storm.retryAfterSec;
      res.writeHead(this.storm.status, retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}).end();
      return;
    }
    const next = this.answers.shift();
    if (next) {
      res.writeHead(next.status, {
        ...(next.retryAfter ? { 'retry-after': next.retryAfter } : {}),
        ...(next.location ? { location: next.location } : {}),
      }).end();
      return;
    }
    const body = JSON.parse(raw) as Record<string, unknown>;
    this.received.push({ body, signed, raw, headers });
    if (signed) this.onAccept?.(body);
    res.writeHead(signed ? 200 : 401).end();
  }

  forCustomer(customerId: string): Array<Record<string, unknown>> {
    return this.received.filter((r) => r.body.customerId === customerId).map((r) => r.body);
  }
}
