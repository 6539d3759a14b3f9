import { describe, expect, it } from '@jest/globals';
import { isSentSmsJob, sentSmsJob } from './sent-sms-job';

describe('sentSmsJob', () => {
  it('keeps which message it was and drops the phone and the text', () => {
    const job = {
      schemaVersion: 1,
      smsId: '0b6f8f2e-9a39-4c55-9d0f-7c1d1b6f9a01',
      bookingId: '5b9e4f6a-7d3c-4e21-8b8a-2f0c9d1e3a44',
      campaignId: 'demo',
      kind: 'confirmation',
      phone: '+66812345678',
      text: 'นัดฉีดวัคซีน 2 ส.ค. 09:00 SKH รหัส AB234567',
      causedAt: '2026-12-02T16:00:00.000Z',
    };
    const stripped = sentSmsJob(job, new Date('2026-12-02T16:00:05.000Z'));
    expect(stripped).toEqual({
      schemaVersion: 1,
      smsId: job.smsId,
      bookingId: job.bookingId,
      campaignId: 'demo',
      kind: 'confirmation',
      causedAt: job.causedAt,
      personRemovedAt: '2026-12-02T16:00:05.000Z',
    });
    expect(isSentSmsJob(stripped)).toBe(true);
    expect(isSentSmsJob(job)).toBe(false);
  });
});
