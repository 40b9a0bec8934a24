/**
 * How a platform adapter that must connect at start-up (Discord's gateway, Slack's
 * auth.test and Socket Mode, Telegram's getMe) starts without holding the whole bot: the first try runs in
 * the foreground, so a refused token stops start-up at once with its one line
 * (start-up-retry.ts); after a failure that passes (or FOREGROUND_MS without an answer),
 * `start()` returns and the tries go on in the background with the same backoff and warn
 * lines, so the HTTP server and every other channel start while that platform is down.
 *
 * Until the connection is up, sends to the platform fail with a TransientSendError that
 * says when to come back (about when the next try is due): the engine then puts the
 * question or the owed message back without counting a failed attempt. The wait holds
 * only the chat, not the app's shared send budget: other bot processes may be connected.
 */
import { TransientSendError } from '../conversation/channel-contract/send-errors.ts';
import type { Logger } from '../logger.ts';
import { START_UP_BACKOFF, StartUpStoppedError, type StartUpBackoff } from './start-up-retry.ts';

/** What the adapter hands to its retryStartUp calls. */
export interface StartUpTries {
  signal: AbortSignal;
  backoff: StartUpBackoff;
  onRetry: (attempt: number, waitMs: number) => void;
}

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'off';

/** How long start-up waits for the first try: a platform that takes the connection and never answers holds it no longer. */
export const FOREGROUND_MS = 15_000;

export class BackgroundStartUp {
  private state: ConnectionState = 'idle';
  private controller = new AbortController();
  private readonly backoff: StartUpBackoff;
  private nextTryAt = 0;
  private lastWaitMs: number;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly opts: { channel: string; logger: Logger; backoff?: Partial<StartUpBackoff>; foregroundMs?: number }) {
    this.backoff = { ...START_UP_BACKOFF, ...opts.backoff };
    this.lastWaitMs = this.backoff.firstDelayMs;
  }

  /** Aborted by `stop()`: no more tries, and the adapter's background work ends. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get connection(): ConnectionState {
    return this.state;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /**
   * Run `connect` (every retryStartUp in it gets `tries`). Resolves once it is connected,
   * or as soon as one try failed in a way that passes or the first try has not settled
   * within `foregroundMs` (connecting then goes on in the background); rejects when it is
   * refused (StartUpRefusedError) or stopped before that.
   */
  run(connect: (tries: StartUpTries) => Promise<void>): Promise<void> {
    const { channel, logger } = this.opts;
    if (this.state === 'connecting' || this.state === 'connected') throw new Error(`${channel}: the channel is already started`);
    if (this.controller.signal.aborted) this.controller = new AbortController();
    this.state = 'connecting';
    let inBackground = false;
    return new Promise<void>((resolve, reject) => {
      const toBackground = (why: string): void => {
        if (inBackground) return;
        inBackground = true;
        logger.warn({ channel, why }, `${channel}: not connected yet; the bot starts without it and goes on connecting in the background (sends wait until it connects)`);
        resolve();
      };
      const foregroundMs = this.opts.foregroundMs ?? FOREGROUND_MS;
      const slow = setTimeout(() => toBackground(`no answer within ${Math.round(foregroundMs / 1000)} s`), foregroundMs);
      const tries: StartUpTries = {
        signal: this.controller.signal,
        backoff: this.backoff,
        onRetry: (_attempt, waitMs) => {
          this.nextTryAt = Date.now() + waitMs;
          this.lastWaitMs = waitMs;
          clearTimeout(slow);
          toBackground('a try failed');
        },
      };
      const settled = connect(tries);
      void settled.finally(() => clearTimeout(slow)).catch(() => undefined);
      this.running = settled.then(() => {
        this.state = this.controller.signal.aborted ? 'off' : 'connected';
        if (inBackground && this.state === 'connected') logger.info({ channel }, `${channel}: connected (in the background)`);
        resolve();
      }, (err: unknown) => {
        this.state = 'off';
        if (err instanceof StartUpStoppedError) logger.info({ channel }, `${channel}: stopped while connecting`);
        if (!inBackground) return reject(err);
        // Start-up has gone on without this channel: a refusal now can only be logged.
        if (!(err instanceof StartUpStoppedError)) logger.error({ channel, err: err instanceof Error ? err.message : String(err) }, `${channel} channel off: fix the setting and restart the bot`);
      });
    });
  }

  /** No more tries; resolves once the background connecting has ended (at most `withinMs`). */
  async stop(withinMs = 5_000): Promise<void> {
    this.controller.abort();
    if (this.state === 'connected') this.state = 'off';
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise((r) => { timer = setTimeout(r, withinMs); timer.unref(); })]);
    clearTimeout(timer);
  }

  /** What a send gets while the platform is not connected: come back about when the next try is due. */
  notConnected(): TransientSendError {
    const { channel } = this.opts;
    if (this.state === 'off' || this.state === 'idle') {
      // Stopped, or refused in the background: nothing will connect before a restart.
      return new TransientSendError(`${channel}: the channel is not connected`, this.backoff.maxDelayMs, 'chat');
    }
    const left = this.nextTryAt - Date.now();
    // A try is under way: come back after about as long as the last wait.
    const retryAfterMs = Math.max(this.backoff.firstDelayMs, left > 0 ? left : this.lastWaitMs);
    return new TransientSendError(`${channel}: not connected to the platform yet (still trying)`, retryAfterMs, 'chat');
  }
}
