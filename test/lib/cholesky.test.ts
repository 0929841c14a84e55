import { describe, expect, it } from 'vitest';
import { choleskyFactor, solveWithFactor } from '../../src/lib/cholesky.ts';

const at = (A: number[][]) => (i: number, j: number) => A[i]![j]!;

describe('cholesky', () => {
  it('factors a symmetric positive-definite matrix and solves A x = b', () => {
    const A = [
      [4, 12, -16],
      [12, 37, -43],
      [-16, -43, 98],
    ];
    const L = choleskyFactor(3, at(A), { minPivot: 1e-12, onSmallPivot: 'fail' })!;
    // The textbook factor of this matrix has small integer entries.
    expect(Array.from(L)).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
    const x = solveWithFactor(L, 3, [1, 2, 3]);
    A.forEach((row, i) => expect(row.reduce((s, a, j) => s + a * x[j]!, 0)).toBeCloseTo([1, 2, 3][i]!, 10));
  });

  it('reads only the lower triangle', () => {
    const lowerOnly = [
      [4, 999],
      [2, 5],
    ];
    expect(Array.from(choleskyFactor(2, at(lowerOnly), { minPivot: 0, onSmallPivot: 'fail' })!)).toEqual([2, 0, 1, 2]);
  });

  it('refuses a singular matrix under the fail rule and clamps the pivot under the clamp rule', () => {
    const singular = [
      [1, 1],
      [1, 1],
    ];
    expect(choleskyFactor(2, at(singular), { minPivot: 1e-12, onSmallPivot: 'fail' })).toBeNull();
    const L = choleskyFactor(2, at(singular), { minPivot: 1e-300, onSmallPivot: 'clamp' })!;
    expect(L[3]).toBe(Math.sqrt(1e-300));
    const nan = [
      [1, 0],
      [0, NaN],
    ];
    expect(choleskyFactor(2, at(nan), { minPivot: 1e-300, onSmallPivot: 'clamp' })![3]).toBeNaN();
  });
});
