import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { KhiwError } from '@khiw/errors';

// Applies prisma/migrations the way `prisma migrate deploy` does, without the schema-engine
// binary (which cannot be downloaded on the project's machines), and leaves the same
// bookkeeping behind: `public._prisma_migrations`, one row per applied migration, checksum =
// sha256 of migration.sql. `prisma migrate deploy` and `prisma migrate status` run elsewhere
// see these migrations as applied. Differences, on purpose: each migration runs in its own
// transaction (a failure leaves nothing behind, so there is no "failed migration" row to
// resolve by hand), and a migration whose file changed after it was applied is refused.

export const MIGRATIONS_DIR = path.resolve(__dirname, '../prisma/migrations');

/** The key Prisma's schema engine locks, so this and `prisma migrate deploy` exclude each other. */
const PRISMA_MIGRATION_LOCK_KEY = 72707369;

export interface MigrateOptions {
  /** Defaults to packages/db/prisma/migrations. */
  migrationsDir?: string;
  /** How long to wait for another process that is migrating the same database. */
  lockTimeoutMs?: number;
}

export interface MigrateResult {
  /** Applied by this call, in order. */
  applied: string[];
  /** Found already applied (by an earlier run, another process or prisma migrate deploy). */
  alreadyApplied: string[];
  /** Recorded as applied in the database but absent here: a newer release migrated it. */
  unknown: string[];
}

interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
  /** The checksum of the same script with the other line endings (Prisma accepts both). */
  altChecksum: string;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "public"."_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

export async function readMigrations(migrationsDir = MIGRATIONS_DIR): Promise<LocalMigration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(path.join(migrationsDir, name, 'migration.sql'));
      const sql = bytes.toString('utf8');
      const swapped = sql.includes('\r\n') ? sql.replace(/\r\n/g, '\n') : sql.replace(/\n/g, '\r\n');
      return { name, sql, checksum: sha256(bytes), altChecksum: sha256(swapped) };
    }),
  );
}

/**
 * Applies every pending migration; safe to run from several processes at once. Throws a
 * KhiwError with a MIGRATION_* code (@khiw/errors); only MIGRATION_LOCK_TIMEOUT is retriable.
 */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const local = await readMigrations(options.migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'khiw-migrate' });
  await client.connect();
  try {
    await acquireLock(client, options.lockTimeoutMs ?? 60_000);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const { rows } = await client.query<AppliedRow>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at, logs
           FROM "public"."_prisma_migrations" ORDER BY started_at`,
      );
      const pending = checkHistory(local, rows);
      for (const migration of pending) await applyOne(client, migration);
      const localNames = new Set(local.map((m) => m.name));
      const appliedNames = new Set(rows.filter(isApplied).map((row) => row.migration_name));
      return {
        applied: pending.map((m) => m.name),
        alreadyApplied: local.filter((m) => appliedNames.has(m.name)).map((m) => m.name),
        unknown: [...appliedNames].filter((name) => !localNames.has(name)),
      };
    } finally {
      // Closing the session releases the lock too; never let this hide the real error.
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

const isApplied = (row: AppliedRow): boolean => row.finished_at !== null && row.rolled_back_at === null;

/** Returns the local migrations still to apply, or throws if the history forbids going on. */
function checkHistory(local: LocalMigration[], rows: AppliedRow[]): LocalMigration[] {
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new KhiwError(
      'MIGRATION_PREVIOUSLY_FAILED',
      `Migration ${failed.migration_name} failed earlier (by prisma migrate deploy?) and is not resolved; ` +
        `fix the database, then run \`prisma migrate resolve\`. Its logs: ${failed.logs ?? '(none)'}`,
    );
  }
  const applied = new Map(rows.filter(isApplied).map((row) => [row.migration_name, row.checksum]));
  for (const migration of local) {
    const checksum = applied.get(migration.name);
    if (checksum !== undefined && checksum !== migration.checksum && checksum !== migration.altChecksum) {
      throw new KhiwError(
        'MIGRATION_CHECKSUM_MISMATCH',
        `Migration ${migration.name} was modified after it was applied (checksum in the database ` +
          `${checksum}, on disk ${migration.checksum}). Restore the file and add a new migration instead.`,
      );
    }
  }
  return local.filter((migration) => !applied.has(migration.name));
}

async function acquireLock(client: pg.Client, timeoutMs: number): Promise<void> {
  // lock_timeout bounds the wait for the advisory lock; it is reset before any migration runs.
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATION_LOCK_KEY]);
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') {
      throw new KhiwError(
        'MIGRATION_LOCK_TIMEOUT',
        `Another process held the migration lock for more than ${timeoutMs} ms`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    await client.query('RESET lock_timeout');
  }
}

async function applyOne(client: pg.Client, migration: LocalMigration): Promise<void> {
  await client.query('BEGIN');
  try {
    const id = randomUUID();
    await client.query(
      `INSERT INTO "public"."_prisma_migrations" (id, checksum, migration_name, started_at)
       VALUES ($1, $2, $3, clock_timestamp())`,
      [id, migration.checksum, migration.name],
    );
    // No parameters: the simple query protocol runs the whole multi-statement script.
    await client.query(migration.sql);
    await client.query(
      `UPDATE "public"."_prisma_migrations"
          SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new KhiwError(
      'MIGRATION_FAILED',
      `Migration ${migration.name} failed and was rolled back: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Creates the database named in `databaseUrl` if it does not exist, connecting to the
 * `postgres` maintenance database of the same server. Returns whether it created it.
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error('The database URL names no database');
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), application_name: 'khiw-migrate' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      return true;
    } catch (error) {
      // Another process created it between our check and CREATE DATABASE.
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false;
      throw error;
    }
  } finally {
    await client.end();
  }
}
