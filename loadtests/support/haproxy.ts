import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../test/support/env';

/**
 * One haproxy in front of several gateway processes, for the replay's scale-out runs.
 *
 * The gateway trusts loopback and unique-local proxies itself (createServiceApp in
 * packages/observability/src/health.ts sets `trust proxy` to 'loopback, uniquelocal'), so
 * req.ip is the client's address from X-Forwarded-For without any environment variable.
 */
export interface HaproxyOptions {
  /** 127.0.0.1 ports of the gateway replicas. */
  backends: number[];
  /** The port haproxy listens on (127.0.0.1); a free one when absent. */
  port?: number;
  /** How long to wait for haproxy to accept connections; 10 s when absent. */
  startTimeoutMs?: number;
}

export interface RunningHaproxy {
  port: number;
  pid: number;
  /** The process-wide connection cap haproxy was given (see maxConnections). */
  maxconn: number;
  /** SIGTERM, SIGKILL after 5 s; removes the config directory. Safe to call twice. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;
const WANTED_MAXCONN = 20_000;
// haproxy needs two descriptors per proxied connection plus a few of its own (16 for 20,000).
const RESERVED_FDS = 64;
// Enough of haproxy's output to explain a failed start, without holding a long run's warnings.
const OUTPUT_TAIL_CHARS = 8_000;

/** The haproxy configuration for `backends`, listening on 127.0.0.1:`port`. */
export function haproxyConfig(backends: number[], port: number, maxconn = WANTED_MAXCONN): string {
  const servers = backends.map(
    // inter 2s: /readyz checks Redis and PostgreSQL, so checking it often costs the gateway work.
    // fall 3 with a 10 s check timeout: a replica slow at 09:00 is busy, not dead; with 2 s and
    // fall 2 both replicas were taken out in the first surge and haproxy refused everyone.
    (backendPort, i) => `  server gw${i} 127.0.0.1:${backendPort} check inter 2s fall 3 rise 1`,
  );
  return [
    'global',
    '  nbthread 1',
    `  maxconn ${maxconn}`,
    '',
    'defaults',
    '  mode http',
    '  option http-keep-alive',
    // Appends the client's source address (127.x.y.z per simulated client) for the gateway's req.ip.
    '  option forwardfor',
    // Replicas see a few long-lived connections instead of one per client connection.
    '  http-reuse always',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout check 10s',
    `  maxconn ${maxconn}`,
    '',
    'frontend replay',
    `  bind 127.0.0.1:${port}`,
    '  default_backend gateways',
    '',
    'backend gateways',
    // Replicas answer at different speeds under load; the least busy one gets the next request.
    '  balance leastconn',
    '  option httpchk',
    '  http-check send meth GET uri /readyz',
    '  http-check expect status 200',
    // If no replica is up, the balancer's own 503 says when to come back, as the gateway's do.
    `  http-error status 503 content-type application/json string '{"error":{"code":"UNAVAILABLE"}}' hdr retry-after 5`,
    ...servers,
    '',
  ].join('\n');
}

/** The haproxy binary, or a clear error: /usr/sbin is not on every user's PATH. */
export function findHaproxy(): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, 'haproxy');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error('haproxy is not installed (no haproxy binary found): run bash infra/local/bootstrap.sh');
}

export async function startHaproxy(options: HaproxyOptions): Promise<RunningHaproxy> {
  if (options.backends.length === 0) throw new Error('startHaproxy: at least one backend port is needed');
  const binary = findHaproxy();
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'khiw-haproxy-'));
  const configFile = path.join(dir, 'haproxy.cfg');
  const maxconn = maxConnections();
  writeFileSync(configFile, haproxyConfig(options.backends, port, maxconn));

  // -db: foreground, no daemon, so the child's pid is haproxy's and its exit is ours to see.
  const child = spawn(binary, ['-f', configFile, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitCode: string | undefined;
  child.once('exit', (code, signal) => {
    exitCode = signal ?? String(code);
  });
  // Without a listener a spawn failure (EACCES, say) would be an uncaught 'error' event.
  child.once('error', (error) => {
    exitCode ??= error.message;
  });
  // A test runner that dies without stop() must not leave a haproxy holding the port.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    await waitForPort(port, options.startTimeoutMs ?? 10_000, () => exitCode);
  } catch (error) {
    await stop();
    throw new Error(
      `haproxy did not start on 127.0.0.1:${port}: ${(error as Error).message}\n${output.trim()}`,
      {
        cause: error,
      },
    );
  }
  return { port, pid: pidOf(child), maxconn, stop };
}

/**
 * 20,000, or less when the descriptor hard limit cannot hold that many: haproxy 2.6 refuses
 * to start ("Cannot raise FD limit to 40016, limit is 20000") rather than run with fewer, and
 * a container's hard limit (20,000 on the dev machine) cannot be raised without CAP_SYS_RESOURCE.
 */
export function maxConnections(): number {
  const probe = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' });
  const text = probe.stdout?.trim() ?? '';
  if (text === 'unlimited') return WANTED_MAXCONN;
  const hardLimit = Number(text);
  if (!Number.isFinite(hardLimit) || hardLimit <= 0) return WANTED_MAXCONN;
  return Math.max(1, Math.min(WANTED_MAXCONN, Math.floor((hardLimit - RESERVED_FDS) / 2)));
}

function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('haproxy: spawn gave no pid');
  return child.pid;
}

/** Resolves once 127.0.0.1:`port` accepts a connection; rejects if the process exits first. */
async function waitForPort(
  port: number,
  timeoutMs: number,
  exitCode: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const code = exitCode();
    if (code !== undefined) throw new Error(`haproxy exited (${code})`);
    if (await connects(port)) return;
    if (Date.now() > deadline) throw new Error(`no connection accepted within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
