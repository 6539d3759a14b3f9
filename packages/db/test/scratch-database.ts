import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureDatabase } from '../src/migrate';

// A database of its own for a test file, on the server of KHIW_TEST_DATABASE_URL, dropped after.
const SERVER_URL = process.env.KHIW_TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/khiw_test';

export interface ScratchDatabase {
  name: string;
  url: string;
  /** Runs one statement on a fresh connection. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

export async function createScratchDatabase(purpose: string): Promise<ScratchDatabase> {
  const name = `khiw_${purpose}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const url = withDatabase(SERVER_URL, name);
  await ensureDatabase(url);
  return {
    name,
    url,
    async query(sql, values) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql, values)).rows;
      } finally {
        await client.end();
      }
    },
    async drop() {
      const client = new pg.Client({ connectionString: withDatabase(SERVER_URL, 'postgres') });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

function withDatabase(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
