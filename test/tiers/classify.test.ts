import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/config/policy.ts';
import type { ChronicCondition, Complication } from '../../src/clinical/conditions.ts';
import { classify, type ClassInputs } from '../../src/tiers/classify.ts';

const policy = defaultPolicy();
const base: ClassInputs = {
  age: 45,
  chronic: new Set(),
  complications: new Set(),
  admissions: 0,
  glycaemicControl: 'unknown',
  bloodPressureControl: 'unknown',
  latest: {},
};
const member = (patch: Partial<ClassInputs> & { chronicList?: ChronicCondition[]; complicationList?: Complication[] }): ClassInputs => ({
  ...base,
  ...patch,
  chronic: new Set(patch.chronicList ?? []),
  complications: new Set(patch.complicationList ?? []),
});

describe('class decision table (DOMAIN.md), one fixture per rule', () => {
  it('row 1: two complications make a patient severe', () => {
    const d = classify(member({ chronicList: ['diabetes'], complicationList: ['retinopathy', 'nephropathy'] }), policy);
    expect([d.class, d.row]).toEqual(['severe', 1]);
    expect(d.reasons).toContain('2 complications: retinopathy, nephropathy');
  });
  it('row 1: one complication and one admission', () => {
    expect(classify(member({ chronicList: ['diabetes'], complicationList: ['neuropathy'], admissions: 1 }), policy).class).toBe('severe');
  });
  it('row 1: two admissions alone', () => {
    expect(classify(member({ chronicList: ['hypertension'], admissions: 2 }), policy).class).toBe('severe');
  });
  it('row 1: readmission risk at the threshold (0.30) is severe, just below is not', () => {
    expect(classify(member({ chronicList: ['copd'], readmissionRiskAtLastDischarge: 0.3 }), policy).class).toBe('severe');
    expect(classify(member({ chronicList: ['copd'], readmissionRiskAtLastDischarge: 0.2999 }), policy).class).toBe('mild');
  });
  it('row 2: one complication', () => {
    const d = classify(member({ chronicList: ['hypertension'], complicationList: ['pad'] }), policy);
    expect([d.class, d.row]).toEqual(['moderate', 2]);
  });
  it('row 2: one admission', () => {
    expect(classify(member({ chronicList: ['hypertension'], admissions: 1 }), policy).class).toBe('moderate');
  });
  it('row 2: uncontrolled glycaemia or blood pressure', () => {
    expect(classify(member({ chronicList: ['diabetes'], glycaemicControl: 'uncontrolled' }), policy).class).toBe('moderate');
    expect(classify(member({ chronicList: ['hypertension'], bloodPressureControl: 'uncontrolled' }), policy).class).toBe('moderate');
  });
  it('row 3: a controlled chronic patient is mild', () => {
    const d = classify(member({ chronicList: ['diabetes'], glycaemicControl: 'controlled' }), policy);
    expect([d.class, d.row]).toEqual(['mild', 3]);
    expect(d.unknownControl).toEqual([]);
  });
  it('a missing reading never raises the class; it is reported as a care gap', () => {
    const d = classify(member({ chronicList: ['diabetes', 'hypertension'] }), policy);
    expect(d.class).toBe('mild');
    expect(d.unknownControl).toEqual(['glycaemic', 'blood-pressure']);
  });
  it('CHD alone is a chronic condition, not a complication; beside diabetes it is both', () => {
    expect(classify(member({ chronicList: ['chd'], complicationList: ['chd'] }), policy).class).toBe('mild');
    expect(classify(member({ chronicList: ['chd', 'diabetes'], complicationList: ['chd'] }), policy).class).toBe('moderate');
  });
  it.each([
    [{ latest: { systolic: 130, diastolic: 80 } }, 'elevated blood pressure'],
    [{ latest: { systolic: 120, diastolic: 89 } }, 'elevated blood pressure'],
    [{ latest: { hba1cPct: 5.7 } }, 'HbA1c 5.7%'],
    [{ latest: { fastingGlucoseMmol: 6.9 } }, 'fasting glucose 6.9'],
    [{ latest: { bmi: 28 } }, 'BMI 28'],
    [{ onsetRisk: { diabetes: 0.2 } }, 'predicted 3-year diabetes onset risk 0.20'],
    [{ smoker: true, familyHistory: true }, '2 risk factors: smoker, family history'],
    [{ age: 55, latest: { bmi: 24 } }, '2 risk factors: overweight (BMI 24), age 55'],
  ] as [Partial<ClassInputs>, string][])('row 4: high-risk marker %j', (patch, reason) => {
    const d = classify(member(patch), policy);
    expect([d.class, d.row]).toEqual(['high-risk', 4]);
    expect(d.reasons.join('; ')).toContain(reason);
  });
  it.each([
    [{ latest: { systolic: 129, diastolic: 84 } }],
    [{ latest: { systolic: 140, diastolic: 90 } }],
    [{ latest: { hba1cPct: 6.5 } }],
    [{ latest: { bmi: 27.9 } }],
    [{ onsetRisk: { chd: 0.19 } }],
    [{ smoker: true, age: 54 }],
  ] as [Partial<ClassInputs>][])('row 5: near-miss %j stays healthy', (patch) => {
    expect(classify(member(patch), policy).class).toBe('healthy');
  });
  it.each([
    [{ latest: { systolic: 139.5, diastolic: 80 } }, 'high-risk'],
    [{ latest: { bmi: 27.95 }, age: 60 }, 'high-risk'], // overweight (a minor marker) and age 55+
    [{ latest: { fastingGlucoseMmol: 6.95 } }, 'high-risk'],
    [{ latest: { hba1cPct: 6.45 } }, 'high-risk'],
    [{ latest: { systolic: 140, diastolic: 80 } }, 'healthy'],
  ] as [Partial<ClassInputs>, string][])('bands are contiguous at their precision: %j is %s', (patch, cls) => {
    expect(classify(member(patch), policy).class).toBe(cls);
  });
  it('thresholds come from the policy', () => {
    const strict = { classTable: { ...policy.classTable, severeReadmissionRisk: 0.1 } };
    expect(classify(member({ chronicList: ['copd'], readmissionRiskAtLastDischarge: 0.15 }), strict).class).toBe('severe');
  });
});
