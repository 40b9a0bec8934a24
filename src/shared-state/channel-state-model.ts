/**
 * What channel adapters share between processes (conversation/channel-contract/channel-state.ts): one small
 * document per key, named `<channel>/<key>`, holding a counter or a string value, an
 * expiry (MongoDB's TTL index removes expired documents; reads check expiry as well, for
 * servers that do not sweep), and optionally when the entry falls due.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface ChannelStateDoc {
  /** `<channel>/<key>`: one document per key, so every operation is a single-document write. */
  _id: string;
  /** A counter (`increment`). */
  n?: number;
  /** A value (`set`, `compareAndSet`). */
  value?: string;
  expiresAt: Date;
  /** Listed by `due` from this moment on. */
  dueAt?: Date;
}

const channelStateSchema = new Schema<ChannelStateDoc>({
  _id: { type: String, required: true },
  n: Number,
  value: String,
  expiresAt: { type: Date, required: true },
  dueAt: Date,
}, { versionKey: false });

channelStateSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
channelStateSchema.index({ dueAt: 1 }, { sparse: true });

export function channelStateModel(conn: Connection): Model<ChannelStateDoc> {
  return (conn.models.ChannelState as Model<ChannelStateDoc> | undefined) ?? conn.model<ChannelStateDoc>('ChannelState', channelStateSchema, 'channel_state');
}
