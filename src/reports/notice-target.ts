/**
 * What the reports side hands the app to reach managers: where a notice goes and the
 * function that posts it. A file of its own so the reports module and the parts it
 * wires (alerts, digests, settings) import the same types without importing each
 * other; the notice itself is the channel seam's `Notice` (a type, never a channel).
 */
import type { Notice } from '../conversation/channel-contract/channel.ts';

export type { Notice };

/** Where a notice goes: a channel name and a channel id on that platform (`slack:C0123`). */
export interface NoticeTarget { channel: string; channelId: string }

/** Posts a notice for managers; the app hands it to the target channel's adapter. */
export type PostNotice = (target: NoticeTarget, notice: Notice) => Promise<void>;
