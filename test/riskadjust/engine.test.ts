/**
 * The engine on a small bureau-style model written as data (no CMS files needed): mapping,
 * unknown codes, normalisation, explanation, and properties that hold for any input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CMS_PUBLISHED_PAYMENT_FACTORS, CORPUS_PAYMENT_ADJUSTMENT } from '../../src/riskadjust/cms-payment-factors.ts';
import { compileRiskModel } from '../../src/riskadjust/compile.ts';
import { ModelDefinitionError, UnknownPaymentYearError } from '../../src/riskadjust/errors.ts';
import type { RiskModelTables } from '../../src/riskadjust/model-tables.ts';
import { paymentScore, publishedFactors } from '../../src/riskadjust/payment.ts';
import { RiskScorer, normalizeDiagnosisCode } from '../../src/riskadjust/score.ts';

/** A toy "bureau" model: three categories, one hierarchy, one interaction, two segments. */
const BUREAU: RiskModelTables = {
  id: 'bureau-test',
  description: 'toy bureau model',
  categories: [
    { id: 1, label: 'Diabetes with complications' },
    { id: 2, label: 'Diabetes' },
    { id: 3, label: 'Heart failure' },
  ],
  diagnosisMap: { E1122: [1, 3], E119: [2], I500: [3], Z999: [99] },
  diagnosisEdits: [{ rule: 'no heart failure under 18', codes: ['I500'], when: [{ ageBelow: 18 }], result: [] }],
  presenceRules: [],
  hierarchy: [{ parent: 1, children: [2] }],
  groups: [{ name: 'DM', anyOf: [1, 2] }],
  interactions: [{ name: 'DM_HF', factors: ['DM', 'HCC3'] }],
  countTermNames: ['N1', 'N2+'],
  demographics: {
    promoteAge64WithOldAgeEntitlement: false,
    disabledBelowAge: 65,
    oldAgeOrec: '0',
    originallyDisabledOrec: '1',
    ageSexBands: [
      { name: '0_59', min: 0, max: 59 },
      { name: '60_GT', min: 60, max: null },
    ],
    newEnrolleeBands: [{ name: 'ALL', min: 0, max: null }],
    newEnrolleeAge64OldAgeBand: 'ALL',
  },
  segments: {
    A: { newEnrollee: false, ageSexBands: ['0_59', '60_GT'], originallyDisabledTerms: false, institutionalTerms: false, categoryTerms: true, interactions: ['DM_HF'], countTerms: true },
  },
  coefficients: { A_F0_59: 0.1, A_F60_GT: 0.5, A_M60_GT: 0.6, A_HCC1: 0.3, A_HCC2: 0.2, A_HCC3: 0.4, A_DM_HF: 0.05, A_N1: 0, 'A_N2+': 0.01 },
};

const scorer = RiskScorer.fromTables(BUREAU);
const member = (dx: string[], extra: Partial<Parameters<RiskScorer['score']>[0]> = {}) => scorer.score({ age: 70, sex: 'F', segment: 'A', orec: '0', medicaid: false, dx, ...extra });

describe('engine on a bureau model', () => {
  it('maps one code to two categories, applies the hierarchy and the interaction: 0.5+0.3+0.4+0.05+0.01', () => {
    const r = member(['E1122', 'E119']);
    expect(r.categories).toEqual([1, 3]);
    expect(r.rawScore).toBe(1.26);
    expect(r.suppressed).toEqual([{ category: 2, by: 'HCC1' }]);
    expect(r.contributions).toEqual([
      { coefficientName: 'A_F60_GT', kind: 'demographic', coefficient: 0.5, categories: [], dx: [] },
      { coefficientName: 'A_HCC1', kind: 'category', coefficient: 0.3, categories: [1], dx: ['E1122'] },
      { coefficientName: 'A_HCC3', kind: 'category', coefficient: 0.4, categories: [3], dx: ['E1122'] },
      { coefficientName: 'A_DM_HF', kind: 'interaction', coefficient: 0.05, categories: [1, 3], dx: ['E1122'] },
      { coefficientName: 'A_N2+', kind: 'count', coefficient: 0.01, categories: [1, 3], dx: ['E1122'] },
    ]);
  });

  it('reports unknown codes, blanks and codes mapping only outside the payment list; never drops them silently', () => {
    const r = member(['XYZ123', 'E11', '  ', 'Z999', 'I500']);
    expect(r.unknownDx).toEqual(['XYZ123', 'E11', '  ', 'Z999']);
    expect(r.categories).toEqual([3]);
  });

  it('normalises case, dots and whitespace, then de-duplicates (SPEC.md 3.1)', () => {
    expect(normalizeDiagnosisCode(' e11.22 ')).toBe('E1122');
    const r = member(['e11.22', 'E1122', ' E1122 ']);
    expect(r.contributions.find((c) => c.coefficientName === 'A_HCC1')?.dx).toEqual(['E1122']);
  });

  it('applies an edit that drops a code', () => {
    const r = member(['I500'], { age: 10 });
    expect(r.categories).toEqual([]);
    expect(r.appliedEdits).toEqual([{ dx: 'I500', rule: 'no heart failure under 18', categories: [] }]);
  });

  it('refuses an interaction whose factor is undefined', () => {
    expect(() => compileRiskModel({ ...BUREAU, interactions: [{ name: 'X', factors: ['NOPE'] }] })).toThrow(ModelDefinitionError);
  });

  it('scorer state does not leak between members', () => {
    member(['E1122']);
    expect(member([]).categories).toEqual([]);
    expect(member([]).rawScore).toBe(0.5);
  });

  it('property: raw score = rounded sum of contributions; categories ascending and hierarchy-consistent', () => {
    const codes = ['E1122', 'E119', 'I500', 'BAD', 'e11.9', ''];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...codes), { maxLength: 8 }), fc.integer({ min: -5, max: 110 }), fc.constantFrom('M', 'F', 'X'), (dx, age, sex) => {
        const r = member(dx, { age, sex });
        const sum = r.contributions.reduce((s, c) => s + c.coefficient, 0);
        expect(r.rawScore).toBeCloseTo(sum, 9);
        expect([...r.categories].sort((a, b) => a - b)).toEqual(r.categories);
        expect(r.categories.includes(1) && r.categories.includes(2)).toBe(false);
        expect(r.rawScore).toEqual(member([...dx].reverse(), { age, sex }).rawScore);
      }),
      { numRuns: 300 },
    );
  });
});

describe('payment score (SPEC.md 8.3-8.4)', () => {
  it('corpus adjustment: 1.612 x 0.941 / 1.015 = 1.4945 (SPEC.md 9.1)', () => {
    expect(paymentScore(1.612, CORPUS_PAYMENT_ADJUSTMENT)).toBe(1.4945);
    expect(paymentScore(3.273, CORPUS_PAYMENT_ADJUSTMENT)).toBe(3.0344);
  });
  it('published factors: V24 2023 divides by 1.127; V24 2026 does not exist', () => {
    const f = publishedFactors(CMS_PUBLISHED_PAYMENT_FACTORS, 'cms-hcc-v24', 2023);
    expect(f.normalization).toBe(1.127);
    expect(paymentScore(1, f)).toBe(0.835);
    expect(() => publishedFactors(CMS_PUBLISHED_PAYMENT_FACTORS, 'cms-hcc-v24', 2026)).toThrow(UnknownPaymentYearError);
  });
  it('blend weights per year sum to 1', () => {
    const years = new Set(CMS_PUBLISHED_PAYMENT_FACTORS.map((f) => f.paymentYear));
    for (const y of years) expect(CMS_PUBLISHED_PAYMENT_FACTORS.filter((f) => f.paymentYear === y).reduce((s, f) => s + f.blendWeight, 0)).toBeCloseTo(1, 9);
  });
});
