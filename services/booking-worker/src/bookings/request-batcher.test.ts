import { RequestBatcher } from './request-batcher';

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

describe('RequestBatcher', () => {
  it('flushes an idle key at once and gathers what arrives during a flush into the next batch', async () => {
    const batches: number[][] = [];
    const gate = deferred();
    const batcher = new RequestBatcher<number, number>(async (_key, items) => {
      batches.push(items);
      if (batches.length === 1) await gate.promise;
      return items.map((n) => n * 10);
    }, 100);
    const first = batcher.submit('c', 1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((n) => batcher.submit('c', n));
    expect(batcher.waiting).toBe(3);
    gate.release();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('caps batches at maxBatch and keeps keys apart', async () => {
    const batches: Array<[string, number[]]> = [];
    const batcher = new RequestBatcher<number, number>(async (key, items) => {
      batches.push([key, items]);
      return items;
    }, 2);
    await Promise.all([1, 2, 3].map((n) => batcher.submit('a', n)).concat(batcher.submit('b', 9)));
    expect(batches).toHaveLength(3);
    expect(batches).toEqual(
      expect.arrayContaining([
        ['a', [1, 2]],
        ['a', [3]],
        ['b', [9]],
      ]),
    );
  });

  it('rejects only the items the runner answered with an error, and all of a failed batch', async () => {
    const batcher = new RequestBatcher<number, number>(async (_key, items) => {
      if (items.includes(0)) throw new Error('batch failed');
      return items.map((n) => (n < 0 ? new Error(`bad ${n}`) : n));
    }, 10);
    const results = await Promise.allSettled([batcher.submit('k', 1), batcher.submit('k', -1)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    await expect(batcher.submit('k', 0)).rejects.toThrow('batch failed');
  });
});
