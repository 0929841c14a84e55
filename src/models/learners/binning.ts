/**
 * Quantile binning learned at fit, as LightGBM and scikit-learn's HistGradientBoosting do: each
 * feature's values map to at most 255 ordered bins, and missing (NaN) gets its own bin (255) whose
 * direction each split learns. Bin codes are stored column-major in one Uint8Array so the
 * histogram loop reads one feature's codes contiguously.
 */
import type { FeatureMatrix } from '../risk-model.ts';
import { presentValues } from './common.ts';

/** The bin code reserved for a missing value. */
export const MISSING_BIN = 255;
/** Largest number of bins for non-missing values. */
export const MAX_VALUE_BINS = 255;

/** Learned bin edges: for feature f, value x falls in bin b = first index with x <= edges[f][b]. */
export interface BinMapper {
  /** Per feature, strictly increasing upper edges; the last bin (index edges.length) is open-ended. */
  readonly edges: readonly Float64Array[];
}

/** Learns per-feature edges from the rows of X (NaN ignored). */
export function fitBinMapper(X: FeatureMatrix, maxBins: number): BinMapper {
  const edges: Float64Array[] = [];
  const column = new Float64Array(X.rows);
  for (let f = 0; f < X.cols; f++) {
    const m = presentValues(X, f, column);
    const sorted = column.subarray(0, m).sort();
    // Distinct values, in order.
    const distinct: number[] = [];
    for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
    const featureEdges: number[] = [];
    if (distinct.length <= maxBins) {
      // Few distinct values: one bin each, edges half-way between neighbours.
      for (let i = 0; i + 1 < distinct.length; i++) featureEdges.push(midpoint(distinct[i]!, distinct[i + 1]!));
    } else {
      // Quantile edges, deduplicated; a heavy tie may swallow several quantiles into one bin.
      for (let k = 1; k < maxBins; k++) {
        const pos = (k * m) / maxBins;
        const lo = sorted[Math.max(0, Math.floor(pos) - 1)]!;
        const hi = sorted[Math.min(m - 1, Math.floor(pos))]!;
        const edge = lo === hi ? lo : midpoint(lo, hi);
        const last = featureEdges[featureEdges.length - 1];
        // An edge at the maximum would leave the last bin empty.
        if ((last === undefined || edge > last) && edge < distinct[distinct.length - 1]!) featureEdges.push(edge);
      }
    }
    edges.push(Float64Array.from(featureEdges));
  }
  return { edges };
}

function midpoint(a: number, b: number): number {
  const mid = a + (b - a) / 2;
  // Guard against rounding to b, which would put b in the lower bin's right-open side wrongly.
  return mid < b ? mid : a;
}

/** Bin code of one value. */
export function binValue(featureEdges: Float64Array, x: number): number {
  if (x !== x) return MISSING_BIN;
  let lo = 0;
  let hi = featureEdges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (featureEdges[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Column-major bin codes: codes[f * rows + i]. */
export function binMatrix(mapper: BinMapper, X: FeatureMatrix): Uint8Array {
  const { rows, cols, values } = X;
  const codes = new Uint8Array(rows * cols);
  for (let f = 0; f < cols; f++) {
    const featureEdges = mapper.edges[f]!;
    const base = f * rows;
    for (let i = 0; i < rows; i++) codes[base + i] = binValue(featureEdges, values[i * cols + f]!);
  }
  return codes;
}

/** Serialisable form (plain arrays). */
export function binMapperToJSON(mapper: BinMapper): number[][] {
  return mapper.edges.map((e) => Array.from(e));
}

export function binMapperFromJSON(edges: number[][]): BinMapper {
  return { edges: edges.map((e) => Float64Array.from(e)) };
}
