/**
 * Isotonic calibration (Zadrozny & Elkan 2002): the non-decreasing step function of the raw
 * probability closest in squared error to the outcomes, fitted by pool-adjacent-violators. Between
 * the steps' end points the map interpolates linearly, and outside the fitted range it is clipped
 * to the first/last value (scikit-learn's IsotonicRegression with out_of_bounds="clip").
 */
import { checkPredictions, EvaluationError } from '../evaluation/errors.ts';
import type { Calibrator, SerializedCalibrator } from './calibrator.ts';

/** Knots of the fitted map: strictly increasing `x`, non-decreasing `y`, same length >= 1. */
export interface IsotonicState {
  x: number[];
  y: number[];
}

/**
 * Pool-adjacent-violators on points sorted by x with weights: returns the block means, one per
 * input point, non-decreasing.
 */
export function poolAdjacentViolators(values: ArrayLike<number>, weights: ArrayLike<number>): Float64Array {
  const n = values.length;
  const blockValue = new Float64Array(n);
  const blockWeight = new Float64Array(n);
  const blockEnd = new Int32Array(n); // exclusive end index of each block
  let top = -1;
  for (let i = 0; i < n; i++) {
    top++;
    blockValue[top] = values[i]!;
    blockWeight[top] = weights[i]!;
    blockEnd[top] = i + 1;
    while (top > 0 && blockValue[top - 1]! > blockValue[top]!) {
      const w = blockWeight[top - 1]! + blockWeight[top]!;
      blockValue[top - 1] = (blockValue[top - 1]! * blockWeight[top - 1]! + blockValue[top]! * blockWeight[top]!) / w;
      blockWeight[top - 1] = w;
      blockEnd[top - 1] = blockEnd[top]!;
      top--;
    }
  }
  const out = new Float64Array(n);
  let start = 0;
  for (let b = 0; b <= top; b++) {
    out.fill(blockValue[b]!, start, blockEnd[b]!);
    start = blockEnd[b]!;
  }
  return out;
}

export class IsotonicCalibrator implements Calibrator {
  readonly method = 'isotonic' as const;
  private state: IsotonicState | null = null;

  get fitted(): boolean {
    return this.state !== null;
  }

  /** The fitted knots (copies). */
  get knots(): IsotonicState {
    if (!this.state) throw new EvaluationError('NOT_FITTED', 'isotonic calibrator is not fitted: call fit() first');
    return { x: [...this.state.x], y: [...this.state.y] };
  }

  fit(p: ArrayLike<number>, y: ArrayLike<number>): IsotonicCalibrator {
    checkPredictions(p, y);
    const order = Array.from({ length: p.length }, (_, i) => i).sort((i, j) => p[i]! - p[j]!);
    // Tied raw probabilities must map to one value: pool them first, weighted by count.
    const xs: number[] = [];
    const sums: number[] = [];
    const counts: number[] = [];
    for (const i of order) {
      const last = xs.length - 1;
      if (last >= 0 && xs[last] === p[i]) {
        sums[last] = sums[last]! + y[i]!;
        counts[last] = counts[last]! + 1;
      } else {
        xs.push(p[i]!);
        sums.push(y[i]!);
        counts.push(1);
      }
    }
    const fittedValues = poolAdjacentViolators(
      sums.map((s, k) => s / counts[k]!),
      counts,
    );
    // Keep only the end points of each constant run: interpolation between them reproduces the steps.
    const kx: number[] = [];
    const ky: number[] = [];
    for (let k = 0; k < xs.length; k++) {
      const v = fittedValues[k]!;
      const isRunStart = k === 0 || fittedValues[k - 1] !== v;
      const isRunEnd = k === xs.length - 1 || fittedValues[k + 1] !== v;
      if (isRunStart || isRunEnd) {
        kx.push(xs[k]!);
        ky.push(v);
      }
    }
    this.state = { x: kx, y: ky };
    return this;
  }

  transform(p: ArrayLike<number>): Float64Array {
    if (!this.state) throw new EvaluationError('NOT_FITTED', 'isotonic calibrator is not fitted: call fit() first');
    const { x, y } = this.state;
    const out = new Float64Array(p.length);
    const last = x.length - 1;
    for (let i = 0; i < p.length; i++) {
      const v = p[i]!;
      if (v <= x[0]!) {
        out[i] = y[0]!;
      } else if (v >= x[last]!) {
        out[i] = y[last]!;
      } else {
        // Binary search for the knot interval [x[lo], x[lo + 1]) holding v.
        let lo = 0;
        let hi = last;
        while (hi - lo > 1) {
          const mid = (lo + hi) >> 1;
          if (x[mid]! <= v) lo = mid;
          else hi = mid;
        }
        const x0 = x[lo]!;
        const x1 = x[hi]!;
        const y0 = y[lo]!;
        const y1 = y[hi]!;
        out[i] = y0 + ((v - x0) / (x1 - x0)) * (y1 - y0);
      }
    }
    return out;
  }

  toJSON(): SerializedCalibrator {
    return { method: 'isotonic', state: this.knots };
  }

  /** Restore from the `state` of `toJSON`; validates that the knots form a monotone map. */
  static fromState(state: unknown): IsotonicCalibrator {
    const s = state as Partial<IsotonicState> | null;
    const x = s?.x;
    const y = s?.y;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length === 0 || x.length !== y.length) {
      throw new EvaluationError('INVALID_SERIALIZATION', 'isotonic state needs equal-length, non-empty x and y arrays');
    }
    for (let k = 0; k < x.length; k++) {
      const ok = typeof x[k] === 'number' && typeof y[k] === 'number' && Number.isFinite(x[k]) && Number.isFinite(y[k]);
      const monotone = k === 0 || (x[k]! > x[k - 1]! && y[k]! >= y[k - 1]!);
      if (!ok || !monotone) throw new EvaluationError('INVALID_SERIALIZATION', `isotonic knot ${k} breaks monotonicity or is not a finite number`);
    }
    const c = new IsotonicCalibrator();
    c.state = { x: [...x], y: [...y] };
    return c;
  }
}
