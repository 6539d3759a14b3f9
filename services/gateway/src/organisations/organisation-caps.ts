import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OrganisationCapState } from '@khiw/contracts';
import { KhiwError } from '@khiw/errors';
import { campaignKey, type Redis } from '@khiw/redis';
import { citizenHash } from '../bookings/citizen-hash';
import { unavailable, type BookingWorkerClient } from '../http/booking-worker-client';

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
 * An organisation's cap in a campaign (set by ops) and the people counted against it. The
 * cap is checked and the person counted in one step in Redis (a Lua script), whatever the
 * number of uploads at once; the count is a set of citizen hashes, so a re-upload counts
 * nobody twice, and a person the engine refuses is taken out again. Redis runs without
 * persistence, so the cap is also kept by the booking worker (booking.organisation_caps),
 * and when Redis has lost it (a restart) the copy is rebuilt from there: the cap, and the
 * organisation's live bookings and standby places as the people counted. Ops changes are in
 * the audit log.
 */
export class OrganisationCaps {
  private readonly redis: CapsRedis;

  constructor(
    redis: Redis,
    private readonly deps: { namespace: string; worker: BookingWorkerClient; secret: string },
  ) {
    if (!loaded.has(redis)) {
      const lua = readFileSync(path.join(__dirname, 'lua', 'claim-place-2.lua'), 'utf8');
      redis.defineCommand('orgClaimPlace', { numberOfKeys: 2, lua });
      loaded.add(redis);
    }
    this.redis = redis as CapsRedis;
  }

  /** Ops set the cap: the worker's row first (what survives), then the Redis copy. */
  async set(
    campaignId: string,
    organisationId: string,
    name: string,
    cap: number,
  ): Promise<OrganisationSettings> {
    const answer = await this.deps.worker.call('PUT', this.workerPath(campaignId, organisationId), {
      name,
      cap,
    });
    if (answer.status === 404) throw new KhiwError('CAMPAIGN_NOT_FOUND', `no campaign ${campaignId}`);
    if (answer.status !== 200)
      throw unavailable(`PUT organisation cap answered ${answer.status}`, answer.body);
    await this.rebuild(campaignId, organisationId);
    const [settings, people] = this.keys(campaignId, organisationId);
    const [, [, counted] = [null, 0]] =
      (await this.redis.multi().hset(settings, { name, cap }).scard(people).exec()) ?? [];
    return { organisationId, campaignId, name, cap, counted: Number(counted) };
  }

  /** null: ops set no cap for this organisation in this campaign (it may not upload). */
  async get(campaignId: string, organisationId: string): Promise<OrganisationSettings | null> {
    const read = async () => {
      const [settings, people] = this.keys(campaignId, organisationId);
      const [[, fields] = [null, {}], [, counted] = [null, 0]] =
        (await this.redis.multi().hgetall(settings).scard(people).exec()) ?? [];
      const { name, cap } = fields as Record<string, string>;
      if (cap === undefined) return null;
      return { organisationId, campaignId, name: name ?? '', cap: Number(cap), counted: Number(counted) };
    };
    return (await read()) ?? ((await this.rebuild(campaignId, organisationId)) ? read() : null);
  }

  async claim(campaignId: string, organisationId: string, personHash: string): Promise<ClaimCode> {
    const keys = this.keys(campaignId, organisationId);
    const code = Number(await this.redis.orgClaimPlace(...keys, personHash));
    if (code !== ClaimCode.NotRegistered || !(await this.rebuild(campaignId, organisationId))) return code;
    return Number(await this.redis.orgClaimPlace(...keys, personHash));
  }

  /** The engine refused the person: their place under the cap goes to the next. */
  async release(campaignId: string, organisationId: string, personHash: string): Promise<void> {
    await this.redis.srem(this.keys(campaignId, organisationId)[1], personHash);
  }

  /**
   * The Redis copy from the worker's, when Redis has no cap for the organisation (a restart,
   * or ops just set it): the cap, and every person it holds a place for. false: no cap there
   * either. Two rebuilds at once write the same values.
   */
  private async rebuild(campaignId: string, organisationId: string): Promise<boolean> {
    const [settings, people] = this.keys(campaignId, organisationId);
    if (await this.redis.hexists(settings, 'cap')) return true;
    const answer = await this.deps.worker.call('GET', this.workerPath(campaignId, organisationId));
    if (answer.status === 404) return false;
    const state = answer.status === 200 ? OrganisationCapState.safeParse(answer.body) : undefined;
    if (!state?.success) throw unavailable(`GET organisation cap answered ${answer.status}`, answer.body);
    const hashes = state.data.citizenIds.map((id) => citizenHash(this.deps.secret, id));
    const write = this.redis.multi();
    for (let i = 0; i < hashes.length; i += 1000) write.sadd(people, ...hashes.slice(i, i + 1000));
    // The cap last: a claim sees it only once the people it counted are back.
    await write.hset(settings, { name: state.data.name, cap: state.data.cap }).exec();
    return true;
  }

  private workerPath(campaignId: string, organisationId: string): string {
    return `/internal/campaigns/${encodeURIComponent(campaignId)}/organisations/${encodeURIComponent(organisationId)}`;
  }

  private keys(campaignId: string, organisationId: string): [string, string] {
    const base = campaignKey(this.deps.namespace, campaignId, `organisation:${organisationId}`);
    return [base, `${base}:people`];
  }
}
