import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CampaignFile, slotId } from './campaign-file';

const samplePath = path.resolve(__dirname, '../../../campaigns/samut-sakhon-2021.json');
const sample = JSON.parse(readFileSync(samplePath, 'utf8'));

describe('CampaignFile', () => {
  it('accepts the Samut Sakhon sample campaign', () => {
    const campaign = CampaignFile.parse(sample);
    expect(campaign.totalDoses).toBe(30000);
    expect(campaign.groups.reduce((s, g) => s + g.quota, 0)).toBe(30000);
    expect(campaign.sites).toHaveLength(19);
  });

  it('names what is wrong', () => {
    const result = CampaignFile.safeParse({ ...sample, totalDoses: 100 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('group quotas add up to 30000, more than totalDoses 100');
  });

  it('makes readable slot ids', () => {
    expect(slotId('SKH', '2021-08-02', '09:00')).toBe('SKH-20210802-0900');
  });
});
