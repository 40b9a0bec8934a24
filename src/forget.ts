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
import { randomBytes } from 'node:crypto';
import type mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import { contactModel } from './conversation/contact-model.ts';
import { forgottenId, forgottenIds, optOutKey, optOutModel } from './conversation/opt-out-model.ts';
import { followupModel } from './reports/followup-model.ts';
import { isDuplicateKey } from './storage/mongo-errors.ts';
import { surveyModel, type SurveyDoc, type SurveyState } from './storage/survey-model.ts';
import { SurveyStore, type SurveyChanges } from './storage/survey-store.ts';
import { versionedUpdate } from './storage/versioned-update.ts';
import { MongoChannelStateStore } from './storage/channel-state-store.ts';
import type { ChannelAdapter } from './channels/channel.ts';

/** A detractor alert already posted: it quoted the customer's comment, and only a person can delete it there. */
export interface PostedAlert { followupId: string; postedAt: string; postedTo: string | null }

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

/** States in which something may still be sent to the customer. */
const NOT_ANSWERED: SurveyState[] = ['scheduled', 'asked'];
const ATTEMPTS = 10;


export async function forgetCustomer(
  conn: Connection,
  channel: string,
  customerId: string,
  now: () => Date = () => new Date(),
  opts: { adapter?: Pick<ChannelAdapter, 'name' | 'forget'> | null } = {},
): Promise<ForgetResult> {
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

  const erased = await eraseSurveysOf(conn, channel, customerId, hashed, now);
  result.surveys = erased.surveys;
  result.cancelled = erased.cancelled;
  result.unfinished += erased.unfinished;

  const followups = followupModel(conn);
  const linked = await followups.find({ surveyId: { $in: erased.ids } }).lean().exec();
  for (const f of linked) {
    if (f.notifiedAt) {
      const to = f.notifiedTo ?? null;
      result.alertsPosted.push({ followupId: String(f._id), postedAt: f.notifiedAt.toISOString(), postedTo: to });
    }
    const conversationId = erased.conversationOf.get(String(f.surveyId)) ?? `forgotten:${randomBytes(12).toString('hex')}`;
    if (await eraseFollowup(followups, f._id, conversationId)) result.followups++;
    else result.unfinished++;
  }

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
 * Every survey write of `forget`, in one place (to move into the survey repository): each
 * of the customer's surveys — and those an interrupted earlier run already keyed by the
 * hash — is cancelled if unanswered, completed if only the comment is missing (the score
 * counts, as when it expires), and stripped of what identifies the customer: name,
 * locale, segment, value, comment and its themes, routing data, links, errors, platform
 * event ids, parked replies and any message still owed. The conversation id is replaced
 * (X's contain the customer's id) by a random one, so the unique (channel,
 * conversationId) index still holds.
 */
export async function eraseSurveysOf(conn: Connection, channel: string, customerId: string, hashed: string, now: () => Date): Promise<{
  ids: mongoose.Types.ObjectId[];
  conversationOf: Map<string, string>;
  surveys: number;
  cancelled: number;
  unfinished: number;
}> {
  const store = new SurveyStore(surveyModel(conn));
  const own = await store.model.find({ channel, 'customer.id': { $in: [customerId, hashed] } }, { _id: 1 }).lean().exec();
  const out = { ids: own.map((s) => s._id), conversationOf: new Map<string, string>(), surveys: 0, cancelled: 0, unfinished: 0 };
  for (const { _id: id } of own) {
    const outcome = await eraseOne(id);
    if (!outcome) {
      out.unfinished++;
      continue;
    }
    out.conversationOf.set(String(id), outcome.conversationId);
    if (outcome.erased) out.surveys++;
    if (outcome.cancelled) out.cancelled++;
  }
  return out;

  /** One survey; null when another writer kept changing it. */
  async function eraseOne(id: mongoose.Types.ObjectId): Promise<{ conversationId: string; erased: boolean; cancelled: boolean } | null> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const s = await store.model.findById(id).lean().exec() as SurveyDoc | null;
      if (!s) return { conversationId: `forgotten:${randomBytes(12).toString('hex')}`, erased: false, cancelled: false };
      const conversationId = s.conversationId.startsWith('forgotten:') ? s.conversationId : `forgotten:${randomBytes(12).toString('hex')}`;
      const changes: SurveyChanges = {
        set: { 'customer.id': hashed, forgotten: true, dirty: true, conversationId },
        unset: [
          'customer.name', 'customer.locale', 'customer.segment', 'customer.value', 'comment', 'themes', 'testimonial',
          'earlyReplies', 'eventIds', 'pendingReply', 'address', 'link', 'lastError', 'lease',
        ],
      };
      let after: SurveyDoc | null;
      let cancelled = false;
      if (NOT_ANSWERED.includes(s.state)) {
        changes.set!.skipReason = 'forgotten';
        changes.unset!.push('expiresAt');
        after = await store.transition({ _id: id, version: s.version ?? 0 }, s.state, 'skipped', changes);
        cancelled = after !== null;
      } else if (s.state === 'scored') {
        changes.set!.completedAt = now();
        changes.unset!.push('expiresAt');
        after = await store.transition({ _id: id, version: s.version ?? 0 }, 'scored', 'completed', changes);
      } else {
        after = await store.update(id, s.version ?? 0, changes);
      }
      if (after) return { conversationId, erased: true, cancelled };
      // Another writer (the engine answering it, rollups) changed it in between: read again.
    }
    return null;
  }
}

async function eraseFollowup(model: ReturnType<typeof followupModel>, id: mongoose.Types.ObjectId, conversationId: string): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const f = await model.findById(id, { version: 1, replies: 1 }).lean().exec();
    if (!f) return true;
    // The note and the messages back are managers' free text about this customer: they go too
    // (a message back keeps when, who and how it went, not what it said).
    const replies = (f.replies ?? []).map((r) => ({ at: r.at, by: r.by, status: r.status, text: '' }));
    const done = await versionedUpdate(model, id, f.version ?? 0, {
      $set: { conversationId, ...(replies.length > 0 ? { replies } : {}) },
      $unset: { link: '', note: '', notifyError: '', remindError: '' },
    });
    if (done) return true;
  }
  return false;
}
