import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../../src/lib/random.ts';
import { matrixFromRows } from '../../../src/models/risk-model.ts';
import {
  groupKFold,
  groupTrainTestSplit,
  stratifiedKFold,
  stratifiedTrainTestSplit,
  takeEntries,
  takeRows,
} from '../../../src/models/evaluation/splits.ts';

function labels(n: number, prevalence: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: n }, () => (rng.bernoulli(prevalence) ? 1 : 0));
}

function count(y: ArrayLike<number>, rows: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < rows.length; i++) s += y[rows[i]!]!;
  return s;
}

describe('stratifiedTrainTestSplit', () => {
  it('keeps each class share in test to within one row and partitions the rows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 400 }), fc.double({ min: 0.05, max: 0.6, noNaN: true }), fc.integer(), (n, prev, seed) => {
        const y = labels(n, prev, seed);
        const positives = count(y, Array.from(y.keys()));
        fc.pre(positives > 0 && positives < n);
        const { train, test } = stratifiedTrainTestSplit(y, 0.2, seed);
        expect(train.length + test.length).toBe(n);
        expect(new Set([...train, ...test]).size).toBe(n);
        expect(Math.abs(count(y, test) - Math.round(0.2 * positives))).toBe(0);
        expect(Math.abs(test.length - count(y, test) - Math.round(0.2 * (n - positives)))).toBe(0);
      }),
      { numRuns: 50 },
    );
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const y = labels(500, 0.2, 1);
    expect(stratifiedTrainTestSplit(y, 0.25, 42)).toEqual(stratifiedTrainTestSplit(y, 0.25, 42));
    expect(stratifiedTrainTestSplit(y, 0.25, 42).test).not.toEqual(stratifiedTrainTestSplit(y, 0.25, 43).test);
  });

  it('rejects a fraction outside (0, 1) naming the value', () => {
    expect(() => stratifiedTrainTestSplit([0, 1, 0, 1], 1.5, 1)).toThrow(/testFraction=1.5/);
  });
});

describe('stratifiedKFold', () => {
  it('partitions rows into k test folds of near-equal size and prevalence', () => {
    const y = labels(1003, 0.15, 2);
    const folds = stratifiedKFold(y, 5, 7);
    const seen = new Uint8Array(y.length);
    const positives = count(y, Array.from(y.keys()));
    for (const { train, test } of folds) {
      expect(train.length + test.length).toBe(y.length);
      for (const r of test) seen[r]! += 1;
      expect(Math.abs(test.length - y.length / 5)).toBeLessThanOrEqual(1);
      expect(Math.abs(count(y, test) - positives / 5)).toBeLessThanOrEqual(1);
    }
    expect(seen.every((v) => v === 1)).toBe(true);
    expect(stratifiedKFold(y, 5, 7)).toEqual(folds);
  });
});

describe('groupKFold', () => {
  function grouped(nGroups: number, seed: number) {
    const rng = new Rng(seed);
    const y: number[] = [];
    const groups: string[] = [];
    for (let g = 0; g < nGroups; g++) {
      const size = rng.int(1, 4);
      const risky = rng.bernoulli(0.2);
      for (let k = 0; k < size; k++) {
        groups.push(`patient-${g}`);
        y.push(rng.bernoulli(risky ? 0.6 : 0.05) ? 1 : 0);
      }
    }
    return { y: Uint8Array.from(y), groups };
  }

  it('never puts one group on both sides of a fold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 200 }), fc.integer(), fc.integer({ min: 2, max: 6 }), (nGroups, seed, k) => {
        const { y, groups } = grouped(nGroups, seed);
        const folds = groupKFold(y, groups, k, seed);
        const foldOfGroup = new Map<string, number>();
        folds.forEach(({ test, train }, f) => {
          expect(test.length + train.length).toBe(y.length);
          for (const r of test) {
            const prev = foldOfGroup.get(groups[r]!);
            expect(prev === undefined || prev === f).toBe(true);
            foldOfGroup.set(groups[r]!, f);
          }
        });
        expect(foldOfGroup.size).toBe(nGroups);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps fold prevalence close to the overall one and sizes balanced', () => {
    const { y, groups } = grouped(3000, 5);
    const folds = groupKFold(y, groups, 5, 11);
    const overall = count(y, Array.from(y.keys())) / y.length;
    for (const { test } of folds) {
      expect(Math.abs(count(y, test) / test.length - overall)).toBeLessThan(0.01);
      expect(Math.abs(test.length - y.length / 5) / (y.length / 5)).toBeLessThan(0.05);
    }
  });

  it('is deterministic for a seed', () => {
    const { y, groups } = grouped(300, 8);
    expect(groupKFold(y, groups, 4, 'x')).toEqual(groupKFold(y, groups, 4, 'x'));
    expect(groupKFold(y, groups, 4, 'x')[0]!.test).not.toEqual(groupKFold(y, groups, 4, 'y')[0]!.test);
  });

  it('gives a grouped train/test split of about the asked size', () => {
    const { y, groups } = grouped(1000, 9);
    const { train, test } = groupTrainTestSplit(y, groups, 0.2, 3);
    expect(Math.abs(test.length / y.length - 0.2)).toBeLessThan(0.02);
    const trainGroups = new Set(Array.from(train, (r) => groups[r]));
    for (const r of test) expect(trainGroups.has(groups[r])).toBe(false);
  });

  it('refuses more folds than groups', () => {
    expect(() => groupKFold([0, 1, 0], ['a', 'a', 'b'], 3, 1)).toThrow(/k=3 exceeds the 2 units/);
  });
});

describe('takeRows / takeEntries', () => {
  it('selects rows of a matrix and entries of a label array in the given order', () => {
    const X = matrixFromRows([[1, 2], [3, 4], [5, 6]], ['a', 'b']);
    const sub = takeRows(X, [2, 0]);
    expect(Array.from(sub.values)).toEqual([5, 6, 1, 2]);
    expect(sub.rows).toBe(2);
    expect(sub.featureNames).toEqual(['a', 'b']);
    expect(Array.from(takeEntries(Uint8Array.from([0, 1, 1]), [2, 0]))).toEqual([1, 0]);
    expect(() => takeRows(X, [3])).toThrow(/outside/);
  });
});
