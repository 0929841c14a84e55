/**
 * The period's performance report as one self-contained HTML page (inline SVG and CSS, no
 * external asset: the machines are offline): a funnel plot per outcome indicator
 * (risk-standardised rate against denominator, the overall rate and the 95% / 99.8% control
 * limits of funnel.ts, institutions outside the limits labelled) and the ranked table.
 * Pure: returns the markup; the caller writes it.
 */
import type { OutcomeIndicatorId } from '../adjustment/outcomes.ts';
import { OUTCOME_INDICATORS } from '../adjustment/outcomes.ts';
import type { FunnelPosition } from './funnel.ts';
import { funnelCurves, funnelPosition } from './funnel.ts';
import type { PerformanceRunResult, RankedRow } from './performance-run.ts';
import { rankedRows, unpricedCapitationWarning } from './performance-run.ts';

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const INDICATOR_TITLE: Record<OutcomeIndicatorId, string> = { O1: 'O1 HbA1c control (diabetics)', O2: 'O2 BP control (hypertensives)' };

/** One plotted institution. */
export interface FunnelPoint {
  institutionId: string;
  denominator: number;
  rate: number;
  position: FunnelPosition;
  /** Denominator at or above the minimum: the rate is published and moves money. */
  published: boolean;
}

/**
 * The institutions of an indicator with a risk-standardised rate, placed against the limits.
 * Unpublished ones (denominator under the minimum) are plotted too, hollow: small institutions
 * scattering widely is what a funnel plot shows.
 */
export function funnelPoints(run: PerformanceRunResult, indicator: OutcomeIndicatorId): FunnelPoint[] {
  const p = run.overallRates[indicator];
  if (p === null) return [];
  const out: FunnelPoint[] = [];
  for (const i of run.institutions) {
    const o = i.outcomes[indicator];
    if (o.riskStandardisedRate === null || o.denominator === 0) continue;
    out.push({ institutionId: i.institutionId, denominator: o.denominator, rate: o.riskStandardisedRate, position: funnelPosition(o.riskStandardisedRate, o.denominator, p), published: o.published });
  }
  return out;
}

const W = 680;
const H = 400;
const M = { top: 20, right: 24, bottom: 48, left: 60 };
const fmt = (v: number, d = 2) => v.toFixed(d);

/** The funnel plot of one indicator as an inline <svg>, or a note when nothing can be plotted. */
export function funnelPlotSvg(run: PerformanceRunResult, indicator: OutcomeIndicatorId): string {
  const p = run.overallRates[indicator];
  const points = funnelPoints(run, indicator);
  if (p === null || points.length === 0) return `<p class="note">No institution has a ${indicator} rate.</p>`;
  const maxN = Math.max(...points.map((q) => q.denominator)) * 1.1;
  const minN = Math.max(5, Math.min(...points.map((q) => q.denominator)) * 0.5);
  const curves = funnelCurves(p, minN, maxN);
  const ys = [...points.map((q) => q.rate), ...curves.map((c) => c.lower998), ...curves.map((c) => c.upper998), p];
  const y0 = Math.max(0, Math.min(...ys) - 0.03);
  const y1 = Math.min(1.05, Math.max(...ys) + 0.03);
  const sx = (n: number) => M.left + (n / maxN) * (W - M.left - M.right);
  const sy = (r: number) => H - M.bottom - ((r - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const path = (key: 'lower95' | 'upper95' | 'lower998' | 'upper998') => curves.map((c, k) => `${k === 0 ? 'M' : 'L'}${fmt(sx(c.n))},${fmt(sy(c[key]))}`).join(' ');
  const parts: string[] = [];
  parts.push(`<svg class="funnel" role="img" aria-label="${escapeHtml(`Funnel plot: ${INDICATOR_TITLE[indicator]}`)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">`);
  parts.push(`<title>${escapeHtml(`Funnel plot: ${INDICATOR_TITLE[indicator]}`)}</title>`);
  // Axes and ticks.
  parts.push(`<line class="axis" x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}"/><line class="axis" x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}"/>`);
  for (let k = 0; k <= 5; k++) {
    const n = (maxN * k) / 5;
    parts.push(`<text class="tick" x="${fmt(sx(n))}" y="${H - M.bottom + 16}" text-anchor="middle">${Math.round(n)}</text>`);
    const r = y0 + ((y1 - y0) * k) / 5;
    parts.push(`<text class="tick" x="${M.left - 6}" y="${fmt(sy(r) + 4)}" text-anchor="end">${(r * 100).toFixed(0)}%</text>`);
    parts.push(`<line class="grid" x1="${M.left}" y1="${fmt(sy(r))}" x2="${W - M.right}" y2="${fmt(sy(r))}"/>`);
  }
  parts.push(`<text class="label" x="${(M.left + W - M.right) / 2}" y="${H - 10}" text-anchor="middle">denominator (patients)</text>`);
  parts.push(`<text class="label" transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">risk-standardised rate</text>`);
  // Overall rate and control limits.
  parts.push(`<line class="overall" x1="${M.left}" y1="${fmt(sy(p))}" x2="${W - M.right}" y2="${fmt(sy(p))}"><title>overall ${(p * 100).toFixed(1)}%</title></line>`);
  parts.push(`<path class="limit95" d="${path('lower95')}"/><path class="limit95" d="${path('upper95')}"/>`);
  parts.push(`<path class="limit998" d="${path('lower998')}"/><path class="limit998" d="${path('upper998')}"/>`);
  // Institutions; those outside a limit are labelled.
  for (const q of points) {
    const cls = `${q.position === 'within' ? 'pt' : q.position.endsWith('99.8%') ? 'pt out998' : 'pt out95'}${q.published ? '' : ' unpublished'}`;
    parts.push(
      `<circle class="${cls}" cx="${fmt(sx(q.denominator))}" cy="${fmt(sy(q.rate))}" r="4"><title>${escapeHtml(`${q.institutionId}: ${(q.rate * 100).toFixed(1)}% of ${q.denominator} (${q.position}${q.published ? '' : ', unpublished: denominator below the minimum'})`)}</title></circle>`,
    );
    if (q.position !== 'within') parts.push(`<text class="outlier" x="${fmt(sx(q.denominator) + 6)}" y="${fmt(sy(q.rate) - 6)}">${escapeHtml(q.institutionId)}</text>`);
  }
  // Legend.
  const lx = W - M.right - 190;
  parts.push(
    `<g class="legend"><line class="overall" x1="${lx}" y1="${M.top + 8}" x2="${lx + 24}" y2="${M.top + 8}"/><text x="${lx + 30}" y="${M.top + 12}">overall ${(p * 100).toFixed(1)}%</text>` +
      `<line class="limit95" x1="${lx}" y1="${M.top + 24}" x2="${lx + 24}" y2="${M.top + 24}"/><text x="${lx + 30}" y="${M.top + 28}">95% limits</text>` +
      `<line class="limit998" x1="${lx}" y1="${M.top + 40}" x2="${lx + 24}" y2="${M.top + 40}"/><text x="${lx + 30}" y="${M.top + 44}">99.8% limits</text></g>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

function tableRow(r: RankedRow): string {
  const cells = [
    r.rank === null ? '—' : `${r.rank}/${r.of}`,
    escapeHtml(r.institutionId),
    escapeHtml(r.level),
    `${pct(r.O1.raw)}`,
    `${pct(r.O1.riskStandardised)}`,
    String(r.O1.denominator),
    `${pct(r.O2.raw)}`,
    `${pct(r.O2.riskStandardised)}`,
    String(r.O2.denominator),
    `${pct(r.P1.rate)}`,
    `${pct(r.P2.rate)}`,
    r.composite ?? '—',
    String(r.servedPersons),
    r.bonus ?? '—',
    r.deduction ?? '—',
    r.coefficient === null ? '—' : r.coefficient.toFixed(2),
  ];
  const title = r.notRankedReason ? ` title="${escapeHtml(r.notRankedReason)}" class="unranked"` : '';
  return `<tr${title}>${cells.map((c, k) => `<td${k >= 3 ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`;
}

/** The ranked table as HTML. */
export function rankedTableHtml(run: PerformanceRunResult): string {
  const head = ['rank in level', 'institution', 'level', 'O1 raw', 'O1 RSR', 'O1 n', 'O2 raw', 'O2 RSR', 'O2 n', 'P1', 'P2', 'composite', 'served', 'bonus (CNY)', 'deduction (CNY)', 'next-year coefficient'];
  return `<table class="ranked"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>\n${rankedRows(run).map(tableRow).join('\n')}\n</tbody></table>`;
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.note{color:#666}.money{color:#8a5a00}.axis{stroke:#333}.grid{stroke:#eee}.tick,.legend text{font-size:11px;fill:#444}.label{font-size:12px;fill:#222}
.overall{stroke:#1f5fa8;stroke-width:1.5}.limit95{fill:none;stroke:#d08b00;stroke-dasharray:5 3}.limit998{fill:none;stroke:#b02a2a;stroke-dasharray:2 2}
.pt{fill:#555;stroke:#555}.out95{fill:#d08b00;stroke:#d08b00}.out998{fill:#b02a2a;stroke:#b02a2a}.unpublished{fill:#fff}.outlier{font-size:11px;fill:#b02a2a}
table{border-collapse:collapse;margin-top:8px}th,td{border:1px solid #ddd;padding:3px 6px}th{background:#f4f4f4;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}tr.unranked{color:#888}`;

/** The whole report page. */
export function renderPerformanceReport(run: PerformanceRunResult, meta: { runId: string; createdAt: string; inputsFingerprint: string }): string {
  const plots = OUTCOME_INDICATORS.map((id) => `<h2>${escapeHtml(INDICATOR_TITLE[id])}</h2>\n${funnelPlotSvg(run, id)}`).join('\n');
  const unranked = run.institutions.filter((i) => i.notRankedReason !== null).length;
  const quarter = run.periodKind === 'quarter';
  const span = ` (${quarter ? 'rolling twelve months ' : ''}${escapeHtml(run.periodStart)} to ${escapeHtml(run.periodEnd)})`;
  // A quarter is for monitoring: say plainly why the money columns are empty.
  const unpriced = unpricedCapitationWarning(run);
  const money =
    (run.statementsNote === null ? '' : `<p class="note money">No P4P statements: ${escapeHtml(run.statementsNote)}.</p>`) +
    (unpriced === null ? '' : `<p class="note money"><strong>${escapeHtml(unpriced)}</strong></p>`);
  const about = quarter
    ? `Run ${escapeHtml(meta.runId)}, computed ${escapeHtml(meta.createdAt)}; inputs fingerprint ${escapeHtml(meta.inputsFingerprint.slice(0, 16))}…`
    : `Run ${escapeHtml(meta.runId)}, computed ${escapeHtml(meta.createdAt)}, statements issued ${escapeHtml(run.issuedOn)}; inputs fingerprint ${escapeHtml(meta.inputsFingerprint.slice(0, 16))}…
Capitation spending (bonus cap base): ${escapeHtml(run.capitationSpending ?? '0.00')} CNY.${unranked ? ` ${unranked} institution(s) could not be ranked (hover the row for why).` : ''}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Performance ${escapeHtml(run.period)}</title><style>${CSS}</style></head>
<body>
<h1>Institution performance, ${quarter ? 'quarter' : 'period'} ${escapeHtml(run.period)}${span}</h1>
<p class="note">${about}</p>
${money}
<p class="note">Funnel plots: risk-standardised rate against the indicator's denominator; control limits p ± z·√(p(1−p)/n) around the overall rate p (z = 1.96 for 95%, 3.09 for 99.8%). Institutions outside a limit are labelled; hollow markers are unpublished rates (denominator below the minimum, not scored).</p>
${plots}
<h2>Ranked table</h2>
<p class="note">Rank: TOPSIS within the level (DOMAIN.md "Ranking"). RSR: risk-standardised rate, the rate that moves money for O1/O2; P1/P2 are raw.</p>
${rankedTableHtml(run)}
</body></html>
`;
}
