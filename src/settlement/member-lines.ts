/**
 * Member capitation lines, the reference (decimal.js) path.
 *
 * DOMAIN.md "Settlement of the budget": the medical part (the budget) is, per member,
 * base standard x payment score x enrolled months / 12; the management package is paid on
 * delivery: rate x enrolled months / 12 x (required services delivered / required services),
 * capped at 1. Payment scores are rounded to 3 decimals first; each line is rounded half-up to the
 * fen once, at the end.
 */
import type { Policy, RiskClass } from '../config/policy.ts';
import { RISK_CLASSES } from '../config/policy.ts';
import type { Decimal, DecimalInput } from '../lib/money.ts';
import { fenString, parseMoney, prorateByMonths, roundFen, roundScore, assertEnrolledMonths, MoneyError } from '../lib/money.ts';
import { SettlementError } from './errors.ts';

/** The settlement figures of the policy (policy.settlement). */
export type SettlementPolicy = Policy['settlement'];

/** What settlement needs to know about one member for the year. */
export interface MemberSettlementInput {
  memberId: string;
  /** Class fixed as of the first day of the year (DOMAIN.md class table); severe feeds overspend step 1. */
  riskClass: RiskClass;
  /** Base standard, CNY per member-year. */
  baseStandard: DecimalInput;
  /** Risk-adjusted payment score before rounding. */
  paymentScore: DecimalInput;
  /** Whole months enrolled in the year (0-12). */
  enrolledMonths: number;
  /** The member's medical claims in the year, wherever incurred. */
  actualClaims: DecimalInput;
  /** Management package for the member's class: yearly rate and service delivery counts. */
  managementPackage: { rate: DecimalInput; requiredServices: number; deliveredServices: number };
}

/** One member's rounded lines, as fen strings. */
export interface MemberCapitationLine {
  memberId: string;
  riskClass: RiskClass;
  enrolledMonths: number;
  /** Payment score after rounding (the figure the line used). */
  paymentScore: string;
  /** Medical part (budget) line. */
  medical: string;
  /** Management package line. */
  managementPackage: string;
  /** Delivery ratio used, min(1, delivered / required), as a decimal string. */
  deliveryRatio: string;
  /** Claims, rounded half-up to the fen. */
  actualClaims: string;
}

function invalid(memberId: string, message: string): SettlementError {
  return new SettlementError('MEMBER_INPUT_INVALID', `member ${memberId}: ${message}`);
}

function nonNegative(value: Decimal, memberId: string, what: string): Decimal {
  if (value.isNegative()) throw invalid(memberId, `${what} must not be negative (got ${value.toString()})`);
  return value;
}

/**
 * The delivery ratio min(1, delivered / required). A package with no required services owes
 * nothing undelivered, so its ratio is 1 (the package is paid in full).
 */
export function deliveryRatio(required: number, delivered: number, memberId = '?'): Decimal {
  if (!Number.isInteger(required) || required < 0) throw invalid(memberId, `required services must be a whole number >= 0 (got ${required})`);
  if (!Number.isInteger(delivered) || delivered < 0) throw invalid(memberId, `delivered services must be a whole number >= 0 (got ${delivered})`);
  const one = parseMoney(1);
  if (required === 0) return one;
  const ratio = parseMoney(delivered).div(required);
  return ratio.greaterThan(one) ? one : ratio;
}

/** Compute one member's capitation lines (medical part and management package). */
export function memberCapitationLine(input: MemberSettlementInput, policy: SettlementPolicy): MemberCapitationLine {
  const id = input.memberId;
  if (!RISK_CLASSES.includes(input.riskClass)) throw invalid(id, `unknown risk class ${String(input.riskClass)}`);
  try {
    assertEnrolledMonths(input.enrolledMonths);
    const base = nonNegative(parseMoney(input.baseStandard, 'base standard'), id, 'base standard');
    // Payment scores are rounded to 3 decimals before they multiply money (DOMAIN.md).
    const score = nonNegative(roundScore(input.paymentScore, policy.paymentScoreDecimals), id, 'payment score');
    const medical = roundFen(prorateByMonths(base.times(score), input.enrolledMonths));
    const rate = nonNegative(parseMoney(input.managementPackage.rate, 'package rate'), id, 'package rate');
    const ratio = deliveryRatio(input.managementPackage.requiredServices, input.managementPackage.deliveredServices, id);
    // One exact numerator over one integer divisor: multiplying by a rounded ratio such as 1/3
    // would turn an exact half fen (e.g. 0.57 x 6 x 1 / 36 = 0.095) into 0.0949.. and round down.
    const { requiredServices: required, deliveredServices: delivered } = input.managementPackage;
    const pkg = roundFen(required === 0 ? prorateByMonths(rate, input.enrolledMonths) : rate.times(input.enrolledMonths).times(Math.min(delivered, required)).div(12 * required));
    const claims = nonNegative(roundFen(parseMoney(input.actualClaims, 'actual claims')), id, 'actual claims');
    return {
      memberId: id,
      riskClass: input.riskClass,
      enrolledMonths: input.enrolledMonths,
      paymentScore: score.toFixed(policy.paymentScoreDecimals),
      medical: fenString(medical),
      managementPackage: fenString(pkg),
      deliveryRatio: ratio.toSignificantDigits(12).toString(),
      actualClaims: fenString(claims),
    };
  } catch (error) {
    if (error instanceof MoneyError) throw invalid(id, error.message);
    throw error;
  }
}
