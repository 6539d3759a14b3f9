/**
 * CPU by process for loadtests/booking.bench.ts, from /proc (what `top` shows, summed over the
 * measured interval). Sampled every 250 ms so that processes ending meanwhile (pgbench's
 * backends) still count.
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

export class CpuMonitor {
  private readonly base = new Map<number, number>();
  private readonly last = new Map<number, { kind: CpuKind; ticks: number }>();
  private readonly kinds = new Map<number, CpuKind>();
  private readonly timer: NodeJS.Timeout;
  private readonly started = Date.now();
  private readonly machineStart = machineTicks();

  /** `benchDatabase`: PostgreSQL backends of any other database count as "other". */
  constructor(
    private readonly benchDatabase: string,
    private readonly workerPids: number[],
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

  private kindOf(pid: number): CpuKind {
    let kind = this.kinds.get(pid);
    if (kind) return kind;
    if (this.workerPids.includes(pid)) kind = 'workers';
    else if (pid === process.pid) kind = 'bench';
    else {
      let comm = '';
      let cmdline = '';
      try {
        comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        // gone
      }
      if (comm === 'pgbench') kind = 'pgbench';
      else if (comm.startsWith('redis')) kind = 'redis';
      else if (comm === 'postgres' || cmdline.startsWith('postgres')) {
        // A backend's title is "postgres: [<cluster>: ]<user> <database> <client> <state>":
        // another database is someone else's work; the server's own processes (WAL writer,
        // checkpointer, ...) count as ours.
        const backend = /^postgres: (?:\S+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])/.exec(cmdline);
        kind = backend && backend[1] !== this.benchDatabase ? 'other' : 'postgres';
      } else kind = 'other';
    }
    this.kinds.set(pid, kind);
    return kind;
  }

  stop(): CpuFigures {
    this.sample();
    clearInterval(this.timer);
    const used: Record<CpuKind, number> = {
      workers: 0,
      postgres: 0,
      pgbench: 0,
      redis: 0,
      bench: 0,
      other: 0,
    };
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
