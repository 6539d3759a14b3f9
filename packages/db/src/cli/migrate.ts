import { z } from 'zod';
import { loadConfigOrExit, redactConfig, settings } from '@khiw/config';
import { KhiwError } from '@khiw/errors';
import { ensureDatabase, migrate } from '../migrate';

// `pnpm db:migrate`: creates the database if needed and applies pending migrations. The
// setting is parsed like every service's (same default, same error naming the setting).
const MigrateConfig = z.object({ DATABASE_URL: settings.DATABASE_URL });

async function main(): Promise<void> {
  const config = loadConfigOrExit('db:migrate', MigrateConfig);
  const databaseUrl = config.DATABASE_URL;
  console.log(`Migrating ${String(redactConfig(config).DATABASE_URL)}`);
  if (await ensureDatabase(databaseUrl)) console.log('Created the database');
  const result = await migrate(databaseUrl);
  for (const name of result.applied) console.log(`Applied ${name}`);
  for (const name of result.unknown) console.warn(`Applied in the database but not found here: ${name}`);
  console.log(
    result.applied.length === 0
      ? `Nothing to apply (${result.alreadyApplied.length} migration(s) already applied)`
      : `Applied ${result.applied.length} migration(s)`,
  );
}

main().catch((error: unknown) => {
  if (KhiwError.is(error)) console.error(`${error.code}: ${error.message}`);
  else console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
