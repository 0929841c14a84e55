/** The printed report of a risk-model fit: R-squared, mean score, predictive ratios tables. */
import type { ModelEvaluation, RatioCell } from '../../src/riskadjust/fit/predictive-ratios.ts';

const fmt = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/** Longest label printed; longer category labels are cut with an ellipsis. */
const MAX_LABEL = 48;

function table(title: string, cells: readonly RatioCell[]): string[] {
  const label = (c: RatioCell) => (c.label.length > MAX_LABEL ? c.label.slice(0, MAX_LABEL - 1) + '…' : c.label);
  const width = Math.max(12, ...cells.map((c) => label(c).length));
  return [
    title,
    `  ${'group'.padEnd(width)}  ${'members'.padStart(8)}  ${'predicted'.padStart(10)}  ${'actual'.padStart(10)}  ${'P/A'.padStart(6)}  ${'s.e.'.padStart(6)}`,
    ...cells.map((c) => `  ${label(c).padEnd(width)}  ${String(c.members).padStart(8)}  ${fmt(c.meanPredicted, 0).padStart(10)}  ${fmt(c.meanActual, 0).padStart(10)}  ${fmt(c.predictiveRatio, 3).padStart(6)}  ${fmt(c.standardError, 3).padStart(6)}`),
  ];
}

/** Lines describing one evaluation (fit year or out of time). */
export function evaluationReport(heading: string, e: ModelEvaluation, minGroupMembers: number): string[] {
  return [
    `${heading}: ${e.members} member-years, R-squared ${fmt(e.rSquared, 4)}, mean score ${fmt(e.meanScore, 4)}, pool predicted/actual ${fmt(e.pool.predictiveRatio, 3)}`,
    ...table('  predictive ratios by decile of predicted cost (annual CNY per member-year):', e.byDecile),
    ...table('  predictive ratios by category (after hierarchies):', e.byCategory),
    ...(e.byGroup.length > 0 ? table(`  predictive ratios by institution (${minGroupMembers.toLocaleString('en-US')}+ member-years):`, e.byGroup) : []),
  ];
}
