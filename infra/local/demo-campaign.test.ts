import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CampaignFile } from '@khiw/contracts';
import { bangkokIso, demoCampaign, readCampaignFile, writeDemoCampaign } from './demo-campaign';
import { REPO_ROOT } from './services';

const SAMPLE = path.join(REPO_ROOT, 'campaigns/samut-sakhon-2021.json');
const sample = () => JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, unknown>;

describe('demoCampaign', () => {
  // 2 December 2026, 13:58:20 in Bangkok.
  const now = new Date('2026-12-02T06:58:20Z');

  it('opens on the whole minute after the delay and starts the slot days the next day', () => {
    const demo = demoCampaign(sample(), { now, opensInMinutes: 3 });
    expect(demo.opensAt.toISOString()).toBe('2026-12-02T07:02:00.000Z');
    expect(demo.json.opensAt).toBe('2026-12-02T14:02:00+07:00');
    expect(demo.firstDay).toBe('2026-12-03');
    expect(demo.lastDay).toBe('2026-12-16');
  });

  it('keeps everything else of the file, the grid included, and stays a valid campaign file', () => {
    const original = sample();
    const demo = demoCampaign(original, { now, opensInMinutes: 3 });
    const {
      opensAt: _o,
      slotGrid,
      ...rest
    } = demo.json as Record<string, unknown> & {
      slotGrid: Record<string, unknown>;
    };
    const {
      opensAt: _p,
      slotGrid: originalGrid,
      ...originalRest
    } = original as typeof demo.json & {
      slotGrid: Record<string, unknown>;
    };
    expect(rest).toEqual(originalRest);
    expect(slotGrid).toEqual({ ...originalGrid, firstDay: '2026-12-03' });
    expect(CampaignFile.safeParse(demo.json).success).toBe(true);
    // The input is not changed in place.
    expect(original.opensAt).toBe('2021-07-25T09:00:00+07:00');
  });

  it('counts days in Bangkok: after 17:00 UTC it is already tomorrow there', () => {
    const demo = demoCampaign(sample(), { now: new Date('2026-12-02T16:58:00Z'), opensInMinutes: 3 });
    expect(demo.json.opensAt).toBe('2026-12-03T00:01:00+07:00');
    expect(demo.firstDay).toBe('2026-12-04');
  });

  it('opens at once with --opens-in 0, to the second', () => {
    const demo = demoCampaign(sample(), { now: new Date('2026-12-02T07:00:12.345Z'), opensInMinutes: 0 });
    expect(demo.opensAt.toISOString()).toBe('2026-12-02T07:00:12.000Z');
    expect(demo.json.opensAt).toBe('2026-12-02T14:00:12+07:00');
  });

  it('names what is wrong with a file that is not a campaign', () => {
    expect(() => demoCampaign({ ...sample(), slotGrid: undefined }, { now, opensInMinutes: 3 })).toThrow(
      /not a valid campaign file:\n {2}- slotGrid: /,
    );
  });

  it('says which file is missing or wrong before anything starts', () => {
    expect(() => readCampaignFile('/nowhere/c.json')).toThrow(
      'cannot read campaign file /nowhere/c.json: ENOENT',
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'khiw-demo-'));
    try {
      const bad = path.join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ ...sample(), totalDoses: 10 }));
      expect(() => readCampaignFile(bad)).toThrow(
        `${bad}: not a valid campaign file:\n  - groups: group quotas add up to`,
      );
      expect(readCampaignFile(SAMPLE)).toEqual(sample());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the copy under the given folder and leaves the original alone', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'khiw-demo-'));
    try {
      const before = readFileSync(SAMPLE, 'utf8');
      const demo = writeDemoCampaign(SAMPLE, dir, { now, opensInMinutes: 5 });
      expect(demo.path).toBe(path.join(dir, 'samut-sakhon-2021.json'));
      const written = JSON.parse(readFileSync(demo.path, 'utf8')) as {
        opensAt: string;
        slotGrid: { firstDay: string };
      };
      expect(written.opensAt).toBe(bangkokIso(demo.opensAt));
      expect(written.slotGrid.firstDay).toBe('2026-12-03');
      expect(readFileSync(SAMPLE, 'utf8')).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
