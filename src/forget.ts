/**
 * Erasing a customer (a data-subject request). Their name, locale, segment, value,
 * comments and themes, routing data, links, errors, platform event ids and conversation
 * ids go from every survey; links, notes and the text of messages back go from every
 * follow-up; their contact record goes, and the channel's adapter erases what it keeps
 * in its shared state (`ChannelAdapter.forget`); a survey not yet answered is cancelled so nothing goes out
 * afterwards. The counts stay (a score is not personal once unlinked), and an opt-out
 * survives under a keyed one-way hash so a forgotten customer is still never asked.
 * What cannot be erased from here — alerts already posted to managers that quoted the
 * customer — is listed, so it can be deleted by hand.
 */
import type { Connection } from 'mongoose';
import { contactModel } from './conversation/contact-model.ts';
import { forgottenId, forgottenIds, optOutKey, optOutModel } from './conversation/opt-out-model.ts';
import { eraseFollowupsOf, type PostedAlert } from './reports/followups/index.ts';
import { isDuplicateKey } from './storage/mongo-errors.ts';
import { SurveyRepository } from './storage/surveys/index.ts';
import { SurveyEventQueue } from './survey-events/event-queue.ts';
import { customerIdCanonicaliser, customerIdShape } from './channels/customer-ids.ts';
import { ValidationError } from './validation.ts';
import { MongoChannelStateStore } from './shared-state/channel-state-store.ts';
import type { ChannelAdapter } from './conversation/channel-contract/channel.ts';

export type { PostedAlert };

export interface ForgetResult {
  surveys: number;
  /** Surveys not yet answered (scheduled, asked), now skipped with reason `forgotten`. */
  cancelled: number;
  followups: number;
  contactRemoved: boolean;
  optOutKept: boolean;
  /**
   * The channel's own state about the customer (X: open conversations, signed agents):
   * `erased` by its adapter, `none` (the channel keeps none), or `not-configured` (the
   * channel is not configured where forget ran: run it again where it is).
   */
  channelState: 'erased' | 'none' | 'not-configured';
  /** Surveys or follow-ups another writer kept changing; run the command again. */
  unfinished: number;
  alertsPosted: PostedAlert[];
}

const ATTEMPTS = 10;


export async function forgetCustomer(
  conn: Connection,
  channel: string,
  givenId: string,
  now: () => Date = () => new Date(),
  opts: { adapter?: Pick<ChannelAdapter, 'name' | 'forget'> | null } = {},
): Promise<ForgetResult> {
  const customerId = canonicalCustomerId(channel, givenId);
  const optOutKept = await keepOptOut(conn, channel, customerId);
  const hashed = forgottenId(channel, customerId);
  const result: ForgetResult = { surveys: 0, cancelled: 0, followups: 0, contactRemoved: false, optOutKept, channelState: 'none', unfinished: 0, alertsPosted: [] };

  // The channel's own state first: X's inactivity tracker would otherwise start a new survey under the erased name.
  const adapter = opts.adapter === undefined ? null : opts.adapter;
  if (adapter?.forget) {
    await adapter.forget(customerId, new MongoChannelStateStore(conn, channel));
    result.channelState = 'erased';
  } else if (opts.adapter === null) {
    result.channelState = 'not-configured';
  }

  // Surveys erased by an earlier, interrupted run carry the hash already: finish their follow-ups too.
  const surveys = new SurveyRepository(conn);
  const erased = { ids: await surveys.idsOfCustomer(channel, [customerId, hashed]), conversationOf: new Map<string, string>() };
  for (const id of erased.ids) {
    const outcome = await surveys.erase(id, hashed, now(), ATTEMPTS);
    if (!outcome) {
      result.unfinished++;
      continue;
    }
    erased.conversationOf.set(String(id), outcome.conversationId);
    if (outcome.erased) result.surveys++;
    if (outcome.cancelled) result.cancelled++;
  }

  // Queued survey events may quote the customer (a comment): they go; only `survey.forgotten` stays to be told.
  await new SurveyEventQueue(conn).forgetSurveys(erased.ids.map(String));

  const followups = await eraseFollowupsOf(conn, erased.ids, erased.conversationOf, ATTEMPTS);
  result.followups = followups.erased;
  result.unfinished += followups.unfinished;
  result.alertsPosted.push(...followups.alertsPosted);

  const removed = await contactModel(conn).deleteOne({ channel, customerId }).exec();
  result.contactRemoved = removed.deletedCount > 0;
  return result;
}

/** Keep an opt-out under the current keyed hash (from the plain key or an older hash), then drop the old keys. */
async function keepOptOut(conn: Connection, channel: string, customerId: string): Promise<boolean> {
  const optOuts = optOutModel(conn);
  const current = forgottenId(channel, customerId);
  const older = [optOutKey(channel, customerId), ...forgottenIds(channel, customerId).filter((k) => k !== current)];
  const found = await optOuts.find({ _id: { $in: [current, ...older] } }).lean().exec();
  if (found.length === 0) return false;
  try {
    // Insert under the new key first, so a crash halfway can never lose the opt-out.
    await optOuts.create({ _id: current, channel, at: found[0]!.at });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  await optOuts.deleteMany({ _id: { $in: older } }).exec();
  return true;
}

/**
 * The id in its channel's canonical form, as every survey stores it (WhatsApp
 * `+46709999999` is `46709999999`); an id the channel could never have is refused, not
 * silently matched against nothing.
 */
function canonicalCustomerId(channel: string, id: string): string {
  const canonical = customerIdCanonicaliser(channel);
  if (!canonical) return id;
  const found = canonical(id);
  if (found === null) throw new ValidationError('customer', `expected ${customerIdShape(channel)}`);
  return found;
}
