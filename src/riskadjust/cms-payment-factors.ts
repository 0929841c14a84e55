/**
 * CMS payment adjustments by model and payment year (SPEC.md 8.3-8.4). Data, with the source of
 * each figure; `confirmed: false` marks a figure the spec could not check against a CMS document.
 */

/** The two factors that turn a raw score into a payment score. */
export interface PaymentAdjustment {
  /** MA coding-pattern (coding-intensity) adjustment, e.g. 0.059. */
  readonly codingIntensity: number;
  /** Normalisation factor the raw score is divided by, e.g. 1.015. */
  readonly normalization: number;
}

/** One model's published factors for one payment year. */
export interface PublishedPaymentFactors extends PaymentAdjustment {
  readonly paymentYear: number;
  readonly model: string;
  /** Share of the blended payment score this model carries that year (SPEC.md 8.4). */
  readonly blendWeight: number;
  readonly confirmed: boolean;
  readonly source: string;
}

/**
 * The adjustment of the reference corpus: one fixed pair for both models and all years
 * (SPEC.md 8.3: 5.9% coding adjustment, 1.015 = the 2024 V28 normalisation factor).
 */
export const CORPUS_PAYMENT_ADJUSTMENT: PaymentAdjustment = { codingIntensity: 0.059, normalization: 1.015 };

/** SPEC.md 8.4 table. */
export const CMS_PUBLISHED_PAYMENT_FACTORS: readonly PublishedPaymentFactors[] = [
  { model: 'cms-hcc-v24', paymentYear: 2022, blendWeight: 1, normalization: 1.118, codingIntensity: 0.059, confirmed: true, source: 'hccpy hcc.py comment; Tuva seed' },
  { model: 'cms-hcc-v24', paymentYear: 2023, blendWeight: 1, normalization: 1.127, codingIntensity: 0.059, confirmed: true, source: 'hccpy comment; Tuva seed' },
  { model: 'cms-hcc-v24', paymentYear: 2024, blendWeight: 0.67, normalization: 1.146, codingIntensity: 0.059, confirmed: true, source: 'hccpy comment; Tuva seed and model SQL' },
  { model: 'cms-hcc-v28', paymentYear: 2024, blendWeight: 0.33, normalization: 1.015, codingIntensity: 0.059, confirmed: true, source: 'hccpy comment; Tuva model SQL' },
  { model: 'cms-hcc-v24', paymentYear: 2025, blendWeight: 0.33, normalization: 1.153, codingIntensity: 0.059, confirmed: true, source: 'Tuva model SQL' },
  { model: 'cms-hcc-v28', paymentYear: 2025, blendWeight: 0.67, normalization: 1.045, codingIntensity: 0.059, confirmed: false, source: 'CY 2025 Rate Announcement as recalled in SPEC.md 8.4; not found in the local sources' },
  { model: 'cms-hcc-v28', paymentYear: 2026, blendWeight: 1, normalization: 1.067, codingIntensity: 0.059, confirmed: false, source: 'Tuva model SQL only' },
  { model: 'cms-hcc-v28', paymentYear: 2027, blendWeight: 1, normalization: 1.079, codingIntensity: 0.059, confirmed: false, source: 'Tuva model SQL only; not confirmed against a CMS document' },
];
