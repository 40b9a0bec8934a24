/**
 * Readiness, as opposed to liveness (/healthz): whether this process should be sent
 * traffic now. Not before its channels have started, not while it drains for a
 * shutdown, and not while the database does not answer a ping within `pingTimeoutMs`
 * (an orchestrator then routes webhooks to a process that can store them).
 */
import type { Connection } from 'mongoose';

export type NotReadyReason = 'starting' | 'draining' | 'database';

export class Readiness {
  private started = false;
  private draining = false;

  constructor(private readonly conn: Connection, private readonly pingTimeoutMs = 2000) {}

  /** Every channel has started (its routes are mounted, its connection opened). */
  markStarted(): void {
    this.started = true;
  }

  /** The shutdown began: take this process out of rotation before it stops taking work. */
  markDraining(): void {
    this.draining = true;
  }

  /** Null when ready, else why not. */
  async check(): Promise<NotReadyReason | null> {
    if (this.draining) return 'draining';
    if (!this.started) return 'starting';
    return (await this.databaseAnswers()) ? null : 'database';
  }

  private async databaseAnswers(): Promise<boolean> {
    // The ping decides, not mongoose's readyState (which can lag behind a recovered server).
    if (!this.conn.db) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), this.pingTimeoutMs); });
    try {
      return await Promise.race([this.conn.db.command({ ping: 1 }).then(() => true, () => false), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
