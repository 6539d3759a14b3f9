import { z } from 'zod';
import { REPLICA_TTL_MS, replicaIndexKey, type Logger, type ReplicaReport } from '@khiw/observability';
import type { Redis } from '@khiw/redis';

/** The heartbeat as written by packages/observability, read leniently (a newer replica may add fields). */
const ReplicaReportSchema = z.object({
  service: z.string().min(1),
  instance: z.string().min(1),
  version: z.string(),
  startedAt: z.string(),
  ready: z.boolean(),
  checks: z.record(z.string(), z.string()),
  metrics: z.record(
    z.string(),
    z.array(z.object({ labels: z.record(z.string(), z.union([z.string(), z.number()])), value: z.number() })),
  ),
});

/** A replica's report and how long ago it was written. */
export interface SeenReplica {
  report: ReplicaReport;
  lastSeenSeconds: number;
}

/**
 * The heartbeats every service replica writes (packages/observability/src/heartbeat.ts):
 * their keys from the replica index (a set of a few dozen members; never a SCAN, which would
 * walk every key of the deployment), then the values and their remaining lives in one round.
 * A key's age is REPLICA_TTL_MS minus its PTTL, so no clock has to agree with ours. A member
 * whose key has expired is a replica gone: it leaves the index.
 */
export class ReplicaReports {
  private readonly index: string;
  private warned = false;

  constructor(
    private readonly redis: Redis,
    namespace: string,
    private readonly logger: Logger,
  ) {
    this.index = replicaIndexKey(namespace);
  }

  async read(): Promise<SeenReplica[]> {
    const keys = await this.redis.smembers(this.index);
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.get(key).pttl(key);
    const answers = (await pipeline.exec()) ?? [];
    const seen: SeenReplica[] = [];
    const gone: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      const [getError, json] = answers[2 * i] ?? [];
      const [, pttl] = answers[2 * i + 1] ?? [];
      if (getError) continue;
      if (json === null) {
        gone.push(keys[i]!);
        continue;
      }
      const report = typeof json === 'string' ? this.parse(json) : undefined;
      if (!report) continue;
      const remaining = typeof pttl === 'number' && pttl > 0 ? pttl : 0;
      seen.push({ report, lastSeenSeconds: Math.max(0, (REPLICA_TTL_MS - remaining) / 1000) });
    }
    // A replica that beats again adds itself back (every beat does SADD).
    if (gone.length) await this.redis.srem(this.index, ...gone);
    return seen.sort(
      (a, b) =>
        a.report.service.localeCompare(b.report.service) ||
        a.report.instance.localeCompare(b.report.instance),
    );
  }

  private parse(json: string): ReplicaReport | undefined {
    let parsed: ReturnType<typeof ReplicaReportSchema.safeParse>;
    try {
      parsed = ReplicaReportSchema.safeParse(JSON.parse(json));
    } catch {
      parsed = { success: false } as typeof parsed;
    }
    if (parsed.success) return parsed.data;
    if (!this.warned)
      this.logger.warn({ index: this.index }, 'a replica heartbeat breaks its shape; left out');
    this.warned = true;
    return undefined;
  }
}
