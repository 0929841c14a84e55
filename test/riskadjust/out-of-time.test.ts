/**
 * Issue 5 item 3 acceptance: fitted on 2024 -> 2025 cost, the bureau model predicts 2025 -> 2026
 * cost out of time on a generated population of 60,000 members (seed 2024), the size at which
 * some institutions have 1,000+ attributed members. The population is generated once into the OS
 * temp folder and reused by later runs (`population-cache.ts`); cold, generation takes ~10-40 s
 * on the shared 2-core machine, warm the whole file runs in ~10-15 s.
 *
 * Pool: predicted / actual within the 0.95-1.05. Institutions: realised annual cost has a
 * coefficient of variation of ~2.7 in this population, so an unbiased model's ratio for 1,000
 * member-years still strays by ~8% (one standard error) by chance; the 0.95-1.05 band per
 * institution is not attainable at that size (see the lead's report). What is asserted per
 * institution is the unbiasedness test that is: the ratio lies within 3 standard errors of 1.0.
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
