import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findPii, maskString, type PiiKind } from '@khiw/observability';
import { REPO_ROOT, TEST_SERVICE_LOG_ROOT } from './services';

/** Names the directory of the latest integration run, whatever started it. */
const LAST_RUN_FILE = 'last-run';
/**
 * `pnpm test:int` sets this to a file that then names its run's directory, so the check after
 * it reads that run even if someone ran a single test file meanwhile (which moves last-run).
 */
export const RUN_RECORD_ENV = 'KHIW_SERVICE_LOG_RECORD';
/** Runs kept: the newest RUNS_KEPT, and any younger than KEEP_MS (a run still going on). */
const RUNS_KEPT = 20;
const KEEP_MS = 2 * 3600_000;

/**
 * A fresh directory for the services of one integration run (jest globalSetup), recorded as
 * the last run (and in the RUN_RECORD_ENV file when set). Old runs are deleted.
 */
export function startServiceLogRun(
  root = TEST_SERVICE_LOG_ROOT,
  record = process.env[RUN_RECORD_ENV],
): string {
  const dir = path.join(root, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(root, LAST_RUN_FILE), `${path.basename(dir)}\n`);
  if (record) {
    mkdirSync(path.dirname(path.resolve(REPO_ROOT, record)), { recursive: true });
    writeFileSync(path.resolve(REPO_ROOT, record), `${dir}\n`);
  }
  const runs = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const old of runs.slice(0, Math.max(0, runs.length - RUNS_KEPT))) {
    const where = path.join(root, old);
    if (Date.now() - statSync(where).mtimeMs > KEEP_MS) rmSync(where, { recursive: true, force: true });
  }
  return dir;
}

/**
 * The directory of the run `record` names (a RUN_RECORD_ENV file), or of the last integration
 * run; null when there is none.
 */
export function recordedServiceLogRun(record?: string, root = TEST_SERVICE_LOG_ROOT): string | null {
  try {
    if (record) return readFileSync(path.resolve(REPO_ROOT, record), 'utf8').trim() || null;
    const name = readFileSync(path.join(root, LAST_RUN_FILE), 'utf8').trim();
    return name ? path.join(root, name) : null;
  } catch {
    return null;
  }
}

export interface LogHit {
  file: string;
  line: number;
  kind: PiiKind;
  /** The personal data found, masked: the report must not repeat what it found. */
  masked: string;
}

export interface LogScan {
  files: number;
  lines: number;
  hits: LogHit[];
}

/**
 * What looks like a citizen ID, passport or phone in one log line. A JSON line (pino) is read
 * field by field, keys and strings: a number field is a count or a millisecond time, never an
 * ID or phone (those are strings in every contract), and one in ten such times would pass the
 * citizen-ID check digit. Any other line (a crash on stderr) is read as text.
 */
export function findPiiInLine(line: string): Array<{ kind: PiiKind; text: string }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return findPii(line);
  }
  if (typeof parsed !== 'object' || parsed === null) return findPii(line);
  const found: Array<{ kind: PiiKind; text: string }> = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') found.push(...findPii(value));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, field] of Object.entries(value)) {
        found.push(...findPii(key));
        walk(field);
      }
    }
  };
  walk(parsed);
  return found;
}

/** Reads every `*.log` file in `dir` (not below it) line by line. */
export function scanServiceLogs(dir: string): LogScan {
  const scan: LogScan = { files: 0, lines: 0, hits: [] };
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.log') && statSync(path.join(dir, name)).isFile())
    .sort();
  for (const name of files) {
    const file = path.join(dir, name);
    scan.files++;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      scan.lines++;
      for (const { kind, text } of findPiiInLine(line)) {
        scan.hits.push({ file, line: i + 1, kind, masked: maskString(text) });
      }
    });
  }
  return scan;
}
