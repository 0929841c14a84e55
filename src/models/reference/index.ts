/**
 * Which clinical reference scores apply to a task or dataset: LACE for readmission, the
 * Framingham CHD points for coronary heart disease. A score applies only when every feature its
 * mapping needs is a column, so a renamed feature drops the row rather than scoring garbage.
 */
import { FRAMINGHAM_MAPPINGS, framinghamScore, type FraminghamMapping } from './framingham.ts';
import { LACE_MAPPINGS, laceScore, type LaceMapping } from './lace.ts';
import type { ReferenceScore } from './reference-score.ts';

export type { ReferenceScore } from './reference-score.ts';
export { rankableScores, ReferenceScoreError } from './reference-score.ts';

function laceNeeds(m: LaceMapping): string[] {
  return [m.lengthOfStay, ...m.acute, ...m.charlson, m.edVisits];
}

function framinghamNeeds(m: FraminghamMapping): string[] {
  // diastolic is optional: used when present.
  return [m.male, m.age, m.cholesterol, m.systolic, m.smoker, m.diabetes];
}

/** The reference scores for `source` (a task such as `readmission` / `onset-chd`, or a dataset such as `uci-readmission` / `framingham`) whose features are all in `featureNames`. */
export function referenceScoresFor(source: string | undefined, featureNames: readonly string[]): ReferenceScore[] {
  if (source === undefined) return [];
  const have = new Set(featureNames);
  const out: ReferenceScore[] = [];
  const lace = (LACE_MAPPINGS as Record<string, LaceMapping>)[source];
  if (lace && laceNeeds(lace).every((f) => have.has(f))) out.push(laceScore(lace));
  const fram = (FRAMINGHAM_MAPPINGS as Record<string, FraminghamMapping>)[source];
  if (fram && framinghamNeeds(fram).every((f) => have.has(f))) out.push(framinghamScore(fram));
  return out;
}
