import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ChannelHours } from '@khiw/contracts';
import { verificationKeyFromPem, type VerificationKey } from '../waiting-room/tokens/keyring';

/** The channels a partner books through: an app carries its users, a store books at a terminal. */
export const PARTNER_CHANNELS = ['app', 'store'] as const;
export type PartnerChannel = (typeof PARTNER_CHANNELS)[number];

const PartnerKey = z.union([
  /** An API key: only its SHA-256 is configured, so the configuration leaks no secret. */
  z.object({ kid: z.string().min(1).max(64), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  /** A public key (EC P-256 or RSA >= 2048) that verifies the partner's signed JWT assertions. */
  z.object({ kid: z.string().min(1).max(64), publicKeyPem: z.string().min(1) }),
]);

const PartnerEntry = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{2,60}$/),
  channel: z.enum(PARTNER_CHANNELS),
  /** The partner's own hours (Bangkok time), on top of the campaign's hours for its channel. */
  hours: ChannelHours.optional(),
  /** Its own limit of joins and bookings a minute, instead of PARTNER_REQUESTS_PER_MINUTE. */
  requestsPerMinute: z.number().int().min(0).optional(),
  /** Two at once while rotating: add the new key, move the clients, remove the old one. */
  keys: z.array(PartnerKey).min(1).max(4),
});
export const PartnerList = z
  .array(PartnerEntry)
  .refine((list) => new Set(list.map((p) => p.id)).size === list.length, {
    message: 'partner ids must be unique',
  });
export type PartnerEntry = z.infer<typeof PartnerEntry>;

export interface Partner {
  id: string;
  channel: PartnerChannel;
  hours?: ChannelHours;
  requestsPerMinute?: number;
  apiKeys: { kid: string; sha256: Buffer }[];
  publicKeys: VerificationKey[];
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The partners (issue 11): from `PARTNERS` (JSON) or `PARTNERS_FILE`. The file is read again
 * when it changes (looked at most once a second), so a key is rotated or a partner removed
 * without a restart; a file that no longer parses keeps the last good list (and says so).
 */
export class PartnerRegistry {
  private partners = new Map<string, Partner>();
  private fileStamp = '';
  private checkedAt = 0;

  constructor(
    private readonly source: { json?: string; file?: string },
    private readonly onReloadFailed: (error: Error) => void = () => {},
  ) {
    if (source.json) this.partners = toMap(PartnerList.parse(JSON.parse(source.json)));
    if (source.file) this.reload(true);
  }

  find(id: string): Partner | undefined {
    this.refresh();
    return this.partners.get(id);
  }

  get size(): number {
    return this.partners.size;
  }

  /** The partner whose API key this is, compared in constant time against every key's hash. */
  checkApiKey(partner: Partner, secret: string): boolean {
    const hash = createHash('sha256').update(secret).digest();
    let match = false;
    for (const key of partner.apiKeys) match = timingSafeEqual(hash, key.sha256) || match;
    return match;
  }

  private refresh(): void {
    if (!this.source.file || Date.now() - this.checkedAt < 1000) return;
    this.reload(false);
  }

  private reload(atStart: boolean): void {
    const file = this.source.file!;
    this.checkedAt = Date.now();
    try {
      const stat = statSync(file);
      const stamp = `${stat.mtimeMs}:${stat.size}`;
      if (stamp === this.fileStamp) return;
      const partners = toMap(PartnerList.parse(JSON.parse(readFileSync(file, 'utf8'))));
      const sourced = this.source.json ? toMap(PartnerList.parse(JSON.parse(this.source.json))) : new Map();
      this.partners = new Map([...sourced, ...partners]);
      this.fileStamp = stamp;
    } catch (error) {
      if (atStart) throw new Error(`PARTNERS_FILE ${file}: ${(error as Error).message}`, { cause: error });
      this.onReloadFailed(error as Error);
    }
  }
}

function toMap(list: PartnerEntry[]): Map<string, Partner> {
  return new Map(
    list.map((entry) => [
      entry.id,
      {
        id: entry.id,
        channel: entry.channel,
        ...(entry.hours && { hours: entry.hours }),
        ...(entry.requestsPerMinute !== undefined && { requestsPerMinute: entry.requestsPerMinute }),
        apiKeys: entry.keys.flatMap((k) =>
          'sha256' in k ? [{ kid: k.kid, sha256: Buffer.from(k.sha256, 'hex') }] : [],
        ),
        publicKeys: entry.keys.flatMap((k) =>
          'publicKeyPem' in k ? [verificationKeyFromPem(k.publicKeyPem, k.kid)] : [],
        ),
      },
    ]),
  );
}
