/** The booking workers' own figures (their /metrics), summed over the processes of a bench run. */

export interface WorkerMetrics {
  /** Upper bound → cumulative count, summed over the workers. */
  buckets: Map<string, number>;
  batches: number;
  decided: number;
  outcomes: Map<string, number>;
}
/** The metrics of the workers listening on these ports, summed. */
export async function workerMetrics(ports: number[]): Promise<WorkerMetrics> {
  const sum: WorkerMetrics = { buckets: new Map(), batches: 0, decided: 0, outcomes: new Map() };
  for (const port of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const line of text.split('\n')) {
      const m = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
      if (!m) continue;
      const [, name, labelText = '', value] = m;
      const labels = Object.fromEntries([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
      const n = Number(value);
      if (name === 'khiw_booking_worker_batch_size_bucket')
        sum.buckets.set(labels.le!, (sum.buckets.get(labels.le!) ?? 0) + n);
      else if (name === 'khiw_booking_worker_batch_size_count') sum.batches += n;
      else if (name === 'khiw_booking_worker_batch_size_sum') sum.decided += n;
      else if (name === 'khiw_booking_worker_requests_total') {
        const key = labels.reason ? `${labels.status}:${labels.reason}` : labels.status!;
        sum.outcomes.set(key, (sum.outcomes.get(key) ?? 0) + n);
      }
    }
  }
  return sum;
}
export function metricsDelta(before: WorkerMetrics, after: WorkerMetrics): WorkerMetrics {
  const diff = (a: Map<string, number>, b: Map<string, number>) =>
    new Map([...a].map(([k, v]) => [k, v - (b.get(k) ?? 0)] as const).filter(([, v]) => v !== 0));
  return {
    buckets: new Map([...after.buckets].map(([k, v]) => [k, v - (before.buckets.get(k) ?? 0)])),
    batches: after.batches - before.batches,
    decided: after.decided - before.decided,
    outcomes: diff(after.outcomes, before.outcomes),
  };
}
export function histogramLine(m: WorkerMetrics): string {
  const parts: string[] = [];
  let previous = 0;
  let previousLe = '0';
  for (const [le, cumulative] of m.buckets) {
    const n = cumulative - previous;
    if (n > 0) parts.push(`${le === '+Inf' ? `>${previousLe}` : `≤${le}`}: ${n}`);
    previous = cumulative;
    previousLe = le;
  }
  return parts.join(', ');
}
