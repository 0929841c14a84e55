/** Concurrent callers share batches; each gets its own outcome; nothing waits without a batch ahead of it. */
import { describe, expect, it } from 'vitest';
import { Batcher, type Settled } from '../../src/lib/batcher.ts';

/** A batch runner that records its batches and finishes each when the test says so. */
function recorder<I>(outcome: (item: I) => Settled<string> = (item) => ({ ok: true, value: `done ${String(item)}` })) {
  const batches: I[][] = [];
  const finish: (() => void)[] = [];
  const run = (items: readonly I[]) =>
    new Promise<Settled<string>[]>((resolve) => {
      batches.push([...items]);
      finish.push(() => resolve(items.map(outcome)));
    });
  return { batches, finish, run };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('runs the first items at once and gathers the ones that arrive meanwhile into the next batch', async () => {
    const r = recorder<number>();
    const batcher = new Batcher(r.run, { maxInFlight: 1, maxBatch: 3 });
    const first = [batcher.submit(1), batcher.submit(2)];
    await turn();
    expect(r.batches).toEqual([[1, 2]]);
    // While the first batch runs, five more wait: they go in batches of at most three.
    const later = [3, 4, 5, 6, 7].map((i) => batcher.submit(i));
    await turn();
    expect(r.batches).toHaveLength(1);
    r.finish[0]!();
    expect(await Promise.all(first)).toEqual(['done 1', 'done 2']);
    await turn();
    expect(r.batches).toEqual([[1, 2], [3, 4, 5]]);
    r.finish[1]!();
    await turn();
    expect(r.batches[2]).toEqual([6, 7]);
    r.finish[2]!();
    expect(await Promise.all(later)).toEqual(['done 3', 'done 4', 'done 5', 'done 6', 'done 7']);
  });

  it('runs up to maxInFlight batches at once', async () => {
    const r = recorder<number>();
    const batcher = new Batcher(r.run, { maxInFlight: 2, maxBatch: 10 });
    const a = batcher.submit(1);
    await turn();
    const b = batcher.submit(2);
    await turn();
    const c = batcher.submit(3);
    await turn();
    expect(r.batches).toEqual([[1], [2]]);
    r.finish[1]!();
    expect(await b).toBe('done 2');
    await turn();
    expect(r.batches).toEqual([[1], [2], [3]]);
    r.finish[0]!();
    r.finish[2]!();
    expect(await Promise.all([a, c])).toEqual(['done 1', 'done 3']);
  });

  it('settles each item on its own, and rejects a whole batch whose run throws', async () => {
    const r = recorder<number>((i) => (i % 2 ? { ok: true, value: `odd ${i}` } : { ok: false, error: new Error(`even ${i}`) }));
    const batcher = new Batcher(r.run, { maxInFlight: 1, maxBatch: 10 });
    const results = Promise.allSettled([1, 2, 3].map((i) => batcher.submit(i)));
    await turn();
    r.finish[0]!();
    expect((await results).map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual(['odd 1', 'even 2', 'odd 3']);

    let down = true;
    const flaky = new Batcher<number, string>(
      async (items) => {
        if (down) throw new Error('store down');
        return items.map((i) => ({ ok: true, value: String(i) }));
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const both = await Promise.allSettled([flaky.submit(1), flaky.submit(2)]);
    expect(both.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : s.value))).toEqual(['store down', 'store down']);
    // The batcher keeps working after a failed batch.
    down = false;
    expect(await flaky.submit(9)).toBe('9');
  });
});
