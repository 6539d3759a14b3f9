/**
 * Everything the replay runs against, started as production runs it (NODE_ENV=production,
 * the settings production requires, loadtests/support/production-env.ts): `gateways`
 * gateway replicas (behind Debian's haproxy when more than one), `workers` booking workers,
 * the notification service with a private Kannel at the profile's throughput, and the
 * roster, on the running Redis, PostgreSQL (database khiw_bench) and Kafka, in a namespace
 * of the run's own. Replicas share nothing but Redis and PostgreSQL: each is its own
 * process; the gateways share only the signing key and secrets a deployment gives them.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createTopics, deleteTopics } from '../../infra/local/kafka-admin';
import { startPrivateKannel, type PrivateKannel } from '../../infra/local/kannel/private-kannel';
import {
  REPO_ROOT,
  spawnService,
  stopChild,
  waitUntilReady,
  type ServiceName,
} from '../../infra/local/services';
import { generateSigningKey, privateKeyPem } from '../../services/gateway/src/waiting-room/tokens/keyring';
import { freePort, KAFKA_BROKERS, REDIS_URL } from '../../test/support/env';
import { startHaproxy } from '../support/haproxy';
import { productionEnv } from '../support/production-env';
import type { ReplaySettings } from './profiles';

export interface StackOptions {
  namespace: string;
  databaseUrl: string;
  gateways: number;
  workers: number;
  settings: ReplaySettings;
  logDir: string;
  /** Put haproxy in front even of one gateway (to compare 1 and N replicas alike). */
  balancer?: boolean;
  /** Write a V8 CPU profile of every service process to logDir (node --cpu-prof). */
  cpuProfiles?: boolean;
}

export interface RunningProcess {
  name: string;
  pid: number;
  port: number;
  child: ChildProcess;
}

export class Stack {
  readonly processes: RunningProcess[] = [];
  kannel?: PrivateKannel;
  private haproxy?: { port: number; pid: number; stop(): Promise<void> };
  base = '';

  constructor(private readonly options: StackOptions) {
    mkdirSync(options.logDir, { recursive: true });
  }

  /** Pids by role, for the CPU accounting. */
  pids(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const p of this.processes) (out[p.name.replace(/-\d+$/, '')] ??= []).push(p.pid);
    if (this.haproxy) out.haproxy = [this.haproxy.pid];
    return out;
  }

  async start(): Promise<void> {
    const { namespace, databaseUrl, settings, gateways, workers } = this.options;
    await createTopics(namespace, [KAFKA_BROKERS]);
    this.kannel = await startPrivateKannel({ throughput: settings.kannelThroughput });
    const common = {
      KHIW_NAMESPACE: namespace,
      REDIS_URL,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS,
      LOG_LEVEL: 'warn',
    };
    const workerPorts: number[] = [];
    for (let k = 0; k < workers; k++) {
      const w = await this.spawn('booking-worker', k, { ...common, BOOKING_CONCURRENCY: '200' });
      workerPorts.push(w.port);
    }
    const roster = await this.spawn('roster', 0, common);
    const notificationPort = await freePort();
    await this.spawn('notification', 0, {
      ...common,
      PORT: String(notificationPort),
      DLR_BASE_URL: `http://127.0.0.1:${notificationPort}`,
      KANNEL_SENDSMS_URL: this.kannel.sendsmsUrl,
      KANNEL_USERNAME: this.kannel.username,
      KANNEL_PASSWORD: this.kannel.password,
      // A Thai confirmation is two UCS-2 parts: the service sends half Kannel's part rate.
      SMS_RATE_PER_SECOND: String(Math.floor(settings.kannelThroughput / 2)),
    });
    const key = generateSigningKey('replay-key');
    const gatewayPorts: number[] = [];
    for (let k = 0; k < gateways; k++) {
      const g = await this.spawn('gateway', k, {
        ...common,
        GATEWAY_SIGNING_KEY: privateKeyPem(key),
        GATEWAY_SIGNING_KEY_ID: 'replay-key',
        BOOKING_API_URL: `http://127.0.0.1:${workerPorts[k % workerPorts.length]}`,
        ROSTER_API_URL: `http://127.0.0.1:${roster.port}`,
        WAITING_ROOM_OUTFLOW_PER_MINUTE: String(settings.outflowPerMinute),
        WAITING_ROOM_MAX_ACTIVE: String(settings.maxActive),
        WAITING_ROOM_POW_DIFFICULTY: String(settings.powDifficulty),
      });
      gatewayPorts.push(g.port);
    }
    if (gateways > 1 || this.options.balancer) {
      this.haproxy = await startHaproxy({ backends: gatewayPorts });
      this.base = `http://127.0.0.1:${this.haproxy.port}`;
    } else {
      this.base = `http://127.0.0.1:${gatewayPorts[0]}`;
    }
  }

  private async spawn(service: ServiceName, k: number, env: Record<string, string>): Promise<RunningProcess> {
    const port = Number(env.PORT ?? (await freePort()));
    const name = `${service}-${k}`;
    const child = spawnService(
      service,
      { ...env, ...(await productionEnv(service)), PORT: String(port) },
      {
        logFile: path.join(this.options.logDir, `${name}.log`),
        // One directory per process: tsx's loader thread writes a profile of its own.
        nodeArgs: this.options.cpuProfiles
          ? ['--cpu-prof', `--cpu-prof-dir=${path.join(this.options.logDir, `${name}.cpuprofiles`)}`]
          : [],
      },
    );
    await waitUntilReady(port, 90_000, child);
    const running = { name, pid: child.pid!, port, child };
    this.processes.push(running);
    return running;
  }

  /** Stops everything it started (gateways first, as a deployment drains), then the topics. */
  async stop(): Promise<void> {
    await this.haproxy?.stop();
    const order = ['gateway', 'booking-worker', 'notification', 'roster'];
    for (const role of order) {
      await Promise.all(
        this.processes.filter((p) => p.name.startsWith(role)).map((p) => stopChild(p.child, 30_000)),
      );
    }
    await this.kannel?.close();
    await deleteTopics(this.options.namespace, [KAFKA_BROKERS]).catch(() => undefined);
  }
}

export const REPLAY_LOG_ROOT = path.join(REPO_ROOT, '.local', 'replay');
