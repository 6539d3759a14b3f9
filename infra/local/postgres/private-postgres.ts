/**
 * A throwaway PostgreSQL cluster (initdb + pg_ctl, trust auth, socket in its own directory) on a
 * free port, migrated with khiw's migrations. Fault tests restart or kill one of these, never the
 * shared cluster on 5432 that everyone else's tests use.
 *
 *   const pg = await startPrivatePostgres();
 *   ... DATABASE_URL = pg.url ...
 *   await pg.kill();     // SIGKILL to the postmaster, as the OOM killer would do it
 *   await pg.start();    // crash recovery, same port, same data
 *   await pg.close();    // stops it and removes its directory; safe to call twice
 *
 * As root (the CI machines), initdb and postgres refuse to run: they run as the `postgres`
 * user, which owns the directory.
 */
import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDatabase, migrate } from '../../../packages/db/src/migrate';
import { eventually } from '../eventually';
import { freeStablePort } from '../stable-port';

const BIN = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

export interface PrivatePostgres {
  /** The migrated database, e.g. postgresql://postgres@127.0.0.1:54321/khiw */
  url: string;
  port: number;
  dataDir: string;
  /** The running postmaster's pid (from postmaster.pid). */
  postmasterPid(): Promise<number>;
  /** Starts the cluster (after stop or kill) and waits until it accepts connections. */
  start(): Promise<void>;
  /** pg_ctl stop; `immediate` is a crash (no checkpoint, recovery at the next start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** SIGKILL to the postmaster; resolves once its backends have gone too. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(uid), gid: Number(gid) };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The processes whose parent is `pid` (a postmaster's backends and auxiliary processes). */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the command (which may hold spaces), closed by its last ')': state, ppid.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  return children;
}

export async function startPrivatePostgres(
  options: { database?: string; migrate?: boolean } = {},
): Promise<PrivatePostgres> {
  const owner = await postgresUser();
  const dir = await mkdtemp(join(tmpdir(), 'khiw-pg-'));
  if (owner) await chown(dir, owner.uid, owner.gid);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const port = await freeStablePort();
  const database = options.database ?? 'khiw';
  const url = `postgresql://postgres@127.0.0.1:${port}/${database}`;

  const pgRun = async (command: string, args: string[]) => {
    try {
      return await run(join(BIN, command), args, {
        cwd: dir,
        uid: owner?.uid,
        gid: owner?.gid,
        timeout: 120_000,
      });
    } catch (error) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      const e = error as Error & { stderr?: string };
      throw new Error(`${command} failed: ${e.message}\n${e.stderr ?? ''}\n${log.slice(-2000)}`, {
        cause: error,
      });
    }
  };

  // --no-sync and fsync=off: a killed process keeps the operating system's page cache, so
  // flushing to disk would change nothing these tests look at; it only costs time.
  await pgRun('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--no-sync',
    '--locale=C',
  ]);
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c max_connections=200',
  ].join(' ');

  const postmasterPid = async () => {
    const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
    return Number(text.split('\n')[0]);
  };
  let closed = false;

  const start = async () => {
    if (closed) throw new Error('private postgres: closed');
    // pg_ctl -w forks the postmaster and waits until it accepts connections (recovery included).
    await pgRun('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '120', '-o', serverOptions]);
  };

  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    const running = await postmasterPid().then(alive, () => false);
    if (running) await pgRun('pg_ctl', ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60']);
  };

  const kill = async () => {
    const pid = await postmasterPid();
    const children = await childrenOf(pid);
    process.kill(pid, 'SIGKILL');
    // Orphaned backends notice the postmaster's death and exit; a new postmaster refuses to
    // start while one of them still holds the shared memory.
    await eventually(
      async () => !alive(pid) && children.every((c) => !alive(c)),
      30_000,
      'postgres backends to exit',
    );
  };

  const pg: PrivatePostgres = {
    url,
    port,
    dataDir,
    postmasterPid,
    start,
    stop,
    kill,
    close: async () => {
      if (closed) return;
      closed = true;
      await stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await start();
    await ensureDatabase(url);
    if (options.migrate !== false) await migrate(url);
  } catch (error) {
    await pg.close();
    throw error;
  }
  return pg;
}
