/**
 * Metrics of a binary risk model over arrays of predicted probabilities and 0/1 labels:
 * discrimination (AUC with a DeLong interval), accuracy of the probabilities (Brier, log loss),
 * calibration (slope, intercept, calibration-in-the-large, reliability bins) and the figures a
 * clinic works with (precision/recall/lift of the top 5/10/20% of a list). Pure functions.
 *
 * Sources: DeLong, DeLong & Clarke-Pearson (1988) for the AUC variance, computed with the
 * midrank algorithm of Sun & Xu (2014); Van Calster et al. (2016) for the calibration hierarchy.
 */
import { checkPredictions, EvaluationError } from './errors.ts';
import { clippedLogit, fitInterceptWithOffset, fitLogisticLine } from './logistic-recalibration.ts';

/** Midranks (1-based, ties share the mean of their ranks) of `values`. */
export function midranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!]! === values[order[i]!]!) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    i = j + 1;
  }
  return ranks;
}

function countPositives(y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < y.length; i++) m += y[i]!;
  return m;
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random
 * negative, ties counting one half (Mann-Whitney U / (m n)). Throws SINGLE_CLASS when either class
 * is absent, since the AUC is then undefined.
 */
export function aucScore(p: ArrayLike<number>, y: ArrayLike<number>): number {
  return aucWithConfidence(p, y).auc;
}

/** AUC with its DeLong standard error and a Wald interval clipped to [0, 1]. */
export interface AucInterval {
  auc: number;
  /** DeLong standard error; NaN when a class has fewer than 2 rows. */
  standardError: number;
  lower: number;
  upper: number;
  level: number;
}

/** DeLong structural components of one model's scores, and its AUC (the mean of `v10`). */
export interface PlacementValues {
  /** Per positive (in row order): the share of negatives it outscores, ties counting one half. */
  v10: Float64Array;
  /** Per negative (in row order): the share of positives that outscore it, ties counting one half. */
  v01: Float64Array;
  auc: number;
}

/**
 * Placement values of DeLong, DeLong & Clarke-Pearson (1988) from midranks (Sun & Xu 2014):
 * V10 = (rank among all - rank among positives) / n, V01 = 1 - (rank among all - rank among
 * negatives) / m, for `m` positives and `n` negatives in `y` (both counted by the caller).
 */
export function placementValues(p: ArrayLike<number>, y: ArrayLike<number>, m: number, n: number): PlacementValues {
  const pos = new Float64Array(m);
  const neg = new Float64Array(n);
  let a = 0;
  let b = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) pos[a++] = p[i]!;
    else neg[b++] = p[i]!;
  }
  const all = new Float64Array(m + n);
  all.set(pos, 0);
  all.set(neg, m);
  const rankAll = midranks(all);
  const rankPos = midranks(pos);
  const rankNeg = midranks(neg);
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  let auc = 0;
  for (let i = 0; i < m; i++) {
    v10[i] = (rankAll[i]! - rankPos[i]!) / n;
    auc += v10[i]!;
  }
  for (let j = 0; j < n; j++) v01[j] = 1 - (rankAll[m + j]! - rankNeg[j]!) / m;
  return { v10, v01, auc: auc / m };
}

/**
 * AUC with a DeLong (1988) confidence interval: the variance is S10/m + S01/n from the structural
 * components (placement values) of positives and negatives. The interval is AUC +/- z * SE, clipped
 * to [0, 1], as pROC's `ci.auc(method = "delong")` reports it.
 */
export function aucWithConfidence(p: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): AucInterval {
  checkPredictions(p, y);
  if (!(level > 0 && level < 1)) throw new EvaluationError('INVALID_ARGUMENT', `confidence level ${level} must be in (0, 1)`);
  const m = countPositives(y);
  const n = y.length - m;
  if (m === 0 || n === 0) {
    throw new EvaluationError('SINGLE_CLASS', `AUC needs both classes; got ${m} positives and ${n} negatives`);
  }
  const { v10, v01, auc } = placementValues(p, y, m, n);
  let standardError = NaN;
  if (m >= 2 && n >= 2) {
    let s10 = 0;
    let s01 = 0;
    for (let i = 0; i < m; i++) s10 += (v10[i]! - auc) ** 2;
    for (let j = 0; j < n; j++) s01 += (v01[j]! - auc) ** 2;
    s10 /= m - 1;
    s01 /= n - 1;
    standardError = Math.sqrt(s10 / m + s01 / n);
  }
  const z = normalQuantile(1 - (1 - level) / 2);
  const lower = Number.isNaN(standardError) ? NaN : Math.max(0, auc - z * standardError);
  const upper = Number.isNaN(standardError) ? NaN : Math.min(1, auc + z * standardError);
  return { auc, standardError, lower, upper, level };
}

/** Mean squared difference between predicted probability and outcome (Brier 1950). */
export function brierScore(p: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPredictions(p, y);
  let total = 0;
  for (let i = 0; i < p.length; i++) total += (p[i]! - y[i]!) ** 2;
  return total / p.length;
}

/** Mean negative log-likelihood; probabilities are clipped to [eps, 1 - eps] so a confident miss stays finite. */
export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>, eps = 1e-15): number {
  checkPredictions(p, y);
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - eps, Math.max(eps, p[i]!));
    total -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return total / p.length;
}

/** Weak and moderate calibration figures (Van Calster et al. 2016). */
export interface CalibrationFit {
  /** b in logit P(y=1) = a + b logit(p): 1 is ideal, < 1 means predictions too extreme (overfit). */
  slope: number;
  /** a in the same fit (with b free). */
  intercept: number;
  /** a in logit P(y=1) = a + logit(p) (slope held at 1): 0 is ideal, > 0 means risk underestimated. */
  calibrationInTheLarge: number;
  meanPredicted: number;
  observedRate: number;
  /** False when the data are separable or the fit hit its iteration cap; treat the figures with care. */
  converged: boolean;
}

/**
 * Calibration slope and intercept by logistic recalibration of logit(p), fitted by Newton, and the
 * calibration-in-the-large intercept (offset fit with slope 1).
 */
export function calibrationSlopeIntercept(p: ArrayLike<number>, y: ArrayLike<number>): CalibrationFit {
  checkPredictions(p, y);
  const m = countPositives(y);
  if (m === 0 || m === y.length) {
    throw new EvaluationError('SINGLE_CLASS', 'calibration slope needs both classes among the outcomes');
  }
  const lp = new Float64Array(p.length);
  let meanPredicted = 0;
  for (let i = 0; i < p.length; i++) {
    lp[i] = clippedLogit(p[i]!);
    meanPredicted += p[i]!;
  }
  meanPredicted /= p.length;
  const line = fitLogisticLine(lp, y);
  const large = fitInterceptWithOffset(lp, y);
  return {
    slope: line.slope,
    intercept: line.intercept,
    calibrationInTheLarge: large.intercept,
    meanPredicted,
    observedRate: m / y.length,
    converged: line.converged && large.converged,
  };
}

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  /** Lowest and highest prediction in the bin (equal-width: the bin's edges). */
  lower: number;
  upper: number;
  meanPredicted: number;
  observedRate: number;
  count: number;
}

export interface ReliabilityOptions {
  bins?: number;
  /** `quantile`: bins of (near) equal count; `uniform`: equal-width bins over [0, 1]. */
  strategy?: 'quantile' | 'uniform';
}

/**
 * Reliability-diagram data: per bin, mean predicted probability against the observed event rate.
 * Empty bins are left out. Equal-count bins split the rows sorted by prediction into `bins` runs
 * whose sizes differ by at most one; tied predictions may fall on both sides of a cut.
 */
export function reliabilityDiagram(p: ArrayLike<number>, y: ArrayLike<number>, options: ReliabilityOptions = {}): ReliabilityBin[] {
  checkPredictions(p, y);
  const bins = options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 1) throw new EvaluationError('INVALID_ARGUMENT', `bins=${bins} must be a positive integer`);
  const strategy = options.strategy ?? 'quantile';
  const n = p.length;
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  const count = new Float64Array(bins);
  const lo = new Float64Array(bins).fill(Infinity);
  const hi = new Float64Array(bins).fill(-Infinity);
  const add = (bin: number, i: number) => {
    const pi = p[i]!;
    sumP[bin] = sumP[bin]! + pi;
    sumY[bin] = sumY[bin]! + y[i]!;
    count[bin] = count[bin]! + 1;
    if (pi < lo[bin]!) lo[bin] = pi;
    if (pi > hi[bin]!) hi[bin] = pi;
  };
  if (strategy === 'uniform') {
    for (let i = 0; i < n; i++) add(Math.min(bins - 1, Math.floor(p[i]! * bins)), i);
  } else {
    const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => p[i]! - p[j]! || i - j);
    for (let r = 0; r < n; r++) add(Math.min(bins - 1, Math.floor((r * bins) / n)), order[r]!);
  }
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const c = count[b]!;
    if (c === 0) continue;
    out.push({
      lower: strategy === 'uniform' ? b / bins : lo[b]!,
      upper: strategy === 'uniform' ? (b + 1) / bins : hi[b]!,
      meanPredicted: sumP[b]! / c,
      observedRate: sumY[b]! / c,
      count: c,
    });
  }
  return out;
}

/** What a clinic's list of its top `fraction` highest-risk members would catch. */
export interface TopFractionResult {
  fraction: number;
  /** Rows on the list: ceil(fraction * n). */
  listSize: number;
  /** Lowest predicted probability that made the list. */
  threshold: number;
  positivesOnList: number;
  /** Positives on the list / list size (positive predictive value). */
  precision: number;
  /** Positives on the list / all positives (sensitivity). */
  recall: number;
  /** Precision / prevalence: how many times richer in events the list is than the population. */
  lift: number;
}

/**
 * Precision, recall and lift of the top fractions of a list ranked by predicted risk (default the
 * top 5%, 10% and 20%: the length of a clinic's follow-up list). Rows tied at the cut are taken in
 * row order, so the answer is deterministic; with many ties at the threshold, read it as approximate.
 */
export function topFractionMetrics(p: ArrayLike<number>, y: ArrayLike<number>, fractions: readonly number[] = [0.05, 0.1, 0.2]): TopFractionResult[] {
  checkPredictions(p, y);
  const n = p.length;
  const totalPositives = countPositives(y);
  const prevalence = totalPositives / n;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => p[j]! - p[i]! || i - j);
  return fractions.map((fraction) => {
    if (!(fraction > 0 && fraction <= 1)) throw new EvaluationError('INVALID_ARGUMENT', `fraction ${fraction} must be in (0, 1]`);
    // Round before ceil so 0.1 * 100 (= 10.000000000000002) gives a list of 10, not 11.
    const listSize = Math.max(1, Math.ceil(Number((fraction * n).toPrecision(12))));
    let positivesOnList = 0;
    for (let r = 0; r < listSize; r++) positivesOnList += y[order[r]!]!;
    const precision = positivesOnList / listSize;
    return {
      fraction,
      listSize,
      threshold: p[order[listSize - 1]!]!,
      positivesOnList,
      precision,
      recall: totalPositives > 0 ? positivesOnList / totalPositives : NaN,
      lift: prevalence > 0 ? precision / prevalence : NaN,
    };
  });
}

/** Every figure of one evaluation, as reported side by side with the README's scikit-learn bar. */
export interface BinaryEvaluation {
  n: number;
  positives: number;
  prevalence: number;
  auc: AucInterval;
  brier: number;
  logLoss: number;
  calibration: CalibrationFit;
  reliability: ReliabilityBin[];
  topFractions: TopFractionResult[];
}

export interface BinaryEvaluationOptions {
  confidenceLevel?: number;
  reliability?: ReliabilityOptions;
  topFractions?: readonly number[];
}

/** All metrics of this module at once. Needs both classes present. */
export function evaluateBinary(p: ArrayLike<number>, y: ArrayLike<number>, options: BinaryEvaluationOptions = {}): BinaryEvaluation {
  checkPredictions(p, y);
  const positives = countPositives(y);
  return {
    n: y.length,
    positives,
    prevalence: positives / y.length,
    auc: aucWithConfidence(p, y, options.confidenceLevel ?? 0.95),
    brier: brierScore(p, y),
    logLoss: logLoss(p, y),
    calibration: calibrationSlopeIntercept(p, y),
    reliability: reliabilityDiagram(p, y, options.reliability),
    topFractions: topFractionMetrics(p, y, options.topFractions),
  };
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9,
 * ample for interval bounds).
 */
export function normalQuantile(q: number): number {
  if (!(q > 0 && q < 1)) throw new EvaluationError('INVALID_ARGUMENT', `quantile ${q} must be in (0, 1)`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  let x: number;
  if (q < pLow) {
    const t = Math.sqrt(-2 * Math.log(q));
    x = (((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
  } else if (q <= 1 - pLow) {
    const t = q - 0.5;
    const r = t * t;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * t) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const t = Math.sqrt(-2 * Math.log(1 - q));
    x = -(((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
  }
  return x;
}

