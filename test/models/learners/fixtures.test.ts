/**
 * Saved models from earlier versions must keep loading and scoring the same: each fixture under
 * fixtures/ is a model serialised by a known-good version (see fixtures/make-fixtures.ts), with
 * the probabilities, importances and explanations it gave then. Restoring must reproduce them to
 * the bit, and re-serialising must give back the saved JSON unchanged (the format is frozen).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LEARNER_KINDS, learnerFromJSON } from '../../../src/models/learners/index.ts';
import type { RowContributions } from '../../../src/models/learners/index.ts';
import type { FeatureMatrix, RiskModel, SerializedModel } from '../../../src/models/risk-model.ts';

interface Fixture {
  kind: string;
  model: SerializedModel;
  score: { rows: number; cols: number; featureNames: string[]; values: (number | null)[] };
  expected: {
    proba: number[];
    importance: number[];
    contributions: { row: number; bias: number; perFeature: number[]; scale: string }[];
  };
}

type Explainable = RiskModel & { contributions?: (X: FeatureMatrix, row: number) => RowContributions };

function load(kind: string): Fixture {
  return JSON.parse(readFileSync(new URL(`./fixtures/${kind}.json`, import.meta.url), 'utf8')) as Fixture;
}

describe.each(LEARNER_KINDS.map((k) => [k]))('saved %s model', (kind) => {
  const fixture = load(kind);
  const X: FeatureMatrix = {
    rows: fixture.score.rows,
    cols: fixture.score.cols,
    featureNames: fixture.score.featureNames,
    values: Float64Array.from(fixture.score.values, (v) => (v === null ? NaN : v)),
  };

  it('scores the saved rows exactly as when it was saved (missing values included)', () => {
    expect(X.values.some(Number.isNaN)).toBe(true);
    const model = learnerFromJSON(fixture.model);
    expect(model.kind).toBe(kind);
    expect(Array.from(model.predictProba(X))).toEqual(fixture.expected.proba);
    // A second call reuses whatever the first built and must not drift.
    expect(Array.from(model.predictProba(X))).toEqual(fixture.expected.proba);
    expect(Array.from(model.featureImportance())).toEqual(fixture.expected.importance);
  });

  it('explains rows exactly as when it was saved', () => {
    const model = learnerFromJSON(fixture.model) as Explainable;
    expect(model.contributions === undefined).toBe(fixture.expected.contributions.length === 0);
    for (const c of fixture.expected.contributions) {
      const got = model.contributions!(X, c.row);
      expect({ bias: got.bias, perFeature: Array.from(got.perFeature), scale: got.scale }).toEqual({ bias: c.bias, perFeature: c.perFeature, scale: c.scale });
    }
  });

  it('re-serialises to the saved JSON unchanged', () => {
    const model = learnerFromJSON(fixture.model);
    model.predictProba(X);
    expect(JSON.parse(JSON.stringify(model.toJSON()))).toEqual(fixture.model);
  });
});
