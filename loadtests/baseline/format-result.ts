import type { BaselineResult } from './run-baseline';

/** The result as aligned "name  value" lines, for a terminal. */
export function formatResult(r: BaselineResult): string {
  const rows: [string, string][] = [
    ['people', String(r.people)],
    ['booked (201)', String(r.booked)],
    ['booked rows in the database', String(r.bookedInDb)],
    ['booked without being told', String(r.bookedUnaware)],
    ['full (409 FULL)', String(r.full)],
    ['already booked (409)', String(r.alreadyBooked)],
    ['errors 5xx', String(r.errors5xx)],
    ['errors other 4xx', String(r.errors4xx)],
    ['timeouts', String(r.timeouts)],
    ['network errors', String(r.networkErrors)],
    ['unfinished at the deadline', String(r.unfinished)],
    ['other answers', JSON.stringify(r.otherAnswers)],
    ['requests sent (retries included)', String(r.attempts)],
    ['latency of the final attempt p50/p95/p99', `${r.latency.p50} / ${r.latency.p95} / ${r.latency.p99} ms`],
    ['last dose gone at', r.lastDoseGoneAtMs === null ? 'never' : `${r.lastDoseGoneAtMs} ms`],
    [
      'overbooking slots/groups/total',
      `${r.overbooking.slots} / ${r.overbooking.groups} / ${r.overbooking.total} (counters ${Object.values(r.overbooking.byCounters).join('/')}, rows ${Object.values(r.overbooking.byRows).join('/')})`,
    ],
    ['server CPU', `${r.serverCpuSeconds} s`],
    ['PostgreSQL CPU', `${r.postgresCpuSeconds} s`],
    ['load client CPU', `${r.clientCpuSeconds} s`],
    ['machine busy', `${Math.round(r.machineBusy * 100)} %`],
    ['duration', `${r.durationMs} ms`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
