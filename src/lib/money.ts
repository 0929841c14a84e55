/**
 * Exact decimal money for settlement and P4P statements.
 *
 * DOMAIN.md "Settlement of the budget", money and rounding: payment scores are rounded to 3
 * decimals; every money line is rounded half-up to the fen; a total is the sum of its rounded
 * lines; proration is by whole enrolled months; amounts are exact decimals, never binary
 * floating-point sums. Everything here is pure and works on decimal.js values, never on JS
 * floating-point arithmetic.
 */
import { Decimal as DecimalJs } from 'decimal.js';

/**
 * The Decimal constructor every money figure uses. 50 significant digits keeps every product of
 * money, score and month count exact. Callers divide once, an exact numerator by an integer
 * (12, or 12 x required services), and then round to the fen: 50 digits is far more than needed
 * to decide the rounding direction, and an exact half fen is always hit exactly because such a
 * quotient terminates within a few digits. (Rounding an intermediate such as a 1/3 ratio first
 * would not be exact: see member-lines.ts.)
 * Half-up here means half away from zero, the usual reading of 四舍五入.
 */
export const Decimal = DecimalJs.clone({ precision: 50, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
/** A decimal value made by {@link Decimal}. */
export type Decimal = DecimalJs;

/** What money and rate parsers accept: a decimal string ("1150000.00"), a finite number, or a Decimal. */
export type DecimalInput = string | number | DecimalJs;

/** A money or rate input that cannot be used. */
export class MoneyError extends Error {
  constructor(
    readonly code: 'MONEY_INVALID' | 'MONTHS_INVALID' | 'FEN_PRECISION',
    message: string,
  ) {
    super(message);
    this.name = 'MoneyError';
  }
}

const DECIMAL_STRING = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parse an exact decimal. Numbers go through their shortest round-trip string (so 0.7 is
 * exactly 7/10, not the binary double nearest it).
 */
export function parseDecimal(input: DecimalInput, what = 'value'): Decimal {
  if (DecimalJs.isDecimal(input)) {
    if (!input.isFinite()) throw new MoneyError('MONEY_INVALID', `${what} must be finite`);
    return new Decimal(input);
  }
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new MoneyError('MONEY_INVALID', `${what} must be a finite number (got ${input})`);
    return new Decimal(String(input));
  }
  const text = String(input).trim().replaceAll(',', '');
  if (!DECIMAL_STRING.test(text)) throw new MoneyError('MONEY_INVALID', `${what} is not a decimal number (got ${JSON.stringify(input)})`);
  return new Decimal(text);
}

/** Parse a money amount (CNY). Not rounded: rounding happens once, at the line. */
export function parseMoney(input: DecimalInput, what = 'amount'): Decimal {
  return parseDecimal(input, what);
}

/** Round half-up to the fen (2 decimals): the rule for every money line. */
export function roundFen(amount: Decimal): Decimal {
  return amount.toDecimalPlaces(2, DecimalJs.ROUND_HALF_UP);
}

/** Round a payment score half-up to `decimals` places (policy.settlement.paymentScoreDecimals, default 3). */
export function roundScore(score: DecimalInput, decimals: number): Decimal {
  return parseDecimal(score, 'payment score').toDecimalPlaces(decimals, DecimalJs.ROUND_HALF_UP);
}

/** Exact sum. A total is the sum of its rounded lines, so pass rounded lines. */
export function sumMoney(lines: Iterable<Decimal>): Decimal {
  let total = new Decimal(0);
  for (const line of lines) total = total.plus(line);
  return total;
}

/** amount x rate, rounded half-up to the fen. */
export function multiplyByRate(amount: Decimal, rate: DecimalInput): Decimal {
  return roundFen(amount.times(parseDecimal(rate, 'rate')));
}

/** Check a whole number of enrolled months (0-12): proration is by whole months (DOMAIN.md). */
export function assertEnrolledMonths(months: number): void {
  if (!Number.isInteger(months) || months < 0 || months > 12)
    throw new MoneyError('MONTHS_INVALID', `enrolled months must be a whole number from 0 to 12 (got ${months})`);
}

/** annual x months / 12, exact (not rounded: the caller rounds the whole line once). */
export function prorateByMonths(annual: Decimal, months: number): Decimal {
  assertEnrolledMonths(months);
  return annual.times(months).div(12);
}

/**
 * Split an amount by a share: the first part is amount x share rounded half-up to the fen, the
 * second is the remainder, so the two parts always add back to the amount exactly.
 */
export function splitByShare(amount: Decimal, share: DecimalInput): { share: Decimal; rest: Decimal } {
  const part = multiplyByRate(amount, share);
  return { share: part, rest: amount.minus(part) };
}

/** The canonical statement text of an amount: plain, two decimals, no grouping ("1150000.00"). */
export function fenString(amount: Decimal): string {
  return roundFen(amount).toFixed(2);
}

/** Display form with thousands separators: "1,150,000.00" (negative: "-1,234.50"). */
export function formatMoney(amount: Decimal): string {
  const fixed = roundFen(amount).toFixed(2);
  const negative = fixed.startsWith('-');
  const [whole = '0', fraction = '00'] = (negative ? fixed.slice(1) : fixed).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative && fixed !== '-0.00' ? '-' : ''}${grouped}.${fraction}`;
}

/** Whole fen of an amount that is already rounded to the fen; refuses anything finer. */
export function toFen(amount: Decimal): bigint {
  const fen = amount.times(100);
  if (!fen.isInteger()) throw new MoneyError('FEN_PRECISION', `amount ${amount.toString()} is finer than a fen`);
  return BigInt(fen.toFixed(0));
}

/** An amount from whole fen. */
export function fromFen(fen: bigint | number): Decimal {
  if (typeof fen === 'number' && !Number.isSafeInteger(fen)) throw new MoneyError('FEN_PRECISION', `fen count must be a safe integer (got ${fen})`);
  return new Decimal(fen.toString()).div(100);
}

/**
 * Spread `total` whole fen over parts in proportion to `weights` (whole fen, >= 0): each part
 * gets floor(total x weight / sum), and the fen left over go one each to the largest remainders,
 * ties to the earlier part. The parts add up to `total` exactly and no part exceeds its weight
 * when total <= sum. Used where a pool is smaller than the claims on it (risk reserve, P4P cap).
 */
export function allocateFenProportionally(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((s, w) => s + w, 0n);
  if (sum === 0n) return weights.map(() => 0n);
  const parts = weights.map((w) => (w * total) / sum);
  let remaining = total - parts.reduce((s, p) => s + p, 0n);
  const order = weights
    .map((w, i) => ({ i, remainder: (w * total) % sum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1));
  for (const { i } of order) {
    if (remaining <= 0n) break;
    parts[i] = parts[i]! + 1n;
    remaining -= 1n;
  }
  return parts;
}
