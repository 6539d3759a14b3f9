// Runs the Prisma CLI from packages/db: `node scripts/prisma.mjs generate`.
// The CLI insists on downloading a schema-engine binary before any command, which fails on
// machines without access to Prisma's binary host. generate, validate and format never run
// that engine (they use the bundled Wasm), so for them it is pointed at an executable that
// certainly exists: this Node binary. Every other command keeps the real engine: given a
// stand-in, `migrate diff` prints nothing and exits 0, which would be worse than failing.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const ENGINE_FREE_COMMANDS = new Set(['generate', 'validate', 'format']);

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const args = process.argv.slice(2);
const env = { ...process.env };
if (ENGINE_FREE_COMMANDS.has(args[0]) && !env.PRISMA_SCHEMA_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', env });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
