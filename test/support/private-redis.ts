import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './env';

/**
 * A redis-server of the test's own, on a free port, persisting as khiw asks of every Redis
 * (append-only file, fsync every second) in a temporary directory: a fault test may kill it
 * with SIGKILL and start it again on the same port and directory. The shared Redis on 6379
 * is never touched.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), mkdtempSync(path.join(os.tmpdir(), 'khiw-redis-')));
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts redis-server (again) on the same port and directory; resolves once it answers PING. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('private redis is already running');
    const child = spawn(
      'redis-server',
      [
        ...['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir],
        ...['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''],
        ...['--logfile', path.join(this.dir, 'redis.log'), '--daemonize', 'no'],
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + 60_000;
    // PING answers LOADING while the append-only file is read back.
    while ((await ping(this.port)) !== '+PONG') {
      if (this.child !== child) throw new Error(`redis-server exited during start-up:\n${this.log()}`);
      if (Date.now() > deadline) throw new Error(`redis-server not ready after 60 s:\n${this.log()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGKILL, as a crash: no shutdown, no last write. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  log(): string {
    try {
      return readFileSync(path.join(this.dir, 'redis.log'), 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Kills it and removes its directory. */
  async remove(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The first line of Redis' answer to PING (RESP), or '' when nothing answers. */
function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const done = (value: string) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1000, () => done(''));
    socket.once('error', () => done(''));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.split('\r\n')[0]!);
    });
  });
}
