/** Public surface of the risk-adjustment engine (pure parts; the CMS file loader is `cms-tables.ts`). */
export type * from './model-tables.ts';
export { compileRiskModel, type CompiledRiskModel } from './compile.ts';
export { RiskScorer, normalizeDiagnosisCode, type RiskMember, type RiskScore, type ScoreContribution, type AppliedEdit, type SuppressedCategory } from './score.ts';
export { paymentScore, publishedFactors, round4 } from './payment.ts';
export { CORPUS_PAYMENT_ADJUSTMENT, CMS_PUBLISHED_PAYMENT_FACTORS, type PaymentAdjustment, type PublishedPaymentFactors } from './cms-payment-factors.ts';
export { CMS_HCC_V24_RULES, CMS_HCC_V28_RULES, type CmsModelRules } from './cms-model-rules.ts';
export * from './errors.ts';
export { compileCompact, scoreCompact, newCompactScore, categoriesOf, NO_PAYMENT_ADJUSTMENT, type CompactRiskModel, type CompactScore } from './compact.ts';
