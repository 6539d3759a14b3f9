import type { Redis } from '@khiw/redis';
import { RESULT_KINDS, type ResultKind, type RowResult } from './organisation-row';

/** An upload's results name people: kept a day, for the organisation to download, then gone. */
const TTL_SECONDS = 24 * 3600;

export interface UploadRecord {
  uploadId: string;
  organisationId: string;
  campaignId: string;
  status: 'running' | 'done';
  total: number;
  /** Rows with their result (the rest are still with the engine). */
  processed: number;
  counts: Record<ResultKind, number>;
  startedAt: string;
  finishedAt?: string;
  /** Rows per second over the whole upload, once done. */
  rowsPerSecond?: number;
}

/**
 * Uploads while they run and a day after: progress and counts in a hash, each row's result
 * in another (by line), the refused rows also in their own (the page lists them without
 * reading the whole list). Any gateway instance answers for any upload.
 */
export class OrganisationUploads {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
  ) {}

  async create(
    upload: Pick<UploadRecord, 'uploadId' | 'organisationId' | 'campaignId' | 'total'>,
  ): Promise<void> {
    const meta = this.key(upload.uploadId, 'meta');
    await this.redis
      .multi()
      .hset(meta, {
        organisationId: upload.organisationId,
        campaignId: upload.campaignId,
        status: 'running',
        total: upload.total,
        processed: 0,
        startedAt: new Date().toISOString(),
        ...Object.fromEntries(RESULT_KINDS.map((kind) => [kind, 0])),
      })
      .expire(meta, TTL_SECONDS)
      .exec();
  }

  async record(uploadId: string, results: RowResult[]): Promise<void> {
    if (results.length === 0) return;
    const multi = this.redis.multi();
    const meta = this.key(uploadId, 'meta');
    for (const row of results) {
      const json = JSON.stringify(row);
      multi.hset(this.key(uploadId, 'results'), String(row.line), json);
      if (row.result === 'refused') multi.hset(this.key(uploadId, 'refused'), String(row.line), json);
      multi.hincrby(meta, row.result, 1);
    }
    multi.hincrby(meta, 'processed', results.length);
    for (const part of ['results', 'refused'] as const) multi.expire(this.key(uploadId, part), TTL_SECONDS);
    await multi.exec();
  }

  async finish(uploadId: string, rowsPerSecond: number): Promise<void> {
    await this.redis.hset(this.key(uploadId, 'meta'), {
      status: 'done',
      finishedAt: new Date().toISOString(),
      rowsPerSecond: rowsPerSecond.toFixed(1),
    });
  }

  async get(uploadId: string): Promise<UploadRecord | null> {
    const fields = await this.redis.hgetall(this.key(uploadId, 'meta'));
    if (!fields.organisationId) return null;
    return {
      uploadId,
      organisationId: fields.organisationId,
      campaignId: fields.campaignId!,
      status: fields.status === 'done' ? 'done' : 'running',
      total: Number(fields.total),
      processed: Number(fields.processed),
      counts: Object.fromEntries(RESULT_KINDS.map((kind) => [kind, Number(fields[kind] ?? 0)])) as Record<
        ResultKind,
        number
      >,
      startedAt: fields.startedAt!,
      ...(fields.finishedAt && { finishedAt: fields.finishedAt }),
      ...(fields.rowsPerSecond && { rowsPerSecond: Number(fields.rowsPerSecond) }),
    };
  }

  /** Every row's result so far, in the file's order. */
  async results(uploadId: string, part: 'results' | 'refused' = 'results'): Promise<RowResult[]> {
    const all = await this.redis.hvals(this.key(uploadId, part));
    return all.map((json) => JSON.parse(json) as RowResult).sort((a, b) => a.line - b.line);
  }

  private key(uploadId: string, part: 'meta' | 'results' | 'refused'): string {
    // The upload's own hash tag: its three keys in one cluster slot.
    return `${this.namespace ? `${this.namespace}:` : ''}khiw:{organisation-upload:${uploadId}}:${part}`;
  }
}
