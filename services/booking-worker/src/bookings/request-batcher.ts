/**
 * Group commit for booking requests: requests for the same key (campaign) that arrive while
 * that key's previous batch is being written wait and go together in the next one. An idle
 * key flushes at once (no timer, no added latency at low load); under load batches grow by
 * themselves up to maxBatch, which is what turns one hot campaign row into thousands of
 * bookings per second. One batch per key at a time per process.
 *
 * Written here rather than taken from a library: DataLoader-style batchers gather per event
 * loop tick, which under BullMQ (jobs arrive on separate ticks) gives batches of one.
 */
export class RequestBatcher<I, O> {
  private readonly pending = new Map<
    string,
    Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }>
  >();
  private readonly running = new Set<string>();

  constructor(
    private readonly run: (key: string, items: I[]) => Promise<Array<O | Error>>,
    private readonly maxBatch: number,
  ) {}

  submit(key: string, item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const list = this.pending.get(key) ?? [];
      list.push({ item, resolve, reject });
      this.pending.set(key, list);
      // Let the jobs that arrived in the same tick join before an idle key flushes.
      if (!this.running.has(key)) setImmediate(() => void this.flush(key));
    });
  }

  /** Requests waiting for a batch, all keys. */
  get waiting(): number {
    let n = 0;
    for (const list of this.pending.values()) n += list.length;
    return n;
  }

  private async flush(key: string): Promise<void> {
    if (this.running.has(key)) return;
    const list = this.pending.get(key);
    if (!list || list.length === 0) return;
    const batch = list.splice(0, this.maxBatch);
    if (list.length === 0) this.pending.delete(key);
    this.running.add(key);
    try {
      const results = await this.run(
        key,
        batch.map((entry) => entry.item),
      );
      batch.forEach((entry, i) => {
        const result = results[i];
        if (result instanceof Error) entry.reject(result);
        else entry.resolve(result as O);
      });
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.running.delete(key);
      if (this.pending.has(key)) void this.flush(key);
    }
  }
}
