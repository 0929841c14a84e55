import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charlsonPoints, edVisitPoints, LACE_MAPPINGS, laceScore, lengthOfStayPoints } from '../../../src/models/reference/lace.ts';
import { ReferenceScoreError } from '../../../src/models/reference/reference-score.ts';
import { matrixFromRows } from '../../../src/models/risk-model.ts';

describe('LACE components (van Walraven 2010, Table 3)', () => {
  it.each([
    [0, 0], [0.5, 0], [1, 1], [2, 2], [3, 3], [4, 4], [6, 4], [6.9, 4], [7, 5], [13, 5], [14, 7], [40, 7], [Number.NaN, 0],
  ])('length of stay %s days -> %s points', (days, points) => expect(lengthOfStayPoints(days)).toBe(points));

  it.each([
    [0, 0], [1, 1], [2, 2], [3, 3], [4, 5], [9, 5], [-1, 0], [Number.NaN, 0],
  ])('Charlson %s -> %s points', (c, points) => expect(charlsonPoints(c)).toBe(points));

  it.each([
    [0, 0], [1, 1], [3, 3], [4, 4], [5, 4], [12, 4], [Number.NaN, 0],
  ])('%s ED visits -> %s points', (v, points) => expect(edVisitPoints(v)).toBe(points));

  it('the total stays within 0-19 for any inputs', () => {
    const score = laceScore(LACE_MAPPINGS.readmission);
    const names = ['length_of_stay', 'planned_admission', 'n_chronic', 'n_complications', 'ed_visits_6m'];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant(Number.NaN)), { minLength: 5, maxLength: 5 }), (row) => {
        const p = score.score(matrixFromRows([row], names))[0]!;
        return p >= 0 && p <= 19 && Number.isInteger(p);
      }),
    );
  });
});

describe('LACE on the synthetic readmission features', () => {
  const names = ['age', 'length_of_stay', 'planned_admission', 'n_chronic', 'n_complications', 'ed_visits_6m'];
  const score = laceScore(LACE_MAPPINGS.readmission);

  it('scores hand-made stays', () => {
    const X = matrixFromRows(
      [
        // 5 days (4) + unplanned (3) + 2 chronic + 1 complication = 3 (3) + 2 ED visits (2) = 12
        [70, 5, 0, 2, 1, 2],
        // planned, 1-day stay, nothing else: L 1 only
        [50, 1, 1, 0, 0, 0],
        // the maximum: 14 days (7) + acute (3) + Charlson >= 4 (5) + 4 ED visits (4) = 19
        [80, 20, 0, 3, 2, 9],
        // every input missing: each component's 0-point category
        [60, NaN, NaN, NaN, NaN, NaN],
      ],
      names,
    );
    expect(Array.from(score.score(X))).toEqual([12, 1, 19, 0]);
  });

  it('refuses a matrix without a mapped feature', () => {
    expect(() => score.score(matrixFromRows([[1, 2]], ['length_of_stay', 'ed_visits_6m']))).toThrow(ReferenceScoreError);
  });
});

describe('LACE on the UCI features', () => {
  const names = ['time_in_hospital', 'admission_type_emergency', 'admission_type_urgent', 'admission_type_elective', 'number_diagnoses', 'number_emergency'];
  const score = laceScore(LACE_MAPPINGS['uci-readmission']);

  it('reads emergency or urgent as acute and secondary diagnoses as the comorbidity proxy', () => {
    const X = matrixFromRows(
      [
        // 3 days (3) + emergency (3) + 9 diagnoses -> 8 secondary (5) + 1 ED visit (1) = 12
        [3, 1, 0, 0, 9, 1],
        // 7 days (5) + urgent (3) + 3 diagnoses -> 2 secondary (2) + 0 = 10
        [7, 0, 1, 0, 3, 0],
        // elective, 1 day (1), 1 diagnosis -> 0 secondary (0), 6 ED visits capped (4) = 5
        [1, 0, 0, 1, 1, 6],
      ],
      names,
    );
    expect(Array.from(score.score(X))).toEqual([12, 10, 5]);
  });
});
