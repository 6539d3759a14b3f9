import { CampaignSnapshot, parseMessage, type Language } from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import { campaignKey, type Redis } from '@khiw/redis';

export interface CampaignSmsSettings {
  /** Hours before the appointment the reminder goes; 0 means no reminder. */
  reminderHoursBefore: number;
  /** The campaign's language, for a booking that does not carry its own. */
  language: Language;
}

/**
 * A campaign's SMS settings from its Redis snapshot, cached for a short while: read once per
 * batch of events, not once per message. A campaign without a snapshot, or with one that is
 * not a CampaignSnapshot, gets the defaults.
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
      const parsed = parseMessage(CampaignSnapshot, raw);
      if (parsed.ok) {
        const { sms } = parsed.value;
        settings = {
          reminderHoursBefore: sms.reminderHoursBefore ?? this.defaults.reminderHoursBefore,
          language: sms.language ?? this.defaults.language,
        };
      } else {
        this.logger.warn(
          { campaignId, reason: parsed.reason },
          'campaign snapshot unreadable; using defaults',
        );
      }
    }
    this.cache.set(campaignId, { at: Date.now(), settings });
    return settings;
  }
}
