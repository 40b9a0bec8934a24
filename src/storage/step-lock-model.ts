/** Keys of steps in progress (see conversation/step-locks.ts). Unique `_id`; stale ones are swept. */
import { Schema, type Connection, type Model } from 'mongoose';

export interface StepLockDoc { _id: string; at: Date }

const stepLockSchema = new Schema<StepLockDoc>({
  _id: { type: String, required: true },
  at: { type: Date, required: true },
}, { versionKey: false });
stepLockSchema.index({ at: 1 });

export function stepLockModel(conn: Connection): Model<StepLockDoc> {
  return (conn.models.StepLock as Model<StepLockDoc> | undefined) ?? conn.model<StepLockDoc>('StepLock', stepLockSchema, 'step_locks');
}
