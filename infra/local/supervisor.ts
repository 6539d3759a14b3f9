/**
 * `./khiw start`: runs khiw on this machine. Brings the infrastructure up (infra.sh), applies
 * migrations, loads the sample campaign as a live demo (demo-campaign.ts: it opens a few
 * minutes later, slot days from tomorrow), starts the four services with their logs in
 * .local/log/, waits until each answers /readyz, mints an ops token and prints the URLs.
 * Ctrl-C or SIGTERM stops the services gracefully (each drains its in-flight work), then what
 * this run started (Prometheus, the infrastructure), and leaves no process behind. A service
 * that crashes is restarted. Options: start-options.ts (`./khiw start --help`).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '@khiw/observability';
import { closeRedis, createRedisClient } from '@khiw/redis';
import { ensureDatabase, migrate } from '../../packages/db/src/migrate';
import { emptyWaitingRoom, readCampaignFile, writeDemoCampaign, type DemoCampaign } from './demo-campaign';
import {
  REPO_ROOT,
  SERVICE_LOG_DIR_ENV,
  SERVICES,
  spawnService,
  stopChild,
  waitUntilReady,
  type ServiceName,
} from './services';
import { startBanner, type CampaignTiming } from './start-banner';
import { parseStartOptions, START_USAGE, type StartOptions } from './start-options';

// Started by an integration test, its services log with the run's other services, so that the
// check after the suite (check-service-logs.ts) reads them too.
const LOG_DIR = process.env[SERVICE_LOG_DIR_ENV] || path.join(REPO_ROOT, '.local', 'log');
const DEMO_DIR = path.join(REPO_ROOT, '.local', 'demo');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/khiw';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NAMESPACE = process.env.KHIW_NAMESPACE ?? '';
const PROMETHEUS_URL = `http://127.0.0.1:${process.env.PROMETHEUS_PORT || 9090}`;
const OPS_TOKEN_TTL = '12h';
const MAX_RESTARTS_PER_MINUTE = 5;
/** Ports are 8080..8083 by default; KHIW_BASE_PORT moves all four (e.g. for a second copy or a test). */
const BASE_PORT = Number(process.env.KHIW_BASE_PORT ?? SERVICES[0].port);
const portOf = (name: ServiceName) => BASE_PORT + SERVICES.findIndex((s) => s.name === name);
/**
 * The shared secret the gateway sends on the booking worker's and the roster's /internal
 * calls: yours when INTERNAL_API_TOKEN is set, otherwise a fresh one per run (only these
 * three processes need it).
 */
const INTERNAL_API_TOKEN = process.env.INTERNAL_API_TOKEN || randomBytes(24).toString('base64url');

const children = new Map<ServiceName, ChildProcess>();
let stopping = false;
let startedInfra = false;
let startedPrometheus = false;

function say(message: string): void {
  console.log(`[khiw] ${message}`);
}

function infra(
  command: 'up' | 'down' | 'status' | 'prometheus-up' | 'prometheus-down',
  quiet = false,
): number {
  const result = spawnSync('bash', [path.join(REPO_ROOT, 'infra/local/infra.sh'), command], {
    cwd: REPO_ROOT,
    stdio: quiet ? 'ignore' : 'inherit',
  });
  return result.status ?? 1;
}

function startService(name: ServiceName, restarts: number[] = []): ChildProcess {
  const env: Record<string, string> = { PORT: String(portOf(name)) };
  if (name === 'notification') env.DLR_BASE_URL = `http://127.0.0.1:${portOf(name)}`;
  if (name === 'gateway') {
    env.PUBLIC_BASE_URL = `http://127.0.0.1:${portOf(name)}`;
    // Self-service, ops and standby calls go to the worker's port, wherever KHIW_BASE_PORT put it.
    env.BOOKING_API_URL = `http://127.0.0.1:${portOf('booking-worker')}`;
    // Look-up, staff lists, check-in and exports go to the roster's port.
    env.ROSTER_API_URL = `http://127.0.0.1:${portOf('roster')}`;
  }
  if (name === 'gateway' || name === 'booking-worker' || name === 'roster') {
    env.INTERNAL_API_TOKEN = INTERNAL_API_TOKEN;
  }
  const child = spawnService(name, env, { logFile: path.join(LOG_DIR, `${name}.log`) });
  children.set(name, child);
  child.once('exit', (code, signal) => {
    if (stopping) return;
    const now = Date.now();
    const recent = [...restarts.filter((t) => now - t < 60_000), now];
    say(`${name} exited (code ${code}, signal ${signal}); see ${path.join(LOG_DIR, `${name}.log`)}`);
    if (recent.length > MAX_RESTARTS_PER_MINUTE) {
      say(`${name} keeps crashing; stopping khiw`);
      void shutdown('crash loop', 1);
      return;
    }
    setTimeout(() => !stopping && startService(name, recent), 1000);
  });
  return child;
}

async function shutdown(reason: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (children.size > 0) say(`${reason}: stopping services (each finishes its in-flight work)…`);
  const codes = await Promise.all(
    [...children].map(async ([name, child]) => [name, await stopChild(child, 35_000)] as const),
  );
  for (const [name, exit] of codes) say(`${name} stopped (exit ${exit})`);
  if (startedPrometheus) {
    say('stopping Prometheus…');
    infra('prometheus-down');
  }
  if (startedInfra) {
    say('stopping the infrastructure this run started…');
    infra('down');
  }
  process.exit(code || (codes.some(([, exit]) => exit !== 0) ? 1 : 0));
}

/** A file as the printout names it: from the repository's root when it lies inside. */
function shown(file: string): string {
  const relative = path.relative(REPO_ROOT, file);
  return relative.startsWith('..') ? file : relative;
}

/** The file to load: a live-demo copy with moved dates, or the file itself with --as-is. */
function campaignToLoad(options: StartOptions): { file: string; demo: DemoCampaign | null } {
  if (options.opensInMinutes === null) return { file: options.campaignFile, demo: null };
  const demo = writeDemoCampaign(options.campaignFile, DEMO_DIR, {
    now: new Date(),
    opensInMinutes: options.opensInMinutes,
  });
  say(
    `live demo: ${shown(options.campaignFile)} copied to ${shown(demo.path)} ` +
      `with the opening at ${demo.json.opensAt as string} and slot days ${demo.firstDay} to ${demo.lastDay} (the original is unchanged)`,
  );
  return { file: demo.path, demo };
}

/** A new opening for the demo campaign; before the gateway starts (it seeds the room once). */
async function emptyDemoWaitingRoom(campaignId: string): Promise<void> {
  const logger = createLogger({ service: 'khiw-start', level: 'warn' });
  const redis = createRedisClient({ url: REDIS_URL, name: 'khiw-start', logger, blocking: true });
  try {
    const deleted = await emptyWaitingRoom(redis, NAMESPACE, campaignId);
    if (deleted > 0) say(`live demo: emptied the waiting room of ${campaignId} left by an earlier run`);
  } finally {
    await closeRedis(redis);
  }
}

function mintOpsToken(): { token: string; subject: string; ttl: string } | null {
  const subject = process.env.USER || 'operator';
  const minted = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'services/gateway/src/cli/mint-token.ts',
      '--role',
      'ops',
      '--sub',
      subject,
      '--ttl',
      OPS_TOKEN_TTL,
    ],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  const token = minted.stdout?.trim();
  if (minted.status !== 0 || !token) {
    say(`could not mint an ops token: ${minted.stderr?.trim() || `exit ${minted.status}`}`);
    return null;
  }
  return { token, subject, ttl: OPS_TOKEN_TTL };
}

/** The Prometheus infra.sh already runs (its status line), on whichever port, or null. */
function runningPrometheus(): string | null {
  const status = spawnSync('bash', [path.join(REPO_ROOT, 'infra/local/infra.sh'), 'status'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const line = /^prometheus\s+(\S+)(.*)$/m.exec(status.stdout ?? '');
  if (!line || line[1] === 'off') return null;
  return /http:\/\/\S+/.exec(line[2] ?? '')?.[0] ?? PROMETHEUS_URL;
}

/**
 * `infra.sh prometheus-up`, unless infra.sh runs one already (for `./khiw test`, another
 * start, a colleague): that one is left as it is, and is not stopped at the end either.
 */
function startPrometheus(): string | null {
  const running = runningPrometheus();
  if (running) {
    say(`Prometheus already runs (${running}); leaving it as it is`);
    return running;
  }
  say('starting Prometheus (infra.sh prometheus-up)…');
  startedPrometheus = true;
  if (infra('prometheus-up') !== 0) {
    say('Prometheus did not start (see above); khiw runs on without it');
    return null;
  }
  return PROMETHEUS_URL;
}

async function campaignTimings(gateway: string): Promise<CampaignTiming[]> {
  const { campaigns } = (await (await fetch(`${gateway}/api/campaigns`)).json()) as { campaigns: string[] };
  return Promise.all(
    campaigns.map(async (id) => {
      const answer = await fetch(`${gateway}/api/campaigns/${encodeURIComponent(id)}/queue/state`);
      const state = answer.ok ? ((await answer.json()) as { opensAt?: string }) : {};
      return { id, opensAt: state.opensAt ? new Date(state.opensAt) : null };
    }),
  );
}

async function main(): Promise<void> {
  // A closed terminal or pipe must not crash the supervisor and strand its services.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  let options: StartOptions | 'help';
  try {
    options = parseStartOptions(process.argv.slice(2), {
      repoRoot: REPO_ROOT,
      callerDir: process.env.KHIW_CALLER_DIR || process.cwd(),
    });
  } catch (error) {
    console.error(`[khiw] ${(error as Error).message}\n${START_USAGE}`);
    process.exit(64);
  }
  if (options === 'help') {
    console.log(START_USAGE);
    return;
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => void shutdown(signal));
  mkdirSync(LOG_DIR, { recursive: true });
  // A wrong file is said now, not after the infrastructure has come up.
  readCampaignFile(options.campaignFile);

  startedInfra = infra('status', true) !== 0;
  if (infra('up') !== 0) throw new Error('infrastructure did not come up (see above)');
  if (stopping) return;

  say('applying database migrations…');
  await ensureDatabase(DATABASE_URL);
  await migrate(DATABASE_URL);

  const { file, demo } = campaignToLoad(options);
  say(`loading campaign ${shown(file)}…`);
  const load = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'services/booking-worker/src/cli/load-campaign.ts', file],
    { cwd: REPO_ROOT, stdio: 'inherit' },
  );
  if (load.status !== 0) throw new Error('campaign load failed (see above)');
  if (demo) await emptyDemoWaitingRoom(demo.id);
  if (stopping) return;

  for (const { name } of SERVICES) startService(name);
  await Promise.all(SERVICES.map(({ name }) => waitUntilReady(portOf(name), 90_000)));
  if (stopping) return;

  const gateway = `http://127.0.0.1:${portOf('gateway')}`;
  const opsToken = mintOpsToken();
  const prometheus = options.withPrometheus ? startPrometheus() : null;
  if (stopping) return;
  console.log(
    startBanner({
      gateway,
      services: SERVICES.map((s) => ({ name: s.name, url: `http://127.0.0.1:${portOf(s.name)}` })),
      campaigns: await campaignTimings(gateway),
      now: new Date(),
      demo: demo && {
        file: shown(options.campaignFile),
        firstDay: demo.firstDay,
        lastDay: demo.lastDay,
      },
      opsToken,
      prometheus,
      logDir: LOG_DIR,
    }),
  );
}

main().catch((error) => {
  console.error(`[khiw] start failed: ${(error as Error).message}`);
  void shutdown('start failed', 1);
});
