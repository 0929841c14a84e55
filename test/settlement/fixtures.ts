import type { RiskClass } from '../../src/config/policy.ts';
import type { MemberSettlementInput } from '../../src/settlement/member-lines.ts';

/** A member with full-year enrolment, score 1 and no package unless overridden. */
export function member(memberId: string, overrides: Partial<MemberSettlementInput> & { riskClass?: RiskClass } = {}): MemberSettlementInput {
  return {
    memberId,
    riskClass: 'mild',
    baseStandard: '1000.00',
    paymentScore: '1.000',
    enrolledMonths: 12,
    actualClaims: '0.00',
    managementPackage: { rate: '300.00', requiredServices: 4, deliveredServices: 4 },
    ...overrides,
  };
}

/** DOMAIN.md worked example: budget 1,000,000.00; actual 1,150,000.00; severe overspend 20,000.00. */
export function workedExampleMembers(): MemberSettlementInput[] {
  return [
    member('severe-1', { riskClass: 'severe', baseStandard: '100000.00', actualClaims: '120000.00' }),
    // A severe member under budget contributes nothing to step 1.
    member('severe-2', { riskClass: 'severe', baseStandard: '50000.00', actualClaims: '40000.00' }),
    member('mild-1', { riskClass: 'mild', baseStandard: '850000.00', actualClaims: '990000.00' }),
  ];
}
