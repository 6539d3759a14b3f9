import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs Debian's `redis-benchmark` against 127.0.0.1 for one command (or a `-t` test) and
 * returns its requests per second. `__rand_int__` in the command is replaced per request.
 */
export async function redisBenchmark(
  command: string[] | { test: string },
  { requests = 100_000, clients = 50, port = 6379 } = {},
): Promise<number> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-q', '-n', String(requests), '-c', String(clients)];
  args.push('-r', '1000000');
  if (Array.isArray(command)) args.push(...command);
  else args.push('-t', command.test);
  const { stdout } = await run('redis-benchmark', args, { timeout: 120_000, maxBuffer: 1 << 20 });
  // `-q` prints "NAME: 123456.79 requests per second, p50=0.191 msec" (carriage returns between updates).
  const lines = stdout.split(/[\r\n]+/).filter((line) => /requests per second/.test(line));
  const match = /([\d.]+) requests per second/.exec(lines.at(-1) ?? '');
  if (!match) throw new Error(`redis-benchmark printed no figure: ${stdout.slice(-300)}`);
  return Number(match[1]);
}
