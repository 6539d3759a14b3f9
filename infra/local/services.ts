import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');

/** The four deployables, their default ports and what to open in a browser. */
export const SERVICES = [
  { name: 'gateway', port: 8080, portEnv: 'PORT' },
  { name: 'booking-worker', port: 8081, portEnv: 'PORT' },
  { name: 'notification', port: 8082, portEnv: 'PORT' },
  { name: 'roster', port: 8083, portEnv: 'PORT' },
] as const;
export type ServiceName = (typeof SERVICES)[number]['name'];

/**
 * Where a piped service's output is also written, one file per process: test/global-setup.ts
 * sets it to a fresh directory under .local/log/test-services/ for each integration run, so
 * infra/local/check-service-logs.ts can read everything the services of that run logged.
 */
export const SERVICE_LOG_DIR_ENV = 'KHIW_SERVICE_LOG_DIR';
export const TEST_SERVICE_LOG_ROOT = path.join(REPO_ROOT, '.local', 'log', 'test-services');

let spawned = 0;
const logFiles = new WeakMap<ChildProcess, string>();

/** The file a piped service's output is copied to, if any. */
export function serviceLogFile(child: ChildProcess): string | undefined {
  return logFiles.get(child);
}

/**
 * Starts one service exactly as production does (`node --import tsx src/main.ts`: one
 * process, so SIGTERM reaches the service itself). Output goes to `logFile` or is piped (and
 * then copied to a file when SERVICE_LOG_DIR_ENV is set); `nodeArgs` go to node first (a
 * benchmark's `--cpu-prof`).
 */
export function spawnService(
  name: ServiceName,
  env: Record<string, string>,
  { logFile, nodeArgs = [] }: { logFile?: string; nodeArgs?: string[] } = {},
): ChildProcess {
  const out = logFile ? openSync(logFile, 'a') : 'pipe';
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', path.join('services', name, 'src', 'main.ts')],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      // The IPC channel is how a service notices that its parent died (see createShutdown).
      stdio: ['ignore', out, out, 'ipc'],
    },
  );
  const dir = process.env[SERVICE_LOG_DIR_ENV];
  if (!logFile && dir)
    copyOutput(child, path.join(dir, `${String(++spawned).padStart(3, '0')}-${name}-${child.pid}.log`));
  return child;
}

/**
 * Appends everything the child writes to `file`, synchronously so that nothing is lost when the
 * test process exits right after the child. Listening here does not take data from the
 * caller's own listeners: every 'data' listener gets every chunk.
 */
function copyOutput(child: ChildProcess, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'a');
  logFiles.set(child, file);
  const write = (chunk: Buffer) => writeSync(fd, chunk);
  child.stdout?.on('data', write);
  child.stderr?.on('data', write);
  child.once('close', () => closeSync(fd));
}

/** Polls `/readyz` until it answers 200; rejects with the last answer when time runs out. */
export async function waitUntilReady(port: number, timeoutMs = 60_000, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`exited with code ${child.exitCode} before ready`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not ready on port ${port} after ${timeoutMs} ms: ${last}`);
}

/** Sends SIGTERM and resolves with the exit code; SIGKILL after `graceMs` (and resolves null). */
export function stopChild(
  child: ChildProcess,
  graceMs = 30_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill(signal);
  });
}
