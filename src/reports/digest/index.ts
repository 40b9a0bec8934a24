/** The weekly digest's public face: scheduled by the reports module, posted now by `nps-bot digest`. */
export { Digests, digestNotice, lastWeek, type DigestOutcome } from './weekly-digest.ts';
