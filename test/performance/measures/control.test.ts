import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/config/policy.ts';
import { bloodPressureStatus, bloodPressureStatusAsOf, dayOf, dayOnOrAfter, dayOnOrBefore, glycaemicStatus, glycaemicStatusAsOf, policyWindow } from '../../../src/performance/control.ts';
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
  it('BP: when the latest systolic and diastolic days differ, the most recent day holding both decides', () => {
    const obs = [
      ...bp('2026-03-01T09:00:00.000Z', 150, 95),
      ...bp('2026-02-01T09:00:00.000Z', 120, 70),
      // A lone systolic later, and a lone diastolic later still: neither day has both halves.
      observation('8480-6', '2026-04-01T09:00:00.000Z', 110, { unit: 'mm[Hg]' }),
      observation('8462-4', '2026-05-01T09:00:00.000Z', 60, { unit: 'mm[Hg]' }),
    ];
    expect(bloodPressureStatus(obs, all, { systolicLimit: 140, diastolicLimit: 90 })).toMatchObject({ status: 'uncontrolled', systolic: 150, diastolic: 95, date: '2026-03-01' });
    expect(bloodPressureStatus(obs.slice(0, 2).concat(obs.slice(4)), all, { systolicLimit: 140, diastolicLimit: 90 })).toMatchObject({ date: '2026-03-01' });
    expect(bloodPressureStatus([obs[4]!, obs[5]!], all, { systolicLimit: 140, diastolicLimit: 90 })).toMatchObject({ status: 'unknown', date: null });
  });
  it('property: day comparisons without building the day agree with dayOf, in the UTC and the offset forms', () => {
    const instant = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instant, instant, fc.integer({ min: -14, max: 14 }), fc.boolean(), (at, dayAt, offsetHours, wholeSeconds) => {
        const z = at.toISOString();
        const forms = [z, wholeSeconds ? `${z.slice(0, 19)}Z` : z];
        // The same instant written with a UTC offset, e.g. 2026-03-01T08:00:00+08:00.
        const local = new Date(at.getTime() + offsetHours * 3_600_000).toISOString().slice(0, 19);
        const sign = offsetHours < 0 ? '-' : '+';
        forms.push(`${local}${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`);
        const day = dayAt.toISOString().slice(0, 10);
        for (const form of forms) {
          expect(dayOnOrAfter(form, day), `${form} >= ${day}`).toBe(dayOf(form) >= day);
          expect(dayOnOrBefore(form, day), `${form} <= ${day}`).toBe(dayOf(form) <= day);
          // The instant's own day is on both sides.
          expect(dayOnOrAfter(form, dayOf(form)) && dayOnOrBefore(form, dayOf(form))).toBe(true);
        }
      }),
    );
  });
});
