import { readFileSync } from 'node:fs';
import path from 'node:path';
import { campaignKey, type Redis } from '@khiw/redis';

/** Return codes of lua/claim-place-2.lua. */
export enum ClaimCode {
  Counted = 1,
  AlreadyCounted = 2,
  CapReached = 3,
  NotRegistered = 4,
}

export interface OrganisationSettings {
  organisationId: string;
  campaignId: string;
  name: string;
  cap: number;
  /** People counted against the cap: booked or on standby through this organisation's lists. */
  counted: number;
}

type CapsRedis = Redis & { orgClaimPlace(...args: (string | number)[]): Promise<number> };
const loaded = new WeakSet<Redis>();

/**
 * An organisation's cap in a campaign (set by ops) and the people counted against it, in
 * Redis beside the campaign's other keys: the gateway holds no database connection, and the
 * cap must be checked and the person counted in one step (a Lua script) whatever the number
 * of uploads at once. The count is a set of citizen hashes, so a re-upload counts nobody
 * twice; a person the engine refuses is taken out again. Ops changes are in the audit log.
 */
export class OrganisationCaps {
  private readonly redis: CapsRedis;

  constructor(
    redis: Redis,
    private readonly namespace: string,
  ) {
    if (!loaded.has(redis)) {
      const lua = readFileSync(path.join(__dirname, 'lua', 'claim-place-2.lua'), 'utf8');
      redis.defineCommand('orgClaimPlace', { numberOfKeys: 2, lua });
      loaded.add(redis);
    }
    this.redis = redis as CapsRedis;
  }

  async set(
    campaignId: string,
    organisationId: string,
    name: string,
    cap: number,
  ): Promise<OrganisationSettings> {
    const [settings, people] = this.keys(campaignId, organisationId);
    const [, [, counted] = [null, 0]] =
      (await this.redis.multi().hset(settings, { name, cap }).scard(people).exec()) ?? [];
    return { organisationId, campaignId, name, cap, counted: Number(counted) };
  }

  /** null: ops set no cap for this organisation in this campaign (it may not upload). */
  async get(campaignId: string, organisationId: string): Promise<OrganisationSettings | null> {
    const [settings, people] = this.keys(campaignId, organisationId);
    const [[, fields] = [null, {}], [, counted] = [null, 0]] =
      (await this.redis.multi().hgetall(settings).scard(people).exec()) ?? [];
    const { name, cap } = fields as Record<string, string>;
    if (cap === undefined) return null;
    return { organisationId, campaignId, name: name ?? '', cap: Number(cap), counted: Number(counted) };
  }

  async claim(campaignId: string, organisationId: string, personHash: string): Promise<ClaimCode> {
    return Number(await this.redis.orgClaimPlace(...this.keys(campaignId, organisationId), personHash));
  }

  /** The engine refused the person: their place under the cap goes to the next. */
  async release(campaignId: string, organisationId: string, personHash: string): Promise<void> {
    await this.redis.srem(this.keys(campaignId, organisationId)[1], personHash);
  }

  private keys(campaignId: string, organisationId: string): [string, string] {
    const base = campaignKey(this.namespace, campaignId, `organisation:${organisationId}`);
    return [base, `${base}:people`];
  }
}
