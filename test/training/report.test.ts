/**
 * The training run's HTML report: its plotting helpers, the ROC and histogram data, the paired
 * champion comparison (hand-worked DeLong example, one fixture per branch of the promotion rule)
 * and the rendered document from a small simulated run through `selectAndEvaluate`.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/lib/random.ts';
import { aucScore } from '../../src/models/evaluation/metrics.ts';
import { rankableScores } from '../../src/models/reference/index.ts';
import { compareWithChampion, pairedAucDifference, renderTrainingReport, ReportError, type TrainingReportInput } from '../../training/report/index.ts';
import { predictionHistogram, rocCurve, thinCurve } from '../../training/report/curves.ts';
import { escapeHtml } from '../../training/report/escape.ts';
import { columnChart, horizontalBarChart, linearScale, niceCeiling, niceTicks, xyPlot } from '../../training/report/svg.ts';
import { REPORT_FILE, writeTrainingReport } from '../../training/report/write.ts';
import { selectAndEvaluate, type SelectionResult } from '../../training/select.ts';

const MARKUP_FEATURE = '<script>alert("x")</script>';

interface Fixture {
  input: TrainingReportInput;
  selection: SelectionResult;
  testLabels: Uint8Array;
}

/**
 * Four features (one named like markup), a hidden extra risk for institution C that the model
 * cannot see (its risk is under-estimated, so the subgroup check must flag it), and the true
 * probabilities for the ceiling.
 */
async function simulatedRun(n = 900, seed = 7): Promise<Fixture> {
  const rng = new Rng(seed);
  const names = ['age', 'bmi', 'noise', MARKUP_FEATURE];
  const values = new Float64Array(n * names.length);
  const y = new Uint8Array(n);
  const trueProbability = new Float64Array(n);
  const sex: string[] = [];
  const institution: string[] = [];
  for (let i = 0; i < n; i++) {
    const row = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
    row.forEach((v, j) => (values[i * names.length + j] = v));
    const inst = rng.pick(['A', 'B', 'C']);
    institution.push(inst);
    sex.push(rng.bernoulli(0.5) ? 'F' : 'M');
    const logit = -1.2 + 1.1 * row[0]! + 0.6 * row[1]! + 0.3 * row[3]! + (inst === 'C' ? 1.6 : 0);
    trueProbability[i] = 1 / (1 + Math.exp(-logit));
    y[i] = rng.bernoulli(trueProbability[i]!) ? 1 : 0;
  }
  const testRows = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === 0);
  const selection = await selectAndEvaluate(
    { X: { rows: n, cols: names.length, values, featureNames: names }, y, trueProbability, subgroups: { sex, institution } },
    { candidates: [{ learner: 'logreg', params: { l2: 1 } }, { learner: 'logreg', params: { l2: 100 } }], testRows, folds: 3, seed },
  );
  const testLabels = Uint8Array.from(testRows, (r) => y[r]!);
  return {
    selection,
    testLabels,
    input: {
      model: { name: 'readmission-30d', version: '3', task: '30-day readmission' },
      createdAt: '2025-01-02T03:04:05.000Z',
      dataFingerprint: 'sha256:abc123',
      features: { names, importance: selection.model.featureImportance() },
      selection,
      testLabels,
      testProbabilities: selection.testProbabilities,
    },
  };
}

/** A weaker champion on the same rows: the new model's probabilities blurred by noise on the logit scale. */
function blurred(p: Float64Array, sd: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return p.map((q) => 1 / (1 + Math.exp(-(Math.log(q / (1 - q)) + rng.normal(0, sd)))));
}

/** The inner HTML of the section with this id. */
function sectionOf(html: string, id: string): string {
  const m = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(html);
  if (!m) throw new Error(`no section ${id}`);
  return m[1]!;
}

/** Points of a path's `d` attribute (M/L commands only, as the helpers write them). */
function pathPoints(d: string): { x: number; y: number }[] {
  return [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
}

function plotArea(svg: string): { x: number; y: number; width: number; height: number } {
  const m = /<rect class="plot-area" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(svg);
  if (!m) throw new Error('no plot area');
  return { x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) };
}

describe('escapeHtml', () => {
  it('replaces the five significant characters', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
  });
  it('leaves no markup character in any string', () => {
    fc.assert(fc.property(fc.string(), (s) => !/[<>"']/.test(escapeHtml(s)) && !/&(?!amp;|lt;|gt;|quot;|#39;)/.test(escapeHtml(s))));
  });
});

describe('svg helpers', () => {
  it('niceTicks steps by 1, 2 or 5 times a power of ten, inside the interval', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0.35)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(0, 0.25)).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25]);
    expect(niceTicks(3, 3)).toEqual([3]);
    fc.assert(
      fc.property(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (lo, span) => {
        const ticks = niceTicks(lo, lo + span);
        return ticks.length >= 2 && ticks.length <= 11 && ticks.every((t) => t >= lo - span * 1e-6 && t <= lo + span * (1 + 1e-6));
      }),
    );
  });
  it('niceCeiling rounds up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceCeiling(0.37)).toBe(0.5);
    expect(niceCeiling(0.2)).toBe(0.2);
    expect(niceCeiling(0.21)).toBe(0.25);
    expect(niceCeiling(7)).toBe(10);
    expect(niceCeiling(0)).toBe(1);
  });
  it('linearScale maps the domain ends onto the range ends (y flipped)', () => {
    const s = linearScale([0, 1], [300, 20]);
    expect(s(0)).toBe(300);
    expect(s(1)).toBe(20);
    expect(s(0.5)).toBe(160);
  });
  it('xyPlot draws each line as one path in plot coordinates, with axes and an escaped legend', () => {
    const svg = xyPlot({
      title: 'T',
      width: 200,
      height: 200,
      margin: { top: 10, right: 10, bottom: 40, left: 50 },
      x: { label: 'x & more', domain: [0, 1] },
      y: { label: 'y', domain: [0, 1] },
      lines: [{ label: 'a<b', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }], color: '#000' }],
      markers: [{ label: 'bins', points: [{ x: 0.5, y: 0.5, r: 7 }], color: '#00f' }],
    });
    expect(svg).toContain('d="M50,160L190,10"');
    expect(svg).toContain('<circle cx="120" cy="85" r="7"');
    expect(svg).toContain('x &amp; more');
    expect(svg).toContain('data-series="a&lt;b"');
    expect(svg).not.toContain('a<b');
    // ticks 0, 0.2, ..., 1 on both axes
    expect(svg.match(/>0\.6</g)).toHaveLength(2);
  });
  it('horizontalBarChart draws one bar per entry, longest for the largest value, long labels cut', () => {
    const svg = horizontalBarChart({ title: 'imp', bars: [{ label: 'a'.repeat(50), value: 0.6 }, { label: 'b', value: 0.3 }], width: 500, valueLabel: 'v', color: '#123', maxLabelChars: 10 });
    const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="14" fill="#123"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[0]!).toBeCloseTo(widths[1]! * 2, 0);
    expect(svg).toContain(`${'a'.repeat(9)}…`);
    expect(svg).toContain(`<title>${'a'.repeat(50)}: 0.6</title>`);
  });
  it('columnChart draws a column per interval with height proportional to its value', () => {
    const svg = columnChart({ title: 'h', width: 300, height: 140, margin: { top: 10, right: 10, bottom: 30, left: 40 }, columns: [{ lower: 0, upper: 0.5, value: 10 }, { lower: 0.5, upper: 1, value: 5 }], x: { label: 'p', domain: [0, 1] }, yLabel: 'n', color: '#abc' });
    const heights = [...svg.matchAll(/class="column" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toEqual([100, 50]);
  });
});

describe('curves', () => {
  it('rocCurve: a known small example, ties moving together', () => {
    // Positives at 0.9 and 0.5, negatives at 0.5 and 0.1: the tie at 0.5 is one diagonal step.
    expect(rocCurve([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])).toEqual([
      { x: 0, y: 0 },
      { x: 0, y: 0.5 },
      { x: 0.5, y: 1 },
      { x: 1, y: 1 },
    ]);
    expect(rocCurve([0.2, 0.3], [1, 1])).toEqual([]);
    expect(() => rocCurve([0.2], [1, 0])).toThrow(ReportError);
  });
  it('the trapezoid area under rocCurve is the AUC', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { minLength: 2, maxLength: 60 }), (rows) => {
        const p = rows.map(([v]) => v / 20);
        const y = rows.map(([, b]) => (b ? 1 : 0));
        if (y.every((v) => v === y[0])) return true;
        const pts = rocCurve(p, y);
        let area = 0;
        for (let i = 1; i < pts.length; i++) area += ((pts[i]!.x - pts[i - 1]!.x) * (pts[i]!.y + pts[i - 1]!.y)) / 2;
        return Math.abs(area - aucScore(p, y)) < 1e-9;
      }),
    );
  });
  it('thinCurve keeps the ends and at most about maxPoints points', () => {
    const pts = Array.from({ length: 5001 }, (_, i) => ({ x: i / 5000, y: Math.sqrt(i / 5000) }));
    const thin = thinCurve(pts, 100);
    expect(thin[0]).toEqual({ x: 0, y: 0 });
    expect(thin[thin.length - 1]).toEqual({ x: 1, y: 1 });
    expect(thin.length).toBeLessThanOrEqual(201);
    expect(thin.length).toBeGreaterThan(50);
  });
  it('predictionHistogram counts every row once', () => {
    const cols = predictionHistogram([0, 0.05, 0.1, 0.99, 1, 0.5], 10);
    expect(cols.map((c) => c.value)).toEqual([2, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
    expect(predictionHistogram([0.3, 0.9], 2, 0.5).map((c) => c.value)).toEqual([0, 2]);
  });
});

describe('champion comparison', () => {
  it('paired DeLong: hand-worked example', () => {
    // A ranks perfectly (all placements 1, no variance); B has placements v10 = [1, 0.5] and
    // v01 = [0.5, 1], so S10 = S01 = 0.125 and Var = 0.125/2 + 0.125/2.
    const d = pairedAucDifference([0.9, 0.8, 0.3, 0.1], [0.9, 0.2, 0.3, 0.1], [1, 1, 0, 0]);
    expect(d.challengerAuc).toBe(1);
    expect(d.championAuc).toBe(0.75);
    expect(d.difference).toBe(0.25);
    expect(d.standardError).toBeCloseTo(Math.sqrt(0.125), 12);
    expect(d.lower).toBeCloseTo(0.25 - 1.959964 * Math.sqrt(0.125), 5);
  });
  it('paired DeLong: the same model twice differs by exactly 0 with no spread', () => {
    const d = pairedAucDifference([0.9, 0.4, 0.6, 0.1, 0.3], [0.9, 0.4, 0.6, 0.1, 0.3], [1, 1, 0, 0, 1]);
    expect(d.difference).toBe(0);
    expect(d.standardError).toBe(0);
    expect(Number.isNaN(d.pValue)).toBe(true);
  });

  const rng = new Rng(3);
  const y = Uint8Array.from({ length: 400 }, () => (rng.bernoulli(0.3) ? 1 : 0));
  const good = Float64Array.from(y, (v) => 1 / (1 + Math.exp(-(-1 + 1.5 * v + rng.normal()))));
  const noisy = blurred(good, 1.5, 4);

  it('promotes a challenger better on both measures', () => {
    const c = compareWithChampion(good, noisy, y);
    expect(c.recommendation).toBe('promote');
    expect(c.auc.difference).toBeGreaterThan(0);
    expect(c.brierDifference).toBeLessThan(0);
  });
  it('keeps the champion when the challenger ranks the same but its probabilities are worse (Brier gates first)', () => {
    const squashed = good.map((q) => q ** 0.3);
    const c = compareWithChampion(squashed, good, y);
    expect(c.auc.difference).toBeCloseTo(0, 12);
    expect(c.recommendation).toBe('keep-champion');
    expect(c.reason).toContain('less accurate');
  });
  it('keeps the champion when the challenger ranks worse beyond the tolerance', () => {
    const c = compareWithChampion(noisy, good, y, { aucTolerance: 0.005, brierTolerance: 1 });
    expect(c.recommendation).toBe('keep-champion');
    expect(c.reason).toContain('ranks members worse');
  });
  it('keeps the champion when the challenger is better on neither', () => {
    const c = compareWithChampion(good, Float64Array.from(good), y);
    expect(c.recommendation).toBe('keep-champion');
    expect(c.reason).toContain('no reason to change');
  });
});

describe('renderTrainingReport', () => {
  let fixture: Fixture;
  let html: string;
  beforeAll(async () => {
    fixture = await simulatedRun();
    html = renderTrainingReport(fixture.input);
  });

  it('is one self-contained document with every section and no external asset', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const id of ['verdict', 'candidates', 'roc', 'calibration', 'importance', 'top-fractions', 'subgroups']) expect(html).toContain(`<section id="${id}">`);
    expect(html).not.toContain('<section id="champion">');
    expect(html).not.toMatch(/<script|<link|<img|\ssrc=|url\(/i);
    // The only URL is the SVG namespace, which is an identifier, not a fetch.
    expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/https?:/);
    expect(html).toContain('@media print');
  });

  it('states the verdict with formatted numbers and the ceiling check', () => {
    const s = fixture.selection;
    const t = s.test;
    const verdict = sectionOf(html, 'verdict');
    expect(verdict).toContain(`${t.auc.auc.toFixed(3)}</strong> (95% CI ${t.auc.lower.toFixed(3)}–${t.auc.upper.toFixed(3)}, DeLong)`);
    expect(verdict).toContain(`${t.brier.toFixed(4)} (log loss ${t.logLoss.toFixed(4)})`);
    expect(verdict).toContain(`slope ${t.calibration.slope.toFixed(2)} (ideal 1), intercept ${t.calibration.intercept.toFixed(2)} (ideal 0)`);
    const gap = s.ceilingAuc! - t.auc.auc;
    expect(verdict).toContain(`${s.ceilingAuc!.toFixed(3)} (the true probabilities on the same rows); gap ${gap.toFixed(3)}`);
    expect(verdict).toContain(`within 0.03 of the ceiling: ${gap <= 0.03 ? 'yes' : 'no'}`);
    expect(verdict).toContain(`<strong>logreg</strong> (${escapeHtml(JSON.stringify(s.chosen.params))})`);
  });

  it('computes the ceiling over the test rows that have a true probability, and says how many had none', async () => {
    const { selection, input } = fixture;
    expect(selection.ceilingRowsWithoutTruth).toBe(0);
    // The same run with the truth of three test rows (0, 3, 6) unknown, as a defect leaves it.
    const rng = new Rng(3);
    const n = 300;
    const names = ['x'];
    const values = Float64Array.from({ length: n }, () => rng.normal());
    const trueProbability = values.map((v) => 1 / (1 + Math.exp(-1.5 * v)));
    const y = Uint8Array.from(trueProbability, (p) => (rng.bernoulli(p) ? 1 : 0));
    const testRows = Array.from({ length: n / 3 }, (_, i) => i * 3);
    const run = (tp: Float64Array) => selectAndEvaluate({ X: { rows: n, cols: 1, values, featureNames: names }, y, trueProbability: tp }, { candidates: [{ learner: 'logreg', params: {} }], testRows, folds: 3, seed: 1 });
    const withGaps = Float64Array.from(trueProbability);
    for (const r of [0, 3, 6]) withGaps[r] = Number.NaN;
    const gapped = await run(withGaps);
    expect(gapped.ceilingRowsWithoutTruth).toBe(3);
    const known = testRows.slice(3);
    expect(gapped.ceilingAuc).toBeCloseTo(aucScore(Float64Array.from(known, (r) => trueProbability[r]!), Uint8Array.from(known, (r) => y[r]!)), 12);
    const verdict = sectionOf(renderTrainingReport({ ...input, selection: { ...selection, ceilingAuc: gapped.ceilingAuc, ceilingRowsWithoutTruth: 3 } }), 'verdict');
    expect(verdict).toContain('the same rows but 3 without a true probability');
  });

  it('the ceiling line follows the configured gap, and is absent without a ceiling', () => {
    const loose = renderTrainingReport({ ...fixture.input, limits: { ceilingGap: 0.5 } });
    expect(loose).toContain('within 0.50 of the ceiling: yes');
    const tight = renderTrainingReport({ ...fixture.input, limits: { ceilingGap: 0 } });
    expect(tight).toContain('within 0.00 of the ceiling: no');
    const real = renderTrainingReport({ ...fixture.input, selection: { ...fixture.selection, ceilingAuc: undefined } });
    expect(real).not.toContain('of the ceiling');
  });

  it('lists every candidate with CV AUC, fold spread, CV Brier and seconds, the chosen one marked', () => {
    const body = sectionOf(html, 'candidates');
    const rows = body.match(/<tr(?: class="chosen")?><td>logreg<\/td>/g) ?? [];
    expect(rows).toHaveLength(2);
    expect(body.match(/<tr class="chosen">/g)).toHaveLength(1);
    for (const c of fixture.selection.candidates) {
      expect(body).toContain(`<td>${c.cvAuc.toFixed(3)}</td>`);
      expect(body).toContain(`${Math.min(...c.foldAucs).toFixed(3)}–${Math.max(...c.foldAucs).toFixed(3)}, SD `);
      expect(body).toContain(`<td>${c.cvBrier.toFixed(4)}</td>`);
    }
    const chosenRow = /<tr class="chosen">(.*?)<\/tr>/.exec(body)![1]!;
    expect(chosenRow).toContain(`<td>${fixture.selection.chosen.cvAuc.toFixed(3)}</td>`);
    expect(chosenRow).toContain('chosen</span>');
  });

  it('draws the ROC curve from (0,0) to (1,1) in plot coordinates, with the diagonal and the AUC in the legend', () => {
    const body = sectionOf(html, 'roc');
    const area = plotArea(body);
    const d = /<path class="series" data-series="[^"]*" data-index="0" d="([^"]+)"/.exec(body)![1]!;
    const pts = pathPoints(d);
    expect(pts.length).toBeGreaterThan(20);
    const first = pts[0]!;
    const last = pts[pts.length - 1]!;
    expect(first.x).toBeCloseTo(area.x, 0);
    expect(first.y).toBeCloseTo(area.y + area.height, 0);
    expect(last.x).toBeCloseTo(area.x + area.width, 0);
    expect(last.y).toBeCloseTo(area.y, 0);
    // monotone: a ROC curve never turns back
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i]!.x).toBeGreaterThanOrEqual(pts[i - 1]!.x);
      expect(pts[i]!.y).toBeLessThanOrEqual(pts[i - 1]!.y);
    }
    expect(body).toContain(`readmission-30d 3 (AUC ${fixture.selection.test.auc.auc.toFixed(3)})`);
    expect(body).toContain('chance (AUC 0.5)');
    expect(body).toContain('False-positive rate');
    expect(body).toContain('True-positive rate');
  });

  it('draws one reliability marker per bin, sized by count, with the diagonal and a histogram', () => {
    const body = sectionOf(html, 'calibration');
    const bins = fixture.selection.test.reliability;
    expect(body.match(/<circle /g)).toHaveLength(bins.length + 1); // + the legend swatch
    expect(body).toContain('ideal (predicted = observed)');
    expect(body.match(/class="column"/g)).toHaveLength(20);
    expect(body).toContain(`${bins[0]!.count} rows`);
  });

  it('charts feature importance with the markup-named feature escaped', () => {
    const body = sectionOf(html, 'importance');
    expect(body.match(/<g class="bar">/g)).toHaveLength(4);
    expect(body).toContain(escapeHtml(MARKUP_FEATURE).slice(0, 20));
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;');
  });

  it('shows at most the top 20 features, largest first', () => {
    const names = Array.from({ length: 30 }, (_, i) => `f${i}`);
    const importance = Float64Array.from(names, (_, i) => (i + 1) / 465);
    const out = sectionOf(renderTrainingReport({ ...fixture.input, features: { names, importance } }), 'importance');
    expect(out.match(/<g class="bar">/g)).toHaveLength(20);
    expect(out.indexOf('>f29<')).toBeLessThan(out.indexOf('>f28<'));
    expect(out).not.toContain('>f9<');
    expect(out).toContain('The 20 most important of 30 features');
  });

  it('tabulates the top 5/10/20% lists with precision, recall and lift', () => {
    const body = sectionOf(html, 'top-fractions');
    for (const f of fixture.selection.test.topFractions) {
      expect(body).toContain(`<td>top ${Math.round(f.fraction * 100)}%</td><td>${f.listSize}</td>`);
      expect(body).toContain(`<td>${(f.precision * 100).toFixed(1)}%</td><td>${(f.recall * 100).toFixed(1)}%</td><td>${f.lift.toFixed(2)}×</td>`);
    }
  });

  it('highlights and explains flagged subgroups (institution C under-estimated)', () => {
    const body = sectionOf(html, 'subgroups');
    expect(body).toContain('<h3>sex</h3>');
    expect(body).toContain('<h3>institution</h3>');
    const c = fixture.selection.subgroups.institution!.groups.find((g) => g.key === 'C')!;
    expect(c.flags).toContain('CALIBRATION_IN_THE_LARGE_GAP');
    const row = /<tr class="flagged"><td>C<\/td>(.*?)<\/tr>/.exec(body);
    expect(row).not.toBeNull();
    expect(row![1]).toContain(`under-estimates this group&#39;s risk by ${(c.calibrationInTheLargeGap * 100).toFixed(1)} percentage points more than overall`);
    expect(body).toMatch(/\d+ groups? flagged/);
    // Unflagged groups are not highlighted.
    for (const g of fixture.selection.subgroups.sex!.groups.filter((x) => x.flags.length === 0)) expect(body).toContain(`<tr><td>${g.key}</td>`);
  });

  it('explains a small group as too small rather than flagging it', () => {
    const ev = fixture.selection.subgroups.sex!;
    const small = { ...ev.groups[0]!, key: 'tiny & odd', n: 12, flags: ['TOO_SMALL' as const] };
    const out = renderTrainingReport({ ...fixture.input, selection: { ...fixture.selection, subgroups: { sex: { ...ev, groups: [small] } } } });
    expect(out).toContain('<tr class="muted"><td>tiny &amp; odd</td>');
    expect(out).toContain('fewer than 30 rows: too small to check for gaps');
  });

  it('compares with a champion and recommends in plain words', () => {
    const champion = { name: 'readmission-30d', version: '2', testProbabilities: blurred(fixture.selection.testProbabilities, 1.2, 11) };
    const out = renderTrainingReport({ ...fixture.input, champion });
    const body = sectionOf(out, 'champion');
    const expected = compareWithChampion(fixture.selection.testProbabilities, champion.testProbabilities, fixture.testLabels);
    expect(expected.recommendation).toBe('promote');
    expect(body).toContain('Recommendation: promote readmission-30d 3 to champion.');
    expect(body).toContain(`${expected.auc.difference >= 0 ? '+' : '-'}${Math.abs(expected.auc.difference).toFixed(3)} (95% CI`);
    expect(body).toContain(`-${Math.abs(expected.brierDifference).toFixed(4)} (lower is better)`);
    expect(sectionOf(out, 'verdict')).toContain('promote the new model');
    // The champion's curve is drawn beside the new one.
    expect(sectionOf(out, 'roc')).toContain('data-series="champion readmission-30d 2 (AUC');
    expect(sectionOf(out, 'top-fractions')).toContain('Champion lift');

    // The roles reversed: the blurred model as challenger is not promoted.
    const reversed = renderTrainingReport({ ...fixture.input, testProbabilities: champion.testProbabilities, champion: { name: 'readmission-30d', version: '3', testProbabilities: fixture.selection.testProbabilities } });
    expect(sectionOf(reversed, 'champion')).toContain('Recommendation: keep the champion (readmission-30d 3).');
  });

  it('tables and draws the clinical reference scores beside the chosen model', () => {
    expect(fixture.selection.references).toEqual([]); // the simulated table names no task
    // A points score that knows only age, drawn on the same test rows as the model.
    const ages = rankableScores(Float64Array.from(fixture.testLabels, (_, i) => Math.round(fixture.input.testProbabilities[i]! * 10 + (i % 3))));
    const auc = aucScore(ages, fixture.testLabels);
    const lace = { name: 'lace', citation: 'van Walraven 2010 & co', substitutions: 'none', testAuc: auc, testAucLower: auc - 0.05, testAucUpper: auc + 0.05, testScores: ages };
    const out = renderTrainingReport({ ...fixture.input, selection: { ...fixture.selection, references: [lace] } });
    const table = sectionOf(out, 'candidates');
    expect(table).toContain('Clinical reference scores');
    expect(table).toContain(`<tr><td>lace</td><td>${auc.toFixed(3)}</td><td>${(auc - 0.05).toFixed(3)}–${(auc + 0.05).toFixed(3)}</td><td>van Walraven 2010 &amp; co</td>`);
    expect(table).toContain(`<tr class="chosen"><td>chosen model</td><td>${fixture.selection.test.auc.auc.toFixed(3)}</td>`);
    const roc = sectionOf(out, 'roc');
    const label = `lace points, reference (AUC ${auc.toFixed(3)})`;
    expect(roc).toContain(`data-series="${label}"`);
    const d = new RegExp(`<path class="series" data-series="${label.replace(/[()]/g, '\\$&')}" data-index="\\d+" d="([^"]+)"`).exec(roc)![1]!;
    expect(pathPoints(d).length).toBeGreaterThan(5);
    // Without references the table is left out, not drawn empty.
    expect(sectionOf(html, 'candidates')).not.toContain('Clinical reference scores');
    expect(() => renderTrainingReport({ ...fixture.input, selection: { ...fixture.selection, references: [{ ...lace, testScores: ages.subarray(1) }] } })).toThrow(/reference score lace has/);
  });

  it('escapes model names and fingerprints', () => {
    const out = renderTrainingReport({ ...fixture.input, model: { name: '<b>m</b>', version: '"1"', task: 'a & b' }, dataFingerprint: "<img src='x'>" });
    expect(out).toContain('&lt;b&gt;m&lt;/b&gt; &quot;1&quot;');
    expect(out).toContain('a &amp; b');
    expect(out).not.toContain('<b>m');
    expect(out).not.toContain('<img');
  });

  it('refuses inconsistent lengths with a typed error', () => {
    expect(() => renderTrainingReport({ ...fixture.input, testLabels: fixture.testLabels.subarray(1) })).toThrow(ReportError);
    expect(() => renderTrainingReport({ ...fixture.input, features: { names: ['a'], importance: [0.5, 0.5] } })).toThrow(/1 feature names but 2 importances/);
    expect(() => renderTrainingReport({ ...fixture.input, champion: { name: 'c', version: '1', testProbabilities: [0.5] } })).toThrow(ReportError);
  });

  it('writeTrainingReport writes report.html into the artifact folder, nothing else left behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-test-'));
    try {
      const path = await writeTrainingReport(dir, fixture.input);
      expect(path).toBe(join(dir, REPORT_FILE));
      expect(await readFile(path, 'utf8')).toBe(html);
      expect(await readdir(dir)).toEqual([REPORT_FILE]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
