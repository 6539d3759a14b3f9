/**
 * CPU by process for the benches and the replay, from /proc (what `top` shows, summed over
 * the measured interval).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux
export type CpuKind = 'workers' | 'postgres' | 'pgbench' | 'redis' | 'bench' | 'other';
export interface CpuFigures {
  seconds: number;
  /** CPU seconds used by each kind of process over the interval. */
  used: Record<CpuKind, number>;
  /** The whole machine's busy share (all processes, everyone's), 0..1. */
  machineBusy: number;
}

/**
 * CPU seconds by kind of process over an interval, sampled every 250 ms from /proc so that
 * processes ending meanwhile still count. `classify` names a process's kind once, from its
 * pid, comm and command line; the kinds are fixed up front.
 */
export class ProcessCpu<K extends string> {
  private readonly base = new Map<number, number>();
  private readonly last = new Map<number, { kind: K; ticks: number }>();
  private readonly kinds = new Map<number, K>();
  private readonly timer: NodeJS.Timeout;
  private readonly started = Date.now();
  private readonly machineStart = machineTicks();

  constructor(
    private readonly classify: (pid: number, comm: string, cmdline: string) => K,
    private readonly allKinds: readonly K[],
  ) {
    for (const [pid, ticks] of processTicks()) this.base.set(pid, ticks);
    this.timer = setInterval(() => this.sample(), 250);
  }

  private sample(): void {
    for (const [pid, ticks] of processTicks()) {
      if (!this.base.has(pid)) this.base.set(pid, 0); // started after the monitor did
      this.last.set(pid, { kind: this.kindOf(pid), ticks });
    }
  }

  private kindOf(pid: number): K {
    let kind = this.kinds.get(pid);
    if (kind) return kind;
    let comm = '';
    let cmdline = '';
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      // gone
    }
    kind = this.classify(pid, comm, cmdline);
    this.kinds.set(pid, kind);
    return kind;
  }

  stop(): { seconds: number; used: Record<K, number>; machineBusy: number } {
    this.sample();
    clearInterval(this.timer);
    const used = Object.fromEntries(this.allKinds.map((k) => [k, 0])) as Record<K, number>;
    for (const [pid, { kind, ticks }] of this.last) {
      const delta = ticks - (this.base.get(pid) ?? 0);
      if (delta > 0) used[kind] += delta / TICKS;
    }
    const end = machineTicks();
    return {
      seconds: (Date.now() - this.started) / 1000,
      used,
      machineBusy: (end.busy - this.machineStart.busy) / (end.total - this.machineStart.total),
    };
  }
}

/** A PostgreSQL process: a backend of another database than `database` is someone else's work. */
export function isOurPostgres(comm: string, cmdline: string, database: string): boolean | undefined {
  if (comm !== 'postgres' && !cmdline.startsWith('postgres')) return undefined;
  // A backend's title is "postgres: [<cluster>: ]<user> <database> <client> <state>": the
  // server's own processes (WAL writer, checkpointer, ...) count as ours.
  const backend = /^postgres: (?:\S+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])/.exec(cmdline);
  return !backend || backend[1] === database;
}

/** The booking bench's kinds: its workers, PostgreSQL, pgbench, Redis, the bench itself. */
export class CpuMonitor extends ProcessCpu<CpuKind> {
  /** `benchDatabase`: PostgreSQL backends of any other database count as "other". */
  constructor(benchDatabase: string, workerPids: number[]) {
    super(
      (pid, comm, cmdline) => {
        if (workerPids.includes(pid)) return 'workers';
        if (pid === process.pid) return 'bench';
        if (comm === 'pgbench') return 'pgbench';
        if (comm.startsWith('redis')) return 'redis';
        const postgres = isOurPostgres(comm, cmdline, benchDatabase);
        if (postgres !== undefined) return postgres ? 'postgres' : 'other';
        return 'other';
      },
      ['workers', 'postgres', 'pgbench', 'redis', 'bench', 'other'],
    );
  }
}

function processTicks(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), Number(fields[11]) + Number(fields[12])); // utime + stime
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - (cpu[3] ?? 0) - (cpu[4] ?? 0), total };
}

/** "workers 0.41 cores (0.62 ms/booking), ..." for the kinds that used anything. */
export function cpuLine(cpu: CpuFigures, bookings: number, kinds: CpuKind[]): string {
  const parts = kinds.map(
    (k) =>
      `${k} ${(cpu.used[k] / cpu.seconds).toFixed(2)} (${((cpu.used[k] * 1000) / bookings).toFixed(2)} ms/booking)`,
  );
  const ours = kinds.reduce((sum, k) => sum + cpu.used[k], 0);
  return `${parts.join(', ')}; total ${((ours * 1000) / bookings).toFixed(2)} ms CPU per booking; others on the machine ${(cpu.used.other / cpu.seconds).toFixed(2)} cores; machine ${(cpu.machineBusy * 100).toFixed(0)} % busy`;
}
export const cpuPerBooking = (cpu: CpuFigures, bookings: number, kinds: CpuKind[]) =>
  (kinds.reduce((sum, k) => sum + cpu.used[k], 0) * 1000) / bookings;
export const KHIW_KINDS: CpuKind[] = ['workers', 'postgres', 'redis', 'bench'];
export const PGBENCH_KINDS: CpuKind[] = ['postgres', 'pgbench'];
