/**
 * Whole-path surge replay (issue 14): synthetic residents walk the path the pages walk,
 * from the queue page to the SMS and the roster, under an arrival profile from the source
 * documents, against khiw started as production runs it. See docs/benchmarks.md.
 *
 *   node --import tsx loadtests/replay --profile samut-sakhon-reopening [--scale 0.2]
 *     [--people N] [--gateways 1] [--workers 1] [--generators 1] [--networks 2000]
 *     [--balancer] [--pow 12] [--cpu-profiles] [--baseline] [--smoke] [--database postgresql://.../khiw_bench]
 *
 * Profiles: khon-kaen, samut-sakhon-reopening, bangkok-day-one (profiles.ts). Prints per
 * stage throughput and p50/p95/p99 with the first stage to saturate, CPU seconds per
 * booking of every process, and the invariants; writes timeseries.csv and SVG charts to
 * .local/replay/<run>/. Exits 1 when an invariant fails or an answer other than 2xx/4xx,
 * 429 or 503 with Retry-After was seen. Talks only to 127.0.0.0/8 and stops by itself.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createPrismaClient } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import { closeRedis, createRedisClient } from '@khiw/redis';
import { LoadCampaign } from '../../services/booking-worker/src/campaigns/load-campaign.usecase';
import { publishCampaignSnapshot } from '../../services/booking-worker/src/campaigns/campaign-snapshot';
import { REDIS_URL } from '../../test/support/env';
import { prepareDatabase } from '../booking-bench/campaigns';
import { deleteNamespaceKeys } from '../support/redis-memory';
import { SMOKE } from '../support/smoke';
import { formatResult } from '../baseline/format-result';
import { runBaseline } from '../baseline/run-baseline';
import { cpuTable, replayCpu } from './cpu';
import type { GeneratorJob, GeneratorProgress } from './generator';
import { bookingTimes, checkInvariants } from './invariants';
import { PROFILES, type Profile } from './profiles';
import { stageFigures, stageIntervals, stageTable, timeSeries } from './report';
import type { FlowStats, PersonRecord } from './resident-flow';
import { campaignShape, resident } from './residents';
import { cleanUp, summarizeStats } from './run-support';
import { REPLAY_LOG_ROOT, Stack } from './stack';

const { values: args } = parseArgs({
  options: {
    profile: { type: 'string', default: 'samut-sakhon-reopening' },
    scale: { type: 'string' },
    people: { type: 'string' },
    gateways: { type: 'string', default: '1' },
    workers: { type: 'string', default: '1' },
    generators: { type: 'string', default: '1' },
    networks: { type: 'string', default: '2000' },
    /** Proof-of-work bits (the profile's, as ops would set it, by default). */
    pow: { type: 'string' },
    'cpu-profiles': { type: 'boolean', default: false },
    balancer: { type: 'boolean', default: false },
    baseline: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    database: { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/khiw_bench' },
  },
});

const chosen = PROFILES[args.profile!];
if (!chosen) throw new Error(`unknown profile ${args.profile}; one of ${Object.keys(PROFILES).join(', ')}`);
const profile: Profile = chosen;
const scale = Number(args.scale ?? (SMOKE ? 400 / profile.people : 1));
const people = Number(args.people ?? Math.round(profile.people * scale));
const run = randomBytes(3).toString('hex');
const namespace = `replay-${run}`;
const dir = path.join(
  REPLAY_LOG_ROOT,
  `${profile.name}-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}-${run}`,
);
const HARD_LIMIT_MS = SMOKE ? 120_000 : 60 * 60_000;
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const hardStop = setTimeout(() => {
    say(`replay: hard limit of ${HARD_LIMIT_MS / 60_000} min reached, stopping`);
    process.exit(2);
  }, HARD_LIMIT_MS);
  hardStop.unref();
  say(`replay ${profile.name}: ${profile.summary}`);
  say(
    `  ${people.toLocaleString('en')} people (scale ${scale.toPrecision(3)}), ${args.gateways} gateway(s), ${args.workers} worker(s), ${args.generators} generator(s); run ${run}; output ${dir}`,
  );
  say(`  ${await prepareDatabase(args.database!)}`);
  const prisma = createPrismaClient(args.database!, { poolSize: 4 });
  const stack = new Stack({
    namespace,
    databaseUrl: args.database!,
    gateways: Number(args.gateways),
    workers: Number(args.workers),
    settings: { ...profile.settings, ...(args.pow !== undefined && { powDifficulty: Number(args.pow) }) },
    logDir: dir,
    cpuProfiles: args['cpu-profiles'],
    balancer: args.balancer,
  });
  const campaignId = `replay-${run}`;
  const generators: ChildProcess[] = [];
  let exitCode = 0;
  try {
    await stack.start();
    const arrivals = profile.arrivals(people, scale);
    const earliest = arrivals.reduce((a, b) => Math.min(a, b), 0);
    // Residents arriving before the opening wait in the pre-queue: open a little after the first.
    const opening = Date.now() + 8000 - earliest;
    const file = profile.campaign(campaignId, new Date(opening), scale);
    await new LoadCampaign(prisma).execute(file);
    const redis = createRedisClient({
      url: REDIS_URL,
      name: 'replay',
      logger: createLogger({ service: 'replay', level: 'warn' }),
      blocking: true,
    });
    await publishCampaignSnapshot(prisma, redis, namespace, campaignId);
    await closeRedis(redis);
    say(
      `  campaign ${campaignId}: ${file.totalDoses.toLocaleString('en')} doses, ${file.groups.length} groups, ${file.sites.length} sites, standby ${file.standbySize}; opens ${new Date(opening).toISOString()}; gateway ${stack.base}`,
    );

    const parts = Number(args.generators);
    const lastArrival = arrivals.reduce((a, b) => Math.max(a, b), 0);
    const deadline = opening + lastArrival + (SMOKE ? 60_000 : profile.drainMs);
    const progress = new Map<number, GeneratorProgress>();
    const finals: FlowStats[] = [];
    const outFiles: string[] = [];
    const cpu = replayCpu(new URL(args.database!).pathname.slice(1), () => ({
      ...stack.pids(),
      generator: generators.map((g) => g.pid!),
    }));
    const done = Promise.all(
      Array.from({ length: parts }, (_, part) => {
        const out = path.join(dir, `people-${part}.jsonl`);
        outFiles.push(out);
        const child = fork(path.join(__dirname, 'generator.ts'), [], {
          execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        generators.push(child);
        const job: GeneratorJob = {
          base: stack.base,
          campaignId,
          shape: campaignShape(file),
          behaviour: profile.behaviour,
          seed: 20210725,
          run: parseInt(run, 16) % 100,
          arrivals: Array.from(arrivals),
          part,
          parts,
          opening,
          deadline,
          networks: Number(args.networks),
          socketsPerNetwork: 2,
          out,
        };
        child.send(job);
        return new Promise<void>((resolve, reject) => {
          child.on('message', (m: GeneratorProgress & { final?: boolean; stats?: FlowStats }) => {
            progress.set(m.part, m);
            if (m.final && m.stats) finals.push(m.stats);
          });
          child.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`generator ${part} exited ${code}`)),
          );
        });
      }),
    );
    const reporter = setInterval(
      () => {
        const all = [...progress.values()];
        const outcomes: Record<string, number> = {};
        for (const p of all)
          for (const [k, v] of Object.entries(p.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
        const sum = (f: (p: GeneratorProgress) => number) => all.reduce((s, p) => s + f(p), 0);
        say(
          `  ${((Date.now() - opening) / 1000).toFixed(0)} s: started ${sum((p) => p.started)}, done ${sum((p) => p.done)}, requests ${sum((p) => p.requests)} ${JSON.stringify(outcomes)}`,
        );
      },
      SMOKE ? 5000 : 10_000,
    );
    await done;
    clearInterval(reporter);
    say(`  the crowd is done at ${((Date.now() - opening) / 1000).toFixed(1)} s; waiting for SMS and roster`);
    await drain(prisma, campaignId, deadline);
    const used = cpu.stop();

    const records = outFiles.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as PersonRecord),
    );
    const times = await bookingTimes(prisma, campaignId, opening);
    const figures = stageFigures(stageIntervals(records, times));
    const stats = summarizeStats(finals);
    const invariants = await checkInvariants(prisma, campaignId, records, stack.kannel!.fakesmscLog);
    const written = timeSeries(records, times, dir);
    const outcomes: Record<string, number> = {};
    for (const r of records) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    const lastBooking = times.reduce((a, b) => Math.max(a, b.created), 0);
    const lastSms = times.reduce((a, b) => Math.max(a, b.smsSent ?? 0), 0);
    const generatorCpu = used.used.generator + used.used.replay;

    say('');
    say(stageTable(figures));
    say('');
    say(`outcomes: ${JSON.stringify(outcomes)}`);
    say(
      `bookings ${times.length.toLocaleString('en')}; last booking at ${(lastBooking / 1000).toFixed(1)} s and last SMS accepted by Kannel at ${(lastSms / 1000).toFixed(1)} s after the opening; whole path ${(times.length / Math.max(1, lastBooking / 1000)).toFixed(0)} bookings/s from the opening`,
    );
    say(
      `Kannel throughput ${profile.settings.kannelThroughput} parts/s: ${times.length.toLocaleString('en')} two-part SMS need ${((2 * times.length) / profile.settings.kannelThroughput).toFixed(0)} s at that rate`,
    );
    say(`answers other than 2xx: ${JSON.stringify(stats.codes)}; network errors ${stats.networkErrors}`);
    say(`requests by endpoint, latency p50/p99 ms of a sample: ${stats.latencyLine}`);
    say('');
    say(cpuTable(used.used, used.seconds, times.length));
    say(
      `load generator CPU ${generatorCpu.toFixed(1)} s (${(generatorCpu / used.seconds).toFixed(2)} cores) beside the figures; machine ${(used.machineBusy * 100).toFixed(0)} % busy over ${used.seconds.toFixed(0)} s`,
    );
    say('');
    for (const inv of invariants) say(`invariant ${inv.ok ? 'ok  ' : 'FAIL'} ${inv.name}: ${inv.detail}`);
    say(`wrote ${written.join(', ')}`);
    const bad = Object.keys(stats.codes).filter((k) => /-no-retry-after| 5\d\d/.test(k) && !/ 503$/.test(k));
    if (bad.length) say(`FAIL answers no page expects: ${bad.join(', ')}`);
    if (invariants.some((i) => !i.ok) || bad.length || stats.networkErrors > 0) exitCode = 1;
    writeFileSync(
      path.join(dir, 'summary.json'),
      JSON.stringify(
        {
          profile: profile.name,
          people,
          scale,
          args,
          figures,
          outcomes,
          stats: { codes: stats.codes, networkErrors: stats.networkErrors },
          cpu: used,
          invariants,
          lastBooking,
          lastSms,
        },
        null,
        2,
      ),
    );

    if (args.baseline) {
      const baselineId = `baseline-${run}`;
      await new LoadCampaign(prisma).execute(profile.campaign(baselineId, new Date(), scale));
      const shape = campaignShape(file);
      const result = await runBaseline({
        databaseUrl: args.database!,
        campaignId: baselineId,
        people: Array.from(arrivals, (arrive, i) => ({
          form: resident(shape, profile.behaviour, 20210725, parseInt(run, 16) % 100, i).forms[0]!,
          // No pre-queue in 2021: who came early pressed reload at 09:00.
          arriveAtMs: Math.max(0, arrive - Math.max(0, earliest)),
        })),
        deadlineMs: lastArrival - Math.min(0, earliest) + (SMOKE ? 30_000 : 5 * 60_000),
      });
      say('');
      say(formatResult(result));
      say(`2021-style baseline, same arrivals: ${JSON.stringify(result)}`);
      await cleanUp(prisma, baselineId);
    }
    await cleanUp(prisma, campaignId);
  } catch (error) {
    say(`replay failed: ${(error as Error).stack ?? String(error)}`);
    exitCode = 1;
  } finally {
    for (const g of generators) if (g.exitCode === null) g.kill('SIGKILL');
    await stack.stop().catch((e: unknown) => say(`stopping: ${String(e)}`));
    await deleteNamespaceKeys(REDIS_URL, namespace);
    await prisma.$disconnect();
  }
  return exitCode;
}

/** Until every confirmed booking has its SMS accepted by Kannel and its roster entry. */
async function drain(
  prisma: ReturnType<typeof createPrismaClient>,
  campaignId: string,
  deadline: number,
): Promise<void> {
  for (;;) {
    const [row] = await prisma.$queryRawUnsafe<Array<{ waiting: number }>>(
      `SELECT count(*)::int AS waiting FROM booking.bookings b
        WHERE b.campaign_id = $1 AND b.status = 'confirmed' AND (
          NOT EXISTS (SELECT 1 FROM notification.sms_messages m WHERE m.dedupe_key = 'confirmation:' || b.id AND m.status IN ('sent', 'delivered'))
          OR NOT EXISTS (SELECT 1 FROM roster.entries e WHERE e.booking_id = b.id))`,
      campaignId,
    );
    if (row!.waiting === 0 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
