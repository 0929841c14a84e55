/**
 * Random-intercept logistic regression (a GLMM), written on typed arrays:
 *
 *   logit P(y_i = 1) = x_i' beta + u_{g(i)},   u_j ~ N(0, sigma^2) independently.
 *
 * This is the model shape of CMS's hospital outcome measures (hierarchical logistic regression
 * with a hospital random intercept; "2023 Condition-Specific Measures Updates and Specifications
 * Report", section 2): the case-mix coefficients beta are estimated while each institution has its
 * own intercept, so a patient's covariates are not credited with what their institution does.
 *
 * Fitting (penalised quasi-likelihood with a Laplace / EM variance step, Breslow & Clayton 1993):
 * 1. With sigma^2 fixed, find the joint mode of (beta, u) of the penalised log-likelihood
 *      sum_i [y_i eta_i - log(1 + e^eta_i)] - sum_j u_j^2 / (2 sigma^2)
 *    by Newton's method. The Hessian has a p x p block for beta, a diagonal block for u (one
 *    institution per patient) and p x 1 cross terms, so each step solves only a p x p system
 *    (Schur complement of the diagonal block), with step halving if the objective falls.
 * 2. Update sigma^2 towards the fixed point sigma^2 = mean_j (u_j^2 + v_j), where v_j is the
 *    Laplace (inverse-Hessian) variance of u_j at the mode, including the uncertainty of beta: the
 *    EM equation for the variance under the Laplace approximation of the posterior of u. The
 *    iteration used is the equivalent sigma^2 = sum u_j^2 / sum (1 - v_j / sigma^2), which gets
 *    there in a few steps where plain EM creeps (notably when sigma^2 is near 0).
 * Repeat until sigma^2 and beta settle. A weak ridge on the non-intercept coefficients
 * (`ridge`) keeps tiny or collinear populations fittable. PQL is known to under-estimate sigma^2 a little for binary
 * outcomes with small clusters; with institutions of 30+ patients the bias is small.
 *
 * Pure: no I/O.
 */
import { choleskyFactor, solveWithFactor } from '../../lib/cholesky.ts';

/** The GLMM could not be fitted from these data or options. */
export class GlmmError extends Error {
  constructor(
    readonly code: 'GLMM_INPUT_INVALID' | 'GLMM_SINGULAR',
    message: string,
  ) {
    super(message);
    this.name = 'GlmmError';
  }
}

/** Design data: row-major X (n x p, with an intercept column if wanted), 0/1 outcomes, group index per row. */
export interface GlmmData {
  X: Float64Array;
  p: number;
  y: Uint8Array;
  /** 0-based group (institution) index of each row. */
  group: Int32Array;
  groups: number;
}

export interface GlmmOptions {
  /** Outer iterations (variance updates). */
  maxIterations: number;
  /** Newton steps per outer iteration. */
  maxNewtonSteps: number;
  /** Convergence: relative change of sigma^2 and max abs change of beta. */
  tolerance: number;
  initialVariance: number;
  /** Floor of sigma^2 (keeps the penalty finite when institutions do not differ). */
  minVariance: number;
  /**
   * A weak ridge penalty (lambda/2 x beta_k^2) on every coefficient but the first (the intercept):
   * a N(0, 1/lambda) prior that keeps the fit finite when a small population has collinear
   * covariates or a covariate that separates the outcomes; negligible at published sizes.
   */
  ridge: number;
}

export const GLMM_DEFAULTS: GlmmOptions = { maxIterations: 300, maxNewtonSteps: 30, tolerance: 1e-6, initialVariance: 0.1, minVariance: 1e-6, ridge: 1e-3 };

/** A fitted model. `conditionalVariance[j]` is the Laplace posterior variance of u_j. */
export interface GlmmFit {
  beta: Float64Array;
  randomEffects: Float64Array;
  conditionalVariance: Float64Array;
  variance: number;
  /** Approximate covariance of beta (inverse of the Schur complement), row-major p x p. */
  betaCovariance: Float64Array;
  iterations: number;
  converged: boolean;
}

/** Below this (SD 0.01 on the log-odds) a still-falling institution variance is taken to be at its boundary, 0. */
const NEGLIGIBLE_VARIANCE = 1e-4;

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
const log1pExp = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/** Cholesky factor (lower) of a symmetric positive-definite p x p matrix. */
function cholesky(A: Float64Array, p: number): Float64Array {
  const L = choleskyFactor(p, (i, j) => A[i * p + j]!, { minPivot: 1e-12, onSmallPivot: 'fail' });
  if (!L) throw new GlmmError('GLMM_SINGULAR', 'the case-mix design is singular (a covariate is constant or duplicated)');
  return L;
}

function checkData(d: GlmmData): number {
  const n = d.y.length;
  if (!Number.isInteger(d.p) || d.p < 1) throw new GlmmError('GLMM_INPUT_INVALID', `p must be a positive whole number (got ${d.p})`);
  if (d.X.length !== n * d.p) throw new GlmmError('GLMM_INPUT_INVALID', `X has ${d.X.length} values, expected n x p = ${n * d.p}`);
  if (d.group.length !== n) throw new GlmmError('GLMM_INPUT_INVALID', `group has ${d.group.length} rows, expected ${n}`);
  if (n === 0) throw new GlmmError('GLMM_INPUT_INVALID', 'no rows to fit');
  for (let i = 0; i < n; i++) {
    const g = d.group[i]!;
    if (g < 0 || g >= d.groups) throw new GlmmError('GLMM_INPUT_INVALID', `row ${i}: group ${g} outside 0..${d.groups - 1}`);
    if (d.y[i]! > 1) throw new GlmmError('GLMM_INPUT_INVALID', `row ${i}: outcome must be 0 or 1`);
  }
  return n;
}

/** Fit the random-intercept logistic model (see the module comment for the method). */
export function fitRandomInterceptLogit(data: GlmmData, options: Partial<GlmmOptions> = {}): GlmmFit {
  const o = { ...GLMM_DEFAULTS, ...options };
  const n = checkData(data);
  const { X, p, y, group, groups: J } = data;
  const beta = new Float64Array(p);
  const u = new Float64Array(J);
  let sigma2 = Math.max(o.initialVariance, o.minVariance);
  const eta = new Float64Array(n);
  const computeEta = () => {
    for (let i = 0; i < n; i++) {
      let s = u[group[i]!]!;
      for (let k = 0; k < p; k++) s += X[i * p + k]! * beta[k]!;
      eta[i] = s;
    }
  };
  const objective = () => {
    let ll = 0;
    for (let i = 0; i < n; i++) ll += y[i]! * eta[i]! - log1pExp(eta[i]!);
    for (let j = 0; j < J; j++) ll -= (u[j]! * u[j]!) / (2 * sigma2);
    for (let a = 1; a < p; a++) ll -= (o.ridge * beta[a]! * beta[a]!) / 2;
    return ll;
  };

  // Working arrays of one Newton step.
  const gB = new Float64Array(p);
  const gU = new Float64Array(J);
  const Hbb = new Float64Array(p * p);
  const Hbu = new Float64Array(J * p);
  const d = new Float64Array(J);
  let L: Float64Array = new Float64Array(p * p);

  const assemble = () => {
    gB.fill(0);
    Hbb.fill(0);
    Hbu.fill(0);
    gU.fill(0);
    d.fill(0);
    for (let i = 0; i < n; i++) {
      const mu = sigmoid(eta[i]!);
      const w = mu * (1 - mu);
      const r = y[i]! - mu;
      const g = group[i]!;
      gU[g] = gU[g]! + r;
      d[g] = d[g]! + w;
      const row = i * p;
      for (let a = 0; a < p; a++) {
        const xa = X[row + a]!;
        gB[a] = gB[a]! + xa * r;
        Hbu[g * p + a] = Hbu[g * p + a]! + w * xa;
        for (let b = 0; b <= a; b++) Hbb[a * p + b] = Hbb[a * p + b]! + w * xa * X[row + b]!;
      }
    }
    for (let a = 1; a < p; a++) {
      gB[a] = gB[a]! - o.ridge * beta[a]!;
      Hbb[a * p + a] = Hbb[a * p + a]! + o.ridge;
    }
    for (let j = 0; j < J; j++) {
      gU[j] = gU[j]! - u[j]! / sigma2;
      d[j] = d[j]! + 1 / sigma2;
    }
    // Schur complement S = Hbb - sum_j h_j h_j' / d_j (lower triangle, then mirrored).
    const S = new Float64Array(p * p);
    for (let a = 0; a < p; a++) for (let b = 0; b <= a; b++) S[a * p + b] = Hbb[a * p + b]!;
    for (let j = 0; j < J; j++) {
      const dj = d[j]!;
      for (let a = 0; a < p; a++) {
        const ha = Hbu[j * p + a]! / dj;
        for (let b = 0; b <= a; b++) S[a * p + b] = S[a * p + b]! - ha * Hbu[j * p + b]!;
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) S[b * p + a] = S[a * p + b]!;
    L = cholesky(S, p);
  };

  const newton = (): void => {
    computeEta();
    let current = objective();
    for (let step = 0; step < o.maxNewtonSteps; step++) {
      assemble();
      const rhs = new Float64Array(p);
      for (let a = 0; a < p; a++) rhs[a] = gB[a]!;
      for (let j = 0; j < J; j++) for (let a = 0; a < p; a++) rhs[a] = rhs[a]! - (Hbu[j * p + a]! * gU[j]!) / d[j]!;
      const dB = solveWithFactor(L, p, rhs);
      const dU = new Float64Array(J);
      for (let j = 0; j < J; j++) {
        let s = gU[j]!;
        for (let a = 0; a < p; a++) s -= Hbu[j * p + a]! * dB[a]!;
        dU[j] = s / d[j]!;
      }
      const b0 = Float64Array.from(beta);
      const u0 = Float64Array.from(u);
      let t = 1;
      let next = -Infinity;
      for (let half = 0; half < 30; half++) {
        for (let a = 0; a < p; a++) beta[a] = b0[a]! + t * dB[a]!;
        for (let j = 0; j < J; j++) u[j] = u0[j]! + t * dU[j]!;
        computeEta();
        next = objective();
        if (next >= current - 1e-12) break;
        t /= 2;
      }
      let change = 0;
      for (let a = 0; a < p; a++) change = Math.max(change, Math.abs(t * dB[a]!));
      for (let j = 0; j < J; j++) change = Math.max(change, Math.abs(t * dU[j]!));
      current = next;
      if (change < 1e-10) break;
    }
    assemble();
  };

  let iterations = 0;
  let converged = false;
  const posteriorVariance = new Float64Array(J);
  for (; iterations < o.maxIterations; ) {
    iterations++;
    const betaBefore = Float64Array.from(beta);
    newton();
    // v_j = 1/d_j + h_j' S^-1 h_j / d_j^2: Laplace variance of u_j with beta's uncertainty.
    let squares = 0;
    let reliable = 0;
    for (let j = 0; j < J; j++) {
      const h = Hbu.subarray(j * p, j * p + p);
      const sh = solveWithFactor(L, p, Float64Array.from(h));
      let q = 0;
      for (let a = 0; a < p; a++) q += h[a]! * sh[a]!;
      posteriorVariance[j] = 1 / d[j]! + q / (d[j]! * d[j]!);
      squares += u[j]! * u[j]!;
      reliable += Math.max(0, 1 - posteriorVariance[j]! / sigma2);
    }
    // sigma^2 = sum u_j^2 / sum (1 - v_j / sigma^2): the same fixed point as the EM step
    // sigma^2 = mean(u_j^2 + v_j), reached in far fewer iterations (MacKay's effective-number update).
    const next = reliable > 1e-9 ? Math.max(o.minVariance, squares / reliable) : o.minVariance;
    let betaChange = 0;
    for (let a = 0; a < p; a++) betaChange = Math.max(betaChange, Math.abs(beta[a]! - betaBefore[a]!));
    // Relative change, measured against at least 0.01 so a variance heading to 0 (identical
    // institutions, where EM creeps) stops once its absolute steps are negligible.
    const previous = sigma2;
    const relative = Math.abs(next - sigma2) / Math.max(sigma2, 1e-2);
    sigma2 = next;
    if (relative < o.tolerance && betaChange < 1e-6) {
      converged = true;
      break;
    }
    if (sigma2 < NEGLIGIBLE_VARIANCE && sigma2 < previous) {
      // Falling below SD 0.01 on the log-odds: institutions do not differ; the variance's
      // maximum is at the boundary, which the iteration only approaches geometrically.
      sigma2 = o.minVariance;
      converged = true;
      break;
    }
  }
  // Final mode and variances at the final sigma^2.
  newton();
  const betaCovariance = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    const e = new Float64Array(p);
    e[a] = 1;
    const col = solveWithFactor(L, p, e);
    for (let b = 0; b < p; b++) betaCovariance[b * p + a] = col[b]!;
  }
  for (let j = 0; j < J; j++) {
    const h = Hbu.subarray(j * p, j * p + p);
    const sh = solveWithFactor(L, p, Float64Array.from(h));
    let q = 0;
    for (let a = 0; a < p; a++) q += h[a]! * sh[a]!;
    posteriorVariance[j] = 1 / d[j]! + q / (d[j]! * d[j]!);
  }
  return { beta, randomEffects: u, conditionalVariance: posteriorVariance, variance: sigma2, betaCovariance, iterations, converged };
}

/**
 * The mode of one institution's random effect given fixed linear predictors (offsets x_i' beta),
 * its patients' outcomes and sigma^2: 1-D Newton on sum_i loglik(y_i | offset_i + u) - u^2/(2 sigma^2).
 * Used to re-estimate an institution's effect on a bootstrap resample with beta held fixed.
 */
export function randomEffectMode(offsets: ArrayLike<number>, y: ArrayLike<number>, sigma2: number, start = 0): number {
  let u = start;
  for (let it = 0; it < 50; it++) {
    let g = -u / sigma2;
    let h = 1 / sigma2;
    for (let i = 0; i < offsets.length; i++) {
      const mu = sigmoid(offsets[i]! + u);
      g += y[i]! - mu;
      h += mu * (1 - mu);
    }
    const step = g / h;
    u += step;
    if (Math.abs(step) < 1e-10) break;
  }
  return u;
}
