import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createPgPool } from '@khiw/db';
import { TEST_DATABASE_URL } from '../../../test/support/env';
import { ReservationStore } from '../src/bookings/reservation-store';

/**
 * Regression: a batch connection that died while checked out, between two statements (the
 * server restarting sends 57P01 and closes it), emitted 'error' on a pg client nobody listened
 * to, and the uncaught error killed the booking worker (seen in postgres-restart.int.test.ts).
 * Now the transaction fails with that error, the connection is discarded, the pool goes on.
 */
describe('ReservationStore when its connection dies mid-transaction', () => {
  const name = `reservation-lost-${randomBytes(3).toString('hex')}`;
  const pool = createPgPool(TEST_DATABASE_URL, { poolSize: 2, applicationName: name });
  const killer = createPgPool(TEST_DATABASE_URL, { poolSize: 1 });
  afterAll(async () => {
    await pool.end();
    await killer.end();
  });

  it('rejects the transaction instead of crashing, and the next one runs on a fresh connection', async () => {
    const store = new ReservationStore(pool);
    const failed = store.transaction(async () => {
      await killer.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [name],
      );
      // No statement in flight: the FATAL arrives as an 'error' event on the checked-out client.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return 'committed';
    });
    await expect(failed).rejects.toThrow();
    await expect(store.transaction(async () => 'ok')).resolves.toBe('ok');
  });
});
