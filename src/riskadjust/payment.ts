/**
 * Payment score: raw score x (1 - coding intensity) / normalisation (SPEC.md 8.3-8.4). Pure.
 */
import type { PaymentAdjustment, PublishedPaymentFactors } from './cms-payment-factors.ts';
import { UnknownPaymentYearError } from './errors.ts';

/** Rounds half away from zero at 4 decimals, as the reference corpus does (SPEC.md 8.2-8.3). */
export function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

/**
 * The payment score of an (already rounded) raw score. The factor is formed first, then applied,
 * which reproduces every adjusted value of the reference corpus (SPEC.md 8.3).
 */
export function paymentScore(rawScore: number, adjustment: PaymentAdjustment): number {
  return round4(rawScore * ((1 - adjustment.codingIntensity) / adjustment.normalization));
}

/**
 * The published factors of `model` for `paymentYear`.
 * @throws UnknownPaymentYearError when the table has no row for that model and year (e.g. V24 after 2025).
 */
export function publishedFactors(table: readonly PublishedPaymentFactors[], model: string, paymentYear: number): PublishedPaymentFactors {
  const row = table.find((r) => r.model === model && r.paymentYear === paymentYear);
  if (!row) throw new UnknownPaymentYearError(model, paymentYear);
  return row;
}
