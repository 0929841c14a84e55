/**
 * Non-negative least squares on the normal equations: minimise ||A x - b||^2 subject to x >= 0,
 * given only G = A'A and c = A'b (the caller accumulates them in one pass over the rows, so the
 * solver's cost depends on the number of columns, not rows). Lawson & Hanson's active-set method
 * ("Solving Least Squares Problems", 1974, ch. 23), with the unconstrained sub-problems solved by
 * Cholesky on the passive set. Pure.
 */
import { choleskyFactor, solveWithFactor } from '../../lib/cholesky.ts';
import { RiskModelFitError } from '../errors.ts';

/** The solution and how the solver got there. */
export interface NnlsResult {
  readonly x: Float64Array;
  /** Outer iterations (columns released from the bound). */
  readonly iterations: number;
  /** Indices held at 0 at the optimum. */
  readonly atBound: readonly number[];
}

/**
 * Solves the symmetric positive (semi-)definite system G_PP s = c_P by Cholesky; a tiny ridge is
 * added when a pivot vanishes (collinear columns, e.g. a category only ever seen with another).
 */
function solvePassive(G: Float64Array, c: Float64Array, n: number, passive: readonly number[]): Float64Array {
  const k = passive.length;
  let scale = 0;
  for (const i of passive) scale = Math.max(scale, G[i * n + i]!);
  for (let ridge = 0; ; ridge = ridge === 0 ? 1e-12 * Math.max(scale, 1) : ridge * 100) {
    const at = (i: number, j: number) => G[passive[i]! * n + passive[j]!]! + (i === j ? ridge : 0);
    const L = choleskyFactor(k, at, { minPivot: 1e-14 * Math.max(scale, 1), onSmallPivot: 'fail' });
    if (L) return solveWithFactor(L, k, Array.from(passive, (i) => c[i]!));
    if (ridge > 1e-2 * Math.max(scale, 1)) throw new RiskModelFitError('normal equations are singular beyond repair (a column of zeros in the passive set?)');
  }
}

/**
 * Lawson-Hanson NNLS from the normal equations.
 * @param G n x n row-major A'A.
 * @param c n-vector A'b.
 * @throws RiskModelFitError on mismatched sizes or a non-finite input.
 */
export function nnlsFromNormalEquations(G: Float64Array, c: Float64Array, options: { maxIterations?: number; tolerance?: number } = {}): NnlsResult {
  const n = c.length;
  if (G.length !== n * n) throw new RiskModelFitError(`Gram matrix has ${G.length} entries, expected ${n} x ${n}`);
  for (const v of G) if (!Number.isFinite(v)) throw new RiskModelFitError('Gram matrix has a non-finite entry');
  for (const v of c) if (!Number.isFinite(v)) throw new RiskModelFitError('right-hand side has a non-finite entry');
  let cMax = 0;
  for (const v of c) cMax = Math.max(cMax, Math.abs(v));
  const tolerance = options.tolerance ?? 1e-10 * Math.max(cMax, 1e-300);
  const maxIterations = options.maxIterations ?? 3 * n + 10;

  const x = new Float64Array(n);
  const inPassive = new Uint8Array(n);
  const gradient = (): Float64Array => {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = c[i]!;
      for (let j = 0; j < n; j++) sum -= G[i * n + j]! * x[j]!;
      w[i] = sum;
    }
    return w;
  };
  let iterations = 0;
  for (;;) {
    const w = gradient();
    let best = -1;
    for (let i = 0; i < n; i++) if (inPassive[i] === 0 && w[i]! > tolerance && (best < 0 || w[i]! > w[best]!)) best = i;
    if (best < 0 || iterations >= maxIterations) break;
    iterations++;
    inPassive[best] = 1;
    for (let inner = 0; inner < 10 * n + 10; inner++) {
      const passive: number[] = [];
      for (let i = 0; i < n; i++) if (inPassive[i] === 1) passive.push(i);
      const s = solvePassive(G, c, n, passive);
      let alpha = Infinity;
      let blocking = -1;
      passive.forEach((i, k) => {
        if (s[k]! <= 0) {
          const xi = x[i]!;
          const a = xi / (xi - s[k]!);
          if (a < alpha) {
            alpha = a;
            blocking = i;
          }
        }
      });
      if (blocking < 0) {
        passive.forEach((i, k) => (x[i] = s[k]!));
        break;
      }
      // Step towards s until the first passive variable reaches its bound, then release it.
      passive.forEach((i, k) => {
        x[i] = i === blocking ? 0 : x[i]! + alpha * (s[k]! - x[i]!);
        if (x[i]! <= 0) {
          x[i] = 0;
          inPassive[i] = 0;
        }
      });
    }
  }
  const atBound: number[] = [];
  for (let i = 0; i < n; i++) if (x[i] === 0) atBound.push(i);
  return { x, iterations, atBound };
}
