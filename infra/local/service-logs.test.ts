import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './services';
import { recordedServiceLogRun, scanServiceLogs, startServiceLogRun } from './service-logs';

const CITIZEN = '1103702071811';
// 1733150000019 passes the citizen-ID check digit: only its place (part of an id, a number
// field) says it is not one.
const STAMP = '1733150000019';

const root = mkdtempSync(path.join(tmpdir(), 'khiw-logs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function logDir(files: Record<string, string[]>): string {
  const dir = mkdtempSync(path.join(root, 'run-'));
  for (const [name, lines] of Object.entries(files))
    writeFileSync(path.join(dir, name), `${lines.join('\n')}\n`);
  return dir;
}

const CLEAN = [
  JSON.stringify({ level: 'info', time: '2026-12-02T16:00:00.000Z', msg: 'listening', port: 41234 }),
  JSON.stringify({ level: 'info', msg: 'campaign loaded', campaignId: `demo-${STAMP}`, at: Number(STAMP) }),
  JSON.stringify({ level: 'info', msg: 'booked', citizenId: 'xxxxxxxxxx811', phone: '+xxxxxxxx678' }),
];

function check(dir: string) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/check-service-logs.ts', dir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return { code: run.status, out: run.stdout + run.stderr };
}

describe('scanServiceLogs', () => {
  it('finds a planted citizen ID, passport and phone, with file and line', () => {
    const dir = logDir({
      '001-gateway-1.log': [
        ...CLEAN,
        JSON.stringify({ level: 'error', msg: `duplicate key (citizen_id)=(${CITIZEN})` }),
      ],
      '002-notification-2.log': [
        'TypeError: cannot send to 081-234-5678',
        JSON.stringify({ doc: { no: 'MB1234567' } }),
      ],
    });
    const scan = scanServiceLogs(dir);
    expect(scan).toMatchObject({ files: 2, lines: 6 });
    expect(scan.hits.map((h) => [path.basename(h.file), h.line, h.kind, h.masked])).toEqual([
      ['001-gateway-1.log', 4, 'citizen-id', 'xxxxxxxxxx811'],
      ['002-notification-2.log', 1, 'phone', 'xxxxxxx678'],
      ['002-notification-2.log', 2, 'passport', 'MBxxxx567'],
    ]);
  });

  it('finds nothing in masked lines, ids built on timestamps and number fields', () => {
    expect(scanServiceLogs(logDir({ '001-roster-1.log': CLEAN })).hits).toEqual([]);
  });
});

describe('check-service-logs (the step after the integration suite)', () => {
  it('fails on a planted ID and prints where, without repeating the ID', () => {
    const dir = logDir({ '001-booking-worker-9.log': [...CLEAN, `{"msg":"looked up ${CITIZEN}"}`] });
    const { code, out } = check(dir);
    expect(code).toBe(1);
    expect(out).toContain('001-booking-worker-9.log:4: citizen-id in clear (xxxxxxxxxx811)');
    expect(out).not.toContain(CITIZEN);
  });

  it('fails when there is nothing to read, so it cannot pass vacuously', () => {
    const empty = logDir({});
    expect(check(empty)).toMatchObject({ code: 1, out: expect.stringContaining('nothing was checked') });
    expect(check(path.join(root, 'missing')).code).toBe(1);
  });

  it('passes a clean run and says how much it read', () => {
    const { code, out } = check(logDir({ '001-gateway-1.log': CLEAN, '002-roster-2.log': CLEAN }));
    expect(out).toContain('2 service log files, 6 lines, 0 citizen IDs');
    expect(code).toBe(0);
  });
});

describe('startServiceLogRun', () => {
  it('makes a fresh directory per run, records it, and deletes old runs only', () => {
    const runs = path.join(root, 'runs');
    mkdirSync(runs);
    const old = Array.from({ length: 22 }, (_, i) => `2000-01-01T00-00-${String(i).padStart(2, '0')}-000Z-1`);
    for (const name of old) {
      mkdirSync(path.join(runs, name));
      // The two oldest are stale; the rest might be runs still going on.
      if (name < old[2]!) utimesSync(path.join(runs, name), new Date(0), new Date(0));
    }
    expect(recordedServiceLogRun(undefined, runs)).toBeNull();
    const record = path.join(root, 'record.txt');
    const dir = startServiceLogRun(runs, record);
    expect(recordedServiceLogRun(undefined, runs)).toBe(dir);
    expect(recordedServiceLogRun(record, runs)).toBe(dir);
    expect(existsSync(dir)).toBe(true);
    const left = readdirSync(runs).filter((name) => name !== 'last-run');
    expect(left.sort()).toEqual([...old.slice(2), path.basename(dir)].sort());
    // A run started without a record file moves last-run only.
    const next = startServiceLogRun(runs, undefined);
    expect(recordedServiceLogRun(undefined, runs)).toBe(next);
    expect(recordedServiceLogRun(record, runs)).toBe(dir);
  });
});
