import { describe, expect, it } from '@jest/globals';
import { createLogger } from './logger';
import { createShutdown } from './shutdown';

const logger = createLogger({ service: 'test', level: 'silent' });

describe('createShutdown', () => {
  it('runs steps once, in order, even when one fails, and reports failure in the exit code', async () => {
    const order: string[] = [];
    const shutdown = createShutdown({ logger, timeoutMs: 1000 });
    shutdown.add('stop intake', () => order.push('stop'));
    shutdown.add('broken', () => {
      throw new Error('boom');
    });
    shutdown.add('close', async () => order.push('close'));
    expect(shutdown.draining).toBe(false);
    const [a, b] = await Promise.all([shutdown.run('SIGTERM'), shutdown.run('SIGINT')]);
    expect(shutdown.draining).toBe(true);
    expect(order).toEqual(['stop', 'close']);
    expect(a).toBe(1);
    expect(b).toBe(1);
  });

  it('gives up at the deadline', async () => {
    const shutdown = createShutdown({ logger, timeoutMs: 50 });
    shutdown.add('hangs', () => new Promise(() => undefined));
    expect(await shutdown.run('SIGTERM')).toBe(1);
  });
});
