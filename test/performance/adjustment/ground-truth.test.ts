/**
 * The ground-truth test of the risk adjustment: on a generated population whose institutions have
 * known quality effects (truth/institutions.json) and a case mix made deliberately sicker at the
 * better institutions, the risk-standardised O1/O2 rates must rank institutions closer to the
 * truth (Spearman) than the raw rates do, by a clear margin, and the case-mix model must have
 * found the recorded case mix (comorbidities and disease duration lower the odds of control).
 *
 * Measured (generator 1.3.0, 40,000 members; Spearman with the true effect, raw -> standardised):
 *
 *   seed | O1 raw -> RSR (gain)   | O2 raw -> RSR (gain)
 *      1 | 0.425 -> 0.779 +0.354 | 0.619 -> 0.862 +0.244
 *      2 | 0.311 -> 0.695 +0.384 | 0.648 -> 0.870 +0.222
 *      3 | 0.526 -> 0.746 +0.220 | 0.564 -> 0.821 +0.257
 *      4 | 0.316 -> 0.642 +0.326 | 0.365 -> 0.883 +0.518
 *      5 | 0.529 -> 0.750 +0.220 | 0.527 -> 0.801 +0.275
 *      6 | 0.418 -> 0.703 +0.286 | 0.553 -> 0.831 +0.278
 *      7 | 0.718 -> 0.869 +0.151 | 0.566 -> 0.783 +0.218
 *      8 | 0.716 -> 0.868 +0.152 | 0.657 -> 0.817 +0.160
 *      9 | 0.554 -> 0.717 +0.163 | 0.520 -> 0.754 +0.234
 *     10 | 0.459 -> 0.646 +0.188 | 0.389 -> 0.611 +0.222
 *     11 | 0.590 -> 0.775 +0.185 | 0.516 -> 0.776 +0.260
 *     12 | 0.483 -> 0.725 +0.242 | 0.688 -> 0.898 +0.209
 *
 * The smallest gains over those twelve seeds are +0.151 (O1) and +0.160 (O2); MARGIN below
 * leaves room under them. Under generator 1.2.0 the gains on the same seeds were -0.026 to +0.042
 * and O1 or O2 tied or lost on seeds 2, 3, 5, 6, 7, 9, 10 and 11 (patient severity barely
 * reached the record: the fitted comorbidity coefficient was ~0). If a generator change breaks
 * this test, look first at what case mix the generator lets the records show.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/config/policy.ts';
import type { PerformanceRun } from '../../../src/performance/adjustment/institution-performance.ts';
import { computeInstitutionPerformance } from '../../../src/performance/adjustment/institution-performance.ts';
import { yearPeriod } from '../../../src/performance/attribution.ts';
import { cachedPopulation, readInstitutionTruth, readMemberRecords } from './population-fixture.ts';

const MEMBERS = 40_000;
const SEED = 1;
/** Least gain in Spearman correlation of the standardised over the raw ranking (see the table above). */
const MARGIN = 0.1;

function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(values.length);
  // Average ranks for ties.
  for (let k = 0; k < order.length; ) {
    let m = k;
    while (m + 1 < order.length && order[m + 1]![0] === order[k]![0]) m++;
    for (let t = k; t <= m; t++) r[order[t]![1]] = (k + m) / 2;
    k = m + 1;
  }
  return r;
}

function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length - 1) / 2;
  let s = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < ra.length; i++) {
    s += (ra[i]! - mean) * (rb[i]! - mean);
    sa += (ra[i]! - mean) ** 2;
    sb += (rb[i]! - mean) ** 2;
  }
  return s / Math.sqrt(sa * sb);
}

describe('risk adjustment against the generator ground truth', () => {
  let run: PerformanceRun;
  let truth: Map<string, number>;
  beforeAll(async () => {
    const dir = cachedPopulation(MEMBERS, SEED);
    const institutions = readInstitutionTruth(dir);
    truth = new Map(institutions.map((i) => [i.institution_id, i.quality_effect_logodds]));
    const records = await readMemberRecords(dir);
    run = computeInstitutionPerformance(records, institutions, yearPeriod(2026), defaultPolicy(), { seed: 3, bootstrapReplicates: 100 });
  }, 120_000);

  it('the rank-correlation helper gives known answers', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 1, 2], [1, 1, 2])).toBeCloseTo(1, 12);
  });

  for (const indicator of ['O1', 'O2'] as const) {
    it(`${indicator}: risk-standardised rates rank institutions closer to the true quality than raw rates`, () => {
      const published = run.institutions.filter((i) => i.outcomes[indicator].published);
      expect(published.length).toBeGreaterThanOrEqual(20);
      const quality = published.map((i) => truth.get(i.institutionId)!);
      const raw = spearman(published.map((i) => i.outcomes[indicator].rawRate!), quality);
      const standardised = spearman(published.map((i) => i.outcomes[indicator].riskStandardisedRate!), quality);
      console.log(`${indicator}: Spearman with true quality effect: raw ${raw.toFixed(3)}, risk-standardised ${standardised.toFixed(3)} (${published.length} institutions)`);
      expect(standardised - raw).toBeGreaterThanOrEqual(MARGIN);
      const model = run.models[indicator]!;
      expect(model.converged).toBe(true);
      expect(model.institutionVariance).toBeGreaterThan(0);
      // The adjustment found the case mix the records show: each comorbidity and each decade of
      // disease lowers the odds of control.
      // (Seeds 1-12: comorbidity -0.13 to -0.24, duration -0.28 to -0.67; under generator 1.2.0
      // they were -0.08 to 0.00 and -0.13 to +0.20.)
      expect(model.coefficients.comorbidity_count).toBeLessThan(-0.1);
      expect(model.coefficients.duration_per10y).toBeLessThan(-0.2);
      for (const i of published) {
        const o = i.outcomes[indicator];
        expect(o.interval!.lower).toBeLessThanOrEqual(o.riskStandardisedRate! + 1e-9);
        expect(o.interval!.upper).toBeGreaterThanOrEqual(o.riskStandardisedRate! - 1e-9);
      }
    });
  }
});
