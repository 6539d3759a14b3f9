import type { Queue } from 'bullmq';
import { createLogger } from '@khiw/observability';
import type { BookingWorkerClient } from '../http/booking-worker-client';
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

describe('BookingRequestStatus', () => {
  it('reads a job again when it completed between reading it and reading its state', async () => {
    // First read: the job hash before completion (no return value); its state, read next,
    // is already completed; the second read has the outcome.
    const reads = [
      { id: requestId, returnvalue: null, getState: async () => 'completed' },
      { id: requestId, returnvalue: outcome, getState: async () => 'completed' },
    ];
    const queue = { getJob: async () => reads.shift() } as unknown as Queue;
    const status = new BookingRequestStatus({
      queue,
      worker: {} as BookingWorkerClient,
      logger: createLogger({ service: 'test', level: 'silent' }),
      pollAfterSeconds: 2,
    });
    expect(await status.execute(requestId)).toEqual({ status: 'confirmed', booking: outcome.booking });
  });
});
