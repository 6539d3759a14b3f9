import { ensureDatabase, migrate } from '../packages/db/src/migrate';

// jest globalSetup of the `integration` project: the shared test database exists and is
// migrated before any integration test runs. Kafka, Redis and Kannel are checked by the
// tests that need them, so a suite that needs only PostgreSQL runs without them.
export default async function globalSetup(): Promise<void> {
  const databaseUrl = process.env.KHIW_TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/khiw_test';
  process.env.KHIW_TEST_DATABASE_URL = databaseUrl;
  try {
    await ensureDatabase(databaseUrl);
    await migrate(databaseUrl);
  } catch (error) {
    const where = new URL(databaseUrl);
    where.password = '';
    throw new Error(
      `Could not prepare the test database ${where.toString()} (is PostgreSQL up? \`pnpm infra:up\`): ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
}
