import { CampaignSnapshot, SiteSlots } from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import { campaignKey, type Redis } from '@khiw/redis';
import { SnapshotReader } from '../campaigns/snapshot-reader';
import type { FieldErrors } from '../http/field-errors';
import { FIELD_MESSAGES } from '../http/problem-messages';

export interface Choice {
  groupCode?: string;
  siteId?: string;
  slotId?: string;
}

export interface ChoiceCheck {
  fields: FieldErrors;
  /** The chosen slot's start (ISO), when it is a slot of the chosen site. */
  startsAt?: string;
}

/** Slot ids read `SITE-YYYYMMDD-HHMM` (contracts `slotId`): the site is the part before. */
const SLOT_SITE = /^(.+)-\d{8}-\d{4}$/;

/**
 * The campaign as the booking worker publishes it in Redis: the snapshot (groups, sites)
 * and, per site, its slots. The gateway checks a resident's choice against it so a typo
 * is a field error at once, not a rejection after the queue. Cached for a moment per
 * process: during a surge every submit would otherwise fetch the same JSON. Both are read
 * through their contracts schemas; one that breaks its contract is TEMPORARILY_UNAVAILABLE.
 */
export class CampaignCatalog {
  private readonly cache = new Map<string, { value: unknown; expiresAt: number }>();
  private readonly snapshots: SnapshotReader<typeof CampaignSnapshot>;
  private readonly slots: SnapshotReader<typeof SiteSlots>;

  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    logger: Logger,
    private readonly cacheMs = 2000,
  ) {
    this.snapshots = new SnapshotReader(CampaignSnapshot, 'campaign snapshot', logger);
    this.slots = new SnapshotReader(SiteSlots, 'site slots', logger);
  }

  /** The campaign's snapshot; null when no campaign has that id. */
  async snapshot(campaignId: string): Promise<CampaignSnapshot | null> {
    return this.cached(`info:${campaignId}`, async () => {
      const json = await this.redis.get(campaignKey(this.namespace, campaignId, 'info'));
      return this.snapshots.read(campaignId, json);
    });
  }

  /** The raw JSON the worker published for one site (served as is to the booking page). */
  async siteSlotsJson(campaignId: string, siteId: string): Promise<string | null> {
    return this.redis.hget(campaignKey(this.namespace, campaignId, 'slots'), siteId);
  }

  async siteSlots(campaignId: string, siteId: string): Promise<SiteSlots | null> {
    return this.cached(`slots:${campaignId}:${siteId}`, async () => {
      return this.slots.read(`${campaignId}:${siteId}`, await this.siteSlotsJson(campaignId, siteId));
    });
  }

  /**
   * Field errors for the group, site and slot chosen (empty when they all exist and fit) and,
   * when the slot is the campaign's at the chosen site, its start: the day the age counts on.
   */
  async checkChoice(campaignId: string, choice: Choice, snapshot: CampaignSnapshot): Promise<ChoiceCheck> {
    const fields: FieldErrors = {};
    const { groupCode, siteId, slotId } = choice;
    if (groupCode !== undefined && !snapshot.groups.some((g) => g.code === groupCode)) {
      fields.groupCode = FIELD_MESSAGES.unknownGroup;
    }
    const siteKnown = siteId !== undefined && snapshot.sites.some((s) => s.id === siteId);
    if (siteId !== undefined && !siteKnown) fields.siteId = FIELD_MESSAGES.unknownSite;
    if (slotId === undefined) return { fields };

    const here = siteKnown ? await this.siteSlots(campaignId, siteId) : null;
    const slot = here?.slots.find((s) => s.id === slotId);
    if (slot) return { fields, startsAt: slot.startsAt };
    // Not at the chosen site: is it a slot of this campaign somewhere else?
    const otherSite = SLOT_SITE.exec(slotId)?.[1];
    if (otherSite && otherSite !== siteId && snapshot.sites.some((s) => s.id === otherSite)) {
      const there = await this.siteSlots(campaignId, otherSite);
      if (there?.slots.some((s) => s.id === slotId)) {
        fields.slotId = FIELD_MESSAGES.slotAtOtherSite;
        return { fields };
      }
    }
    if (siteKnown || siteId === undefined) fields.slotId = FIELD_MESSAGES.unknownSlot;
    return { fields };
  }

  private async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now) return hit.value as T;
    const value = await load();
    if (this.cacheMs > 0 && value !== null) this.cache.set(key, { value, expiresAt: now + this.cacheMs });
    if (this.cache.size > 10_000) this.cache.clear();
    return value;
  }
}
