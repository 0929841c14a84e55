/**
 * Calendar arithmetic on `YYYY-MM-DD` days, in UTC so no local time zone moves a day. The one
 * place features, tiers, measures and training add days and months.
 */
const DAY_MS = 86_400_000;

/**
 * Answers already computed, by `offset|day`. Scoring asks the same few questions (90 days before
 * the as-of date, a medication's end, a service's next due date) for every member, and the Date
 * round trip costs microseconds each time. Bounded: emptied when full.
 */
const memo = new Map<string, string>();
const MEMO_LIMIT = 50_000;

function remember(key: string, answer: string): string {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, answer);
  return answer;
}

/** `day` plus `days` (negative to go back). */
export function addDays(day: string, days: number): string {
  const key = `d${days}|${day}`;
  return memo.get(key) ?? remember(key, new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10));
}

/** Whole days from `from` to `to`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Add whole months to a day, clamping to the month's last day. */
export function addMonths(day: string, months: number): string {
  const key = `m${months}|${day}`;
  return memo.get(key) ?? remember(key, computeAddMonths(day, months));
}

function computeAddMonths(day: string, months: number): string {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7)) - 1 + months;
  const d = Number(day.slice(8, 10));
  const yy = y + Math.floor(m / 12);
  const mm = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(yy, mm + 1, 0)).getUTCDate();
  return `${String(yy).padStart(4, '0')}-${String(mm + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
