/**
 * One load-generator process of the replay (`fork`ed by loadtests/replay/index.ts): drives
 * every person whose index ≡ `part` (mod `parts`) open-loop, each at their arrival time,
 * from its own share of source addresses, and writes one JSON line per person to `out`.
 * Progress goes to the parent by IPC every second; it stops by itself at `deadline`.
 */
import { createWriteStream } from 'node:fs';
import type { CampaignShape, Behaviour } from './residents';
import { resident } from './residents';
import { ReplayClient, sourceAddresses } from './client';
import { emptyStats, ResidentFlow, type PersonRecord } from './resident-flow';

export interface GeneratorJob {
  base: string;
  campaignId: string;
  shape: CampaignShape;
  behaviour: Behaviour;
  seed: number;
  run: number;
  /** Arrival time of every person (ms from the opening); this process takes its share. */
  arrivals: number[];
  part: number;
  parts: number;
  /** Epoch ms of the opening. */
  opening: number;
  /** Epoch ms when everything still running is stopped. */
  deadline: number;
  networks: number;
  socketsPerNetwork: number;
  out: string;
}

export interface GeneratorProgress {
  part: number;
  started: number;
  done: number;
  outcomes: Record<string, number>;
  requests: number;
}

async function main(job: GeneratorJob): Promise<void> {
  const share = Math.ceil(job.networks / job.parts);
  const client = new ReplayClient(
    job.base,
    sourceAddresses(job.part * share, (job.part + 1) * share),
    job.socketsPerNetwork,
    30_000,
  );
  const stats = emptyStats();
  const sampleEvery = Math.max(1, Math.floor(job.arrivals.length / 200_000));
  const flow = new ResidentFlow(client, job.campaignId, job.opening, stats, sampleEvery);
  const out = createWriteStream(job.out);
  const outcomes: Record<string, number> = {};
  let started = 0;
  let done = 0;
  const progress = setInterval(() => {
    process.send?.({
      part: job.part,
      started,
      done,
      outcomes,
      requests: client.requests,
    } satisfies GeneratorProgress);
  }, 1000);
  const stop = setTimeout(() => (flow.stopped = true), Math.max(0, job.deadline - Date.now()));

  const running: Array<Promise<void>> = [];
  const write = (r: PersonRecord) => {
    const key = r.outcome.startsWith('error') ? 'error' : r.outcome;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    done++;
    out.write(`${JSON.stringify(r)}\n`);
  };
  for (let i = job.part; i < job.arrivals.length; i += job.parts) {
    const due = job.opening + job.arrivals[i]!;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    if (flow.stopped) break;
    started++;
    const person = resident(job.shape, job.behaviour, job.seed, job.run, i);
    running.push(flow.run(person, job.arrivals[i]!).then(write));
  }
  await Promise.all(running);
  clearInterval(progress);
  clearTimeout(stop);
  client.close();
  await new Promise((resolve) => out.end(resolve));
  // The last message must reach the parent before the channel closes.
  await new Promise<void>((resolve) =>
    process.send!(
      { part: job.part, started, done, outcomes, requests: client.requests, stats, final: true },
      () => resolve(),
    ),
  );
  process.disconnect?.();
}

process.once('message', (job: GeneratorJob) => {
  main(job).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
