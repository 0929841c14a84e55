/**
 * The hyperparameter candidates each learner is cross-validated with. Small on purpose: the
 * grid is searched on the training rows of every run, on a 2-core machine.
 */
import type { LearnerKind } from '../src/models/learners/index.ts';
import type { Candidate } from './select.ts';

export const DEFAULT_GRID: Record<LearnerKind, Record<string, unknown>[]> = {
  logreg: [{ l2: 1 }, { l2: 10 }],
  hgb: [{}, { learningRate: 0.05, maxLeafNodes: 15, minSamplesLeaf: 40 }],
  forest: [{}],
  nn: [{}],
  mlrf: [{}],
};

export function candidatesFor(learners: readonly LearnerKind[], grid: Record<LearnerKind, Record<string, unknown>[]> = DEFAULT_GRID): Candidate[] {
  return learners.flatMap((learner) => grid[learner].map((params) => ({ learner, params })));
}
