import { readFileSync } from 'node:fs';

/**
 * Where the CPU goes (Linux /proc): from now until the returned function is called, CPU time
 * of each named process and of the whole machine (neighbours included), per look-up, in µs.
 */
export function cpuMeter(pids: Record<string, number | undefined>): (lookups: number) => string {
  const ticksPerMs = 100 / 1000; // USER_HZ
  const processCpu = (pid: number | undefined) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticksPerMs;
    } catch {
      return NaN;
    }
  };
  const machine = () => {
    try {
      const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
      const values = ticks.map(Number);
      const idle = values[3]! + values[4]!;
      return { busy: values.reduce((a, b) => a + b, 0) - idle, idle };
    } catch {
      return { busy: NaN, idle: NaN };
    }
  };
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpu(pid)]));
  const machineBefore = machine();
  return (lookups) => {
    const perLookup = (ms: number) => Math.round((ms * 1000) / Math.max(1, lookups));
    const parts = Object.entries(pids).map(
      ([name, pid]) => `${name} ${perLookup(processCpu(pid) - before[name]!)} µs`,
    );
    const now = machine();
    const busy = now.busy - machineBefore.busy;
    const idle = now.idle - machineBefore.idle;
    parts.push(
      `whole machine ${perLookup(busy / ticksPerMs)} µs (${Math.round((100 * busy) / (busy + idle))}% busy)`,
    );
    return parts.join(', ');
  };
}
