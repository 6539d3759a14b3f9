/**
 * `./khiw start`: runs khiw on this machine. Brings the infrastructure up (infra.sh), applies
 * migrations, loads the sample campaign, starts the four services with their logs in
 * .local/log/, waits until each answers /readyz, and prints the URLs. Ctrl-C or SIGTERM stops
 * the services gracefully (each drains its in-flight work), then the infrastructure that this
 * run started, and leaves no process behind. A service that crashes is restarted.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureDatabase, migrate } from '../../packages/db/src/migrate';
import { REPO_ROOT, SERVICES, spawnService, stopChild, waitUntilReady, type ServiceName } from './services';

const LOG_DIR = path.join(REPO_ROOT, '.local', 'log');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/khiw';
const CAMPAIGN_FILE = process.argv[2] ?? path.resolve(REPO_ROOT, 'campaigns/samut-sakhon-2021.json');
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

function say(message: string): void {
  console.log(`[khiw] ${message}`);
}

function infra(command: 'up' | 'down' | 'status', quiet = false): number {
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
  say(`${reason}: stopping services (each finishes its in-flight work)…`);
  const codes = await Promise.all(
    [...children].map(async ([name, child]) => [name, await stopChild(child, 35_000)] as const),
  );
  for (const [name, exit] of codes) say(`${name} stopped (exit ${exit})`);
  if (startedInfra) {
    say('stopping the infrastructure this run started…');
    infra('down');
  }
  process.exit(code || (codes.some(([, exit]) => exit !== 0) ? 1 : 0));
}

async function main(): Promise<void> {
  // A closed terminal or pipe must not crash the supervisor and strand its services.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => void shutdown(signal));
  mkdirSync(LOG_DIR, { recursive: true });

  startedInfra = infra('status', true) !== 0;
  if (infra('up') !== 0) throw new Error('infrastructure did not come up (see above)');
  if (stopping) return;

  say('applying database migrations…');
  await ensureDatabase(DATABASE_URL);
  await migrate(DATABASE_URL);

  say(`loading campaign ${path.relative(process.cwd(), CAMPAIGN_FILE)}…`);
  const load = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'services/booking-worker/src/cli/load-campaign.ts', CAMPAIGN_FILE],
    { cwd: REPO_ROOT, stdio: 'inherit' },
  );
  if (load.status !== 0) throw new Error('campaign load failed (see above)');
  if (stopping) return;

  for (const { name } of SERVICES) startService(name);
  await Promise.all(SERVICES.map(({ name }) => waitUntilReady(portOf(name), 90_000)));

  const campaigns = (await (await fetch(`http://127.0.0.1:${portOf('gateway')}/api/campaigns`)).json()) as {
    campaigns: string[];
  };
  console.log(`
khiw is running. Open:
  resident pages      http://127.0.0.1:${portOf('gateway')}/
  queue page          ${campaigns.campaigns.map((id) => `http://127.0.0.1:${portOf('gateway')}/queue/?campaign=${id}`).join('\n                      ')}
  booking form        (handed over from the queue page once admitted: /book/?campaign=<id>)
  look-up / cancel    ${campaigns.campaigns.map((id) => `http://127.0.0.1:${portOf('gateway')}/lookup/?campaign=${id}`).join('\n                      ')}
  site staff          http://127.0.0.1:${portOf('gateway')}/staff/  (token: pnpm -s token:mint --role staff --site SKH)
  campaign info       ${campaigns.campaigns.map((id) => `http://127.0.0.1:${portOf('gateway')}/api/campaigns/${id}`).join('\n                      ')}
  health / metrics    ${SERVICES.map((s) => `http://127.0.0.1:${portOf(s.name)}/readyz`).join('  ')}
                      ${SERVICES.map((s) => `http://127.0.0.1:${portOf(s.name)}/metrics`).join('  ')}
  SMS gateway         http://127.0.0.1:13013/cgi-bin/sendsms (Kannel → fakesmsc)
Logs: ${LOG_DIR}/{${SERVICES.map((s) => s.name).join(',')},kafka,bearerbox,smsbox,fakesmsc}.log
Press Ctrl-C to stop.`);
}

main().catch((error) => {
  console.error(`[khiw] start failed: ${(error as Error).message}`);
  void shutdown('start failed', 1);
});
