/**
 * Cholesky factorisation and solve for the small dense symmetric systems our fits produce
 * (logistic regression's Newton steps, the performance GLMM, the risk model's NNLS). Matrices are
 * row-major; only the lower triangle is read. The callers differ only in what a vanishing pivot
 * means (clamp it, retry with a ridge, or refuse), so that is the one choice they pass in.
 */

/**
 * What to do with a pivot that is not above `minPivot`: `clamp` uses `minPivot` in its place (the
 * factor always exists), `fail` gives up and `choleskyFactor` returns null.
 */
export interface PivotRule {
  minPivot: number;
  onSmallPivot: 'clamp' | 'fail';
}

/**
 * The lower factor L (k x k, row-major) with L L' = A, where `at(i, j)` reads A's entry for
 * i >= j; null when a pivot is too small under the `fail` rule.
 */
export function choleskyFactor(k: number, at: (i: number, j: number) => number, rule: PivotRule): Float64Array | null {
  const L = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = at(i, j);
      for (let m = 0; m < j; m++) sum -= L[i * k + m]! * L[j * k + m]!;
      if (i !== j) L[i * k + j] = sum / L[j * k + j]!;
      else if (sum > rule.minPivot) L[i * k + i] = Math.sqrt(sum);
      // max, not minPivot itself, so a NaN still shows in the result instead of being clamped away.
      else if (rule.onSmallPivot === 'clamp') L[i * k + i] = Math.sqrt(Math.max(sum, rule.minPivot));
      else return null;
    }
  }
  return L;
}

/** Solves L L' x = b by forward then back substitution. */
export function solveWithFactor(L: Float64Array, k: number, b: ArrayLike<number>): Float64Array {
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let sum = b[i]!;
    for (let m = 0; m < i; m++) sum -= L[i * k + m]! * z[m]!;
    z[i] = sum / L[i * k + i]!;
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let sum = z[i]!;
    for (let m = i + 1; m < k; m++) sum -= L[m * k + i]! * x[m]!;
    x[i] = sum / L[i * k + i]!;
  }
  return x;
}
