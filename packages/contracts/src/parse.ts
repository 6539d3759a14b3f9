import type { z } from 'zod';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Parses a raw message (Kafka value, job payload) against a contract. Never throws: a
 * malformed message is a dead letter with a reason, not a crashed consumer.
 */
export function parseMessage<S extends z.ZodType>(
  schema: S,
  raw: Buffer | string | null | undefined | object,
): Parsed<z.infer<S>> {
  let data: unknown = raw;
  if (raw === null || raw === undefined) return { ok: false, reason: 'empty message' };
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
    try {
      data = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      return { ok: false, reason: `not JSON: ${(error as Error).message}` };
    }
  }
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data };
  const reason = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, reason };
}
