import { describe, expect, it } from 'vitest';
import { dayOf, isoDate, nextQuarterStart, quarterStartOf } from '../../src/generator/calendar.ts';

describe('calendar quarters', () => {
  it('finds the quarter holding a day and the next one, across a year end', () => {
    expect(isoDate(quarterStartOf(dayOf(2024, 2, 29)))).toBe('2024-01-01');
    expect(isoDate(quarterStartOf(dayOf(2024, 6, 30)))).toBe('2024-04-01');
    expect(isoDate(nextQuarterStart(dayOf(2024, 7, 1)))).toBe('2024-10-01');
    expect(isoDate(nextQuarterStart(dayOf(2026, 12, 31)))).toBe('2027-01-01');
  });
});
