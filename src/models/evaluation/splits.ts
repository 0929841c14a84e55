/**
 * Seeded, deterministic data splits: stratified train/test, stratified k-fold and group k-fold
 * (rows of one member/patient never straddle folds, with the class balance kept as far as the
 * groups allow). Every shuffle draws from `Rng` so a seed gives the same split on every machine.
 */
import { Rng } from '../../lib/random.ts';
import type { FeatureMatrix } from '../risk-model.ts';
import { EvaluationError } from './errors.ts';

/** Row indices (ascending) of one train/test partition. */
export interface Split {
  train: Uint32Array;
  test: Uint32Array;
}

function checkLabels(y: ArrayLike<number>): void {
  if (y.length === 0) throw new EvaluationError('EMPTY_INPUT', 'no rows to split');
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new EvaluationError('INVALID_LABEL', `label at row ${i} is ${y[i]}, expected 0 or 1`);
  }
}

function checkFolds(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 2) throw new EvaluationError('INVALID_ARGUMENT', `k=${k} must be an integer >= 2`);
  if (k > n) throw new EvaluationError('INVALID_ARGUMENT', `k=${k} exceeds the ${n} units available to split`);
}

function sortedUint32(values: number[]): Uint32Array {
  return Uint32Array.from(values).sort();
}

function rowsOfClass(y: ArrayLike<number>, cls: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < y.length; i++) if (y[i] === cls) rows.push(i);
  return rows;
}

/**
 * Stratified train/test split: within each class, round(testFraction * class size) shuffled rows go
 * to test, so both parts keep the overall prevalence (to within one row per class).
 */
export function stratifiedTrainTestSplit(y: ArrayLike<number>, testFraction: number, seed: number | string): Split {
  checkLabels(y);
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new EvaluationError('INVALID_ARGUMENT', `testFraction=${testFraction} must be in (0, 1)`);
  }
  const rng = new Rng(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const cls of [0, 1]) {
    const rows = rng.shuffle(rowsOfClass(y, cls));
    const nTest = Math.round(testFraction * rows.length);
    rows.forEach((row, i) => (i < nTest ? test : train).push(row));
  }
  if (train.length === 0 || test.length === 0) {
    throw new EvaluationError('INVALID_ARGUMENT', `testFraction=${testFraction} leaves an empty part of ${y.length} rows`);
  }
  return { train: sortedUint32(train), test: sortedUint32(test) };
}

/**
 * Stratified k-fold: each class's shuffled rows are dealt round-robin over the folds, the deal
 * continuing from class to class so fold sizes differ by at most one. Returns k splits whose test
 * parts partition the rows.
 */
export function stratifiedKFold(y: ArrayLike<number>, k: number, seed: number | string): Split[] {
  checkLabels(y);
  checkFolds(k, y.length);
  const rng = new Rng(seed);
  const foldOf = new Int32Array(y.length);
  let dealt = 0;
  for (const cls of [0, 1]) {
    for (const row of rng.shuffle(rowsOfClass(y, cls))) foldOf[row] = dealt++ % k;
  }
  return splitsFromAssignment(foldOf, k);
}

function splitsFromAssignment(foldOf: Int32Array, k: number): Split[] {
  const splits: Split[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < foldOf.length; i++) (foldOf[i] === f ? test : train).push(i);
    splits.push({ train: Uint32Array.from(train), test: Uint32Array.from(test) });
  }
  return splits;
}

/**
 * Group k-fold, stratified as far as possible (the greedy rule of scikit-learn's
 * StratifiedGroupKFold): groups are shuffled, ordered by how unbalanced their classes are (largest
 * first, stable), and each goes to the fold where, after adding it, the spread (standard deviation
 * over folds) of each class's share is smallest; ties go to the smallest fold, then the lowest
 * index. All rows of a group land in one fold.
 */
export function groupKFold(y: ArrayLike<number>, groups: readonly (string | number)[], k: number, seed: number | string): Split[] {
  checkLabels(y);
  if (groups.length !== y.length) throw new EvaluationError('LENGTH_MISMATCH', `${groups.length} group ids but ${y.length} labels`);
  const indexOfKey = new Map<string | number, number>();
  const groupOfRow = new Int32Array(y.length);
  const counts: [number, number][] = [];
  for (let i = 0; i < y.length; i++) {
    let g = indexOfKey.get(groups[i]!);
    if (g === undefined) {
      g = counts.length;
      indexOfKey.set(groups[i]!, g);
      counts.push([0, 0]);
    }
    groupOfRow[i] = g;
    counts[g]![y[i]!]! += 1;
  }
  const nGroups = counts.length;
  checkFolds(k, nGroups);
  const rng = new Rng(seed);
  const order = rng.shuffle(Array.from({ length: nGroups }, (_, g) => g));
  // Array.prototype.sort is stable (ES2019), so equal imbalance keeps the shuffled order.
  order.sort((g, h) => Math.abs(counts[h]![0] - counts[h]![1]) - Math.abs(counts[g]![0] - counts[g]![1]));
  const classTotal = [0, 0];
  for (let i = 0; i < y.length; i++) classTotal[y[i]!]! += 1;
  const foldClass = [new Float64Array(k), new Float64Array(k)];
  const foldSize = new Float64Array(k);
  const foldOfGroup = new Int32Array(nGroups);
  for (const g of order) {
    const [c0, c1] = counts[g]!;
    let best = -1;
    let bestCost = Infinity;
    for (let f = 0; f < k; f++) {
      foldClass[0]![f] = foldClass[0]![f]! + c0;
      foldClass[1]![f] = foldClass[1]![f]! + c1;
      let cost = 0;
      for (const cls of [0, 1]) {
        const total = classTotal[cls]!;
        if (total === 0) continue;
        cost += stdDev(foldClass[cls]!, total);
      }
      foldClass[0]![f] = foldClass[0]![f]! - c0;
      foldClass[1]![f] = foldClass[1]![f]! - c1;
      const better = cost < bestCost - 1e-12 || (Math.abs(cost - bestCost) <= 1e-12 && foldSize[f]! < foldSize[best]!);
      if (best === -1 || better) {
        best = f;
        bestCost = cost;
      }
    }
    foldClass[0]![best] = foldClass[0]![best]! + c0;
    foldClass[1]![best] = foldClass[1]![best]! + c1;
    foldSize[best] = foldSize[best]! + c0 + c1;
    foldOfGroup[g] = best;
  }
  const foldOf = Int32Array.from(groupOfRow, (g) => foldOfGroup[g]!);
  return splitsFromAssignment(foldOf, k);
}

function stdDev(values: Float64Array, scale: number): number {
  let mean = 0;
  for (const v of values) mean += v / scale;
  mean /= values.length;
  let s = 0;
  for (const v of values) s += (v / scale - mean) ** 2;
  return Math.sqrt(s / values.length);
}

/**
 * A grouped train/test split: the first fold of a `round(1 / testFraction)`-fold stratified group
 * split is the test part. The honest split for deployment on a dataset with repeat patients.
 */
export function groupTrainTestSplit(y: ArrayLike<number>, groups: readonly (string | number)[], testFraction: number, seed: number | string): Split {
  if (!(testFraction > 0 && testFraction <= 0.5)) {
    throw new EvaluationError('INVALID_ARGUMENT', `testFraction=${testFraction} must be in (0, 0.5] for a grouped split`);
  }
  return groupKFold(y, groups, Math.round(1 / testFraction), seed)[0]!;
}

/** The rows `rows` of a matrix, in that order (for fitting on one part of a split). */
export function takeRows(X: FeatureMatrix, rows: ArrayLike<number>): FeatureMatrix {
  const values = new Float64Array(rows.length * X.cols);
  for (let r = 0; r < rows.length; r++) {
    const src = rows[r]!;
    if (!(src >= 0 && src < X.rows)) throw new EvaluationError('INVALID_ARGUMENT', `row ${src} is outside a ${X.rows}-row matrix`);
    values.set(X.values.subarray(src * X.cols, (src + 1) * X.cols), r * X.cols);
  }
  return { rows: rows.length, cols: X.cols, values, featureNames: X.featureNames };
}

/** The entries `rows` of a typed array, in that order. */
export function takeEntries<T extends Uint8Array | Float64Array>(array: T, rows: ArrayLike<number>): T {
  const out = new (array.constructor as new (n: number) => T)(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = array[rows[r]!]!;
  return out;
}
