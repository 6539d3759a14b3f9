/**
 * Smoke mode of every benchmark (`--smoke` on the command line, or BENCH_SMOKE=1): the bench's
 * own sizes shrunk to a few hundred requests, bookings or SMS, one round, seconds instead of
 * minutes. `./khiw test` runs each bench this way (test/benchmarks-smoke.int.test.ts), so a
 * bench that no longer starts or no longer measures fails the suite instead of rotting. Its
 * figures prove the bench works, not how fast anything is: docs/benchmarks.md quotes full runs.
 */
export const SMOKE = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';

/** `full` in a normal run, `smoke` in smoke mode (an explicit option still wins over both). */
export function sized<T>(full: T, smoke: T): T {
  return SMOKE ? smoke : full;
}
