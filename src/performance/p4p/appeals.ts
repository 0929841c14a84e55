/**
 * Appeal dates (DOMAIN.md "Pay-for-performance": institutions may appeal within 5 working days;
 * the bureau answers within 10). Working days skip Saturdays and Sundays and any listed public
 * holidays; the day of issue itself does not count, so a statement issued on a Friday may be
 * appealed up to and including the following Friday. Dates are calendar dates ("YYYY-MM-DD"),
 * handled in UTC so no time zone can shift them.
 */
import { P4PError } from './errors.ts';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(text: string): Date {
  const m = ISO_DATE.exec(text);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== text) throw new P4PError('DATE_INVALID', `not a calendar date (YYYY-MM-DD): ${text}`);
  return date;
}

/** The date `days` working days after `from` (from itself not counted). */
export function addWorkingDays(from: string, days: number, holidays: readonly string[] = []): string {
  if (!Number.isInteger(days) || days < 0) throw new P4PError('DATE_INVALID', `working days must be a whole number >= 0 (got ${days})`);
  const off = new Set(holidays.map((h) => parseDate(h).toISOString().slice(0, 10)));
  const date = parseDate(from);
  let left = days;
  while (left > 0) {
    date.setUTCDate(date.getUTCDate() + 1);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !off.has(date.toISOString().slice(0, 10))) left -= 1;
  }
  return date.toISOString().slice(0, 10);
}

/** Last day an appeal may be filed for a statement issued on `issuedOn`. */
export function appealDeadline(issuedOn: string, workingDays: number, holidays: readonly string[] = []): string {
  return addWorkingDays(issuedOn, workingDays, holidays);
}

/** Whether `filedOn` is within the window (on or before the deadline, not before issue). */
export function isWithinAppealWindow(issuedOn: string, filedOn: string, workingDays: number, holidays: readonly string[] = []): boolean {
  parseDate(filedOn);
  return filedOn >= issuedOn && filedOn <= appealDeadline(issuedOn, workingDays, holidays);
}
