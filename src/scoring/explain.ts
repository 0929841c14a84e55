/**
 * "Which factors raised the risk", in words a clinician reads (DOMAIN.md: models must explain
 * themselves enough for a clinic to act). Uses the learner's per-row contributions (log-odds or
 * probability scale) and keeps the positive ones, largest first.
 */
import type { FeatureSpec } from '../features/definitions.ts';
import type { CalibratedModel } from '../models/calibration/calibrated-model.ts';
import type { RowContributions } from '../models/learners/index.ts';
import type { FeatureMatrix } from '../models/risk-model.ts';

export interface Factor {
  feature: string;
  /** The feature's description with the member's value. */
  text: string;
  value: number | null;
  /** Contribution on the model's own scale (log-odds for logistic and boosting). */
  contribution: number;
}

type Explainable = { contributions(X: FeatureMatrix, row: number): RowContributions };
const isExplainable = (m: unknown): m is Explainable => typeof (m as Explainable)?.contributions === 'function';

const formatValue = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

function describe(spec: FeatureSpec, value: number): string {
  if (Number.isNaN(value)) return `not recorded: ${spec.description}`;
  if (spec.name.startsWith('has_') || spec.name.startsWith('discharged_') || /^(male|smoker|on_insulin|prediabetes|planned_admission|secondary_facility|elevated_bp_dx|low_activity|scheme_employee|family_history_.*|.*_uncontrolled)$/.test(spec.name))
    return value === 1 ? spec.description : `not: ${spec.description}`;
  return `${spec.description}: ${formatValue(value)}`;
}

/** The top factors that raised this row's risk (empty when the learner cannot attribute, e.g. the neural net). */
export function topFactors(model: CalibratedModel, X: FeatureMatrix, row: number, features: readonly FeatureSpec[], limit = 3): Factor[] {
  if (!isExplainable(model.base)) return [];
  const c = model.base.contributions(X, row);
  const out: Factor[] = [];
  c.perFeature.forEach((contribution, j) => {
    if (contribution <= 0) return;
    const value = X.values[row * X.cols + j]!;
    out.push({ feature: features[j]!.name, text: describe(features[j]!, value), value: Number.isNaN(value) ? null : value, contribution });
  });
  return out.sort((a, b) => b.contribution - a.contribution).slice(0, limit);
}
