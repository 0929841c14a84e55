/**
 * The capitation settlement statement of one institution for one year (DOMAIN.md "Settlement of
 * the budget"): budget (sum of the members' medical lines) against actual claims; savings kept
 * with their recorded internal split, or overspend shared by {@link shareOverspend}; management
 * package lines; P4P lines from the P4P statement; and the net amount, a sum of rounded lines.
 */
import type { Decimal } from '../lib/money.ts';
import { fenString, fromFen, splitByShare, sumMoney, parseDecimal } from '../lib/money.ts';
import type { SettlementAggregates } from './aggregate.ts';
import { aggregateMemberLines } from './aggregate.ts';
import type { MemberCapitationLine, MemberSettlementInput, SettlementPolicy } from './member-lines.ts';
import { memberCapitationLine } from './member-lines.ts';
import type { OverspendSharing } from './overspend.ts';
import { shareOverspend } from './overspend.ts';
import type { StatementLine, Trace } from './trace.ts';

const SOURCE = 'DOMAIN.md "Settlement of the budget"';

/** P4P figures for the statement, taken from the institution's P4P statement. */
export interface P4PSettlementLines {
  /** The P4P statement these figures come from. */
  p4pStatementId: string;
  /** Bonus after the budget cap, CNY. */
  bonus: string;
  /** Deduction (0 when waived by an accepted appeal), CNY. */
  deduction: string;
  /** Coefficient on next year's base (1.05 / 1.00 / 0.97 by default). */
  nextYearCoefficient: number;
}

/** Who the statement is for and the bureau's decisions that change it. */
export interface StatementContext {
  institutionId: string;
  year: number;
  /** Bureau marked this year's overspend justified (last band shared at justifiedFundShare). */
  overspendJustified?: boolean;
  p4p?: P4PSettlementLines;
  /** Revision number: 1 for the first statement, +1 for each superseding one. */
  revision?: number;
  /** The statement id this one supersedes (after an accepted appeal). */
  supersedes?: string | null;
}

/** The settlement statement of record for one institution-year. */
export interface SettlementStatement {
  kind: 'capitation-settlement';
  statementId: string;
  institutionId: string;
  year: number;
  revision: number;
  supersedes: string | null;
  memberCount: number;
  medicalBudget: StatementLine;
  managementPackage: StatementLine;
  actualClaims: StatementLine;
  outcome: 'savings' | 'overspend' | 'balanced';
  savings: { kept: StatementLine; staffRewards: StatementLine; development: StatementLine } | null;
  overspend: OverspendSharing | null;
  p4p: { bonus: StatementLine; deduction: StatementLine; nextYearCoefficient: { value: number; trace: Trace } } | null;
  /** Medical budget + management package + fund overspend share + P4P bonus - P4P deduction. */
  netPayable: StatementLine;
}

/** The id of an institution-year statement revision: "<institution>/<year>/r<revision>". */
export function settlementStatementId(institutionId: string, year: number, revision: number): string {
  return `${institutionId}/${year}/r${revision}`;
}

function fenLine(fen: bigint, trace: Trace): StatementLine {
  return { amount: fenString(fromFen(fen)), trace };
}

/** Build the statement from member-level totals (either the decimal or the integer-fen path). */
export function settlementStatementFromAggregates(aggregates: SettlementAggregates, context: StatementContext, policy: SettlementPolicy): SettlementStatement {
  const revision = context.revision ?? 1;
  const budget = fromFen(aggregates.medicalBudgetFen);
  const actual = fromFen(aggregates.actualClaimsFen);
  const members = { memberCount: aggregates.memberCount };
  const medicalBudget = fenLine(aggregates.medicalBudgetFen, { rule: 'settlement.medical-budget', source: `${SOURCE}: medical part = sum of member lines (base x score x months / 12)`, inputs: members });
  const managementPackage = fenLine(aggregates.managementPackageFen, { rule: 'settlement.management-package', source: `${SOURCE}: package = sum of member lines (rate x months / 12 x min(1, delivered / required))`, inputs: members });
  const actualClaims = fenLine(aggregates.actualClaimsFen, { rule: 'settlement.actual-claims', source: `${SOURCE}: actual = members' medical claims wherever incurred`, inputs: members });

  const difference = actual.minus(budget);
  const outcome: SettlementStatement['outcome'] = difference.isZero() ? 'balanced' : difference.isNegative() ? 'savings' : 'overspend';

  let savings: SettlementStatement['savings'] = null;
  let overspend: OverspendSharing | null = null;
  let fundOverspendShare: Decimal = fromFen(0n);
  if (outcome === 'savings') {
    // Savings are kept by the institution; the statement records its internal split.
    const kept = budget.minus(actual);
    const split = splitByShare(kept, policy.savingsStaffShare);
    const source = `${SOURCE}: savings kept; policy.settlement.savingsStaffShare`;
    savings = {
      kept: { amount: fenString(kept), trace: { rule: 'settlement.savings', source: `${SOURCE}: savings are kept by the institution`, inputs: { budget: medicalBudget.amount, actual: actualClaims.amount } } },
      staffRewards: { amount: fenString(split.share), trace: { rule: 'settlement.savings.staff', source, inputs: { kept: fenString(kept), staffShare: policy.savingsStaffShare } } },
      development: { amount: fenString(split.rest), trace: { rule: 'settlement.savings.development', source: `${source} (remainder)`, inputs: { kept: fenString(kept), staffShare: policy.savingsStaffShare } } },
    };
  } else if (outcome === 'overspend') {
    const severeFen = aggregates.severeOverspends.reduce((s, m) => s + m.overspendFen, 0n);
    overspend = shareOverspend(
      {
        budget,
        actual,
        severeOverspend: fromFen(severeFen),
        severeMembers: aggregates.severeOverspends.map((m) => ({ memberId: m.memberId, amount: fenString(fromFen(m.overspendFen)) })),
        justified: context.overspendJustified ?? false,
      },
      policy,
    );
    fundOverspendShare = parseDecimal(overspend.fundTotal.amount);
  }

  let p4p: SettlementStatement['p4p'] = null;
  let bonus = fromFen(0n);
  let deduction = fromFen(0n);
  if (context.p4p) {
    const src = { p4pStatementId: context.p4p.p4pStatementId };
    bonus = parseDecimal(context.p4p.bonus, 'P4P bonus');
    deduction = parseDecimal(context.p4p.deduction, 'P4P deduction');
    p4p = {
      bonus: { amount: fenString(bonus), trace: { rule: 'settlement.p4p.bonus', source: 'DOMAIN.md "The P4P formula": bonus (after the budget cap)', inputs: src } },
      deduction: { amount: fenString(deduction), trace: { rule: 'settlement.p4p.deduction', source: 'DOMAIN.md "The P4P formula": deduction', inputs: src } },
      nextYearCoefficient: { value: context.p4p.nextYearCoefficient, trace: { rule: 'settlement.p4p.coefficient', source: 'DOMAIN.md "The P4P formula": ranking; applies to next year\'s base', inputs: src } },
    };
  }

  const parts = [parseDecimal(medicalBudget.amount), parseDecimal(managementPackage.amount), fundOverspendShare, bonus, deduction.negated()];
  const netPayable: StatementLine = {
    amount: fenString(sumMoney(parts)),
    trace: {
      rule: 'settlement.net-payable',
      source: `${SOURCE}: a total is the sum of its rounded lines`,
      inputs: { medicalBudget: medicalBudget.amount, managementPackage: managementPackage.amount, fundOverspendShare: fenString(fundOverspendShare), p4pBonus: fenString(bonus), p4pDeduction: fenString(deduction) },
    },
  };

  return {
    kind: 'capitation-settlement',
    statementId: settlementStatementId(context.institutionId, context.year, revision),
    institutionId: context.institutionId,
    year: context.year,
    revision,
    supersedes: context.supersedes ?? null,
    memberCount: aggregates.memberCount,
    medicalBudget,
    managementPackage,
    actualClaims,
    outcome,
    savings,
    overspend,
    p4p,
    netPayable,
  };
}

/** Settle an institution from its members (reference decimal.js path); also returns the member lines. */
export function settleInstitution(
  members: readonly MemberSettlementInput[],
  context: StatementContext,
  policy: SettlementPolicy,
): { statement: SettlementStatement; memberLines: MemberCapitationLine[] } {
  const memberLines = members.map((m) => memberCapitationLine(m, policy));
  return { statement: settlementStatementFromAggregates(aggregateMemberLines(memberLines), context, policy), memberLines };
}
