/**
 * Erasing a customer (a data-subject request): their name, comments and routing data
 * go from every survey and their contact record goes; the counts stay (a score is
 * not personal once unlinked), and an opt-out survives as a one-way hash so a
 * forgotten customer is still never asked again.
 */
import type { Connection } from 'mongoose';
import { contactModel } from './conversation/contact-model.ts';
import { isDuplicateKey } from './storage/mongo-errors.ts';
import { SurveyStore } from './storage/survey-store.ts';
import { forgottenId, optOutKey, optOutModel } from './conversation/opt-out-model.ts';
import { surveyModel } from './storage/survey-model.ts';

export interface ForgetResult { surveys: number; contactRemoved: boolean; optOutKept: boolean }

export async function forgetCustomer(conn: Connection, channel: string, customerId: string): Promise<ForgetResult> {
  const surveys = surveyModel(conn);
  const store = new SurveyStore(surveys);
  const optOuts = optOutModel(conn);
  const hashed = forgottenId(channel, customerId);
  const optOut = await optOuts.findById(optOutKey(channel, customerId)).lean().exec();
  if (optOut) {
    // Keep the opt-out under the hash first, so a crash halfway can never lose it.
    try {
      await optOuts.create({ _id: hashed, channel, at: optOut.at });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    await optOuts.deleteOne({ _id: optOutKey(channel, customerId) }).exec();
  }
  let erased = 0;
  const own = await surveys.find({ channel, 'customer.id': customerId }, { version: 1 }).lean().exec();
  for (const s of own) {
    // A survey being answered right now is retried until its version settles.
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = attempt === 0 ? s : await surveys.findById(s._id, { version: 1 }).lean().exec();
      if (!current) break;
      const done = await store.update(s._id, current.version ?? 0, {
        set: { 'customer.id': hashed, forgotten: true, dirty: true },
        unset: ['customer.name', 'comment', 'address', 'link'],
      });
      if (done) { erased++; break; }
    }
  }
  const removed = await contactModel(conn).deleteOne({ channel, customerId }).exec();
  return { surveys: erased, contactRemoved: removed.deletedCount > 0, optOutKept: optOut !== null };
}
