/**
 * Subgroup evaluation: the same metrics computed per value of a grouping key (sex, age band,
 * institution level, ...) with gaps from the overall figures flagged. A model that ranks well
 * overall but poorly for one group, or that under-predicts one group's risk, would move money and
 * follow-up unfairly between institutions (DOMAIN.md: rates that move money are risk-standardised),
 * so gaps beyond a configurable limit are reported beside the figures, never silently averaged away.
 */
import { checkPredictions, EvaluationError } from './errors.ts';
import { aucWithConfidence, brierScore } from './metrics.ts';

export type SubgroupFlag = 'AUC_GAP' | 'CALIBRATION_IN_THE_LARGE_GAP' | 'TOO_SMALL' | 'SINGLE_CLASS';

export interface SubgroupLimits {
  /** Flag a subgroup whose AUC differs from the overall AUC by more than this (default 0.05). */
  aucGap?: number;
  /**
   * Flag a subgroup whose observed rate minus mean predicted risk differs from the overall one by
   * more than this, in absolute probability (default 0.02).
   */
  calibrationInTheLargeGap?: number;
  /** Subgroups with fewer rows are reported with TOO_SMALL and not gap-flagged (default 30). */
  minRows?: number;
}

export interface SubgroupResult {
  key: string;
  n: number;
  positives: number;
  observedRate: number;
  meanPredicted: number;
  /** Observed rate - mean predicted: > 0 means this group's risk is underestimated. */
  calibrationInTheLarge: number;
  /** Null when the group holds one class only. */
  auc: number | null;
  aucLower: number | null;
  aucUpper: number | null;
  brier: number;
  /** Subgroup AUC - overall AUC (null when undefined). */
  aucGap: number | null;
  /** Subgroup calibration-in-the-large - overall calibration-in-the-large. */
  calibrationInTheLargeGap: number;
  flags: SubgroupFlag[];
}

export interface SubgroupEvaluation {
  overall: Omit<SubgroupResult, 'key' | 'aucGap' | 'calibrationInTheLargeGap' | 'flags'>;
  limits: Required<SubgroupLimits>;
  groups: SubgroupResult[];
}

interface Summary {
  n: number;
  positives: number;
  observedRate: number;
  meanPredicted: number;
  calibrationInTheLarge: number;
  auc: number | null;
  aucLower: number | null;
  aucUpper: number | null;
  brier: number;
}

function summarise(p: ArrayLike<number>, y: ArrayLike<number>): Summary {
  let positives = 0;
  let sumP = 0;
  for (let i = 0; i < y.length; i++) {
    positives += y[i]!;
    sumP += p[i]!;
  }
  const n = y.length;
  const observedRate = positives / n;
  const meanPredicted = sumP / n;
  const both = positives > 0 && positives < n;
  const ci = both ? aucWithConfidence(p, y) : null;
  return {
    n,
    positives,
    observedRate,
    meanPredicted,
    calibrationInTheLarge: observedRate - meanPredicted,
    auc: ci ? ci.auc : null,
    aucLower: ci && !Number.isNaN(ci.lower) ? ci.lower : null,
    aucUpper: ci && !Number.isNaN(ci.upper) ? ci.upper : null,
    brier: brierScore(p, y),
  };
}

/**
 * Metrics per subgroup of `groups` (one key per row), sorted by key, with gaps from the overall
 * figures flagged when they exceed `limits`.
 */
export function evaluateSubgroups(
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  groups: readonly (string | number)[],
  limits: SubgroupLimits = {},
): SubgroupEvaluation {
  checkPredictions(p, y);
  if (groups.length !== y.length) {
    throw new EvaluationError('LENGTH_MISMATCH', `${groups.length} group keys but ${y.length} labels`);
  }
  const resolved: Required<SubgroupLimits> = {
    aucGap: limits.aucGap ?? 0.05,
    calibrationInTheLargeGap: limits.calibrationInTheLargeGap ?? 0.02,
    minRows: limits.minRows ?? 30,
  };
  const overall = summarise(p, y);
  const rowsByKey = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const key = String(g);
    const rows = rowsByKey.get(key);
    if (rows) rows.push(i);
    else rowsByKey.set(key, [i]);
  });
  const results: SubgroupResult[] = [];
  for (const key of [...rowsByKey.keys()].sort()) {
    const rows = rowsByKey.get(key)!;
    const gp = Float64Array.from(rows, (i) => p[i]!);
    const gy = Uint8Array.from(rows, (i) => y[i]!);
    const s = summarise(gp, gy);
    const aucGap = s.auc !== null && overall.auc !== null ? s.auc - overall.auc : null;
    const calibrationInTheLargeGap = s.calibrationInTheLarge - overall.calibrationInTheLarge;
    const flags: SubgroupFlag[] = [];
    if (s.auc === null) flags.push('SINGLE_CLASS');
    if (s.n < resolved.minRows) {
      flags.push('TOO_SMALL');
    } else {
      if (aucGap !== null && Math.abs(aucGap) > resolved.aucGap) flags.push('AUC_GAP');
      if (Math.abs(calibrationInTheLargeGap) > resolved.calibrationInTheLargeGap) flags.push('CALIBRATION_IN_THE_LARGE_GAP');
    }
    results.push({ key, ...s, aucGap, calibrationInTheLargeGap, flags });
  }
  return { overall, limits: resolved, groups: results };
}
