import { describe, expect, it } from 'vitest';
import { defaultPolicy, parsePolicy } from '../../src/config/policy.ts';
import { yearPeriod } from '../../src/performance/attribution.ts';
import { evaluateProcessMeasures, processMeasureCodes, processRates, ProcessMeasureError } from '../../src/performance/process-measures.ts';
import { memberRecord } from './adjustment/fixtures.ts';

const codes = processMeasureCodes(defaultPolicy().packages);
const y2026 = yearPeriod(2026);

describe('process measures P1 fundus / P2 foot exam among diabetics', () => {
  it('takes its codes from the policy package services', () => {
    expect([...codes.P1]).toEqual(expect.arrayContaining(['CPT|92250', 'CPT|2022F']));
    expect([...codes.P2]).toContain('CPT|2028F');
    expect(codes.P2.has('CPT|92250')).toBe(false);
  });

  it('a diabetic with a fundus photo in the year is in P1 numerator with the evidence; foot exam missing', () => {
    const r = memberRecord({ id: 'D1', diabetes: '2020-05-01', procedures: [['2026-04-03', '92250']] });
    const [p1, p2] = evaluateProcessMeasures(r, y2026, codes);
    expect(p1).toMatchObject({ indicator: 'P1', inDenominator: true, inNumerator: true });
    expect(p1!.explanation).toMatch(/^numerator: CPT\|92250 on 2026-04-03/);
    expect(p2).toMatchObject({ indicator: 'P2', inDenominator: true, inNumerator: false, procedureId: null });
  });

  it('an exam outside the period, or not completed, does not count', () => {
    const r = memberRecord({ id: 'D2', diabetes: '2020-05-01', procedures: [['2025-12-31', '2022F'], ['2026-02-01', '2028F', 'not-done']] });
    const [p1, p2] = evaluateProcessMeasures(r, y2026, codes);
    expect(p1!.inNumerator).toBe(false);
    expect(p2!.inNumerator).toBe(false);
  });

  it('a non-diabetic is in no denominator', () => {
    const [p1] = evaluateProcessMeasures(memberRecord({ id: 'N1', hypertension: '2019-01-01', procedures: [['2026-03-01', '92250']] }), y2026, codes);
    expect(p1).toMatchObject({ inDenominator: false, explanation: 'not in denominator: no diabetes diagnosis in the period' });
  });

  it('adds members up into rates; zero denominator is a null rate', () => {
    const results = [
      ...evaluateProcessMeasures(memberRecord({ id: 'A', diabetes: '2020-01-01', procedures: [['2026-01-05', '92250'], ['2026-01-05', '2028F']] }), y2026, codes),
      ...evaluateProcessMeasures(memberRecord({ id: 'B', diabetes: '2020-01-01', procedures: [['2026-07-05', '2028F']] }), y2026, codes),
    ];
    const rates = processRates(results);
    expect(rates.P1).toEqual({ indicator: 'P1', numerator: 1, denominator: 2, rate: 0.5 });
    expect(rates.P2).toEqual({ indicator: 'P2', numerator: 2, denominator: 2, rate: 1 });
    expect(processRates([]).P1.rate).toBeNull();
  });

  it('refuses a policy without the exam services', () => {
    const empty = { healthy: [], 'high-risk': [], mild: [], moderate: [], severe: [] };
    expect(() => processMeasureCodes(parsePolicy({ packages: { services: empty } }).packages)).toThrow(ProcessMeasureError);
  });
});
