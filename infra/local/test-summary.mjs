// Prints the whole suite's closing line ("N passed, N failed, N skipped") from the jest JSON
// reports of `pnpm test:unit` and `pnpm test:int`, so a CI log ends with one plain total.
import { readFileSync } from 'node:fs';

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const project of ['unit', 'integration']) {
  const report = JSON.parse(readFileSync(`.local/test-results/${project}.json`, 'utf8'));
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
  console.log(`${project}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed ? 1 : 0);
