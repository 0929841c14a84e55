import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/config/policy.ts';
import { bloodPressureStatus, bloodPressureStatusAsOf, glycaemicStatus, glycaemicStatusAsOf, policyWindow } from '../../../src/performance/control.ts';
import { bp, observation } from './fixtures.ts';

const control = defaultPolicy().control;
const all = { fromDay: null, toDay: null };

describe('shared control definition', () => {
  it('glycaemic: most recent day, lowest value that day, against the target', () => {
    const obs = [observation('4548-4', '2026-01-10', 6.0), observation('4548-4', '2026-03-01T08:00:00.000Z', 7.4), observation('4548-4', '2026-03-01T18:00:00.000Z', 7.1)];
    const s = glycaemicStatus(obs, all, { limit: 7, controlledAtLimit: false });
    expect(s).toMatchObject({ status: 'uncontrolled', value: 7.1, date: '2026-03-01', resultKind: 'numeric' });
    expect(s.readingIds).toHaveLength(2);
  });
  it('glycaemic: a same-day reading without a result represents the day (CQL nulls first)', () => {
    const s = glycaemicStatus([observation('4548-4', '2026-03-01', 6.0), observation('4548-4', '2026-03-01', null)], all, { limit: 7, controlledAtLimit: false });
    expect(s).toMatchObject({ status: 'unknown', resultKind: 'no-result' });
  });
  it('glycaemic: IFCC mmol/mol converts to % (53 mmol/mol ~ 7.0 %)', () => {
    const s = glycaemicStatus([observation('4548-4', '2026-03-01', 53, { unit: 'mmol/mol' })], all, { limit: 8, controlledAtLimit: false });
    expect(s.value).toBeCloseTo(7.0, 1);
  });
  it('policy: as of a day, readings of the previous 12 months only, the as-of day itself excluded', () => {
    expect(policyWindow('2026-07-01', control)).toEqual({ fromDay: '2025-07-01', toDay: '2026-06-30' });
    expect(glycaemicStatusAsOf([observation('4548-4', '2025-06-30', 6.0)], '2026-07-01', control).status).toBe('unknown');
    expect(glycaemicStatusAsOf([observation('4548-4', '2025-07-01', 7.0)], '2026-07-01', control).status).toBe('uncontrolled');
    expect(bloodPressureStatusAsOf(bp('2026-06-30', 139, 89), '2026-07-01', control).status).toBe('controlled');
    expect(bloodPressureStatusAsOf(bp('2026-06-30', 120, 80, { setting: 'ed' }), '2026-07-01', control).status).toBe('unknown');
  });
  it('property: BP status is controlled iff the day minima are under both limits', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 90, max: 200 }), fc.integer({ min: 50, max: 120 })), { minLength: 1, maxLength: 5 }), (readings) => {
        const obs = readings.flatMap(([s, d], i) => bp(`2026-05-01T0${i}:00:00.000Z`, s, d));
        const r = bloodPressureStatus(obs, all, { systolicLimit: 140, diastolicLimit: 90 });
        const minS = Math.min(...readings.map((x) => x[0]));
        const minD = Math.min(...readings.map((x) => x[1]));
        expect(r.systolic).toBe(minS);
        expect(r.diastolic).toBe(minD);
        expect(r.status).toBe(minS < 140 && minD < 90 ? 'controlled' : 'uncontrolled');
      }),
      { numRuns: 100 },
    );
  });
});
