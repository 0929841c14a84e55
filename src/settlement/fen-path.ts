/**
 * The fast member-line path: the same rules as {@link memberCapitationLine}, in whole fen with
 * safe-integer arithmetic over prepared columns, for settling a million members in well under a
 * second.
 *
 * Why it is exact: with the base standard in whole fen B, the payment score already rounded to
 * `scoreDecimals` places and held as the integer S = score x 10^scoreDecimals, and whole months m,
 * the medical line in fen is exactly the rational B x S x m / (12 x 10^scoreDecimals). The
 * numerator is an integer product checked to stay at or below Number.MAX_SAFE_INTEGER (2^53 - 1),
 * so it is computed exactly in a double; {@link roundHalfUpDiv} then rounds the quotient half-up
 * using only integer operations whose operands and results are safe integers, correcting the
 * floating-point quotient by its exact remainder. The package line is likewise the rational
 * R x m x min(d, q) / (12 x q) for rate R in fen, d delivered and q required services. Totals are
 * sums of non-negative safe integers; if the final sum is safe, every partial sum (never larger)
 * was exact too. The test suite checks this path against the decimal.js path line by line.
 */
import type { RiskClass } from '../config/policy.ts';
import { parseMoney, roundScore, toFen, roundFen } from '../lib/money.ts';
import type { SettlementAggregates, SevereOverspend } from './aggregate.ts';
import { SettlementError } from './errors.ts';
import type { MemberSettlementInput, SettlementPolicy } from './member-lines.ts';

/** Member inputs as columns of integers, prepared once (e.g. straight from the store). */
export interface PreparedMemberColumns {
  count: number;
  memberIds: readonly string[];
  /** 1 where the member is classed severe (overspend step 1). */
  severe: Uint8Array;
  /** Base standard in whole fen. */
  baseFen: Float64Array;
  /** Payment score x 10^scoreDecimals, already rounded half-up. */
  scoreScaled: Float64Array;
  scoreDecimals: number;
  enrolledMonths: Uint8Array;
  /** Claims in whole fen. */
  actualFen: Float64Array;
  /** Package rate in whole fen. */
  packageRateFen: Float64Array;
  requiredServices: Uint32Array;
  deliveredServices: Uint32Array;
}

/** round_half_up(numerator / denominator) for safe integers numerator >= 0, denominator > 0, exactly. */
export function roundHalfUpDiv(numerator: number, denominator: number): number {
  let q = Math.floor(numerator / denominator);
  let r = numerator - q * denominator;
  // The float quotient may be one off; the remainder (exact, |r| < 2^53) says which way.
  while (r < 0) {
    q -= 1;
    r += denominator;
  }
  while (r >= denominator) {
    q += 1;
    r -= denominator;
  }
  return r * 2 >= denominator ? q + 1 : q;
}

function safeProduct(a: number, b: number, c: number, what: string, index: number): number {
  const p = a * b * c;
  if (!Number.isSafeInteger(p)) throw new SettlementError('SAFE_INTEGER_EXCEEDED', `member #${index}: ${what} numerator ${p} is not a safe integer; use the decimal path`);
  return p;
}

/** Medical line of member i, in fen. */
export function medicalFen(columns: PreparedMemberColumns, i: number): number {
  const num = safeProduct(columns.baseFen[i]!, columns.scoreScaled[i]!, columns.enrolledMonths[i]!, 'medical', i);
  return roundHalfUpDiv(num, 12 * 10 ** columns.scoreDecimals);
}

/** Management package line of member i, in fen (no required services: paid in full). */
export function packageFen(columns: PreparedMemberColumns, i: number): number {
  const required = columns.requiredServices[i]!;
  const delivered = Math.min(columns.deliveredServices[i]!, required);
  if (required === 0) return roundHalfUpDiv(safeProduct(columns.packageRateFen[i]!, columns.enrolledMonths[i]!, 1, 'package', i), 12);
  return roundHalfUpDiv(safeProduct(columns.packageRateFen[i]!, columns.enrolledMonths[i]!, delivered, 'package', i), 12 * required);
}

function checkedTotal(total: number, what: string): bigint {
  if (!Number.isSafeInteger(total)) throw new SettlementError('SAFE_INTEGER_EXCEEDED', `${what} total ${total} fen is not a safe integer`);
  return BigInt(total);
}

/** Institution totals over a range of rows [from, to) of the columns. */
export function aggregateColumns(columns: PreparedMemberColumns, from = 0, to = columns.count): SettlementAggregates {
  let medical = 0;
  let pkg = 0;
  let actual = 0;
  const severeOverspends: SevereOverspend[] = [];
  for (let i = from; i < to; i++) {
    const m = medicalFen(columns, i);
    const a = columns.actualFen[i]!;
    medical += m;
    pkg += packageFen(columns, i);
    actual += a;
    if (columns.severe[i] === 1 && a > m) severeOverspends.push({ memberId: columns.memberIds[i]!, overspendFen: BigInt(a - m) });
  }
  return {
    memberCount: to - from,
    medicalBudgetFen: checkedTotal(medical, 'medical'),
    managementPackageFen: checkedTotal(pkg, 'package'),
    actualClaimsFen: checkedTotal(actual, 'claims'),
    severeOverspends,
  };
}

function wholeFen(value: MemberSettlementInput['baseStandard'], what: string, memberId: string): number {
  const fen = Number(toFen(roundFen(parseMoney(value, what))));
  if (fen < 0 || !Number.isSafeInteger(fen)) throw new SettlementError('MEMBER_INPUT_INVALID', `member ${memberId}: ${what} out of range`);
  return fen;
}

/**
 * Prepare columns from member inputs. Base standards and package rates must be whole fen (they
 * are tariffs); claims are rounded half-up to the fen as on the decimal path.
 */
export function prepareMemberColumns(members: readonly MemberSettlementInput[], policy: SettlementPolicy): PreparedMemberColumns {
  const n = members.length;
  const columns: PreparedMemberColumns = {
    count: n,
    memberIds: members.map((m) => m.memberId),
    severe: new Uint8Array(n),
    baseFen: new Float64Array(n),
    scoreScaled: new Float64Array(n),
    scoreDecimals: policy.paymentScoreDecimals,
    enrolledMonths: new Uint8Array(n),
    actualFen: new Float64Array(n),
    packageRateFen: new Float64Array(n),
    requiredServices: new Uint32Array(n),
    deliveredServices: new Uint32Array(n),
  };
  members.forEach((m, i) => {
    const base = parseMoney(m.baseStandard, 'base standard');
    const rate = parseMoney(m.managementPackage.rate, 'package rate');
    if (!base.times(100).isInteger() || !rate.times(100).isInteger())
      throw new SettlementError('MEMBER_INPUT_INVALID', `member ${m.memberId}: the fen path needs base standard and package rate in whole fen`);
    const months = m.enrolledMonths;
    if (!Number.isInteger(months) || months < 0 || months > 12) throw new SettlementError('MEMBER_INPUT_INVALID', `member ${m.memberId}: enrolled months must be 0-12`);
    const score = roundScore(m.paymentScore, policy.paymentScoreDecimals);
    if (score.isNegative()) throw new SettlementError('MEMBER_INPUT_INVALID', `member ${m.memberId}: payment score must not be negative`);
    const { requiredServices: q, deliveredServices: d } = m.managementPackage;
    if (!Number.isInteger(q) || q < 0 || !Number.isInteger(d) || d < 0) throw new SettlementError('MEMBER_INPUT_INVALID', `member ${m.memberId}: service counts must be whole numbers >= 0`);
    columns.severe[i] = (m.riskClass satisfies RiskClass) === 'severe' ? 1 : 0;
    columns.baseFen[i] = wholeFen(base, 'base standard', m.memberId);
    columns.scoreScaled[i] = score.times(10 ** policy.paymentScoreDecimals).toNumber();
    columns.enrolledMonths[i] = months;
    columns.actualFen[i] = wholeFen(m.actualClaims, 'actual claims', m.memberId);
    columns.packageRateFen[i] = wholeFen(rate, 'package rate', m.memberId);
    columns.requiredServices[i] = q;
    columns.deliveredServices[i] = d;
  });
  return columns;
}
