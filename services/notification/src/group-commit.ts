type Waiter<T, R> = { item: T; resolve: (r: R) => void; reject: (e: unknown) => void };

/**
 * Group commit: callers submit one item each and wait for its result; items that arrive while
 * a commit is running are committed together by the next one. At low load every item goes
 * alone and at once; at high load one statement carries hundreds, which is what lets one
 * process keep up with the SMS gateway (each statement costs a round trip and a context switch
 * on a busy machine, whatever it carries).
 */
export class GroupCommit<T, R> {
  private pending: Waiter<T, R>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly commit: (items: T[]) => Promise<R[]>,
    private readonly options: { maxBatch?: number; maxInFlight?: number } = {},
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= (this.options.maxInFlight ?? 2)) return;
    this.scheduled = true;
    // Let the callers of this tick join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.options.maxBatch ?? 500);
    this.inFlight++;
    try {
      const results = await this.commit(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i] as R));
    } catch (error) {
      batch.forEach((w) => w.reject(error));
    } finally {
      this.inFlight--;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
