/**
 * pgbench running ONE booking per transaction (book-one.sql beside this file) for
 * loadtests/booking.bench.ts: a fixed number of clients for a fixed time, on a campaign whose
 * capacities never run out.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../infra/local/services';
import { sampleCampaign } from '../../test/support/env';
import { CpuMonitor, type CpuFigures } from './cpu-monitor';

const SCRIPT = path.join(REPO_ROOT, 'loadtests', 'booking-bench', 'book-one.sql');

export interface PgbenchOptions {
  databaseUrl: string;
  /** A copy of the sample campaign with raised capacities. */
  campaignId: string;
  clients: number;
  threads: number;
  seconds: number;
  /** Numbers this round's citizens apart from the other rounds'. */
  round: number;
}

export interface PgbenchFigures {
  tps: number;
  cpu: CpuFigures;
  transactions: number;
  failed: number;
  latencyMs: number;
}

export function pgbench({
  databaseUrl,
  campaignId,
  clients,
  threads,
  seconds,
  round,
}: PgbenchOptions): Promise<PgbenchFigures> {
  const file = sampleCampaign(campaignId) as {
    sites: { id: string }[];
    groups: { code: string }[];
    slotGrid: { firstDay: string; days: number; times: string[] };
  };
  const url = new URL(databaseUrl);
  const define = {
    campaign: campaignId,
    sites: file.sites.map((s) => s.id).join(','),
    nsites: file.sites.length,
    first_day: file.slotGrid.firstDay,
    days: file.slotGrid.days,
    times: file.slotGrid.times.map((t) => t.replace(':', '')).join(','),
    ntimes: file.slotGrid.times.length,
    groups: file.groups.map((g) => g.code).join(','),
    ngroups: file.groups.length,
    run: round,
    seq: 0,
  };
  const argv = [
    '-n',
    '-M',
    'prepared',
    '-c',
    String(clients),
    '-j',
    String(threads),
    '-T',
    String(seconds),
    '-f',
    SCRIPT,
    ...Object.entries(define).flatMap(([k, v]) => ['-D', `${k}=${v}`]),
    '-h',
    url.hostname,
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username) || 'postgres',
    url.pathname.slice(1),
  ];
  const monitor = new CpuMonitor(url.pathname.slice(1), []);
  return new Promise((resolve, reject) => {
    execFile(
      'pgbench',
      argv,
      { timeout: (seconds + 60) * 1000, env: { ...process.env, PGPASSWORD: url.password } },
      (error, stdout, stderr) => {
        const grab = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? NaN);
        const figures = {
          cpu: monitor.stop(),
          tps: grab(/tps = ([\d.]+) \(without initial connection time\)/),
          transactions: grab(/number of transactions actually processed: (\d+)/),
          failed: grab(/number of failed transactions: (\d+)/) || 0,
          latencyMs: grab(/latency average = ([\d.]+) ms/),
        };
        if (error || !Number.isFinite(figures.tps) || /aborted|error/i.test(stderr)) {
          reject(new Error(`pgbench failed: ${error?.message ?? ''}\n${stdout}\n${stderr.slice(-3000)}`));
        } else resolve(figures);
      },
    );
  });
}
