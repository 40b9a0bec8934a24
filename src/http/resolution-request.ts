/**
 * What `POST /api/resolutions` accepts before the engine validates the event: a JSON
 * object; from an ingest token, no routing fields (`address` says where the bot posts,
 * `link` becomes a link on the dashboard and in alerts: a care tool that may only
 * deliver must not choose either); and the customer id in its channel's canonical form
 * (WhatsApp `+46709999999` becomes `46709999999`, a Slack id that is not `U…` is refused).
 */
import type { Role } from './token-auth.ts';
import { ValidationError } from '../validation.ts';

/** Fields only a manager may send: they route the bot's messages or link out of the dashboard. */
export const ROUTING_FIELDS = ['address', 'link'] as const;

/** A channel's canonical form of a customer id: the id, null (not an id of that channel), or undefined (the channel takes ids as given). */
export type CanonicalCustomerId = (channel: string, id: string) => string | null | undefined;

export function resolutionRequest(body: unknown, role: Role, canonical: CanonicalCustomerId | undefined): Record<string, unknown> {
  const request = bodyObject(body);
  if (role === 'ingest') {
    for (const field of ROUTING_FIELDS) {
      if (request[field] !== undefined) throw new ValidationError(field, 'not accepted from an ingest token (only a manager token may route the survey)');
    }
  }
  const customer = request.customer;
  if (typeof request.channel === 'string' && isObject(customer) && typeof customer.id === 'string' && canonical) {
    const id = canonical(request.channel, customer.id);
    if (id === null) throw new ValidationError('customer.id', `not a customer id of channel "${request.channel.slice(0, 40)}"`);
    if (id !== undefined) request.customer = { ...customer, id };
  }
  return request;
}

/** A JSON body must be an object; `null`, arrays and strings are refused with a clear field. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw new ValidationError('body', 'expected a JSON object');
  return body;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
