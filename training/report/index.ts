/** The training run's HTML report: render it with `renderTrainingReport`. */
export { renderTrainingReport, DEFAULT_REPORT_LIMITS, explainFlag } from './render.ts';
export type { ChampionInput, ReportLimits, ReportSelection, TrainingReportInput } from './render.ts';
export { compareWithChampion, pairedAucDifference, DEFAULT_PROMOTION_RULE } from './compare.ts';
export type { ChampionComparison, PairedAucDifference, PromotionRule, Recommendation } from './compare.ts';
export { ReportError } from './errors.ts';
