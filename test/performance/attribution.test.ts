import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/config/policy.ts';
import { attributeMember, AttributionError, enrolledMonthsInPeriod, parsePeriod, PERIOD_RULE, quarterPeriod, yearPeriod } from '../../src/performance/attribution.ts';
import { memberRecord } from './adjustment/fixtures.ts';

const p4p = defaultPolicy().p4p;
const y2026 = yearPeriod(2026);

describe('P4P attribution (DOMAIN.md: signed up before the period starts, enrolled 6+ months)', () => {
  it('counts a member signed up the day before the period starts', () => {
    expect(attributeMember(memberRecord({ id: 'M1', signupFrom: '2025-12-31' }), y2026, p4p)).toEqual({
      attributed: true,
      memberId: 'M1',
      institutionId: 'I1',
      signupId: 'S-M1',
      enrolledMonths: 12,
    });
  });

  it('does not count a member signed up ON the first day (must be before)', () => {
    const a = attributeMember(memberRecord({ id: 'M2', signupFrom: '2026-01-01' }), y2026, p4p);
    expect(a).toMatchObject({ attributed: false, reason: 'no sign-up before the period starts', institutionId: null });
  });

  it('counts exactly 6 enrolled months and refuses 5', () => {
    const six = memberRecord({ id: 'M3', enrolledTo: '2026-06-30' });
    expect(attributeMember(six, y2026, p4p)).toMatchObject({ attributed: true, enrolledMonths: 6 });
    const sixFromJuly = memberRecord({ id: 'M3b', enrolledFrom: '2026-07-01' });
    expect(attributeMember(sixFromJuly, y2026, p4p)).toMatchObject({ attributed: true, enrolledMonths: 6 });
    const five = memberRecord({ id: 'M4', enrolledTo: '2026-06-29' });
    expect(attributeMember(five, y2026, p4p)).toMatchObject({ attributed: false, reason: 'enrolled fewer months than the minimum', institutionId: 'I1', enrolledMonths: 5 });
  });

  it('ends enrolment at death', () => {
    expect(enrolledMonthsInPeriod(memberRecord({ id: 'M5', deceased: '2026-03-31' }).member, y2026)).toBe(3);
  });

  it('does not count a sign-up that ended before the period', () => {
    const a = attributeMember(memberRecord({ id: 'M6', signupFrom: '2023-01-01', signupTo: '2025-12-31' }), y2026, p4p);
    expect(a).toMatchObject({ attributed: false, reason: 'sign-up ended before the period starts', institutionId: 'I1' });
  });

  it('takes the latest sign-up in force at the start when there are several', () => {
    const r = memberRecord({ id: 'M7', signupFrom: '2022-01-01' });
    r.signups.push({ signup_id: 'S-M7-2', member_id: 'M7', practitioner_id: 'P9', institution_id: 'I2', from_date: '2025-06-01', to_date: null });
    expect(attributeMember(r, y2026, p4p)).toMatchObject({ attributed: true, institutionId: 'I2', signupId: 'S-M7-2' });
  });

  it('quarter periods are the rolling twelve months ending at the quarter end', () => {
    expect(quarterPeriod(2026, 2)).toEqual({ kind: 'quarter', label: '2026Q2', startDay: '2025-07-01', endDay: '2026-06-30' });
    expect(quarterPeriod(2026, 4)).toMatchObject({ startDay: '2026-01-01', endDay: '2026-12-31' });
    const a = attributeMember(memberRecord({ id: 'M8', signupFrom: '2025-06-30' }), quarterPeriod(2026, 2), p4p);
    expect(a).toMatchObject({ attributed: true, enrolledMonths: 12 });
    expect(() => quarterPeriod(2026, 5)).toThrow(AttributionError);
  });
  it('parses a period label: a year, or a quarter as its rolling twelve months; anything else is refused with the rule', () => {
    expect(parsePeriod('2026')).toEqual(yearPeriod(2026));
    expect(parsePeriod('2026Q2')).toEqual({ kind: 'quarter', label: '2026Q2', startDay: '2025-07-01', endDay: '2026-06-30' });
    expect(parsePeriod('2027Q1')).toMatchObject({ startDay: '2026-04-01', endDay: '2027-03-31' });
    for (const bad of ['2026Q5', '26', '2026-Q1', '2026Q0', '2026q2', '0999', ' 2026', '2026Q12']) {
      expect(() => parsePeriod(bad), bad).toThrow(AttributionError);
      expect(() => parsePeriod(bad)).toThrow(`${PERIOD_RULE} (got '${bad}')`);
    }
  });
});
