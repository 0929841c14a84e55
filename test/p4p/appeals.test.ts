import { describe, expect, it } from 'vitest';
import { addWorkingDays, appealDeadline, isWithinAppealWindow } from '../../src/performance/p4p/appeals.ts';
import { P4PError } from '../../src/performance/p4p/errors.ts';

describe('appeal window (5 working days, weekends skipped)', () => {
  it('counts working days after the issue date', () => {
    expect(appealDeadline('2026-01-07', 5)).toBe('2026-01-14'); // Wed -> next Wed
    expect(appealDeadline('2026-01-02', 5)).toBe('2026-01-09'); // Fri -> next Fri
    expect(appealDeadline('2026-01-03', 5)).toBe('2026-01-09'); // Sat -> Fri
    expect(addWorkingDays('2026-01-09', 1)).toBe('2026-01-12'); // Fri + 1 -> Mon
    expect(addWorkingDays('2026-01-09', 0)).toBe('2026-01-09');
  });

  it('skips listed holidays and crosses month and year ends', () => {
    expect(appealDeadline('2026-01-07', 5, ['2026-01-12'])).toBe('2026-01-15');
    expect(appealDeadline('2025-12-29', 5)).toBe('2026-01-05');
  });

  it('an appeal is in time up to and including the deadline', () => {
    expect(isWithinAppealWindow('2026-01-07', '2026-01-14', 5)).toBe(true);
    expect(isWithinAppealWindow('2026-01-07', '2026-01-15', 5)).toBe(false);
    expect(isWithinAppealWindow('2026-01-07', '2026-01-06', 5)).toBe(false);
  });

  it('refuses impossible dates', () => {
    expect(() => appealDeadline('2026-02-30', 5)).toThrow(P4PError);
    expect(() => appealDeadline('7/1/2026', 5)).toThrow(/calendar date/);
  });
});
