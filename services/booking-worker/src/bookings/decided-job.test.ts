import { describe, expect, it } from '@jest/globals';
import { UnrecoverableError } from 'bullmq';
import { decidedBookingJob, isDecidedBookingJob, maskError } from './decided-job';

const REQUEST = {
  schemaVersion: 1,
  requestId: 'demo-1733150000019.AbCdEfGhIjKlMnOp',
  campaignId: 'demo-1733150000019',
  citizenId: '1103702071811',
  firstName: 'สมชาย',
  lastName: 'ใจดี',
  birthDate: '1950-03-15',
  phone: '+66812345678',
  groupCode: 'elderly70',
  siteId: 'SKH',
  slotId: 'SKH-20210802-0900',
  provinceCode: '74',
  channel: 'web',
  submittedAt: '2026-12-02T16:00:00.000Z',
};

describe('decidedBookingJob', () => {
  it('keeps where the request went and drops the person', () => {
    const now = new Date('2026-12-02T16:00:05.000Z');
    expect(decidedBookingJob(REQUEST, now)).toEqual({
      schemaVersion: 1,
      requestId: REQUEST.requestId,
      campaignId: REQUEST.campaignId,
      siteId: 'SKH',
      slotId: 'SKH-20210802-0900',
      channel: 'web',
      submittedAt: REQUEST.submittedAt,
      personRemovedAt: now.toISOString(),
    });
    expect(isDecidedBookingJob(decidedBookingJob(REQUEST))).toBe(true);
    expect(isDecidedBookingJob(REQUEST)).toBe(false);
  });

  it('keeps nothing personal from a job that broke the contract', () => {
    const stripped = decidedBookingJob({
      requestId: 'x 1103702071811',
      siteId: { phone: '0812345678' },
      citizen: 1,
    });
    expect(JSON.stringify(stripped)).not.toMatch(/1103702071811|0812345678/);
    expect(decidedBookingJob('1103702071811')).toEqual({ personRemovedAt: expect.any(String) });
  });
});

describe('maskError', () => {
  it('masks the message and stack BullMQ stores, keeping the error class', () => {
    const error = maskError(new UnrecoverableError('duplicate key (citizen_id)=(1103702071811)')) as Error;
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect(error.message).toBe('duplicate key (citizen_id)=(xxxxxxxxxx811)');
    expect(error.stack).not.toContain('1103702071811');
  });
});
