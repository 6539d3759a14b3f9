import type { Queue } from 'bullmq';
import { createLogger } from '@khiw/observability';
import type { BookingWorkerClient } from '../http/booking-worker-client';
import { PROBLEM_MESSAGES } from '../http/problem-messages';
import { BookingRequestStatus } from './booking-request-status.usecase';

const requestId = 'samut-sakhon-sinopharm-2021-07.abcdefghijklmnopqrstuv';
const outcome = {
  status: 'confirmed',
  booking: {
    bookingId: '6f1c2a7e-3d4b-4c5d-8e9f-0a1b2c3d4e5f',
    reference: 'ABCD2345',
    status: 'confirmed',
    groupCode: 'elderly70',
    siteId: 'SKH',
    siteName: { th: 'โรงพยาบาลสมุทรสาคร', en: 'Samut Sakhon Hospital' },
    slotId: 'SKH-20210802-0900',
    startsAt: '2021-08-02T02:00:00.000Z',
  },
};

const statusOf = (queue: unknown) =>
  new BookingRequestStatus({
    queue: queue as Queue,
    worker: {} as BookingWorkerClient,
    logger: createLogger({ service: 'test', level: 'silent' }),
    pollAfterSeconds: 2,
  });

describe('BookingRequestStatus', () => {
  it('reads a job again when it completed between reading it and reading its state', async () => {
    // First read: the job hash before completion (no return value); its state, read next,
    // is already completed; the second read has the outcome.
    const reads = [
      { id: requestId, returnvalue: null, getState: async () => 'completed' },
      { id: requestId, returnvalue: outcome, getState: async () => 'completed' },
    ];
    const status = statusOf({ getJob: async () => reads.shift() });
    expect(await status.execute({ requestId })).toEqual({ status: 'confirmed', booking: outcome.booking });
  });

  it('says whether a rejection can be corrected, in the words of the rejection', async () => {
    const rejectedWith = (reason: string) =>
      statusOf({
        getJob: async () => ({
          id: requestId,
          returnvalue: { status: 'rejected', reason },
          getState: async () => 'completed',
        }),
      }).execute({ requestId });
    expect(await rejectedWith('SLOT_FULL')).toEqual({
      status: 'rejected',
      reason: 'SLOT_FULL',
      message: PROBLEM_MESSAGES.SLOT_FULL,
      retryable: true,
    });
    expect(await rejectedWith('ALREADY_BOOKED')).toMatchObject({
      reason: 'ALREADY_BOOKED',
      retryable: false,
    });
    // A job the worker gave up on: the same person may simply try again.
    const failed = statusOf({ getJob: async () => ({ id: requestId, getState: async () => 'failed' }) });
    expect(await failed.execute({ requestId })).toMatchObject({
      reason: 'PROCESSING_FAILED',
      retryable: true,
    });
  });
});
