import { describe, expect, it } from 'vitest';
import {
  agePoints,
  bloodPressureCategory,
  cholesterolPoints,
  FRAMINGHAM_MAPPINGS,
  framinghamPoints,
  framinghamScore,
} from '../../../src/models/reference/framingham.ts';
import { matrixFromRows } from '../../../src/models/risk-model.ts';

// Point values from Wilson PWF et al., Circulation 1998;97:1837-1847, Figures 3 (men) and 4 (women).
describe('Framingham CHD point sheet (Wilson 1998)', () => {
  it.each([
    ['male', 30, -1], ['male', 37, 0], ['male', 44.9, 1], ['male', 55, 4], ['male', 70, 7], ['male', 74, 7], ['male', 82, 7], ['male', 25, -1],
    ['female', 32, -9], ['female', 35, -4], ['female', 40, 0], ['female', 45, 3], ['female', 50, 6], ['female', 59, 7], ['female', 60, 8], ['female', 72, 8],
  ] as const)('%s aged %s: %s points', (sex, age, points) => expect(agePoints(sex, age)).toBe(points));

  it.each([
    ['male', 'total', 159, -3], ['male', 'total', 160, 0], ['male', 'total', 200, 1], ['male', 'total', 240, 2], ['male', 'total', 280, 3],
    ['female', 'total', 150, -2], ['female', 'total', 239, 1], ['female', 'total', 279, 1], ['female', 'total', 300, 3],
    ['male', 'ldl', 99, -3], ['male', 'ldl', 145, 0], ['male', 'ldl', 160, 1], ['male', 'ldl', 190, 2],
    ['female', 'ldl', 99, -2], ['female', 'ldl', 170, 2], ['female', 'ldl', 200, 2],
  ] as const)('%s %s cholesterol %s mg/dL: %s points', (sex, kind, v, points) => expect(cholesterolPoints(sex, kind, v)).toBe(points));

  it('places blood pressure by the higher of the SBP and DBP categories (JNC-V)', () => {
    expect(bloodPressureCategory(118, 76)).toBe(0);
    expect(bloodPressureCategory(125, 70)).toBe(1);
    expect(bloodPressureCategory(118, 88)).toBe(2);
    expect(bloodPressureCategory(146, 88)).toBe(3);
    expect(bloodPressureCategory(150, 102)).toBe(4);
    expect(bloodPressureCategory(165, Number.NaN)).toBe(4);
  });

  it('totals textbook patients', () => {
    // Man, 55 (4), TC 250 (2), 146/88 stage I (2), no diabetes, smoker (2): 10
    expect(framinghamPoints('total', { sex: 'male', age: 55, cholesterolMgDl: 250, systolic: 146, diastolic: 88, smoker: true, diabetes: false })).toBe(10);
    // Woman, 62 (8), TC 210 (1), 118/76 optimal (-3), diabetes (4), non-smoker: 10
    expect(framinghamPoints('total', { sex: 'female', age: 62, cholesterolMgDl: 210, systolic: 118, diastolic: 76, smoker: false, diabetes: true })).toBe(10);
    // Woman, 32 (-9), TC 150 (-2), 125 normal (0), neither: -11
    expect(framinghamPoints('total', { sex: 'female', age: 32, cholesterolMgDl: 150, systolic: 125, smoker: false, diabetes: false })).toBe(-11);
    // Man, 45 (2), LDL 165 (1), 135 high normal (1), diabetes (2), non-smoker: 6
    expect(framinghamPoints('ldl', { sex: 'male', age: 45, cholesterolMgDl: 165, systolic: 135, smoker: false, diabetes: true })).toBe(6);
  });

  it('scores every missing input as its 0-point category', () => {
    expect(framinghamPoints('total', { sex: null, age: Number.NaN, cholesterolMgDl: Number.NaN, systolic: Number.NaN, smoker: null, diabetes: null })).toBe(0);
  });
});

describe('Framingham score over feature matrices', () => {
  it('reads the Framingham extract columns (Gender 1 = male, totChol mg/dL, sysBP/diaBP)', () => {
    const names = ['Gender', 'age', 'currentSmoker', 'diabetes', 'totChol', 'sysBP', 'diaBP'];
    const X = matrixFromRows(
      [
        [1, 55, 1, 0, 250, 146, 88],
        [0, 62, 0, 1, 210, 118, 76],
      ],
      names,
    );
    expect(Array.from(framinghamScore(FRAMINGHAM_MAPPINGS.framingham).score(X))).toEqual([10, 10]);
  });

  it('converts the synthetic LDL from mmol/L and treats a missing diastolic column as absent', () => {
    const names = ['age', 'male', 'ldl', 'systolic', 'smoker', 'has_diabetes'];
    // 165 mg/dL = 4.267 mmol/L: the man of the LDL example above, 6 points.
    const X = matrixFromRows([[45, 1, 165 / 38.67, 135, 0, 1]], names);
    expect(Array.from(framinghamScore(FRAMINGHAM_MAPPINGS['onset-chd']).score(X))).toEqual([6]);
  });
});
