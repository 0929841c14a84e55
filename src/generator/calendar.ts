/**
 * Day arithmetic for the simulation. Dates are whole days since 1970-01-01 (UTC) so the hot path
 * compares integers; their ISO strings come from a table built once, because formatting a Date
 * per row would cost more than the rest of a row together.
 */

const MS_PER_DAY = 86_400_000;
const TABLE_FIRST_DAY = Date.UTC(1900, 0, 1) / MS_PER_DAY;
const TABLE_LAST_DAY = Date.UTC(2100, 11, 31) / MS_PER_DAY;

const TABLE_SIZE = TABLE_LAST_DAY - TABLE_FIRST_DAY + 1;
const DATES: string[] = new Array<string>(TABLE_SIZE);
/** Months since 1970-01 of each day. */
const MONTH_INDEX = new Int32Array(TABLE_SIZE);
for (let d = TABLE_FIRST_DAY; d <= TABLE_LAST_DAY; d++) {
  const date = new Date(d * MS_PER_DAY);
  DATES[d - TABLE_FIRST_DAY] = date.toISOString().slice(0, 10);
  MONTH_INDEX[d - TABLE_FIRST_DAY] = (date.getUTCFullYear() - 1970) * 12 + date.getUTCMonth();
}

/** Day number of a calendar date. */
export function dayOf(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

/** Day number of an ISO date `YYYY-MM-DD`. */
export function dayOfIso(iso: string): number {
  return Date.parse(iso + 'T00:00:00Z') / MS_PER_DAY;
}

/** `YYYY-MM-DD` of a day number (1900-01-01 .. 2100-12-31). */
export function isoDate(day: number): string {
  const s = DATES[day - TABLE_FIRST_DAY];
  if (s === undefined) throw new RangeError(`day ${day} is outside the calendar table`);
  return s;
}

/** Clinic hours in China Standard Time, quarter-hour slots 08:00-17:45. */
const TIMES: string[] = [];
for (let h = 8; h < 18; h++) for (let m = 0; m < 60; m += 15) TIMES.push(`T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00+08:00`);
/** Number of time-of-day slots `isoDateTime` accepts. */
export const TIME_SLOTS = TIMES.length;

/** ISO date-time with the +08:00 offset (China Standard Time) at a clinic-hours slot. */
export function isoDateTime(day: number, slot: number): string {
  return isoDate(day) + TIMES[slot % TIME_SLOTS]!;
}

/** Calendar year of a day number. */
export function yearOf(day: number): number {
  return 1970 + Math.floor(monthIndexOf(day) / 12);
}

/** Months since 1970-01 of a day number (year * 12 + month - 1 relative to 1970). */
export function monthIndexOf(day: number): number {
  const m = MONTH_INDEX[day - TABLE_FIRST_DAY];
  if (m === undefined) throw new RangeError(`day ${day} is outside the calendar table`);
  return m;
}

/** `YYYY-MM` of a month index from `monthIndexOf`. */
export function isoMonth(monthIndex: number): string {
  const y = 1970 + Math.floor(monthIndex / 12);
  const m = (monthIndex % 12) + 1;
  return `${y}-${m < 10 ? '0' : ''}${m}`;
}

/** First day of the calendar quarter holding `day`. */
export function quarterStartOf(day: number): number {
  const m = monthIndexOf(day);
  const q = m - (m % 3);
  return dayOf(1970 + Math.floor(q / 12), (q % 12) + 1, 1);
}

/** First day of the calendar quarter after the one holding `day`. */
export function nextQuarterStart(day: number): number {
  const m = monthIndexOf(day);
  const q = m - (m % 3) + 3;
  return dayOf(1970 + Math.floor(q / 12), (q % 12) + 1, 1);
}
