import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/config/policy.ts';
import { computeInstitutionPerformance, toP4PInstitutionInput, toP4PIndicatorResults } from '../../../src/performance/adjustment/institution-performance.ts';
import { yearPeriod } from '../../../src/performance/attribution.ts';
import { scoreComposite } from '../../../src/performance/p4p/composite.ts';
import { issueP4PStatements } from '../../../src/performance/p4p/statement.ts';
import type { MemberSpec } from './fixtures.ts';
import { memberRecord } from './fixtures.ts';

const policy = parsePolicy({ p4p: { minDenominator: 4 } });
const institutions = [
  { institution_id: 'I1', level: 'primary' },
  { institution_id: 'I2', level: 'primary' },
];

/** I1: 6 diabetics (4 controlled, 5 fundus exams), 6 hypertensives; I2: 3 diabetics (too few for the minimum of 4). */
function population() {
  const specs: MemberSpec[] = [];
  for (let k = 0; k < 6; k++)
    specs.push({
      id: `A${k}`,
      institution: 'I1',
      signupFrom: '2024-01-01',
      diabetes: '2019-01-01',
      hypertension: '2019-01-01',
      sex: k % 2 ? 'M' : 'F',
      birth: `19${50 + k}-01-01`,
      hba1c: [['2025-06-01', 6 + k * 0.5], ['2026-06-01', k < 4 ? 6.5 : 8]],
      bp: [['2026-06-01', k < 3 ? 130 : 150, 80]],
      procedures: k < 5 ? [['2026-03-01', '92250']] : [],
    });
  for (let k = 0; k < 3; k++) specs.push({ id: `B${k}`, institution: 'I2', signupFrom: '2024-01-01', diabetes: '2020-01-01', hba1c: [['2026-06-01', k === 0 ? 6.1 : 9]] });
  specs.push({ id: 'C0', institution: 'I2', signupFrom: '2026-01-01', diabetes: '2020-01-01' });
  specs.push({ id: 'C1', signupFrom: '' });
  specs.push({ id: 'C3', institution: 'I2', signupFrom: '2024-01-01', enrolledTo: '2026-05-31', diabetes: '2020-01-01' });
  specs.push({ id: 'C2', institution: 'I7', signupFrom: '2020-01-01' });
  return specs.map(memberRecord);
}

describe('computeInstitutionPerformance', () => {
  const run = computeInstitutionPerformance(population(), institutions, yearPeriod(2026), policy, { seed: 2, bootstrapReplicates: 20, keepMemberDetail: true });
  const [i1, i2] = run.institutions;

  it('attributes, counts and explains', () => {
    expect(i1!.attributedMembers).toBe(6);
    expect(i2!.attributedMembers).toBe(3);
    expect(i2!.notAttributed).toEqual({ 'enrolled fewer months than the minimum': 1 });
    expect(run.unattributed).toEqual({ 'no sign-up before the period starts': 2 });
    expect(run.unknownInstitutions).toEqual(['I7']);
    expect(i1!.outcomes.O1).toMatchObject({ denominator: 6, observed: 4, rawRate: 4 / 6, published: true });
    expect(i1!.outcomes.O2).toMatchObject({ denominator: 6, observed: 3, published: true });
    expect(i1!.processes.P1).toMatchObject({ numerator: 5, denominator: 6, published: true });
    expect(i2!.outcomes.O1).toMatchObject({ denominator: 3, observed: 1, published: false, publishedRate: null, unpublishedReason: 'denominator below minimum' });
    expect(i2!.outcomes.O2).toMatchObject({ denominator: 0, published: false, unpublishedReason: 'no patients' });
    expect(i2!.servedPersons).toBe(0);
    expect(i1!.servedPersons).toBe(6);
    expect(i1!.memberDetail!.outcomes.find((o) => o.memberId === 'A5' && o.indicator === 'O1')!.explanation).toBe('not controlled: HbA1c 8.0% on 2026-06-01');
  });

  it('feeds the P4P statement directly', () => {
    const indicators = toP4PIndicatorResults(i1!);
    expect(indicators.map((i) => i.id)).toEqual(['O1', 'O2', 'P1', 'P2']);
    expect(indicators[0]!.rawRate).toBe((4 / 6).toFixed(6));
    expect(Number(indicators[0]!.rate)).toBeCloseTo(i1!.outcomes.O1.riskStandardisedRate!, 6);
    const composite = scoreComposite(indicators, policy.p4p);
    expect(composite.composite).not.toBeNull();
    const smallOnes = scoreComposite(toP4PIndicatorResults(i2!), policy.p4p);
    expect(smallOnes.indicators.find((s) => s.id === 'O1')).toMatchObject({ scored: false, notScoredReason: 'denominator below minimum' });
    const statements = issueP4PStatements(
      [toP4PInstitutionInput(i1!, { capitationPayment: '100000.00', previousComposite: null, costPerMemberYear: 900 })],
      { year: 2026, issuedOn: '2027-01-15', capitationSpending: '1000000.00' },
      policy.p4p,
    );
    expect(statements[0]!.servedPersons).toBe(6);
  });
});
