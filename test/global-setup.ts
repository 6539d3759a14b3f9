import { ensureDatabase, migrate } from '../packages/db/src/migrate';
import { SERVICE_LOG_DIR_ENV } from '../infra/local/services';
import { startServiceLogRun } from '../infra/local/service-logs';

// jest globalSetup of the `integration` project: the shared test database exists and is
// migrated before any integration test runs. Kafka, Redis and Kannel are checked by the
// tests that need them, so a suite that needs only PostgreSQL runs without them.
export default async function globalSetup(): Promise<void> {
  // Every service a test starts writes its output under this run's directory, which
  // `pnpm test:logs` (infra/local/check-service-logs.ts) then reads for personal data.
  process.env[SERVICE_LOG_DIR_ENV] = startServiceLogRun();
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
