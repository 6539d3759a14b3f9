/**
 * A private Kannel (bearerbox + fakesmsc + smsbox) on free ports with its own throughput and
 * its own fakesmsc log, rendered from the same template infra.sh uses. Tests and benchmarks
 * that need a particular SMSC throughput, or that stop the gateway on purpose, use one of
 * these instead of the shared instance, so nobody else's test sees a restart or a slow SMSC.
 *
 *   const kannel = await startPrivateKannel({ throughput: 500 });
 *   ... kannel.sendsmsUrl, readFakesmscMessages(kannel.fakesmscLog) ...
 *   await kannel.stop(); await kannel.start();   // an outage, same ports, log and store
 *   await kannel.close();                         // stops it and removes its directory
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually } from '../eventually';

const BEARERBOX = '/usr/sbin/bearerbox';
const SMSBOX = '/usr/sbin/smsbox';
const FAKESMSC = '/usr/lib/kannel/test/fakesmsc';
const TEMPLATE = resolve(__dirname, 'kannel.conf.template');

export interface PrivateKannelOptions {
  /** Messages per second bearerbox hands to the fake SMSC (the smsc group's `throughput`). */
  throughput: number;
  username?: string;
  password?: string;
}

export interface PrivateKannel {
  sendsmsUrl: string;
  adminUrl: string;
  fakesmscLog: string;
  throughput: number;
  username: string;
  password: string;
  /** Starts the three processes (again, after stop) and waits until sendsms answers. */
  start(): Promise<void>;
  /** SIGTERM to bearerbox, smsbox and fakesmsc, SIGKILL after 20 s each. */
  stop(): Promise<void>;
  /** stop() and remove the directory; safe to call twice. */
  close(): Promise<void>;
  /** bearerbox's status.txt. */
  status(): Promise<string>;
  /** The running processes' ids (for CPU accounting), undefined when stopped. */
  pids(): { bearerbox?: number; smsbox?: number; fakesmsc?: number };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once('error', () => resolveOpen(false));
  });
}

function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The ports are picked free but bound later by bearerbox and smsbox, and they come from the
 * ephemeral range that outgoing connections also draw from: under a busy suite one can be taken
 * in between, and the box that wanted it exits. A failed start is therefore tried again on fresh
 * ports (three tries), and the error names what each box printed last.
 */
export async function startPrivateKannel(options: PrivateKannelOptions): Promise<PrivateKannel> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      return await startOnce(options);
    } catch (error) {
      failures.push(`try ${attempt}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`private kannel did not start:\n${failures.join('\n')}`);
}

async function tail(path: string, lines = 5): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

async function startOnce(options: PrivateKannelOptions): Promise<PrivateKannel> {
  const dir = await mkdtemp(join(tmpdir(), 'khiw-kannel-'));
  const ports = {
    KANNEL_ADMIN_PORT: await freePort(),
    KANNEL_SMSBOX_PORT: await freePort(),
    KANNEL_SMSC_PORT: await freePort(),
    KANNEL_SENDSMS_PORT: await freePort(),
  };
  // LOG_DIR/../kannel is where the template keeps bearerbox's store, as in .local/ for infra.sh.
  await mkdir(join(dir, 'log'), { recursive: true });
  await mkdir(join(dir, 'kannel'), { recursive: true });
  const values: Record<string, string> = {
    LOG_DIR: join(dir, 'log'),
    KANNEL_THROUGHPUT: String(options.throughput),
    KANNEL_ADMIN_PASSWORD: 'private-admin',
    KANNEL_STATUS_PASSWORD: 'private-status',
    KANNEL_USERNAME: options.username ?? 'khiw',
    KANNEL_PASSWORD: options.password ?? 'khiw',
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  const template = await readFile(TEMPLATE, 'utf8');
  const conf = template.replace(/@([A-Z_]+)@/g, (match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`unknown placeholder ${match} in ${TEMPLATE}`);
    return value;
  });
  const confPath = join(dir, 'kannel.conf');
  await writeFile(confPath, conf);
  const fakesmscLog = join(dir, 'fakesmsc.log');
  const adminUrl = `http://127.0.0.1:${ports.KANNEL_ADMIN_PORT}`;
  const status = async () => {
    const response = await fetch(`${adminUrl}/status.txt?password=${values.KANNEL_STATUS_PASSWORD}`, {
      signal: AbortSignal.timeout(3000),
    });
    return response.text();
  };

  let children: { bearerbox?: ChildProcess; fakesmsc?: ChildProcess; smsbox?: ChildProcess } = {};
  let closed = false;
  const launch = (name: string, command: string, args: string[]) => {
    const fd = openSync(join(dir, `${name}.out`), 'a');
    const child = spawn(command, args, { stdio: ['ignore', fd, fd], cwd: dir });
    closeSync(fd);
    return child;
  };

  const start = async () => {
    if (closed) throw new Error('private kannel: closed');
    children.bearerbox = launch('bearerbox', BEARERBOX, ['-v', '4', confPath]);
    await eventually(
      async () => /SMSC connections/.test(await status()),
      20_000,
      'private kannel: bearerbox admin port',
    );
    await eventually(async () => /FAKE:/.test(await status()), 20_000, 'private kannel: fake SMSC listening');
    // fakesmsc writes what it receives to stderr; its log is what the tests read.
    const fd = openSync(fakesmscLog, 'a');
    children.fakesmsc = spawn(
      FAKESMSC,
      ['-H', '127.0.0.1', '-r', String(ports.KANNEL_SMSC_PORT), '-i', '1', '-m', '0', '100 200 text x'],
      { stdio: ['ignore', fd, fd], cwd: dir },
    );
    closeSync(fd);
    await eventually(
      async () => /FAKE:\d+\s+\(online/.test(await status()),
      20_000,
      'private kannel: fake SMSC online',
    );
    children.smsbox = launch('smsbox', SMSBOX, ['-v', '4', confPath]);
    await eventually(
      async () => /smsbox:.*\(on-line/.test(await status()),
      20_000,
      'private kannel: smsbox connected',
    );
    await eventually(() => portOpen(ports.KANNEL_SENDSMS_PORT), 20_000, 'private kannel: sendsms port');
  };

  // bearerbox first: it stops handing messages to the SMSC and writes its queue to the store.
  // Stopping fakesmsc first (as infra.sh does) can lose the few messages already written to
  // its socket, which bearerbox counts as delivered: an operator's loss, not the gateway's.
  const stop = async () => {
    await stopProcess(children.bearerbox);
    await stopProcess(children.smsbox);
    await stopProcess(children.fakesmsc);
    children = {};
  };

  const kannel: PrivateKannel = {
    sendsmsUrl: `http://127.0.0.1:${ports.KANNEL_SENDSMS_PORT}/cgi-bin/sendsms`,
    adminUrl,
    fakesmscLog,
    throughput: options.throughput,
    username: values.KANNEL_USERNAME!,
    password: values.KANNEL_PASSWORD!,
    start,
    stop,
    close: async () => {
      if (closed) return;
      closed = true;
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
    status,
    pids: () => ({
      bearerbox: children.bearerbox?.pid,
      smsbox: children.smsbox?.pid,
      fakesmsc: children.fakesmsc?.pid,
    }),
  };
  try {
    await start();
  } catch (error) {
    const printed = await Promise.all(
      ['bearerbox', 'smsbox'].map(async (name) => `${name}: ${await tail(join(dir, `${name}.out`))}`),
    );
    await kannel.close();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n${printed.join('\n')}`, { cause: error });
  }
  return kannel;
}
