import { describe, expect, it } from '@jest/globals';
import { openingNote, startBanner } from './start-banner';

describe('the start printout', () => {
  const now = new Date('2026-12-02T06:59:20Z');

  it('says when the campaign opens, in Bangkok time, and how long that is', () => {
    expect(openingNote(new Date('2026-12-02T07:02:00Z'), now)).toMatch(
      /^opens at 2 Dec, 14:02 Bangkok time, in 2 min 40 s/,
    );
    expect(openingNote(new Date('2026-12-02T06:59:50Z'), now)).toMatch(/in 30 s/);
    expect(openingNote(new Date('2026-12-02T06:00:00Z'), now)).toBe('open since 2 Dec, 13:00 Bangkok time');
  });

  it('prints the console URL, the ops token, Prometheus when asked, and the staff hint', () => {
    const banner = startBanner({
      gateway: 'http://127.0.0.1:8080',
      services: [{ name: 'gateway', url: 'http://127.0.0.1:8080' }],
      campaigns: [{ id: 'c1', opensAt: new Date('2026-12-02T07:02:00Z') }],
      now,
      demo: { file: 'campaigns/c1.json', firstDay: '2026-12-03', lastDay: '2026-12-16' },
      opsToken: { token: 'tok.en.here', subject: 'alice', ttl: '12h' },
      prometheus: 'http://127.0.0.1:9090',
      logDir: '/repo/.local/log',
    });
    expect(banner).toContain('campaign c1: opens at 2 Dec, 14:02');
    expect(banner).toContain('slot days 2026-12-03 to 2026-12-16');
    expect(banner).toContain('http://127.0.0.1:8080/ops/');
    expect(banner).toContain('ops token           tok.en.here');
    expect(banner).toContain('Prometheus          http://127.0.0.1:9090');
    expect(banner).toContain('pnpm -s token:mint --role staff --site SKH');
    expect(banner).toContain('http://127.0.0.1:8080/queue/?campaign=c1');
  });
});
