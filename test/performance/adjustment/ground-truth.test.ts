/**
 * The ground-truth test of the risk adjustment: on a generated population whose institutions have
 * known quality effects (truth/institutions.json) and a case mix made deliberately sicker at some
 * good institutions, the risk-standardised O1/O2 rates must rank institutions closer to the truth
 * (Spearman) than the raw rates do.
 *
 * Caveat measured while writing it (generator 1.2.0): the generator's patient severity shows in
 * the recorded data only weakly (the comorbidity coefficient is ~0), so the gain is small
 * (+0.03-0.06 here) and other seeds can tie or lose by ~0.01 (seeds 3 and 7 at 40,000 members,
 * O2). The seed is fixed; if a generator change flips this test, look at what case mix the
 * generator lets the records show before loosening it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/config/policy.ts';
import type { PerformanceRun } from '../../../src/performance/adjustment/institution-performance.ts';
import { computeInstitutionPerformance } from '../../../src/performance/adjustment/institution-performance.ts';
import { yearPeriod } from '../../../src/performance/attribution.ts';
import { cachedPopulation, readInstitutionTruth, readMemberRecords } from './population-fixture.ts';

const MEMBERS = 40_000;
const SEED = 1;

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
      expect(standardised).toBeGreaterThan(raw);
      const model = run.models[indicator]!;
      expect(model.converged).toBe(true);
      expect(model.institutionVariance).toBeGreaterThan(0);
      for (const i of published) {
        const o = i.outcomes[indicator];
        expect(o.interval!.lower).toBeLessThanOrEqual(o.riskStandardisedRate! + 1e-9);
        expect(o.interval!.upper).toBeGreaterThanOrEqual(o.riskStandardisedRate! - 1e-9);
      }
    });
  }
});
