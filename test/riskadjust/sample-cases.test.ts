/**
 * Every member of shared/data/cms-hcc/sample-cases.json (87 corpus cases corrected to the CMS SAS
 * logic, SPEC.md 10): raw, demographic and payment scores to 4 decimals, HCCs after hierarchies and
 * the non-zero coefficients.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_PAYMENT_ADJUSTMENT } from '../../src/riskadjust/cms-payment-factors.ts';
import { paymentScore } from '../../src/riskadjust/payment.ts';
import { CMS_DATA_AVAILABLE, CMS_DIR, cmsFixtures, contributing } from './cms-fixtures.ts';

interface SampleCase {
  input: { id: string; model: 'V24' | 'V28'; dx: string[]; age: number; sex: string; elig: string; orec: string; medicaid: boolean };
  expected: {
    risk_score: number;
    risk_score_age: number;
    risk_score_adj: number;
    risk_score_age_adj: number;
    hccs_after_hierarchy: string[];
    contributing: Record<string, number>;
  };
}

const cases: SampleCase[] = CMS_DATA_AVAILABLE ? JSON.parse(readFileSync(join(CMS_DIR, 'sample-cases.json'), 'utf8')) : [];

describe.skipIf(!CMS_DATA_AVAILABLE)('CMS sample cases (SAS logic)', () => {
  it('has all 87 cases', () => expect(cases).toHaveLength(87));

  it.each(cases.map((c) => [c.input.id, c] as const))('%s', async (_id, c) => {
    const { v24, v28 } = await cmsFixtures();
    const { input, expected } = c;
    const result = (input.model === 'V24' ? v24 : v28).scorer.score({
      age: input.age,
      sex: input.sex,
      segment: input.elig,
      orec: input.orec,
      medicaid: input.medicaid,
      dx: input.dx,
    });
    expect(result.rawScore).toBe(expected.risk_score);
    expect(result.demographicScore).toBe(expected.risk_score_age);
    expect(paymentScore(result.rawScore, CORPUS_PAYMENT_ADJUSTMENT)).toBe(expected.risk_score_adj);
    expect(paymentScore(result.demographicScore, CORPUS_PAYMENT_ADJUSTMENT)).toBe(expected.risk_score_age_adj);
    expect(result.categories.map((n) => `HCC${n}`)).toEqual(expected.hccs_after_hierarchy);
    expect(contributing(result)).toEqual(expected.contributing);
  });
});
