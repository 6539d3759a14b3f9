import type { z } from 'zod';
import { KhiwError } from '@khiw/errors';
import type { Logger } from '@khiw/observability';

/**
 * Reads what the booking worker publishes in Redis (the campaign snapshot, a site's slots)
 * through its contracts schema, never a cast. Each distinct text is parsed once, so a cache
 * refill of an unchanged snapshot costs a string comparison. A text that breaks the contract
 * is logged once and read as TEMPORARILY_UNAVAILABLE (a 503 to try again) until the worker
 * publishes a good one: a version skew between worker and gateway, not a resident's fault.
 */
export class SnapshotReader<S extends z.ZodType> {
  private readonly last = new Map<string, { json: string; value: z.infer<S> | undefined }>();

  constructor(
    private readonly schema: S,
    private readonly what: string,
    private readonly logger: Logger,
    private readonly maxKeys = 10_000,
  ) {}

  /** The value published under `key`; null when nothing is (`json` null). */
  read(key: string, json: string | null): z.infer<S> | null {
    if (json === null) return null;
    let seen = this.last.get(key);
    if (seen?.json !== json) {
      seen = { json, value: this.parse(key, json) };
      if (this.last.size >= this.maxKeys) this.last.clear();
      this.last.set(key, seen);
    }
    if (seen.value === undefined) {
      throw new KhiwError('TEMPORARILY_UNAVAILABLE', `${this.what} ${key} breaks its contract`);
    }
    return seen.value;
  }

  private parse(key: string, json: string): z.infer<S> | undefined {
    let data: unknown;
    try {
      data = JSON.parse(json);
    } catch (err) {
      this.logger.error({ key, err }, `${this.what} is not JSON: answering 503`);
      return undefined;
    }
    const parsed = this.schema.safeParse(data);
    if (parsed.success) return parsed.data;
    this.logger.error(
      { key, issues: parsed.error.issues.slice(0, 5) },
      `${this.what} breaks its contract: answering 503`,
    );
    return undefined;
  }
}
