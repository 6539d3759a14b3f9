import type { ChildProcess } from 'node:child_process';
import {
  serviceLogFile,
  spawnService,
  stopChild,
  waitUntilReady,
  type ServiceName,
} from '../../infra/local/services';
import { freePort, KAFKA_BROKERS, REDIS_URL, TEST_DATABASE_URL } from './env';

export interface RunningService {
  name: ServiceName;
  port: number;
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** Starts a real service process in a test namespace and waits for `/readyz`. */
export async function startService(
  name: ServiceName,
  namespace: string,
  extraEnv: Record<string, string> = {},
): Promise<RunningService> {
  const port = Number(extraEnv.PORT ?? (await freePort()));
  const child = spawnService(name, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    KHIW_NAMESPACE: namespace,
    PORT: String(port),
    REDIS_URL,
    DATABASE_URL: TEST_DATABASE_URL,
    KAFKA_BROKERS,
    SHUTDOWN_TIMEOUT_MS: '20000',
    ...extraEnv,
  });
  // Kept in memory for the test's assertions; spawnService also writes it to a file
  // (.local/log/test-services/<run>/), which check-service-logs.ts reads after the suite.
  let output = '';
  const where = serviceLogFile(child) ? ` (whole log: ${serviceLogFile(child)})` : '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  try {
    await waitUntilReady(port, 60_000, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(
      `${name} did not become ready${where}: ${(error as Error).message}\n${output.slice(-3000)}`,
      {
        cause: error,
      },
    );
  }
  return {
    name,
    port,
    child,
    output: () => output,
    stop: async (signal) => {
      const code = await stopChild(child, 30_000, signal);
      // A failed shutdown is a test failure; show why (the last log lines) in the test output.
      if (code !== 0) process.stderr.write(`${name} exited ${code}${where}:\n${output.slice(-4000)}\n`);
      return code;
    },
  };
}
