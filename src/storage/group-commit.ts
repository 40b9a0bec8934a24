/**
 * Group commit: requests that arrive while one batch is in the database go together in
 * the next batch, as one command. There is no timer: when nothing is in flight a request
 * leaves at once (alone), so a quiet process waits for nothing and a busy one sends fewer,
 * larger commands (each costs this process's CPU in the driver, whatever its size).
 *
 * Each request's promise settles only with its own outcome, once its batch's command was
 * answered: a request the batch failed rejects as it would have alone, and the caller
 * retries it as before.
 */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export class GroupCommit<Req, Res> {
  private queue: Array<{ req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }> = [];
  private inFlight = false;

  /**
   * @param run sends one batch as one command and answers each request's outcome, in
   *   order; throwing fails every request of the batch.
   * @param maxBatch the most requests one command carries.
   */
  constructor(private readonly run: (reqs: Req[]) => Promise<Array<Outcome<Res>>>, private readonly maxBatch = 500) {}

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      if (!this.inFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.inFlight = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
        this.queue = this.queue.length <= this.maxBatch ? [] : this.queue.slice(this.maxBatch);
        let outcomes: Array<Outcome<Res>>;
        try {
          outcomes = await this.run(batch.map((b) => b.req));
        } catch (err) {
          for (const b of batch) b.reject(err);
          continue;
        }
        for (let i = 0; i < batch.length; i++) {
          const o = outcomes[i];
          if (!o) batch[i]!.reject(new Error('group commit: no outcome for a request'));
          else if (o.ok) batch[i]!.resolve(o.value);
          else batch[i]!.reject(o.error);
        }
      }
    } finally {
      this.inFlight = false;
    }
  }
}
