import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
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
 * Starts one service exactly as production does (`node --import tsx src/main.ts`: one
 * process, so SIGTERM reaches the service itself). Output goes to `logFile` or is piped;
 * `nodeArgs` go to node first (a benchmark's `--cpu-prof`).
 */
export function spawnService(
  name: ServiceName,
  env: Record<string, string>,
  { logFile, nodeArgs = [] }: { logFile?: string; nodeArgs?: string[] } = {},
): ChildProcess {
  const out = logFile ? openSync(logFile, 'a') : 'pipe';
  return spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', path.join('services', name, 'src', 'main.ts')],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      // The IPC channel is how a service notices that its parent died (see createShutdown).
      stdio: ['ignore', out, out, 'ipc'],
    },
  );
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
