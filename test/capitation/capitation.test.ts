import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributedInstitution, enrolledMonthsInYear, pricingAge, pricingDiagnoses, type DiagnosisRow } from '../../src/capitation/panel-inputs.ts';
import { CapitationError, panelTotals, riskAdjustmentLine, type CapitationTerms } from '../../src/capitation/risk-adjustment.ts';
import { defaultPolicy } from '../../src/config/policy.ts';
import { RiskScorer } from '../../src/riskadjust/score.ts';
import { fenOf } from '../../src/settlement/aggregate.ts';
import { tinyTables } from './fixtures.ts';

const policy = defaultPolicy();
const terms = (baseStandard: string): CapitationTerms => ({ baseStandard, packageRates: policy.packageRates, settlement: policy.settlement });
const scorer = RiskScorer.fromTables(tinyTables());
const member = { birth_date: '1980-03-01', sex: 'M', enrolled_from: '2010-01-01', enrolled_to: null, deceased_date: null };
const dx = (code: string, onset: string, extra: Partial<DiagnosisRow> = {}): DiagnosisRow => ({ code_system: 'ICD-10-CN', code, onset_date: onset, abatement_date: null, verification_status: 'confirmed', recorded_date: null, ...extra });

describe('enrolled months (whole months; a month counts when any day of it is enrolled)', () => {
  it('counts a full year, a mid-month start, a death and an end before the year', () => {
    expect(enrolledMonthsInYear(member, 2026)).toBe(12);
    expect(enrolledMonthsInYear({ ...member, enrolled_from: '2026-04-10' }, 2026)).toBe(9);
    expect(enrolledMonthsInYear({ ...member, deceased_date: '2026-03-01' }, 2026)).toBe(3);
    expect(enrolledMonthsInYear({ ...member, enrolled_to: '2026-06-30', deceased_date: '2026-09-01' }, 2026)).toBe(6);
    expect(enrolledMonthsInYear({ ...member, enrolled_to: '2025-12-31' }, 2026)).toBe(0);
    expect(enrolledMonthsInYear({ ...member, enrolled_from: '2026-12-31' }, 2026)).toBe(1);
  });
});

describe('pricing inputs (the rules the bureau model was fitted with)', () => {
  it('uses the age on 1 January of the year before the payment year', () => {
    expect(pricingAge('1960-06-15', 2026)).toBe(64);
    expect(pricingAge('1961-01-01', 2026)).toBe(64);
    expect(pricingAge('1961-01-02', 2026)).toBe(63);
  });

  it('keeps ICD-10 diagnoses active in the year before, recorded before the payment year, not refuted', () => {
    const rows = [
      dx('I10', '2018-05-01'),
      dx('E11.9', '2025-12-31'),
      dx('E11.2', '2026-01-01'), // onset in the payment year
      dx('E11.3', '2020-01-01', { abatement_date: '2024-12-31' }), // abated before the year
      dx('E14', '2020-01-01', { verification_status: 'refuted' }),
      dx('N18.3', '2020-01-01', { recorded_date: '2026-01-01' }), // recorded on the as-of date: not yet known
      dx('I10', '2019-01-01', { code_system: 'SNOMED-CT', code: '38341003' }),
      dx('I10', '2020-02-02'), // duplicate code
    ];
    expect(pricingDiagnoses(rows, 2026)).toEqual(['E11.9', 'I10']);
  });

  it('attributes a member to the latest sign-up in force on 1 January', () => {
    const s = (signup_id: string, institution_id: string, from_date: string, to_date: string | null = null) => ({ signup_id, institution_id, from_date, to_date });
    expect(attributedInstitution([s('1', 'A', '2020-01-01'), s('2', 'B', '2024-05-01')], 2026)).toBe('B');
    expect(attributedInstitution([s('1', 'A', '2020-01-01'), s('2', 'B', '2026-01-02')], 2026)).toBe('A');
    expect(attributedInstitution([s('1', 'A', '2020-01-01', '2025-12-31')], 2026)).toBeNull();
    expect(attributedInstitution([s('1', 'A', '2026-01-01', '2026-01-01')], 2026)).toBe('A');
  });
});

describe('a member line', () => {
  it('prices a hand-worked member: F 64, diabetes + hypertension, 12 months, mild', () => {
    // 0.9 + 0.3 + 0.2505 = 1.4505 -> payment score 1.451 (half-up); 3600 x 1.451 = 5223.60; package 300.
    const line = riskAdjustmentLine({ memberId: 'M1', age: 64, sex: 'F', dx: ['E11.9', 'I10'], enrolledMonths: 12, riskClass: 'mild' }, scorer, 'BUREAU', terms('3600.00'));
    expect(line).toMatchObject({ rawScore: 1.4505, paymentScore: '1.451', medicalCapitation: '5223.60', packageAmount: '300.00', packageRate: '300' });
    expect(line.contributions.map((c) => [c.coefficient, c.value, c.dx])).toEqual([
      ['BUREAU_F55_GT', 0.9, []],
      ['BUREAU_HCC10', 0.3, ['E119']],
      ['BUREAU_HCC20', 0.2505, ['I10']],
    ]);
  });

  it('applies the hierarchy and prorates by whole months', () => {
    // complications replace diabetes: 0.4 + 0.6 = 1.000; 3600 x 1 x 9 / 12 = 2700; 800 x 9 / 12 = 600.
    const line = riskAdjustmentLine({ memberId: 'M2', age: 44, sex: 'M', dx: ['E11.9', 'E11.2'], enrolledMonths: 9, riskClass: 'severe' }, scorer, 'BUREAU', terms('3600'));
    expect(line).toMatchObject({ paymentScore: '1.000', medicalCapitation: '2700.00', packageAmount: '600.00' });
    expect(line.contributions.map((c) => c.coefficient)).toEqual(['BUREAU_M0_54', 'BUREAU_HCC11']);
  });

  it('rounds half-up at the fen edge (30.15 x 0.4 / 12 = 1.005 -> 1.01; 20 / 12 = 1.6666.. -> 1.67)', () => {
    const line = riskAdjustmentLine({ memberId: 'M4', age: 44, sex: 'M', dx: [], enrolledMonths: 1, riskClass: 'healthy' }, scorer, 'BUREAU', terms('30.15'));
    expect(line.medicalCapitation).toBe('1.01');
    expect(line.packageAmount).toBe('1.67');
  });

  it('refuses a sex the model has no cell for, and a member with no enrolled month', () => {
    const price = (sex: string, months: number) => () => riskAdjustmentLine({ memberId: 'X', age: 40, sex, dx: [], enrolledMonths: months, riskClass: 'healthy' }, scorer, 'BUREAU', terms('3600'));
    expect(price('U', 12)).toThrow(CapitationError);
    expect(price('U', 12)).toThrow(/no age\/sex cell/);
    expect(price('F', 0)).toThrow(/no enrolled month/);
  });
});

describe('panel totals', () => {
  it('are the sums of the rounded lines (property)', () => {
    const codes = ['E11', 'E11.9', 'E11.2', 'I10', 'Z00'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ age: fc.integer({ min: 0, max: 100 }), sex: fc.constantFrom('M', 'F'), dx: fc.subarray(codes), months: fc.integer({ min: 1, max: 12 }), cls: fc.constantFrom('healthy', 'high-risk', 'mild', 'moderate', 'severe' as const) }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (members, baseFen) => {
          const base = `${Math.floor(baseFen / 100)}.${String(baseFen % 100).padStart(2, '0')}`;
          const lines = members.map((m, i) => riskAdjustmentLine({ memberId: `M${i}`, age: m.age, sex: m.sex, dx: m.dx, enrolledMonths: m.months, riskClass: m.cls }, scorer, 'BUREAU', terms(base)));
          const totals = panelTotals(lines);
          const sum = (f: (l: (typeof lines)[number]) => string) => lines.reduce((s, l) => s + fenOf(f(l)), 0n);
          expect(fenOf(totals.medicalCapitation)).toBe(sum((l) => l.medicalCapitation));
          expect(fenOf(totals.packageAmount)).toBe(sum((l) => l.packageAmount));
          expect(fenOf(totals.total)).toBe(fenOf(totals.medicalCapitation) + fenOf(totals.packageAmount));
          expect(totals.members).toBe(lines.length);
        },
      ),
      { numRuns: 100 },
    );
  });
});
