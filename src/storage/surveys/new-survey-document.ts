/**
 * A new survey as the schema would store it, built as a plain object. `create` used to
 * build a mongoose document, validate it and turn it back into an object: an eighth of
 * the engine's CPU per conversation (bench/engine.bench.ts profile) to check values the
 * engine's input validation (inbound-validation.ts) and its own typed code already made
 * right. test/storage/new-survey-document.test.ts holds this to what the schema stores.
 */
import mongoose from 'mongoose';
import type { OwedMessage, StagedEvent, SurveyDoc, SurveyState } from './survey-model.ts';

/** What a resolution stores. */
export interface NewSurvey {
  channel: string;
  conversationId: string;
  type: 'transactional' | 'relational';
  customer: SurveyDoc['customer'];
  agent: SurveyDoc['agent'];
  link?: string;
  address?: Record<string, string>;
  skipReason?: string;
  participants?: SurveyDoc['participants'];
  resolvedAt: Date;
  askAt: Date;
  eventIds?: string[];
}

export function newSurveyDocument(
  s: NewSurvey,
  opts: { state: SurveyState; owed?: OwedMessage; expiresAt?: Date; outbound?: StagedEvent[] | null; now: Date },
): SurveyDoc {
  const doc: Record<string, unknown> = {
    _id: new mongoose.Types.ObjectId(),
    channel: s.channel,
    conversationId: s.conversationId,
    type: s.type ?? 'transactional',
    customer: defined({ id: s.customer.id, name: s.customer.name, locale: s.customer.locale, segment: s.customer.segment, value: s.customer.value }),
    agent: defined({ id: s.agent.id, name: s.agent.name }),
  };
  if (s.participants !== undefined) doc.participants = s.participants.map((p) => defined({ id: p.id, name: p.name, replies: p.replies }));
  if (s.link !== undefined) doc.link = s.link;
  // The schema minimizes: an empty address is not stored.
  if (s.address !== undefined && Object.keys(s.address).length > 0) doc.address = { ...s.address };
  doc.state = opts.state;
  if (s.skipReason !== undefined) doc.skipReason = s.skipReason;
  doc.resolvedAt = s.resolvedAt;
  doc.askAt = s.askAt;
  if (opts.expiresAt !== undefined) doc.expiresAt = opts.expiresAt;
  doc.reprompts = 0;
  doc.attempts = 0;
  if (s.eventIds !== undefined) doc.eventIds = [...s.eventIds];
  if (opts.owed !== undefined) doc.owed = { id: opts.owed.id, key: opts.owed.key, attempts: opts.owed.attempts, dueAt: opts.owed.dueAt };
  doc.version = 0;
  doc.dirty = true;
  if (opts.outbound) doc.outbound = opts.outbound.map((e) => defined({ id: e.id, type: e.type, at: e.at, data: e.data }));
  doc.createdAt = opts.now;
  doc.updatedAt = opts.now;
  return doc as unknown as SurveyDoc;
}

/** The object without its undefined fields (the driver would store them as null; the schema leaves them out). */
function defined<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out as T;
}
