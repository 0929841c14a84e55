/**
 * The score-only fast path (`scoreCompact`) against the explained path (`RiskScorer.score`): same
 * raw score, payment score and categories after hierarchies on every CMS sample case and on
 * 10,000 random members per model (property test), plus a model with more than 32 categories
 * written as data so the multi-word bitset is exercised without the CMS files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CORPUS_PAYMENT_ADJUSTMENT } from '../../src/riskadjust/cms-payment-factors.ts';
import { categoriesOf, compileCompact, newCompactScore, scoreCompact, type CompactRiskModel } from '../../src/riskadjust/compact.ts';
import { UnknownSegmentError } from '../../src/riskadjust/errors.ts';
import type { RiskModelTables } from '../../src/riskadjust/model-tables.ts';
import { paymentScore } from '../../src/riskadjust/payment.ts';
import { RiskScorer, type RiskMember } from '../../src/riskadjust/score.ts';
import { CMS_DATA_AVAILABLE, CMS_DIR, cmsFixtures } from './cms-fixtures.ts';

function agree(scorer: RiskScorer, compact: CompactRiskModel, member: RiskMember): void {
  const explained = scorer.score(member);
  const fast = scoreCompact(compact, member);
  expect(fast.raw).toBe(explained.rawScore);
  expect(fast.payment).toBe(paymentScore(explained.rawScore, compact.adjustment));
  expect(categoriesOf(compact, fast.hccBits)).toEqual(explained.categories);
}

/** A random member drawing codes from the model's mapping, its edits, and some noise. */
function memberArbitrary(tables: RiskModelTables): fc.Arbitrary<RiskMember> {
  const mapped = Object.keys(tables.diagnosisMap);
  const edited = tables.diagnosisEdits.flatMap((e) => e.codes);
  const code = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...mapped) },
    { weight: 2, arbitrary: fc.constantFrom(...edited) },
    // Dotted / lower-case spellings go through normalisation.
    { weight: 1, arbitrary: fc.constantFrom(...mapped).map((c) => ` ${c.slice(0, 3)}.${c.slice(3).toLowerCase()}`) },
    { weight: 1, arbitrary: fc.constantFrom('', 'ZZZ99', '  ', 'not-a-code') },
  );
  return fc.record({
    age: fc.oneof(fc.integer({ min: 0, max: 110 }), fc.constantFrom(17, 18, 49, 50, 63, 64, 65, 66), fc.double({ min: -1, max: 120, noNaN: true })),
    sex: fc.oneof({ weight: 10, arbitrary: fc.constantFrom('M', 'F') }, { weight: 1, arbitrary: fc.constantFrom('U', '') }),
    segment: fc.constantFrom(...Object.keys(tables.segments)),
    orec: fc.constantFrom('0', '1', '2', '3'),
    medicaid: fc.boolean(),
    dx: fc.array(code, { maxLength: 12 }),
  });
}

describe.skipIf(!CMS_DATA_AVAILABLE)('fast path = explained path on the CMS models', () => {
  const cases: { input: { model: 'V24' | 'V28'; dx: string[]; age: number; sex: string; elig: string; orec: string; medicaid: boolean } }[] = CMS_DATA_AVAILABLE
    ? JSON.parse(readFileSync(join(CMS_DIR, 'sample-cases.json'), 'utf8'))
    : [];

  it('agrees on all 87 sample cases (raw, payment with the corpus adjustment, categories)', async () => {
    const { v24, v28 } = await cmsFixtures();
    const compact = { V24: compileCompact(v24.scorer.model, CORPUS_PAYMENT_ADJUSTMENT), V28: compileCompact(v28.scorer.model, CORPUS_PAYMENT_ADJUSTMENT) };
    expect(cases).toHaveLength(87);
    for (const { input } of cases) {
      const scorer = input.model === 'V24' ? v24.scorer : v28.scorer;
      agree(scorer, compact[input.model], { age: input.age, sex: input.sex, segment: input.elig, orec: input.orec, medicaid: input.medicaid, dx: input.dx });
    }
  });

  for (const model of ['v24', 'v28'] as const) {
    it(`agrees on 10,000 random ${model.toUpperCase()} members`, async () => {
      const fixture = (await cmsFixtures())[model];
      const compact = compileCompact(fixture.scorer.model, CORPUS_PAYMENT_ADJUSTMENT);
      const out = newCompactScore(compact);
      fc.assert(
        fc.property(memberArbitrary(fixture.tables), (member) => {
          const explained = fixture.scorer.score(member);
          // Reusing one output record must not leak state between members.
          scoreCompact(compact, member, out);
          return out.raw === explained.rawScore && categoriesOf(compact, out.hccBits).join() === explained.categories.join() && out.payment === paymentScore(explained.rawScore, CORPUS_PAYMENT_ADJUSTMENT);
        }),
        { numRuns: 10_000, seed: model === 'v24' ? 24 : 28 },
      );
    });
  }
});

/** 40 categories in chains of 4 (two bitset words), hierarchies across word boundaries, interactions. */
function wideModel(): RiskModelTables {
  const categories = Array.from({ length: 40 }, (_, i) => ({ id: 100 + i, label: `C${i}` }));
  const diagnosisMap: Record<string, number[]> = {};
  categories.forEach((c, i) => (diagnosisMap[`X${i}`] = [c.id]));
  diagnosisMap.XBOTH = [101, 138];
  const hierarchy = [];
  for (let i = 0; i < 40; i += 4) hierarchy.push({ parent: 100 + i + 3, children: [100 + i, 100 + i + 1, 100 + i + 2] });
  hierarchy.push({ parent: 131, children: [130] });
  const coefficients: Record<string, number> = { S_F0_64: 0.31, S_M0_64: 0.29, S_F65_GT: 0.52, S_M65_GT: 0.55, S_PAIR: 0.123, S_DIS_LOW: 0.2, S_N1: 0.01, S_N2: 0.02, S_N3P: 0.05 };
  categories.forEach((c, i) => (coefficients[`S_HCC${c.id}`] = Math.round(((i * 37) % 97) * 13.7) / 1000));
  return {
    id: 'wide',
    description: 'wide test model',
    categories,
    diagnosisMap,
    diagnosisEdits: [{ rule: 'X5 is X36 for women', codes: ['X5'], when: [{ sex: 'F' }], result: [136] }],
    presenceRules: [{ rule: 'C39 needs C2', category: 139, removeUnlessAnyOf: [102] }],
    hierarchy,
    groups: [
      { name: 'LOW', anyOf: [100, 101, 102, 103] },
      { name: 'HIGH', anyOf: [133, 134, 135, 136, 137, 138] },
    ],
    interactions: [
      { name: 'PAIR', factors: ['LOW', 'HIGH'] },
      { name: 'DIS_LOW', factors: ['DISABL', 'LOW'] },
    ],
    countTermNames: ['N1', 'N2', 'N3P'],
    demographics: {
      promoteAge64WithOldAgeEntitlement: false,
      disabledBelowAge: 65,
      oldAgeOrec: '0',
      originallyDisabledOrec: '1',
      ageSexBands: [
        { name: '0_64', min: 0, max: 64 },
        { name: '65_GT', min: 65, max: null },
      ],
      newEnrolleeBands: [{ name: 'ALL', min: 0, max: null }],
      newEnrolleeAge64OldAgeBand: 'ALL',
    },
    segments: {
      S: { newEnrollee: false, ageSexBands: ['0_64', '65_GT'], originallyDisabledTerms: false, institutionalTerms: false, categoryTerms: true, interactions: ['PAIR', 'DIS_LOW'], countTerms: true },
    },
    coefficients,
  };
}

describe('fast path on a model written as data', () => {
  const tables = wideModel();
  const scorer = RiskScorer.fromTables(tables);
  const compact = compileCompact(scorer.model);

  it('uses two bitset words and scores a known member exactly', () => {
    expect(compact.words).toBe(2);
    // Presence first: C39 needs C2, which is absent, so C39 goes and cannot clear C36-C38.
    // Then C3 clears C0-C2 (x0 and XBOTH's C1). Left: C3 and C38; PAIR on; two categories.
    const member: RiskMember = { age: 70, sex: 'M', segment: 'S', orec: '0', medicaid: false, dx: ['X3', 'XBOTH', 'X39', 'x0'] };
    const fast = scoreCompact(compact, member);
    expect(categoriesOf(compact, fast.hccBits)).toEqual([103, 138]);
    const expected = Math.round((0.55 + tables.coefficients.S_HCC103! + tables.coefficients.S_HCC138! + 0.123 + 0.02) * 10000) / 10000;
    expect(fast.raw).toBeCloseTo(expected, 10);
    expect(fast.payment).toBe(fast.raw);
    agree(scorer, compact, member);
  });

  it('applies a sex edit and the DISABL interaction', () => {
    const woman: RiskMember = { age: 40, sex: 'F', segment: 'S', orec: '2', medicaid: false, dx: ['X5', 'X0'] };
    expect(categoriesOf(compact, scoreCompact(compact, woman).hccBits)).toEqual([100, 136]);
    agree(scorer, compact, woman);
    agree(scorer, compact, { ...woman, sex: 'M' });
  });

  it('agrees with the explained path on 2,000 random members', () => {
    fc.assert(
      fc.property(memberArbitrary(tables), (member) => {
        agree(scorer, compact, member);
      }),
      { numRuns: 2_000, seed: 40 },
    );
  });

  it('refuses an unknown segment with a typed error', () => {
    expect(() => scoreCompact(compact, { age: 70, sex: 'M', segment: 'NOPE', orec: '0', medicaid: false, dx: [] })).toThrow(UnknownSegmentError);
  });
});
