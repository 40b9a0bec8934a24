/**
 * Errors an adapter throws from `send`/`post`, so the outbox knows whether to retry.
 * A platform saying "never" (DMs closed, user gone) is permanent; a 429, a 5xx or a
 * dropped connection is transient and may carry how long to wait.
 */
export class PermanentSendError extends Error {
  override readonly name = 'PermanentSendError';
  constructor(message: string, readonly code?: string) { super(message); }
}

export class TransientSendError extends Error {
  override readonly name = 'TransientSendError';
  /** `per`: what a retry-after holds back, every send of the app (default) or only those to this chat. */
  constructor(message: string, readonly retryAfterMs?: number, readonly per: 'app' | 'chat' = 'app') { super(message); }
}

/**
 * The platform allows no free-form message to this customer now (Meta's 24-hour
 * messaging window has closed). Not a delivery failure: the survey is skipped with
 * reason `window-closed`, and the customer was never asked.
 */
export class WindowClosedError extends Error {
  override readonly name = 'WindowClosedError';
  constructor(message = 'the messaging window has closed') { super(message); }
}
