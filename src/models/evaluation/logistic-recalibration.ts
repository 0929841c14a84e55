/**
 * Two-parameter logistic fit of a binary (or soft, in [0, 1]) target on one score:
 * `P(y = 1) = sigmoid(a + b * x)`, by Newton-Raphson with step halving. It is the engine of the
 * calibration slope/intercept (Cox 1958; Van Calster et al. 2016, "A calibration hierarchy") and of
 * Platt scaling (Platt 1999), which are the same model fitted for different purposes.
 */

/** The fitted intercept `a` and slope `b`, with whether Newton converged. */
export interface LogisticLineFit {
  intercept: number;
  slope: number;
  converged: boolean;
  iterations: number;
}

const PROBABILITY_FLOOR = 1e-15;

/** logit of a probability, clipped away from 0 and 1 so a hard 0/1 prediction stays finite. */
export function clippedLogit(p: number): number {
  const q = Math.min(1 - PROBABILITY_FLOOR, Math.max(PROBABILITY_FLOOR, p));
  return Math.log(q / (1 - q));
}

/** Numerically stable logistic function. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Negative log-likelihood of soft targets t under sigmoid(a + b x), stable form. */
function negLogLik(x: ArrayLike<number>, t: ArrayLike<number>, a: number, b: number): number {
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const z = a + b * x[i]!;
    // log(1 + e^z) - t z, computed without overflow
    const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    total += softplus - t[i]! * z;
  }
  return total;
}

export interface LogisticLineOptions {
  /** Keep the slope fixed at this value and fit the intercept only (calibration-in-the-large uses 1 with x as offset). */
  fixedSlope?: number;
  maxIterations?: number;
  tolerance?: number;
}

/**
 * Fit `t ~ sigmoid(a + b x)` by maximum likelihood. With `fixedSlope`, only `a` is fitted.
 * Separable data (a perfect score) has no finite maximum: the fit stops at `maxIterations` with
 * `converged: false` and large coefficients, which the caller reports rather than hides.
 */
export function fitLogisticLine(x: ArrayLike<number>, t: ArrayLike<number>, options: LogisticLineOptions = {}): LogisticLineFit {
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;
  const fixSlope = options.fixedSlope !== undefined;
  let a = 0;
  let b = options.fixedSlope ?? 1;
  // Start the intercept at the logit of the mean target so the first step is small.
  let meanT = 0;
  for (let i = 0; i < t.length; i++) meanT += t[i]!;
  meanT /= t.length;
  if (!fixSlope) {
    a = clippedLogit(meanT);
    b = 0;
  }
  let loss = negLogLik(x, t, a, b);
  for (let iter = 1; iter <= maxIterations; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 0;
    let hab = 0;
    let hbb = 0;
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      const mu = sigmoid(a + b * xi);
      const r = mu - t[i]!;
      const w = mu * (1 - mu);
      ga += r;
      gb += r * xi;
      haa += w;
      hab += w * xi;
      hbb += w * xi * xi;
    }
    let da: number;
    let db: number;
    if (fixSlope) {
      da = haa > 0 ? ga / haa : 0;
      db = 0;
    } else {
      const det = haa * hbb - hab * hab;
      if (!(Math.abs(det) > 1e-300)) {
        // Degenerate Hessian (constant score): fall back to an intercept-only step.
        da = haa > 0 ? ga / haa : 0;
        db = 0;
      } else {
        da = (hbb * ga - hab * gb) / det;
        db = (haa * gb - hab * ga) / det;
      }
    }
    // Step halving keeps Newton monotone on the log-likelihood.
    let step = 1;
    let nextLoss = negLogLik(x, t, a - step * da, b - step * db);
    while (nextLoss > loss && step > 1e-10) {
      step /= 2;
      nextLoss = negLogLik(x, t, a - step * da, b - step * db);
    }
    if (nextLoss > loss) return { intercept: a, slope: b, converged: true, iterations: iter };
    a -= step * da;
    b -= step * db;
    const change = Math.max(Math.abs(step * da), Math.abs(step * db));
    const improvement = loss - nextLoss;
    loss = nextLoss;
    if (change < tolerance || improvement < tolerance * 1e-3) return { intercept: a, slope: b, converged: true, iterations: iter };
  }
  return { intercept: a, slope: b, converged: false, iterations: maxIterations };
}

/**
 * Intercept-only logistic fit with `x` as a fixed offset: `t ~ sigmoid(a + x)`. Used for
 * calibration-in-the-large, where the slope is held at 1 (Van Calster et al. 2016).
 */
export function fitInterceptWithOffset(offset: ArrayLike<number>, t: ArrayLike<number>, maxIterations = 100, tolerance = 1e-12): LogisticLineFit {
  let a = 0;
  let loss = negLogLik(offset, t, a, 1);
  for (let iter = 1; iter <= maxIterations; iter++) {
    let g = 0;
    let h = 0;
    for (let i = 0; i < offset.length; i++) {
      const mu = sigmoid(a + offset[i]!);
      g += mu - t[i]!;
      h += mu * (1 - mu);
    }
    if (!(h > 0)) return { intercept: a, slope: 1, converged: false, iterations: iter };
    const d = g / h;
    let step = 1;
    let nextLoss = negLogLik(offset, t, a - step * d, 1);
    while (nextLoss > loss && step > 1e-10) {
      step /= 2;
      nextLoss = negLogLik(offset, t, a - step * d, 1);
    }
    if (nextLoss > loss) return { intercept: a, slope: 1, converged: true, iterations: iter };
    a -= step * d;
    loss = nextLoss;
    if (Math.abs(step * d) < tolerance) return { intercept: a, slope: 1, converged: true, iterations: iter };
  }
  return { intercept: a, slope: 1, converged: false, iterations: maxIterations };
}
