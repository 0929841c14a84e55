/**
 * Issue 5 item 3 acceptance: fitted on 2024 -> 2025 cost, the bureau model predicts 2025 -> 2026
 * cost out of time within 0.95-1.05 of actual for the whole pool and for every institution with at
 * least 1,000 members. Populations are generated once into the OS temp folder and reused
 * (`population-cache.ts`).
 *
 * Why two sizes. Realised annual cost is skewed (coefficient of variation ~1.25 for attributed
 * members under generator 1.3), so an unbiased model's ratio for ~1,050 member-years strays by
 * ~3.3% (one standard error) by chance, and with 40 institutions some land outside 0.95-1.05 on
 * some seeds (measured: 60k seed 7 had one at 0.943; 250k seed 2024 had two). At 1,000,000 members
 * (5,600-17,900 per institution, s.e. ~1.4%) the band held for every institution on both seeds
 * measured, and a fresh seed is expected to pass ~99.5% of the time. So the literal band is
 * asserted at 1M (cold: ~2 minutes, mostly generation; warm ~50 s), and the 60k population, cheap
 * to make, keeps the fit-year normalisation, the pool and the ranking checks, with each institution
 * tested for bias within 3 standard errors.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileRiskModel } from '../../src/riskadjust/compile.ts';
import { bureauModelTables, parseBureauDefinition } from '../../src/riskadjust/fit/bureau-definition.ts';
import { fitRiskModel, type FittedRiskModel } from '../../src/riskadjust/fit/fit.ts';
import { evaluateModel, type ModelEvaluation } from '../../src/riskadjust/fit/predictive-ratios.ts';
import { MIN_INSTITUTION_MEMBERS } from '../../training/risk-adjustment/train.ts';
import { memberYears, readPopulation } from '../../training/risk-adjustment/population.ts';
import { cachedPopulation } from './population-cache.ts';

const definition = parseBureauDefinition(JSON.parse(readFileSync(resolve(import.meta.dirname, '../../models/risk-adjustment/categories-v1.json'), 'utf8')));

describe('out-of-time check on a generated population (issue 5 item 3 acceptance)', () => {
  let fitted: FittedRiskModel;
  let outOfTime: ModelEvaluation;

  beforeAll(async () => {
    const dir = await cachedPopulation(60_000, 2024);
    const population = await readPopulation(dir);
    fitted = fitRiskModel(bureauModelTables(definition, {}), memberYears(population, 2024));
    outOfTime = evaluateModel(compileRiskModel(fitted.tables), memberYears(population, 2025), fitted.costPerScore, MIN_INSTITUTION_MEMBERS);
  }, 180_000);

  it('is normalised to a mean score of 1.0 in the fit year', () => {
    expect(fitted.evaluation.meanScore).toBeCloseTo(1, 3);
    expect(fitted.evaluation.members).toBeGreaterThan(50_000);
  });

  it('predicts the whole pool within 0.95-1.05 of actual', () => {
    expect(outOfTime.pool.predictiveRatio).toBeGreaterThanOrEqual(0.95);
    expect(outOfTime.pool.predictiveRatio).toBeLessThanOrEqual(1.05);
  });

  it('has institutions with 1,000+ members, each unbiased within sampling error', () => {
    expect(outOfTime.byGroup.length).toBeGreaterThan(0);
    for (const institution of outOfTime.byGroup) {
      expect(institution.members).toBeGreaterThanOrEqual(MIN_INSTITUTION_MEMBERS);
      expect(Math.abs(institution.predictiveRatio - 1), `${institution.label}: ratio ${institution.predictiveRatio.toFixed(3)}, s.e. ${institution.standardError.toFixed(3)}`).toBeLessThanOrEqual(3 * institution.standardError);
    }
  });

  it('ranks cost: the top decile of predicted cost costs several times the bottom one out of time', () => {
    const first = outOfTime.byDecile[0]!;
    const last = outOfTime.byDecile[9]!;
    expect(last.meanActual / first.meanActual).toBeGreaterThan(4);
    expect(outOfTime.rSquared).toBeGreaterThan(0.1);
  });
});

describe('out-of-time check at 1,000,000 members: the issue\'s band for every institution (issue 5 item 3 acceptance)', () => {
  let outOfTime: ModelEvaluation;

  beforeAll(async () => {
    const dir = await cachedPopulation(1_000_000, 2024);
    const population = await readPopulation(dir);
    const fitted = fitRiskModel(bureauModelTables(definition, {}), memberYears(population, 2024));
    outOfTime = evaluateModel(compileRiskModel(fitted.tables), memberYears(population, 2025), fitted.costPerScore, MIN_INSTITUTION_MEMBERS);
  }, 600_000);

  it('predicts the whole pool within 0.95-1.05 of actual', () => {
    expect(outOfTime.pool.predictiveRatio).toBeGreaterThanOrEqual(0.95);
    expect(outOfTime.pool.predictiveRatio).toBeLessThanOrEqual(1.05);
  });

  it('predicts every institution with 1,000+ members within 0.95-1.05 of actual', () => {
    expect(outOfTime.byGroup.length).toBeGreaterThanOrEqual(30);
    for (const institution of outOfTime.byGroup) {
      expect(institution.members).toBeGreaterThanOrEqual(MIN_INSTITUTION_MEMBERS);
      const label = `${institution.label}: ratio ${institution.predictiveRatio.toFixed(4)} (s.e. ${institution.standardError.toFixed(4)}, ${institution.members} members)`;
      expect(institution.predictiveRatio, label).toBeGreaterThanOrEqual(0.95);
      expect(institution.predictiveRatio, label).toBeLessThanOrEqual(1.05);
    }
  });
});
