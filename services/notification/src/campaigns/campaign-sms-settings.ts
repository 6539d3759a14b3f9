import { z } from 'zod';
import { campaignKey, type Redis } from '@khiw/redis';
import type { Logger } from '@khiw/observability';

export interface CampaignSmsSettings {
  /** Hours before the appointment the reminder goes; 0 means no reminder. */
  reminderHoursBefore: number;
  language: 'th' | 'en';
}

// The part of the campaign snapshot (published by the booking worker) this service reads.
const Snapshot = z.object({
  sms: z
    .object({
      reminderHoursBefore: z.number().int().min(0).optional(),
      language: z.enum(['th', 'en']).optional(),
    })
    .partial()
    .optional(),
});

/**
 * A campaign's SMS settings from its Redis snapshot, cached for a short while: read once per
 * batch of events, not once per message. A campaign without a snapshot gets the defaults.
 */
export class CampaignSmsSettingsSource {
  private readonly cache = new Map<string, { at: number; settings: CampaignSmsSettings }>();

  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    private readonly defaults: CampaignSmsSettings,
    private readonly logger: Logger,
    private readonly ttlMs = 30_000,
  ) {}

  async get(campaignId: string): Promise<CampaignSmsSettings> {
    const cached = this.cache.get(campaignId);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.settings;
    const raw = await this.redis.get(campaignKey(this.namespace, campaignId, 'info'));
    let settings = this.defaults;
    if (raw) {
      const parsed = Snapshot.safeParse(JSON.parse(raw));
      if (parsed.success) settings = { ...this.defaults, ...stripUndefined(parsed.data.sms ?? {}) };
      else this.logger.warn({ campaignId }, 'campaign snapshot sms settings unreadable; using defaults');
    }
    this.cache.set(campaignId, { at: Date.now(), settings });
    return settings;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
