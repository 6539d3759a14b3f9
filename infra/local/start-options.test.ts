import { describe, expect, it } from '@jest/globals';
import { parseStartOptions } from './start-options';

const dirs = { repoRoot: '/repo', callerDir: '/home/me/work' };
const parse = (...args: string[]) => parseStartOptions(args, dirs);

describe('./khiw start options', () => {
  it('defaults to the sample as a demo opening in 3 minutes, without Prometheus', () => {
    expect(parse()).toEqual({
      campaignFile: '/repo/campaigns/samut-sakhon-2021.json',
      opensInMinutes: 3,
      withPrometheus: false,
    });
  });

  it('takes the campaign as --campaign or as a bare file, relative to where ./khiw was called', () => {
    expect(parse('--campaign', 'mine.json')).toMatchObject({ campaignFile: '/home/me/work/mine.json' });
    expect(parse('other/c.json')).toMatchObject({ campaignFile: '/home/me/work/other/c.json' });
    expect(parse('/abs/c.json', '--with-prometheus')).toMatchObject({
      campaignFile: '/abs/c.json',
      withPrometheus: true,
    });
  });

  it('takes --opens-in minutes, 0 included, and --as-is for the file as it is', () => {
    expect(parse('--opens-in', '0')).toMatchObject({ opensInMinutes: 0 });
    expect(parse('--opens-in', '10')).toMatchObject({ opensInMinutes: 10 });
    expect(parse('--opens-in', '1.5')).toMatchObject({ opensInMinutes: 1.5 });
    expect(parse('--as-is')).toMatchObject({ opensInMinutes: null });
  });

  it('refuses what it cannot honour, saying why', () => {
    expect(() => parse('--opens-in', 'soon')).toThrow("--opens-in takes minutes from 0 to 10080, got 'soon'");
    expect(() => parse('--opens-in', '-1')).toThrow();
    expect(() => parse('--as-is', '--opens-in', '5')).toThrow('leave out --opens-in');
    expect(() => parse('a.json', 'b.json')).toThrow('one campaign file at most');
    expect(() => parse('--campaign', 'a.json', 'b.json')).toThrow('give the campaign file once');
    expect(() => parse('--bogus')).toThrow();
    expect(parse('--help')).toBe('help');
  });
});
