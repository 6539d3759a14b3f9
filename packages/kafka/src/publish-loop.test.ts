import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@khiw/observability';
import { eventually } from '../../../infra/local/eventually';
import { PublishLoop } from './publish-loop';

const logger = createLogger({ service: 'publish-loop-test', level: 'silent' });

/** Resolves once `condition` holds, checking every 5 ms (no fixed sleeps). */
const until = (condition: () => boolean, what: string) => eventually(async () => condition(), 5000, what, 5);

describe('PublishLoop', () => {
  it('goes again at once after a full batch and waits after a short one', async () => {
    const results = [10, 10, 3];
    let calls = 0;
    const loop = new PublishLoop({
      publishBatch: async () => results[calls++] ?? 0,
      batchSize: 10,
      pollMs: 60_000,
      logger,
      what: 'test',
    });
    loop.start();
    await until(() => calls === 3, 'three batches');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(3);
    await loop.stop();
  });

  it('a nudge ends the poll wait, and one during a batch runs another right after it', async () => {
    let calls = 0;
    let release: (() => void) | undefined;
    const loop = new PublishLoop({
      publishBatch: async () => {
        calls++;
        if (calls === 2) await new Promise<void>((resolve) => (release = resolve));
        return 0;
      },
      batchSize: 10,
      pollMs: 60_000,
      logger,
      what: 'test',
    });
    loop.start();
    await until(() => calls === 1, 'the first batch');
    loop.nudge();
    await until(() => release !== undefined, 'the nudged batch');
    loop.nudge();
    release!();
    await until(() => calls === 3, 'the batch after the nudge during a batch');
    await loop.stop();
    expect(calls).toBe(3);
  });

  it('backs off while batches fail, counts each failure, and a nudge does not cut the backoff', async () => {
    let calls = 0;
    let failures = 0;
    const loop = new PublishLoop({
      publishBatch: async () => {
        calls++;
        throw new Error('kafka down');
      },
      batchSize: 10,
      pollMs: 10_000,
      logger,
      onFailure: () => failures++,
      what: 'test',
    });
    loop.start();
    await until(() => failures === 1, 'the first failure');
    loop.nudge();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(1);
    await loop.stop();
  });

  it('stop() ends a wait at once, is safe twice, and a stopped loop does not start again', async () => {
    let calls = 0;
    const loop = new PublishLoop({
      publishBatch: async () => ++calls && 0,
      batchSize: 10,
      pollMs: 60_000,
      logger,
      what: 'test',
    });
    loop.start();
    await until(() => calls === 1, 'the first batch');
    await Promise.all([loop.stop(), loop.stop()]);
    loop.start();
    loop.nudge();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toBe(1);
  });
});
