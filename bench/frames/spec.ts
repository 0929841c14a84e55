/**
 * The representative feature query every candidate computes, and a fingerprint to check that
 * they agree: per member, as of 2025-01-01, latest HbA1c and latest systolic, count of readings
 * in the prior 12 months, mean systolic in the prior 12 months, joined to age and sex.
 */
import { LOINC } from '../../data-contracts/v1/codes.ts';
import type { FeatureMatrix } from '../../src/models/risk-model.ts';
import type { MemberFeatureSpec } from '../../src/frames/index.ts';

export const AS_OF = '2025-01-01';
export const WINDOW_START = '2024-01-01';

export const BENCH_SPEC: MemberFeatureSpec = {
  asOf: AS_OF,
  demographics: ['age', 'sex_male'],
  observations: [
    { name: 'hba1c_latest', aggregate: 'latest', code: LOINC.hba1c },
    { name: 'systolic_latest', aggregate: 'latest', code: LOINC.systolic },
    { name: 'readings_12m', aggregate: 'count', windowMonths: 12 },
    { name: 'systolic_mean_12m', aggregate: 'mean', code: LOINC.systolic, windowMonths: 12 },
  ],
};

export const FEATURE_NAMES = ['age', 'sex_male', 'hba1c_latest', 'systolic_latest', 'readings_12m', 'systolic_mean_12m'];

/** What one candidate measured in one process. */
export interface CandidateRun {
  candidate: string;
  members: number;
  observations: number;
  loadMs: number;
  queryMs: number;
  matrixMs: number;
  peakRssMb: number;
  fingerprint: string;
}

/** Column sums (rounded to 1e-6) and NaN counts: equal fingerprints mean the candidates agree. */
export function fingerprint(matrix: FeatureMatrix, firstId: string, lastId: string): string {
  const sums = new Float64Array(matrix.cols);
  const nans = new Int32Array(matrix.cols);
  for (let i = 0; i < matrix.rows; i++) {
    for (let j = 0; j < matrix.cols; j++) {
      const v = matrix.values[i * matrix.cols + j]!;
      if (Number.isNaN(v)) nans[j]!++;
      else sums[j]! += v;
    }
  }
  const cols = matrix.featureNames.map((n, j) => `${n}=${sums[j]!.toFixed(3)}/${nans[j]}nan`);
  return `${matrix.rows}x${matrix.cols} ${firstId}..${lastId} ${cols.join(' ')}`;
}
