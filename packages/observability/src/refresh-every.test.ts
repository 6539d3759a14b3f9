import { describe, expect, it } from '@jest/globals';
import { eventually } from '../../../infra/local/eventually';
import type { Logger } from './logger';
import { refreshEvery } from './refresh-every';

const until = (condition: () => boolean) => eventually(async () => condition(), 5000, 'rounds', 5);

function recordingLogger() {
  const lines: string[] = [];
  const logger = {
    info: (_fields: unknown, message: string) => lines.push(`info ${message}`),
    warn: (_fields: unknown, message: string) => lines.push(`warn ${message}`),
  } as unknown as Logger;
  return { lines, logger };
}

describe('refreshEvery', () => {
  it('refreshes at once, then again each interval, and stops on close', async () => {
    const { logger } = recordingLogger();
    let rounds = 0;
    const refresh = refreshEvery({
      what: 'test',
      intervalMs: 20,
      logger,
      refresh: async () => void rounds++,
    });
    await until(() => rounds >= 3);
    await refresh.close();
    const after = rounds;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(rounds).toBe(after);
  });

  it('never runs two rounds at once, even when asked for one now', async () => {
    const { logger } = recordingLogger();
    let running = 0;
    let most = 0;
    let rounds = 0;
    const refresh = refreshEvery({
      what: 'test',
      intervalMs: 1,
      logger,
      refresh: async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running--;
        rounds++;
      },
    });
    await Promise.all([refresh.now(), refresh.now()]);
    await until(() => rounds >= 4);
    await refresh.close();
    expect(most).toBe(1);
  });

  it('logs a failing source once per streak and says when it answers again', async () => {
    const { lines, logger } = recordingLogger();
    let failing = true;
    let rounds = 0;
    const refresh = refreshEvery({
      what: 'doses left',
      intervalMs: 5,
      logger,
      refresh: async () => {
        rounds++;
        if (failing) throw new Error('database away');
      },
    });
    await until(() => rounds >= 4);
    failing = false;
    await until(() => lines.includes('info doses left: refreshed again'));
    await refresh.close();
    expect(lines).toEqual([
      'warn doses left: not refreshed, keeping the last values',
      'info doses left: refreshed again',
    ]);
  });

  it('does not wait longer than asked for a round stuck on its source', async () => {
    const { logger } = recordingLogger();
    const refresh = refreshEvery({
      what: 'stuck',
      intervalMs: 1000,
      logger,
      refresh: () => new Promise(() => undefined),
    });
    const started = Date.now();
    await refresh.close(50);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
