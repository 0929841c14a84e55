/**
 * Exact rationals (BigInt numerator / denominator) for P4P scores. Scores such as
 * (45% - 35%) / (65% - 35%) = 1/3 are not finite decimals; comparing a composite with the 0.5 and
 * 0.25 thresholds must not depend on how a float or a 50-digit decimal rounded 1/3, so every score,
 * weight and composite is exact until a display string or a money line is made.
 */
import type { DecimalInput } from '../../lib/money.ts';
import { Decimal, parseDecimal } from '../../lib/money.ts';
import { P4PError } from './errors.ts';

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** An exact fraction in lowest terms with a positive denominator. */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  constructor(num: bigint, den: bigint = 1n) {
    if (den === 0n) throw new P4PError('RATIONAL_INVALID', 'denominator is zero');
    const sign = den < 0n ? -1n : 1n;
    const g = gcd(num, den) || 1n;
    this.num = (sign * num) / g;
    this.den = (sign * den) / g;
  }

  static readonly ZERO = new Rational(0n);
  static readonly ONE = new Rational(1n);

  /** From an exact decimal (number via its shortest string) or a "n/d" string. */
  static from(value: DecimalInput | Rational): Rational {
    if (value instanceof Rational) return value;
    if (typeof value === 'string' && value.includes('/')) {
      const [n, d] = value.split('/');
      if (!/^-?\d+$/.test(n ?? '') || !/^\d+$/.test(d ?? '')) throw new P4PError('RATIONAL_INVALID', `not a fraction: ${value}`);
      return new Rational(BigInt(n!), BigInt(d!));
    }
    const fraction = parseDecimal(value).toFraction();
    return new Rational(BigInt(fraction[0]!.toFixed(0)), BigInt(fraction[1]!.toFixed(0)));
  }

  plus(o: Rational): Rational {
    return new Rational(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  minus(o: Rational): Rational {
    return new Rational(this.num * o.den - o.num * this.den, this.den * o.den);
  }
  times(o: Rational): Rational {
    return new Rational(this.num * o.num, this.den * o.den);
  }
  div(o: Rational): Rational {
    return new Rational(this.num * o.den, this.den * o.num);
  }
  compare(o: Rational): -1 | 0 | 1 {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }
  lt(o: Rational): boolean {
    return this.compare(o) < 0;
  }
  gte(o: Rational): boolean {
    return this.compare(o) >= 0;
  }
  /** clamp to [lo, hi]. */
  clamp(lo: Rational, hi: Rational): Rational {
    return this.lt(lo) ? lo : hi.lt(this) ? hi : this;
  }
  /** Exact "n/d" text (or "n" for integers). */
  toFractionString(): string {
    return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`;
  }
  /** Display decimal, rounded half-up to `places`. */
  toFixed(places: number): string {
    return new Decimal(this.num.toString()).div(this.den.toString()).toFixed(places, Decimal.ROUND_HALF_UP);
  }
  /** Whole fen of a non-negative CNY amount, rounded half-up exactly. */
  toFenHalfUp(): bigint {
    if (this.num < 0n) throw new P4PError('RATIONAL_INVALID', 'negative money amount');
    return (2n * 100n * this.num + this.den) / (2n * this.den);
  }
  toNumber(): number {
    return Number(this.num) / Number(this.den);
  }
}
