import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/config/policy.ts';
import { yearPeriod } from '../../../src/performance/attribution.ts';
import { CASE_MIX_FEATURES, evaluateOutcomes } from '../../../src/performance/adjustment/outcomes.ts';
import { memberRecord } from './fixtures.ts';

const control = defaultPolicy().control;
const y2026 = yearPeriod(2026);
const feature = (caseMix: number[], name: (typeof CASE_MIX_FEATURES)[number]) => caseMix[CASE_MIX_FEATURES.indexOf(name)];

describe('outcome indicators O1 (HbA1c < 7.0%) and O2 (BP < 140/90)', () => {
  it('O1 uses the latest HbA1c of the period, judged by control.ts', () => {
    const [o1] = evaluateOutcomes(memberRecord({ id: 'D', diabetes: '2018-01-01', hba1c: [['2026-02-01', 8.1], ['2026-09-01', 6.8]] }), y2026, control);
    expect(o1).toMatchObject({ indicator: 'O1', controlled: true, explanation: 'controlled: HbA1c 6.8% on 2026-09-01' });
  });

  it('7.0% exactly is not controlled', () => {
    const [o1] = evaluateOutcomes(memberRecord({ id: 'D', diabetes: '2018-01-01', hba1c: [['2026-09-01', 7.0]] }), y2026, control);
    expect(o1!.controlled).toBe(false);
  });

  it('no reading in the period = not controlled; the prior-year reading becomes case mix', () => {
    const [o1] = evaluateOutcomes(memberRecord({ id: 'D', diabetes: '2018-01-01', birth: '1956-01-01', sex: 'M', hba1c: [['2025-10-01', 8.5]] }), y2026, control);
    expect(o1).toMatchObject({ controlled: false, explanation: 'not controlled: no HbA1c reading in the period' });
    const cm = o1!.caseMix;
    expect(cm).toHaveLength(CASE_MIX_FEATURES.length);
    expect(feature(cm, 'intercept')).toBe(1);
    expect(feature(cm, 'age_per10_from60')).toBeCloseTo(1, 10);
    expect(feature(cm, 'male')).toBe(1);
    expect(feature(cm, 'prior_value')).toBeCloseTo(1.5, 10);
    expect(feature(cm, 'prior_missing')).toBe(0);
    expect(feature(cm, 'duration_per10y')).toBeCloseTo(0.8, 2);
    expect(feature(cm, 'newly_diagnosed')).toBe(0);
  });

  it('O2 ignores inpatient readings and flags a missing prior reading', () => {
    const r = memberRecord({ id: 'H', hypertension: '2026-03-01', bp: [['2026-05-01', 132, 80], ['2026-06-01', 170, 100, 'inpatient']] });
    const out = evaluateOutcomes(r, y2026, control);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ indicator: 'O2', controlled: true, explanation: 'controlled: BP 132/80 on 2026-05-01' });
    expect(feature(out[0]!.caseMix, 'newly_diagnosed')).toBe(1);
    expect(feature(out[0]!.caseMix, 'prior_missing')).toBe(1);
    expect(feature(out[0]!.caseMix, 'prior_value')).toBe(0);
  });

  it('counts other chronic conditions as comorbidities', () => {
    const r = memberRecord({ id: 'B', diabetes: '2015-01-01', hypertension: '2015-01-01', bp: [['2026-05-01', 150, 80]] });
    const out = evaluateOutcomes(r, y2026, control);
    expect(out.map((o) => o.indicator)).toEqual(['O1', 'O2']);
    expect(feature(out[0]!.caseMix, 'comorbidity_count')).toBe(1);
    expect(out[1]!.controlled).toBe(false);
  });
});
