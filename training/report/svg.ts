/**
 * Small, pure SVG plotting helpers for the training report: an x-y plot (lines and sized
 * markers), a horizontal bar chart and a column chart (histogram), each with axes, ticks and
 * labels. They return SVG markup strings meant to be inlined in HTML, so the report needs no
 * external asset (the machines are offline). Every text placed in the markup is escaped.
 */
import { escapeHtml } from './escape.ts';

export interface Point {
  x: number;
  y: number;
}

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface Axis {
  label: string;
  domain: readonly [number, number];
  /** Tick values; default about five "nice" values over the domain. */
  ticks?: readonly number[];
  format?: (value: number) => string;
}

export interface LineSeries {
  label: string;
  points: readonly Point[];
  color: string;
  /** SVG stroke-dasharray, so series stay apart when printed in grey. */
  dash?: string;
  /** Leave the series out of the legend (e.g. a reference line already named on the axes). */
  hideInLegend?: boolean;
}

export interface Marker extends Point {
  /** Radius in pixels (default 4). */
  r?: number;
  /** Tooltip text. */
  title?: string;
}

export interface MarkerSeries {
  label: string;
  points: readonly Marker[];
  color: string;
}

export type LegendPlace = 'top-left' | 'bottom-right' | 'none';

export interface XYPlotOptions {
  /** Accessible name of the figure. */
  title: string;
  width: number;
  height: number;
  margin?: Margin;
  x: Axis;
  y: Axis;
  lines?: readonly LineSeries[];
  markers?: readonly MarkerSeries[];
  legend?: LegendPlace;
}

const DEFAULT_MARGIN: Margin = { top: 12, right: 16, bottom: 44, left: 56 };
const FONT = 'font-family="system-ui, sans-serif"';

/** Fixed-point coordinate text: one decimal is below a pixel and keeps paths short. */
const c = (v: number) => (Math.round(v * 10) / 10).toString();

/** Default tick label: the value with float noise and trailing zeros removed. */
export function formatTick(value: number): string {
  return Number(value.toPrecision(10)).toString();
}

/** Linear map from `domain` onto `range`; a zero-width domain maps everything to the range's start. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return (v) => (span === 0 ? r0 : r0 + ((v - d0) / span) * (r1 - r0));
}

/**
 * About `count` tick values covering [lo, hi] at a step of 1, 2 or 5 times a power of ten (the
 * usual "nice numbers" choice), all inside the interval.
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  if (hi < lo) [lo, hi] = [hi, lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** The smallest "nice" value (1, 2, 2.5 or 5 times a power of ten) at or above `v` (> 0). */
export function niceCeiling(v: number): number {
  if (!(v > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  const m = [1, 2, 2.5, 5, 10].find((k) => k * power >= v * (1 - 1e-12)) ?? 10;
  return Number((m * power).toPrecision(12));
}

interface Frame {
  left: number;
  top: number;
  right: number;
  bottom: number;
  sx: (v: number) => number;
  sy: (v: number) => number;
}

function frameOf(width: number, height: number, margin: Margin, x: Axis, y: Axis): Frame {
  const left = margin.left;
  const top = margin.top;
  const right = width - margin.right;
  const bottom = height - margin.bottom;
  return { left, top, right, bottom, sx: linearScale(x.domain, [left, right]), sy: linearScale(y.domain, [bottom, top]) };
}

/** Plot-area rectangle, grid lines, ticks and axis titles. */
function axes(f: Frame, x: Axis, y: Axis, gridX = true): string {
  const fx = x.format ?? formatTick;
  const fy = y.format ?? formatTick;
  const xt = x.ticks ?? niceTicks(x.domain[0], x.domain[1]);
  const yt = y.ticks ?? niceTicks(y.domain[0], y.domain[1]);
  const parts: string[] = [
    `<rect class="plot-area" x="${c(f.left)}" y="${c(f.top)}" width="${c(f.right - f.left)}" height="${c(f.bottom - f.top)}" fill="#fff" stroke="#888"/>`,
  ];
  for (const t of xt) {
    const px = c(f.sx(t));
    if (gridX) parts.push(`<line x1="${px}" y1="${c(f.top)}" x2="${px}" y2="${c(f.bottom)}" stroke="#e4e4e4"/>`);
    parts.push(`<line x1="${px}" y1="${c(f.bottom)}" x2="${px}" y2="${c(f.bottom + 5)}" stroke="#555"/>`);
    parts.push(`<text x="${px}" y="${c(f.bottom + 17)}" text-anchor="middle" font-size="11" ${FONT}>${escapeHtml(fx(t))}</text>`);
  }
  for (const t of yt) {
    const py = c(f.sy(t));
    parts.push(`<line x1="${c(f.left)}" y1="${py}" x2="${c(f.right)}" y2="${py}" stroke="#e4e4e4"/>`);
    parts.push(`<line x1="${c(f.left - 5)}" y1="${py}" x2="${c(f.left)}" y2="${py}" stroke="#555"/>`);
    parts.push(`<text x="${c(f.left - 8)}" y="${py}" dy="0.35em" text-anchor="end" font-size="11" ${FONT}>${escapeHtml(fy(t))}</text>`);
  }
  parts.push(`<text class="axis-label" x="${c((f.left + f.right) / 2)}" y="${c(f.bottom + 36)}" text-anchor="middle" font-size="12" ${FONT}>${escapeHtml(x.label)}</text>`);
  const my = c((f.top + f.bottom) / 2);
  parts.push(`<text class="axis-label" x="14" y="${my}" transform="rotate(-90 14 ${my})" text-anchor="middle" font-size="12" ${FONT}>${escapeHtml(y.label)}</text>`);
  return parts.join('');
}

function legend(f: Frame, place: LegendPlace, entries: { label: string; color: string; dash?: string; marker: boolean }[]): string {
  if (place === 'none' || entries.length === 0) return '';
  const rowHeight = 16;
  const width = 26 + Math.max(...entries.map((e) => e.label.length)) * 6.4;
  const height = entries.length * rowHeight + 8;
  const x0 = place === 'top-left' ? f.left + 8 : f.right - 8 - width;
  const y0 = place === 'top-left' ? f.top + 8 : f.bottom - 8 - height;
  const parts = [`<g class="legend"><rect x="${c(x0)}" y="${c(y0)}" width="${c(width)}" height="${c(height)}" fill="#fff" fill-opacity="0.9" stroke="#bbb"/>`];
  entries.forEach((e, i) => {
    const cy = y0 + 4 + rowHeight * i + rowHeight / 2;
    parts.push(
      e.marker
        ? `<circle cx="${c(x0 + 14)}" cy="${c(cy)}" r="4" fill="${e.color}" fill-opacity="0.6" stroke="${e.color}"/>`
        : `<line x1="${c(x0 + 6)}" y1="${c(cy)}" x2="${c(x0 + 22)}" y2="${c(cy)}" stroke="${e.color}" stroke-width="2"${e.dash ? ` stroke-dasharray="${e.dash}"` : ''}/>`,
    );
    parts.push(`<text x="${c(x0 + 28)}" y="${c(cy)}" dy="0.35em" font-size="11" ${FONT}>${escapeHtml(e.label)}</text>`);
  });
  parts.push('</g>');
  return parts.join('');
}

function open(title: string, width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>`;
}

/**
 * An x-y plot: lines drawn as one path each (`data-series` names the series, its first point is
 * the path's first `M`), then markers (circles whose radius the caller chooses, e.g. by count).
 */
export function xyPlot(o: XYPlotOptions): string {
  const f = frameOf(o.width, o.height, o.margin ?? DEFAULT_MARGIN, o.x, o.y);
  const parts = [open(o.title, o.width, o.height), axes(f, o.x, o.y)];
  (o.lines ?? []).forEach((s, i) => {
    if (s.points.length === 0) return;
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${c(f.sx(p.x))},${c(f.sy(p.y))}`).join('');
    parts.push(`<path class="series" data-series="${escapeHtml(s.label)}" data-index="${i}" d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
  });
  for (const s of o.markers ?? []) {
    parts.push(`<g class="markers" data-series="${escapeHtml(s.label)}">`);
    for (const m of s.points) {
      const tip = m.title ? `<title>${escapeHtml(m.title)}</title>` : '';
      parts.push(`<circle cx="${c(f.sx(m.x))}" cy="${c(f.sy(m.y))}" r="${c(m.r ?? 4)}" fill="${s.color}" fill-opacity="0.55" stroke="${s.color}">${tip}</circle>`);
    }
    parts.push('</g>');
  }
  const entries = [
    ...(o.lines ?? []).filter((s) => !s.hideInLegend).map((s) => ({ label: s.label, color: s.color, dash: s.dash, marker: false })),
    ...(o.markers ?? []).map((s) => ({ label: s.label, color: s.color, marker: true })),
  ];
  parts.push(legend(f, o.legend ?? 'bottom-right', entries), '</svg>');
  return parts.join('');
}

/** Lines only (e.g. ROC curves). */
export function linePlot(o: Omit<XYPlotOptions, 'markers'>): string {
  return xyPlot(o);
}

/** Markers, with optional reference lines (e.g. a reliability diagram and its diagonal). */
export function scatterPlot(o: XYPlotOptions & { markers: readonly MarkerSeries[] }): string {
  return xyPlot(o);
}

export interface Bar {
  label: string;
  value: number;
}

export interface BarChartOptions {
  title: string;
  bars: readonly Bar[];
  width: number;
  /** Height of one bar's row in pixels (default 20). */
  rowHeight?: number;
  valueLabel: string;
  color: string;
  format?: (value: number) => string;
  /** Labels longer than this are cut with an ellipsis; the full text stays in a tooltip (default 32). */
  maxLabelChars?: number;
}

/**
 * Horizontal bars, one row per entry in the given order, labels on the left, the value printed at
 * the end of each bar, an x axis from 0 to a nice ceiling of the largest value.
 */
export function horizontalBarChart(o: BarChartOptions): string {
  const rowHeight = o.rowHeight ?? 20;
  const maxChars = o.maxLabelChars ?? 32;
  const cut = (s: string) => (s.length > maxChars ? s.slice(0, maxChars - 1) + '…' : s);
  const longest = Math.max(4, ...o.bars.map((b) => cut(b.label).length));
  const margin: Margin = { top: 8, right: 60, bottom: 44, left: Math.min(o.width / 2, 16 + longest * 6.6) };
  const height = margin.top + margin.bottom + Math.max(1, o.bars.length) * rowHeight;
  const top = Math.max(0, ...o.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)));
  const x: Axis = { label: o.valueLabel, domain: [0, niceCeiling(top)], format: o.format };
  const y: Axis = { label: '', domain: [0, 1], ticks: [] };
  const f = frameOf(o.width, height, margin, x, y);
  const fmt = o.format ?? formatTick;
  const parts = [open(o.title, o.width, height), axes(f, x, y)];
  o.bars.forEach((b, i) => {
    const yTop = f.top + i * rowHeight + 3;
    const value = Number.isFinite(b.value) && b.value > 0 ? b.value : 0;
    const w = f.sx(value) - f.left;
    parts.push(
      `<g class="bar"><title>${escapeHtml(`${b.label}: ${fmt(b.value)}`)}</title>`,
      `<text x="${c(f.left - 6)}" y="${c(yTop + (rowHeight - 6) / 2)}" dy="0.35em" text-anchor="end" font-size="11" ${FONT}>${escapeHtml(cut(b.label))}</text>`,
      `<rect x="${c(f.left)}" y="${c(yTop)}" width="${c(w)}" height="${c(rowHeight - 6)}" fill="${o.color}"/>`,
      `<text x="${c(f.left + w + 4)}" y="${c(yTop + (rowHeight - 6) / 2)}" dy="0.35em" font-size="10" fill="#333" ${FONT}>${escapeHtml(fmt(b.value))}</text></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface Column {
  lower: number;
  upper: number;
  value: number;
}

export interface ColumnChartOptions {
  title: string;
  width: number;
  height: number;
  margin?: Margin;
  columns: readonly Column[];
  x: Axis;
  yLabel: string;
  color: string;
}

/** Vertical columns over [lower, upper] intervals of the x axis (a histogram). */
export function columnChart(o: ColumnChartOptions): string {
  const top = niceCeiling(Math.max(0, ...o.columns.map((col) => col.value)));
  const y: Axis = { label: o.yLabel, domain: [0, top], ticks: niceTicks(0, top, 2) };
  const f = frameOf(o.width, o.height, o.margin ?? DEFAULT_MARGIN, o.x, y);
  const parts = [open(o.title, o.width, o.height), axes(f, o.x, y, false)];
  for (const col of o.columns) {
    const x0 = f.sx(col.lower);
    const x1 = f.sx(col.upper);
    const y1 = f.sy(col.value);
    parts.push(`<rect class="column" x="${c(x0 + 0.5)}" y="${c(y1)}" width="${c(Math.max(0, x1 - x0 - 1))}" height="${c(f.bottom - y1)}" fill="${o.color}"><title>${escapeHtml(`${formatTick(col.lower)}–${formatTick(col.upper)}: ${col.value}`)}</title></rect>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
