/**
 * P4P attribution (DOMAIN.md "The P4P formula": "a member counts for an institution when signed
 * up with a family doctor there before the period starts and enrolled at least 6 months of it").
 * Periods are a calendar year (settlement) or a quarter's rolling twelve months (DOMAIN.md
 * "Assessment every quarter (rolling twelve months, for monitoring)").
 *
 * Pure: no I/O. Days are `YYYY-MM-DD` strings compared lexically.
 */
import type { Policy } from '../config/policy.ts';
import type { MemberRecord } from '../features/member-record.ts';
import { addMonths } from './control.ts';
import { addDays } from '../lib/dates.ts';

/** A measurement period: inclusive days. */
export interface PerformancePeriod {
  kind: 'year' | 'quarter';
  /** e.g. "2026" or "2026Q2". */
  label: string;
  startDay: string;
  endDay: string;
}

/** A period of the P4P rules could not be formed. */
export class AttributionError extends Error {
  constructor(
    readonly code: 'PERIOD_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'AttributionError';
  }
}

const dayBefore = (day: string): string => addDays(day, -1);

/** The calendar year `year` (the settlement period). */
export function yearPeriod(year: number): PerformancePeriod {
  if (!Number.isInteger(year) || year < 1900 || year > 9999) throw new AttributionError('PERIOD_INVALID', `year must be a 4-digit whole number (got ${year})`);
  return { kind: 'year', label: String(year), startDay: `${year}-01-01`, endDay: `${year}-12-31` };
}

/** The rolling twelve months ending at the last day of quarter `quarter` (1-4) of `year`. */
export function quarterPeriod(year: number, quarter: number): PerformancePeriod {
  if (!Number.isInteger(quarter) || quarter < 1 || quarter > 4) throw new AttributionError('PERIOD_INVALID', `quarter must be 1-4 (got ${quarter})`);
  yearPeriod(year);
  const nextStart = addMonths(`${year}-01-01`, quarter * 3);
  return { kind: 'quarter', label: `${year}Q${quarter}`, startDay: addMonths(nextStart, -12), endDay: dayBefore(nextStart) };
}

/**
 * A period's text form, as the CLI, the API and the run store take it: a year `YYYY` or a quarter
 * `YYYYQn` (n 1-4), years 1900-9999 (the range yearPeriod accepts, so a match always parses).
 */
export const PERIOD_PATTERN = /^(19\d{2}|[2-9]\d{3})(?:Q([1-4]))?$/;
/** The rule of PERIOD_PATTERN in words, for error messages. */
export const PERIOD_RULE = 'period must be a year YYYY (1900-9999, e.g. 2026) or a quarter YYYYQn with n 1-4 (e.g. 2026Q2)';

/** A year (`2026`, the settlement period) or a quarter (`2026Q2`, its rolling twelve months) from its text form. */
export function parsePeriod(text: string): PerformancePeriod {
  const m = PERIOD_PATTERN.exec(text);
  if (!m) throw new AttributionError('PERIOD_INVALID', `${PERIOD_RULE} (got '${text}')`);
  return m[2] === undefined ? yearPeriod(Number(m[1])) : quarterPeriod(Number(m[1]), Number(m[2]));
}

/** Why a member does not count for any institution in the period. */
export type AttributionOutReason =
  | 'no sign-up before the period starts'
  | 'sign-up ended before the period starts'
  | 'enrolled fewer months than the minimum';

export type Attribution =
  | { attributed: true; memberId: string; institutionId: string; signupId: string; enrolledMonths: number }
  | { attributed: false; memberId: string; reason: AttributionOutReason; institutionId: string | null; enrolledMonths: number };

/** The last day the member is covered: the earlier of enrolment end and death; null = open. */
function coverageEnd(member: MemberRecord['member']): string | null {
  const ends = [member.enrolled_to, member.deceased_date].filter((d): d is string => d !== null);
  return ends.length === 0 ? null : ends.reduce((a, b) => (a < b ? a : b));
}

/**
 * Whole calendar months of the period the member is insured on every day of (DOMAIN.md "proration
 * is by whole enrolled months"): a month counts only when the enrolment span covers it entirely.
 */
export function enrolledMonthsInPeriod(member: MemberRecord['member'], period: PerformancePeriod): number {
  const end = coverageEnd(member);
  let months = 0;
  for (let first = period.startDay; first <= period.endDay; first = addMonths(first, 1)) {
    const last = dayBefore(addMonths(first, 1));
    if (member.enrolled_from <= first && (end === null || end >= last)) months++;
  }
  return months;
}

/**
 * Attribute one member for a period. The sign-up that counts is the one in force on the day
 * before the period starts (from_date strictly before the start: a sign-up ON the first day is
 * not "before the period starts"); with several, the latest one begun. Rules apply in order:
 * sign-up, then enrolled months.
 */
export function attributeMember(record: MemberRecord, period: PerformancePeriod, p4p: Pick<Policy['p4p'], 'minEnrolledMonths'>): Attribution {
  const memberId = record.member.member_id;
  const enrolledMonths = enrolledMonthsInPeriod(record.member, period);
  const before = record.signups.filter((s) => s.from_date < period.startDay);
  if (before.length === 0) return { attributed: false, memberId, reason: 'no sign-up before the period starts', institutionId: null, enrolledMonths };
  // In force at the start: not ended before the period's first day.
  const inForce = before.filter((s) => s.to_date === null || s.to_date >= period.startDay);
  if (inForce.length === 0) {
    const last = before.reduce((a, b) => (a.from_date >= b.from_date ? a : b));
    return { attributed: false, memberId, reason: 'sign-up ended before the period starts', institutionId: last.institution_id, enrolledMonths };
  }
  const signup = inForce.reduce((a, b) => (a.from_date > b.from_date || (a.from_date === b.from_date && a.signup_id >= b.signup_id) ? a : b));
  if (enrolledMonths < p4p.minEnrolledMonths)
    return { attributed: false, memberId, reason: 'enrolled fewer months than the minimum', institutionId: signup.institution_id, enrolledMonths };
  return { attributed: true, memberId, institutionId: signup.institution_id, signupId: signup.signup_id, enrolledMonths };
}
