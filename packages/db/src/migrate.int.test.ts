import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { KhiwError } from '@khiw/errors';
import { createScratchDatabase, type ScratchDatabase } from '../test/scratch-database';
import { ensureDatabase, migrate, MIGRATIONS_DIR, readMigrations } from './migrate';

const databases: ScratchDatabase[] = [];
const tempDirs: string[] = [];

async function scratch(): Promise<ScratchDatabase> {
  const db = await createScratchDatabase('migrate');
  databases.push(db);
  return db;
}

/** A copy of the real migrations folder that a test may change. */
async function copyOfMigrations(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'khiw-migrations-'));
  tempDirs.push(dir);
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  applied_steps_count: number;
}

const migrationRows = (db: ScratchDatabase): Promise<MigrationRow[]> =>
  db.query<MigrationRow>(
    'SELECT migration_name, checksum, finished_at, applied_steps_count FROM public._prisma_migrations ORDER BY migration_name',
  );

afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

describe('migrate', () => {
  it('records each migration as prisma migrate deploy does, and a second run is a no-op', async () => {
    const db = await scratch();
    const local = await readMigrations();
    expect(local.length).toBeGreaterThan(0);

    const first = await migrate(db.url);
    expect(first).toEqual({ applied: local.map((m) => m.name), alreadyApplied: [], unknown: [] });
    const rowsAfterFirst = await migrationRows(db);

    const second = await migrate(db.url);
    expect(second).toEqual({ applied: [], alreadyApplied: local.map((m) => m.name), unknown: [] });
    expect(await migrationRows(db)).toEqual(rowsAfterFirst);

    const expectedRows = await Promise.all(
      local.map(async (m) => ({
        migration_name: m.name,
        checksum: createHash('sha256')
          .update(await readFile(path.join(MIGRATIONS_DIR, m.name, 'migration.sql')))
          .digest('hex'),
        finished_at: expect.any(Date),
        applied_steps_count: 1,
      })),
    );
    expect(rowsAfterFirst).toEqual(expectedRows);
  });

  it("creates _prisma_migrations with Prisma's exact columns", async () => {
    const db = await scratch();
    await migrate(db.url);
    const columns = await db.query(
      `SELECT column_name, data_type, character_maximum_length AS length, is_nullable, column_default
         FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    const column = (
      name: string,
      type: string,
      length: number | null,
      nullable: boolean,
      def: string | null,
    ) => ({
      column_name: name,
      data_type: type,
      length,
      is_nullable: nullable ? 'YES' : 'NO',
      column_default: def,
    });
    expect(columns).toEqual([
      column('id', 'character varying', 36, false, null),
      column('checksum', 'character varying', 64, false, null),
      column('finished_at', 'timestamp with time zone', null, true, null),
      column('migration_name', 'character varying', 255, false, null),
      column('logs', 'text', null, true, null),
      column('rolled_back_at', 'timestamp with time zone', null, true, null),
      column('started_at', 'timestamp with time zone', null, false, 'now()'),
      column('applied_steps_count', 'integer', null, false, '0'),
    ]);
    const [pk] = await db.query(
      `SELECT array_to_string(array(SELECT a.attname FROM pg_attribute a
                WHERE a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)), ',') AS columns
         FROM pg_constraint c WHERE c.conrelid = 'public._prisma_migrations'::regclass AND c.contype = 'p'`,
    );
    expect(pk).toEqual({ columns: 'id' });
  });

  it('lets two concurrent runs on a fresh database both succeed, with one set of rows', async () => {
    const db = await scratch();
    const local = await readMigrations();
    const results = await Promise.all([migrate(db.url), migrate(db.url)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(local.map((m) => m.name));
    expect((await migrationRows(db)).map((row) => row.migration_name)).toEqual(local.map((m) => m.name));
  });

  it('refuses a migration whose file changed after it was applied', async () => {
    const db = await scratch();
    const dir = await copyOfMigrations();
    await migrate(db.url, { migrationsDir: dir });
    const [first] = await readMigrations(dir);
    if (!first) throw new Error('no migrations');
    await appendFile(path.join(dir, first.name, 'migration.sql'), '\n-- edited after the fact\n');

    const refused = await migrate(db.url, { migrationsDir: dir }).catch((error: unknown) => error);
    expect(KhiwError.is(refused, 'MIGRATION_CHECKSUM_MISMATCH')).toBe(true);
    expect(refused).toMatchObject({
      code: 'MIGRATION_CHECKSUM_MISMATCH',
      retriable: false,
      message: expect.stringContaining(first.name),
    });
  });

  it('refuses a checksum tampered with in the database', async () => {
    const db = await scratch();
    await migrate(db.url);
    await db.query(`UPDATE public._prisma_migrations SET checksum = repeat('0', 64)`);
    await expect(migrate(db.url)).rejects.toMatchObject({ code: 'MIGRATION_CHECKSUM_MISMATCH' });
  });

  it('accepts the same file with other line endings, as Prisma does', async () => {
    const db = await scratch();
    const dir = await copyOfMigrations();
    await migrate(db.url, { migrationsDir: dir });
    const [first] = await readMigrations(dir);
    if (!first) throw new Error('no migrations');
    await writeFile(path.join(dir, first.name, 'migration.sql'), first.sql.replace(/\n/g, '\r\n'));
    await expect(migrate(db.url, { migrationsDir: dir })).resolves.toMatchObject({ applied: [] });
  });

  it('rolls a failing migration back whole and records nothing for it', async () => {
    const db = await scratch();
    const dir = await copyOfMigrations();
    await mkdir(path.join(dir, '29990101000000_broken'));
    await writeFile(
      path.join(dir, '29990101000000_broken', 'migration.sql'),
      'CREATE TABLE "booking"."half_done" ("id" INTEGER);\nSELECT 1 / 0;\n',
    );

    await expect(migrate(db.url, { migrationsDir: dir })).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      retriable: false,
      message: expect.stringContaining('29990101000000_broken'),
    });
    expect(await db.query(`SELECT to_regclass('booking.half_done') AS t`)).toEqual([{ t: null }]);
    const names = (await migrationRows(db)).map((row) => row.migration_name);
    expect(names).not.toContain('29990101000000_broken');
    expect(names.length).toBeGreaterThan(0);
  });

  it('refuses to go on after a migration that failed under prisma migrate deploy', async () => {
    const db = await scratch();
    await migrate(db.url);
    await db.query(
      `INSERT INTO public._prisma_migrations (id, checksum, migration_name, logs)
       VALUES ('00000000-0000-0000-0000-000000000001', repeat('a', 64), '29990101000000_failed', 'boom')`,
    );
    await expect(migrate(db.url)).rejects.toMatchObject({
      code: 'MIGRATION_PREVIOUSLY_FAILED',
      retriable: false,
    });
  });

  it('gives up waiting for a migration lock held elsewhere, with an error worth retrying', async () => {
    const db = await scratch();
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      // The key Prisma's schema engine takes, as `prisma migrate deploy` elsewhere would.
      await holder.query('SELECT pg_advisory_lock(72707369)');
      await expect(migrate(db.url, { lockTimeoutMs: 200 })).rejects.toMatchObject({
        code: 'MIGRATION_LOCK_TIMEOUT',
        retriable: true,
      });
    } finally {
      await holder.end();
    }
    await expect(migrate(db.url)).resolves.toMatchObject({ alreadyApplied: [] });
  });
});

describe('ensureDatabase', () => {
  it('creates a missing database once, even when called concurrently', async () => {
    const db = await scratch();
    await db.drop();
    const created = await Promise.all([
      ensureDatabase(db.url),
      ensureDatabase(db.url),
      ensureDatabase(db.url),
    ]);
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await ensureDatabase(db.url)).toBe(false);
  });
});
