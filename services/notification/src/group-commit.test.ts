import { describe, expect, it } from '@jest/globals';
import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  it('commits items submitted together in one call and answers each caller', async () => {
    const calls: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      calls.push(items);
      return items.map((i) => i * 2);
    });
    const results = await Promise.all([1, 2, 3].map((i) => group.submit(i)));
    expect(results).toEqual([2, 4, 6]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('collects what arrives during a commit into the next one, and bounds the batch', async () => {
    const calls: number[][] = [];
    let release: () => void = () => undefined;
    const group = new GroupCommit<number, number>(
      async (items) => {
        calls.push(items);
        if (calls.length === 1) await new Promise<void>((r) => (release = r));
        return items;
      },
      { maxInFlight: 1, maxBatch: 2 },
    );
    const first = group.submit(0);
    await new Promise((r) => setImmediate(r));
    const rest = [1, 2, 3].map((i) => group.submit(i));
    release();
    await Promise.all([first, ...rest]);
    expect(calls).toEqual([[0], [1, 2], [3]]);
  });

  it('rejects every caller of a failed commit, and keeps working', async () => {
    let fail = true;
    const group = new GroupCommit<number, number>(async (items) => {
      if (fail) throw new Error('db down');
      return items;
    });
    await expect(Promise.all([group.submit(1), group.submit(2)])).rejects.toThrow('db down');
    fail = false;
    await expect(group.submit(3)).resolves.toBe(3);
  });
});
