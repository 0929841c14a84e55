/**
 * The data behind the report's figures, computed from test probabilities and labels: the ROC
 * curve and the histogram of predicted probabilities. Pure functions.
 */
import { ReportError } from './errors.ts';
import type { Column, Point } from './svg.ts';

function checkPair(p: ArrayLike<number>, y: ArrayLike<number>): void {
  if (p.length !== y.length) throw new ReportError('LENGTH_MISMATCH', `${p.length} probabilities but ${y.length} labels`);
}

/**
 * ROC curve as (false-positive rate, true-positive rate) points from (0, 0) to (1, 1), one point
 * per distinct threshold (rows tied at a threshold move together, drawing the diagonal segment
 * that gives ties their half credit in the AUC). With one class absent the curve is undefined:
 * an empty array is returned.
 */
export function rocCurve(p: ArrayLike<number>, y: ArrayLike<number>): Point[] {
  checkPair(p, y);
  const n = p.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i] === 1 ? 1 : 0;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return [];
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => p[j]! - p[i]!);
  const points: Point[] = [{ x: 0, y: 0 }];
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < n; r++) {
    if (y[order[r]!] === 1) tp++;
    else fp++;
    const next = order[r + 1];
    if (next === undefined || p[next]! !== p[order[r]!]!) points.push({ x: fp / negatives, y: tp / positives });
  }
  return points;
}

/**
 * A curve thinned to at most about `maxPoints` points for drawing: a point is kept when it is at
 * least 1/maxPoints away (in either coordinate) from the last kept one; the first and last points
 * are always kept. The shape is unchanged at the resolution of a printed figure.
 */
export function thinCurve(points: readonly Point[], maxPoints = 400): Point[] {
  if (points.length <= maxPoints) return [...points];
  const step = 1 / maxPoints;
  const out: Point[] = [points[0]!];
  for (let i = 1; i < points.length - 1; i++) {
    const last = out[out.length - 1]!;
    const p = points[i]!;
    if (Math.abs(p.x - last.x) >= step || Math.abs(p.y - last.y) >= step) out.push(p);
  }
  out.push(points[points.length - 1]!);
  return out;
}

/** Counts of predicted probabilities in `bins` equal-width bins over [0, upper]; values above `upper` land in the last bin. */
export function predictionHistogram(p: ArrayLike<number>, bins: number, upper = 1): Column[] {
  if (!Number.isInteger(bins) || bins < 1) throw new ReportError('INVALID_ARGUMENT', `bins=${bins} must be a positive integer`);
  if (!(upper > 0)) throw new ReportError('INVALID_ARGUMENT', `upper=${upper} must be positive`);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor((p[i]! / upper) * bins)));
    counts[b]!++;
  }
  return counts.map((value, b) => ({ lower: (b / bins) * upper, upper: ((b + 1) / bins) * upper, value }));
}
