/** CPU seconds of every part of the replay, by role, from /proc (see ProcessCpu). */
import { isOurPostgres, ProcessCpu } from '../booking-bench/cpu-monitor';

export const ROLES = [
  'gateway',
  'booking-worker',
  'notification',
  'roster',
  'haproxy',
  'redis',
  'postgres',
  'kafka',
  'kannel',
  'generator',
  'replay',
  'other',
] as const;
export type Role = (typeof ROLES)[number];

/** `pids()` is asked again for every new process, so replicas started later still count. */
export function replayCpu(database: string, pids: () => Record<string, number[]>): ProcessCpu<Role> {
  return new ProcessCpu<Role>((pid, comm, cmdline) => {
    for (const [role, list] of Object.entries(pids())) if (list.includes(pid)) return role as Role;
    if (pid === process.pid) return 'replay';
    if (comm.startsWith('redis-server')) return 'redis';
    const postgres = isOurPostgres(comm, cmdline, database);
    if (postgres !== undefined) return postgres ? 'postgres' : 'other';
    if (comm === 'java' && cmdline.includes('kafka')) return 'kafka';
    if (['bearerbox', 'smsbox', 'fakesmsc'].includes(comm)) return 'kannel';
    return 'other';
  }, ROLES);
}

export function cpuTable(used: Record<Role, number>, seconds: number, bookings: number): string {
  const rows = ROLES.filter((r) => used[r] > 0).map(
    (r) =>
      `| ${r} | ${used[r].toFixed(1)} | ${(used[r] / seconds).toFixed(2)} | ${bookings ? ((used[r] * 1000) / bookings).toFixed(2) : '-'} |`,
  );
  const ours = ROLES.filter((r) => r !== 'other').reduce((sum, r) => sum + used[r], 0);
  return [
    '| process | CPU s | cores | CPU ms per booking |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    `| all but "other" | ${ours.toFixed(1)} | ${(ours / seconds).toFixed(2)} | ${bookings ? ((ours * 1000) / bookings).toFixed(2) : '-'} |`,
  ].join('\n');
}
