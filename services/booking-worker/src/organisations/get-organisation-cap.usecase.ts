import type { OrganisationCapState } from '@khiw/contracts';
import { KhiwError } from '@khiw/errors';
import type { OrganisationCapStore } from './organisation-cap-store';

/**
 * An organisation's cap in a campaign and whom it has counted (its live bookings and waiting
 * standby places), for the gateway to rebuild its Redis copy after a restart. NOT_FOUND when
 * ops set no cap (the organisation may not upload).
 */
export class GetOrganisationCap {
  constructor(private readonly store: OrganisationCapStore) {}

  async execute(campaignId: string, organisationId: string): Promise<OrganisationCapState> {
    const row = await this.store.find(campaignId, organisationId);
    if (!row) throw new KhiwError('NOT_FOUND', `no cap for ${organisationId} in ${campaignId}`);
    return { ...row, citizenIds: await this.store.counted(campaignId, organisationId) };
  }
}
