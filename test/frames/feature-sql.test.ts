import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FramesError, memberFeatureSql, parseIsoDay, typedColumns, windowStart } from '../../src/frames/index.ts';

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return error instanceof FramesError ? error.code : 'not a FramesError';
  }
  return undefined;
}

describe('windowStart', () => {
  it('goes back whole months, clamping to the month end', () => {
    expect(windowStart('2025-01-01', 12)).toBe('2024-01-01');
    expect(windowStart('2024-03-31', 1)).toBe('2024-02-29');
    expect(windowStart('2023-03-31', 1)).toBe('2023-02-28');
    expect(windowStart('2025-01-15', 1)).toBe('2024-12-15');
    expect(windowStart('2025-05-31', 3)).toBe('2025-02-28');
  });

  it('is never after the as-of day and is a real calendar day', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1950-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }), fc.integer({ min: 1, max: 120 }), (d, months) => {
        const asOf = d.toISOString().slice(0, 10);
        const start = windowStart(asOf, months);
        expect(() => parseIsoDay(start)).not.toThrow();
        expect(start < asOf).toBe(true);
      }),
    );
  });

  it('refuses a day that is not on the calendar', () => {
    expect(codeOf(() => parseIsoDay('2025-02-30'))).toBe('INVALID_SPEC');
    expect(codeOf(() => parseIsoDay('2025-1-01'))).toBe('INVALID_SPEC');
  });
});

describe('memberFeatureSql', () => {
  it('refuses unsafe or repeated names, a codeless mean and a bad window', () => {
    const asOf = '2025-01-01';
    expect(codeOf(() => memberFeatureSql({ asOf, observations: [{ name: 'x"; DROP', aggregate: 'count' }] }))).toBe('INVALID_SPEC');
    expect(codeOf(() => memberFeatureSql({ asOf, demographics: ['age'], observations: [{ name: 'age', aggregate: 'count' }] }))).toBe('INVALID_SPEC');
    expect(codeOf(() => memberFeatureSql({ asOf, observations: [{ name: 'm', aggregate: 'mean' }] }))).toBe('INVALID_SPEC');
    expect(codeOf(() => memberFeatureSql({ asOf, observations: [{ name: 'c', aggregate: 'count', windowMonths: 0 }] }))).toBe('INVALID_SPEC');
    expect(codeOf(() => memberFeatureSql({ asOf, observations: [] }))).toBe('INVALID_SPEC');
    expect(codeOf(() => memberFeatureSql({ asOf: '2025-13-01', demographics: ['age'], observations: [] }))).toBe('INVALID_SPEC');
  });

  it('quotes codes as text literals', () => {
    const sql = memberFeatureSql({ asOf: '2025-01-01', observations: [{ name: 'x', aggregate: 'latest', code: "4548-4' OR 1=1 --" }] });
    expect(sql).toContain("code = '4548-4'' OR 1=1 --'");
  });

  it('keeps only the asked-for codes unless a count takes every reading', () => {
    expect(memberFeatureSql({ asOf: '2025-01-01', observations: [{ name: 'x', aggregate: 'max', code: '1' }] })).toContain("AND code IN ('1')");
    expect(memberFeatureSql({ asOf: '2025-01-01', observations: [{ name: 'x', aggregate: 'count' }] })).not.toContain('code IN');
  });
});

describe('typedColumns', () => {
  it('types dates, date-times, money, numbers and flags from the contract', () => {
    const type = (entity: Parameters<typeof typedColumns>[0], name: string) => typedColumns(entity).find((c) => c.name === name)?.sqlType;
    expect(type('member', 'birth_date')).toBe('DATE');
    expect(type('member', 'enrolled_to')).toBe('DATE');
    expect(type('observation', 'effective_time')).toBe('TIMESTAMPTZ');
    expect(type('observation', 'value')).toBe('DOUBLE');
    expect(type('observation', 'code')).toBe('VARCHAR');
    expect(type('claim_cost', 'amount')).toBe('DECIMAL(18,2)');
    expect(type('encounter', 'planned')).toBe('BOOLEAN');
    expect(type('medication', 'days_supplied')).toBe('BIGINT');
  });
});
