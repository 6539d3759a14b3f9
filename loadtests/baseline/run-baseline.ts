/**
 * Runs the 2021-style baseline (server.ts) under an open-loop arrival profile: every person
 * arrives at their own moment whether or not the server keeps up, presses the button again
 * after an error (1-3 s later, `retries` times) and gives up after `timeoutMs`, like a phone
 * browser. Talks to 127.0.0.0/8 only, stops by itself at `deadlineMs`, and deletes nothing:
 * the caller owns the campaign's rows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createPrismaClient } from '@khiw/db';
import { REPO_ROOT } from '../../infra/local/services';
import { freePort } from '../../test/support/env';
import { CpuMonitor } from '../booking-bench/cpu-monitor';
import type { ResidentForm } from '../replay/residents';
import { confirmedCitizens, overbooking, watchLastDose, type Overbooking } from './db-figures';

/** What a 2021 form asked: the replay's resident without the province (no eligibility check). */
export type BookingForm = Omit<ResidentForm, 'provinceCode'>;

export interface BaselineOptions {
  databaseUrl: string;
  /** Already loaded in the database by the caller. */
  campaignId: string;
  /** arriveAtMs: offset from the run start. */
  people: Array<{ form: BookingForm; arriveAtMs: number }>;
  /** Presses again after an error (5xx, timeout, network), 1-3 s later; default 2. */
  retries?: number;
  /** A phone browser gives up after this long; default 30 s. */
  timeoutMs?: number;
  /** The run stops here, from its start: requests still open are abandoned (`unfinished`). */
  deadlineMs: number;
  /** Stops the run early (the caller's own hard limit); the server is killed all the same. */
  signal?: AbortSignal;
}

export interface BaselineResult {
  people: number;
  /** Final answer 201. */
  booked: number;
  full: number;
  alreadyBooked: number;
  errors5xx: number;
  /** Final answer another 4xx (a malformed form: the caller's bug). */
  errors4xx: number;
  timeouts: number;
  networkErrors: number;
  /** Never arrived, or still waiting for an answer, when the deadline came. */
  unfinished: number;
  /** Final answers other than 201, 409 FULL / ALREADY_BOOKED and timeouts, by status and code
   * or network error message (at most 20 kinds): what the error counts are made of. */
  otherAnswers: Record<string, number>;
  /** Requests sent, retries included. */
  attempts: number;
  /** Confirmed booking rows afterwards: above `booked` when phones gave up on a commit. */
  bookedInDb: number;
  /** People holding a booking whose final answer was neither 201 nor ALREADY_BOOKED: booked
   * without knowing it (and likely to queue at another site or try again tomorrow). */
  bookedUnaware: number;
  /** Of each person's final attempt (a timeout counts as timeoutMs), ms. */
  latency: { p50: number; p95: number; p99: number };
  /** First moment total booked_doses == total_doses, from the run start. */
  lastDoseGoneAtMs: number | null;
  overbooking: Overbooking;
  /** The server process, from ready to the end of the run (its start-up excluded). */
  serverCpuSeconds: number;
  /** PostgreSQL backends of this database and the server's own processes, same interval. */
  postgresCpuSeconds: number;
  /** This load client (it shares the machine's cores with the server and PostgreSQL). */
  clientCpuSeconds: number;
  /** The whole machine's busy share over the run, 0..1 (neighbours included). */
  machineBusy: number;
  durationMs: number;
}

/** Sockets: SOURCE_ADDRESSES × SOCKETS_PER_ADDRESS = 256 connections at most. */
const SOURCE_ADDRESSES = 64;
const SOCKETS_PER_ADDRESS = 4;
const SERVER_START_LIMIT_MS = 60_000;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** 127.1.x.y, spread by person index; y never 0 or 255. */
export function sourceAddress(index: number): string {
  const k = index % SOURCE_ADDRESSES;
  return `127.1.${Math.floor(k / 254)}.${1 + (k % 254)}`;
}

type Outcome =
  | { kind: 'status'; status: number; code?: string; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'network'; ms: number; error: string };

export async function runBaseline(options: BaselineOptions): Promise<BaselineResult> {
  const retries = options.retries ?? 2;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const port = await freePort();
  const server = await startServer(port, options);
  const killOnExit = () => server.child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const prisma = createPrismaClient(options.databaseUrl, {
    poolSize: 2,
    applicationName: 'khiw-baseline-run',
  });
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: SOCKETS_PER_ADDRESS,
    maxTotalSockets: SOURCE_ADDRESSES * SOCKETS_PER_ADDRESS,
  });
  try {
    const serverCpuBefore = processCpuSeconds(server.child.pid!);
    const clientCpuBefore = process.cpuUsage();
    const monitor = new CpuMonitor(new URL(options.databaseUrl).pathname.slice(1), [server.child.pid!]);
    const startedAt = performance.now();
    const lastDose = watchLastDose(prisma, options.campaignId, startedAt);
    const { finals, attempts } = await drive(options, { port, agent, retries, timeoutMs, startedAt });
    const durationMs = Math.round(performance.now() - startedAt);
    const serverCpuSeconds = processCpuSeconds(server.child.pid!) - serverCpuBefore;
    const cpu = monitor.stop();
    const client = process.cpuUsage(clientCpuBefore);
    const count = (test: (o: Outcome) => boolean) => finals.filter((o) => o && test(o)).length;
    const statusIs = (status: number, code?: string) => (o: Outcome | undefined) =>
      o?.kind === 'status' && o.status === status && (code === undefined || o.code === code);
    const holders = await confirmedCitizens(prisma, options.campaignId);
    const latencies = finals.flatMap((o) => (o ? [o.ms] : [])).sort((a, b) => a - b);
    return {
      people: options.people.length,
      booked: count(statusIs(201)),
      full: count(statusIs(409, 'FULL')),
      alreadyBooked: count(statusIs(409, 'ALREADY_BOOKED')),
      errors5xx: count((o) => o.kind === 'status' && o.status >= 500),
      errors4xx: count(
        (o) => o.kind === 'status' && o.status >= 400 && o.status < 500 && !(o.status === 409 && o.code),
      ),
      timeouts: count((o) => o.kind === 'timeout'),
      networkErrors: count((o) => o.kind === 'network'),
      unfinished: finals.filter((o) => !o).length,
      otherAnswers: tallyOthers(finals),
      attempts,
      bookedInDb: holders.size,
      bookedUnaware: options.people.filter(
        (p, i) =>
          holders.has(p.form.citizenId) &&
          !statusIs(201)(finals[i]) &&
          !statusIs(409, 'ALREADY_BOOKED')(finals[i]),
      ).length,
      latency: {
        p50: percentile(latencies, 0.5),
        p95: percentile(latencies, 0.95),
        p99: percentile(latencies, 0.99),
      },
      lastDoseGoneAtMs: await lastDose.stop(),
      overbooking: await overbooking(prisma, options.campaignId),
      serverCpuSeconds: round2(serverCpuSeconds),
      postgresCpuSeconds: round2(cpu.used.postgres),
      clientCpuSeconds: round2((client.user + client.system) / 1e6),
      machineBusy: round2(cpu.machineBusy),
      durationMs,
    };
  } catch (error) {
    throw new Error(`${(error as Error).message}\nserver output:\n${server.output().slice(-3000)}`, {
      cause: error,
    });
  } finally {
    agent.destroy();
    await stopServer(server.child);
    process.off('exit', killOnExit);
    await prisma.$disconnect();
  }
}

interface DriveContext {
  port: number;
  agent: http.Agent;
  retries: number;
  timeoutMs: number;
  startedAt: number;
}

/** Each person's final outcome, by index (undefined: unfinished at the deadline). */
async function drive(
  options: BaselineOptions,
  ctx: DriveContext,
): Promise<{ finals: (Outcome | undefined)[]; attempts: number }> {
  const finals = Array.from<Outcome | undefined>({ length: options.people.length });
  const inFlight = new Set<http.ClientRequest>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let open = options.people.length;
  let attempts = 0;
  const order = options.people
    .map((_, i) => i)
    .sort((a, b) => options.people[a]!.arriveAtMs - options.people[b]!.arriveAtMs);

  return new Promise((resolve) => {
    const finish = () => {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearTimeout(t);
      for (const req of inFlight) req.destroy();
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', finish);
      resolve({ finals, attempts });
    };
    const later = (ms: number, fn: () => void) => {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!stopped) fn();
      }, ms);
      timers.add(t);
    };
    const deadline = setTimeout(finish, Math.max(0, options.deadlineMs));
    options.signal?.addEventListener('abort', finish);
    if (options.signal?.aborted) return finish();

    const attempt = (index: number, attemptsLeft: number) => {
      attempts++;
      const { form } = options.people[index]!;
      send(ctx, index, form, inFlight).then((outcome) => {
        if (stopped) return;
        const retryable = outcome.kind !== 'status' || outcome.status >= 500;
        if (retryable && attemptsLeft > 0) {
          later(1000 + Math.random() * 2000, () => attempt(index, attemptsLeft - 1));
          return;
        }
        finals[index] = outcome;
        if (--open === 0) finish();
      });
    };
    // Open loop: arrivals follow the clock, never the answers.
    let next = 0;
    const dispatch = () => {
      const now = performance.now() - ctx.startedAt;
      while (next < order.length && options.people[order[next]!]!.arriveAtMs <= now) {
        attempt(order[next]!, ctx.retries);
        next++;
      }
      if (next < order.length) later(Math.max(1, options.people[order[next]!]!.arriveAtMs - now), dispatch);
    };
    if (open === 0) finish();
    else dispatch();
  });
}

/** One press of the button: POST /book from the person's source address. */
function send(
  ctx: DriveContext,
  index: number,
  form: BookingForm,
  inFlight: Set<http.ClientRequest>,
): Promise<Outcome> {
  const body = JSON.stringify(form);
  const sentAt = performance.now();
  const ms = () => Math.round(performance.now() - sentAt);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      inFlight.delete(req);
      resolve(outcome);
    };
    const req = http.request(
      {
        host: '127.0.0.1',
        port: ctx.port,
        method: 'POST',
        path: '/book',
        agent: ctx.agent,
        localAddress: sourceAddress(index),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let code: string | undefined;
          try {
            code = (JSON.parse(text) as { code?: string }).code;
          } catch {
            // not JSON: the status says enough
          }
          settle({ kind: 'status', status: res.statusCode ?? 0, code, ms: ms() });
        });
        res.on('error', (error) => settle({ kind: 'network', ms: ms(), error: error.message }));
      },
    );
    // The clock runs from the press, queueing for one of the client's sockets included: the
    // person waits just the same.
    const timer = setTimeout(() => {
      settle({ kind: 'timeout', ms: ctx.timeoutMs });
      req.destroy();
    }, ctx.timeoutMs);
    req.on('error', (error) => settle({ kind: 'network', ms: ms(), error: error.message }));
    inFlight.add(req);
    req.end(body);
  });
}

async function startServer(port: number, options: BaselineOptions) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join('loadtests', 'baseline', 'server.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: options.databaseUrl,
        CAMPAIGN_ID: options.campaignId,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const server = { child, output: () => output };
  try {
    const deadline = Date.now() + SERVER_START_LIMIT_MS;
    while (!/listening \d+/.test(output)) {
      if (child.exitCode !== null) throw new Error(`baseline server exited ${child.exitCode} before ready`);
      if (Date.now() > deadline) throw new Error('baseline server did not start in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) });
    if (res.status !== 200) throw new Error(`baseline server /healthz answered ${res.status}`);
    return server;
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output.slice(-3000)}`, { cause: error });
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(force);
}

function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
}

function tallyOthers(finals: (Outcome | undefined)[]): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const o of finals) {
    if (!o || o.kind === 'timeout') continue;
    if (o.kind === 'status' && (o.status === 201 || (o.status === 409 && o.code))) continue;
    const key = o.kind === 'status' ? `${o.status} ${o.code ?? ''}`.trim() : `network ${o.error}`;
    if (key in tally || Object.keys(tally).length < 20) tally[key] = (tally[key] ?? 0) + 1;
  }
  return tally;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
