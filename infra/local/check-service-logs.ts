/**
 * `pnpm test:logs` (run by `pnpm test:all` right after the integration suite): reads every
 * service log of the last `pnpm test:int` run (.local/log/test-services/<run>/, one file per
 * process, written by spawnService) and fails on any citizen ID (with a valid check digit),
 * passport number or Thai mobile number in clear, printing file:line of each, masked. It also
 * fails when there is nothing to read, so a run whose logs went elsewhere cannot pass.
 * Usage: node --import tsx infra/local/check-service-logs.ts [--last | log directory]
 *   (no argument: the run `pnpm test:int` recorded; --last: the last integration run of any kind,
 *   a single test file say)
 */
import path from 'node:path';
import { REPO_ROOT } from './services';
import { recordedServiceLogRun, scanServiceLogs } from './service-logs';

/** Where `pnpm test:int` records its run (package.json sets KHIW_SERVICE_LOG_RECORD to it). */
const TEST_INT_RECORD = '.local/test-results/integration-log-dir.txt';

const MAX_PRINTED = 100;

function main(): number {
  const arg = process.argv[2];
  const dir =
    arg && arg !== '--last'
      ? path.resolve(arg)
      : recordedServiceLogRun(arg === '--last' ? undefined : TEST_INT_RECORD);
  if (!dir) {
    console.error('[logs] no integration run recorded: run `pnpm test:int` first');
    return 1;
  }
  let scan;
  try {
    scan = scanServiceLogs(dir);
  } catch (error) {
    console.error(`[logs] cannot read ${dir}: ${(error as Error).message}`);
    return 1;
  }
  const where = path.relative(REPO_ROOT, dir) || dir;
  if (scan.files === 0 || scan.lines === 0) {
    console.error(`[logs] ${where}: ${scan.files} log files, ${scan.lines} lines: nothing was checked`);
    return 1;
  }
  for (const hit of scan.hits.slice(0, MAX_PRINTED)) {
    console.error(`${path.relative(REPO_ROOT, hit.file)}:${hit.line}: ${hit.kind} in clear (${hit.masked})`);
  }
  if (scan.hits.length > MAX_PRINTED) console.error(`… and ${scan.hits.length - MAX_PRINTED} more`);
  const summary = `[logs] ${where}: ${scan.files} service log files, ${scan.lines} lines, ${scan.hits.length} citizen IDs, passports or phones in clear`;
  if (scan.hits.length > 0) {
    console.error(summary);
    return 1;
  }
  console.log(summary);
  return 0;
}

process.exit(main());
