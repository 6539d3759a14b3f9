import { describe, expect, it } from '@jest/globals';
import { KhiwError } from '@khiw/errors';
import type { Redis } from '@khiw/redis';
import { GetOpsOverview, type GetOpsOverviewDeps } from './get-ops-overview.usecase';

describe('GetOpsOverview', () => {
  it('answers TEMPORARILY_UNAVAILABLE (503, Retry-After) when this gateway cannot reach Redis', async () => {
    const untouched = new Proxy({}, { get: () => () => Promise.reject(new Error('must not be called')) });
    const overview = new GetOpsOverview({
      redis: { ping: () => Promise.reject(new Error('Connection is closed.')) } as unknown as Redis,
      stats: untouched,
      catalog: untouched,
      sampler: untouched,
      audit: untouched,
      pollAfterMs: 1000,
    } as unknown as GetOpsOverviewDeps);
    const failure = await overview.execute({ campaignId: 'c1' }).catch((error: unknown) => error);
    expect(KhiwError.is(failure, 'TEMPORARILY_UNAVAILABLE')).toBe(true);
  });
});
