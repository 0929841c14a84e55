import { describe, expect, it } from 'vitest';
import { escapeHtml, funnelPlotSvg, funnelPoints, renderPerformanceReport } from '../../../src/performance/report/html.ts';
import type { PerformanceRunResult, StoredInstitutionResult } from '../../../src/performance/report/performance-run.ts';
import { rankedRows, unpricedCapitationWarning } from '../../../src/performance/report/performance-run.ts';

function institution(id: string, n: number, rsr: number, rank: number | null): StoredInstitutionResult {
  const outcome = { denominator: n, rawRate: rsr, riskStandardisedRate: rsr, published: n >= 30 } as unknown as StoredInstitutionResult['outcomes']['O1'];
  const process = { rate: 0.5, denominator: n } as unknown as StoredInstitutionResult['processes']['P1'];
  const statement = rank === null ? null : ({ ranking: { rank, of: 3, nextYearCoefficient: 1 }, composite: { value: '0.5' }, bonus: { amount: { amount: '0.00' } }, deduction: { amount: { amount: '0.00' } } } as unknown as StoredInstitutionResult['statement']);
  return { institutionId: id, level: 'primary', attributedMembers: n, notAttributed: {}, servedPersons: n, outcomes: { O1: outcome, O2: outcome }, processes: { P1: process, P2: process }, money: { capitationPayment: '0.00', capitationSource: 'none stored', costPerMemberYear: 0, previousComposite: null }, statement, notRankedReason: rank === null ? 'no patients' : null };
}

const run = {
  period: '2026',
  periodKind: 'year',
  overallRates: { O1: 0.5, O2: 0.5 },
  institutions: [institution('I-LOW<', 100, 0.3, 3), institution('I-MID', 100, 0.5, 2), institution('I-HIGH', 100, 0.62, 1), institution('I-SMALL', 10, 0.5, null)],
} as unknown as PerformanceRunResult;

describe('funnel plot and ranked table', () => {
  it('places each institution against the limits and labels only those outside them (escaped)', () => {
    expect(funnelPoints(run, 'O1').map((p) => [p.institutionId, p.position, p.published])).toEqual([
      ['I-LOW<', 'below 99.8%', true],
      ['I-MID', 'within', true],
      ['I-HIGH', 'above 95%', true],
      ['I-SMALL', 'within', false],
    ]);
    const svg = funnelPlotSvg(run, 'O1');
    expect(svg.match(/class="outlier"/g)).toHaveLength(2);
    expect(svg).toContain('>I-LOW&lt;</text>');
    expect(svg).toContain('>I-HIGH</text>');
    expect(svg).not.toContain('>I-MID</text>');
    expect(svg).toContain('class="pt unpublished"');
  });

  it('says so instead of drawing when the indicator has no overall rate', () => {
    expect(funnelPlotSvg({ ...run, overallRates: { O1: null, O2: 0.5 } }, 'O1')).toContain('No institution has a O1 rate');
  });

  it('ranks by level then TOPSIS rank, unranked last', () => {
    expect(rankedRows(run).map((r) => r.institutionId)).toEqual(['I-HIGH', 'I-MID', 'I-LOW<', 'I-SMALL']);
  });

  it('warns, in the report too, when bonuses are 0.00 because the year has no stored risk adjustment', () => {
    expect(unpricedCapitationWarning(run)).toMatch(/^No institution has a stored risk adjustment for 2026: .*every bonus is 0.00.*POST \/v1\/risk-adjustments/);
    const priced = (i: StoredInstitutionResult): StoredInstitutionResult => ({ ...i, money: { ...i.money!, capitationSource: 'risk_adjustment ra-1', capitationPayment: '1000.00' } });
    const partly = { ...run, institutions: run.institutions.map((i, k) => (k === 0 ? i : priced(i))) };
    expect(unpricedCapitationWarning(partly)).toMatch(/^1 of 4 institutions have no stored risk adjustment for 2026/);
    expect(unpricedCapitationWarning({ ...run, institutions: run.institutions.map(priced) })).toBeNull();
    expect(unpricedCapitationWarning({ ...run, periodKind: 'quarter' })).toBeNull();
    const meta = { runId: 'perf-1', createdAt: '2026-11-22T00:00:00Z', inputsFingerprint: 'f'.repeat(64) };
    const html = (r: PerformanceRunResult) => renderPerformanceReport({ ...r, periodStart: '2026-01-01', periodEnd: '2026-12-31', issuedOn: '2026-11-22', capitationSpending: '0.00', statementsNote: null }, meta);
    expect(html(run)).toContain('No institution has a stored risk adjustment for 2026');
    expect(html({ ...run, institutions: run.institutions.map(priced) })).not.toContain('stored risk adjustment');
  });

  it('escapes markup', () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });
});
