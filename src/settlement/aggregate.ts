/**
 * Institution totals from member lines. A total is the sum of its rounded lines (DOMAIN.md), so
 * totals are summed from the fen strings of the lines, in exact integer fen (BigInt).
 */
import type { MemberCapitationLine } from './member-lines.ts';
import { SettlementError } from './errors.ts';

/** A severe member whose claims exceeded their medical budget: the step-1 contribution. */
export interface SevereOverspend {
  memberId: string;
  /** actual - budget, in fen, > 0. */
  overspendFen: bigint;
}

/** The member-level totals an institution statement is built from. */
export interface SettlementAggregates {
  memberCount: number;
  medicalBudgetFen: bigint;
  managementPackageFen: bigint;
  actualClaimsFen: bigint;
  /** Severe members with actual above budget, in input order. */
  severeOverspends: SevereOverspend[];
}

const FEN_STRING = /^-?\d+\.\d{2}$/;

/** Whole fen of a canonical fen string ("1234.56" -> 123456n). */
export function fenOf(amount: string): bigint {
  if (!FEN_STRING.test(amount)) throw new SettlementError('MEMBER_INPUT_INVALID', `not a fen amount: ${JSON.stringify(amount)}`);
  return BigInt(amount.replace('.', ''));
}

/** The canonical fen string of whole fen (123456n -> "1234.56"). */
export function fenText(fen: bigint): string {
  const negative = fen < 0n;
  const digits = (negative ? -fen : fen).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** Sum member lines into institution totals and collect the severe members' overspend. */
export function aggregateMemberLines(lines: readonly MemberCapitationLine[]): SettlementAggregates {
  let medical = 0n;
  let pkg = 0n;
  let actual = 0n;
  const severeOverspends: SevereOverspend[] = [];
  for (const line of lines) {
    const m = fenOf(line.medical);
    const a = fenOf(line.actualClaims);
    medical += m;
    pkg += fenOf(line.managementPackage);
    actual += a;
    // Step 1 counts only severe members, and only where their actual exceeds their budget.
    if (line.riskClass === 'severe' && a > m) severeOverspends.push({ memberId: line.memberId, overspendFen: a - m });
  }
  return { memberCount: lines.length, medicalBudgetFen: medical, managementPackageFen: pkg, actualClaimsFen: actual, severeOverspends };
}
