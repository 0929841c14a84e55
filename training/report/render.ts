/**
 * The HTML report every training run writes beside its artifact (STYLE.md convention 8: a model
 * version carries its validation scores): one self-contained file, inline CSS and inline SVG only,
 * no script and no external asset (the machines are offline), readable on screen and on paper.
 * A pure function of the run's results; writing the file is the caller's job.
 */
import { evaluateBinary, type BinaryEvaluation } from '../../src/models/evaluation/metrics.ts';
import type { SubgroupEvaluation, SubgroupFlag, SubgroupResult } from '../../src/models/evaluation/subgroups.ts';
import type { CandidateResult, SelectionResult } from '../select.ts';
import { compareWithChampion, DEFAULT_PROMOTION_RULE, type ChampionComparison, type PromotionRule } from './compare.ts';
import { predictionHistogram, rocCurve, thinCurve } from './curves.ts';
import { ReportError } from './errors.ts';
import { escapeHtml as e } from './escape.ts';
import { columnChart, horizontalBarChart, linePlot, niceCeiling, scatterPlot, type LineSeries, type Margin } from './svg.ts';

/** What the report needs of a selection run (a whole `SelectionResult` fits). */
export type ReportSelection = Omit<SelectionResult, 'model' | 'testProbabilities'>;

/** The current champion, scored on the same test rows as the new model. */
export interface ChampionInput {
  name: string;
  version: string;
  testProbabilities: ArrayLike<number>;
  /** Its test metrics; computed from the probabilities when left out. */
  test?: BinaryEvaluation;
}

export interface ReportLimits {
  /** "Within reach of the ceiling" means ceiling AUC - test AUC at most this (Stratum issue 3: 0.03). */
  ceilingGap: number;
  promotion: PromotionRule;
  /** Features shown in the importance chart. */
  topFeatures: number;
}

export const DEFAULT_REPORT_LIMITS: ReportLimits = { ceilingGap: 0.03, promotion: DEFAULT_PROMOTION_RULE, topFeatures: 20 };

export interface TrainingReportInput {
  model: { name: string; version: string; task: string };
  /** Creation time of the artifact (ISO 8601 or a Date). */
  createdAt: string | Date;
  /** Fingerprint of the training data (as in the manifest). */
  dataFingerprint: string;
  features: { names: readonly string[]; importance: ArrayLike<number> };
  selection: ReportSelection;
  /** Outcomes of the test rows, in the order of `testProbabilities`. */
  testLabels: ArrayLike<number>;
  /** The chosen calibrated model's probabilities on the test rows. */
  testProbabilities: ArrayLike<number>;
  champion?: ChampionInput;
  limits?: Partial<ReportLimits>;
}

const CHOSEN_COLOR = '#1f5fa8';
const CHAMPION_COLOR = '#c0502a';
const REFERENCE_COLOR = '#888888';
/** Clinical reference scores (LACE, Framingham points), told apart from the chance line by colour and dash. */
const CLINICAL_REFERENCE_STYLES = [
  { color: '#3c8c4a', dash: '2 4' },
  { color: '#8a5aa8', dash: '10 3 2 3' },
] as const;

/** Fixed decimals, or "n/a" for a missing or undefined figure. */
export function fmt(x: number | null | undefined, digits: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}
/** A share as a percentage. */
export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(digits)}%`;
}
/** Fixed decimals with an explicit sign, for differences. */
export function signed(x: number | null | undefined, digits: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(digits)}`;
}
const int = (x: number) => x.toLocaleString('en-US');
/** A difference of two rates in percentage points. */
const points = (x: number) => `${fmt(x * 100, 1)} percentage points`;
const pValue = (p: number) => (Number.isFinite(p) && p < 0.001 ? '< 0.001' : fmt(p, 3));
const seconds = (s: number) => fmt(s, s < 10 ? 2 : 1);
const paramsText = (params: Record<string, unknown>) => (Object.keys(params).length === 0 ? 'defaults' : JSON.stringify(params));
const sameCandidate = (a: CandidateResult, b: CandidateResult) => a.learner === b.learner && paramsText(a.params) === paramsText(b.params) && a.cvAuc === b.cvAuc;

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${e(title)}</h2>${body}</section>`;
}

function table(head: readonly string[], rows: readonly { cells: readonly string[]; className?: string }[], className = ''): string {
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const tr = rows.map((r) => `<tr${r.className ? ` class="${r.className}"` : ''}>${r.cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('');
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

function verdict(input: TrainingReportInput, limits: ReportLimits, comparison: ChampionComparison | null): string {
  const s = input.selection;
  const t = s.test;
  const cal = t.calibration;
  const rows: [string, string][] = [
    ['Chosen learner', `<strong>${e(s.chosen.learner)}</strong> (${e(paramsText(s.chosen.params))}), calibration: ${e(s.calibration.method)}`],
    ['Test AUC', `<strong class="big">${fmt(t.auc.auc, 3)}</strong> (${Math.round(t.auc.level * 100)}% CI ${fmt(t.auc.lower, 3)}–${fmt(t.auc.upper, 3)}, DeLong)`],
    ['Brier score', `${fmt(t.brier, 4)} (log loss ${fmt(t.logLoss, 4)})`],
    ['Calibration', `slope ${fmt(cal.slope, 2)} (ideal 1), intercept ${fmt(cal.intercept, 2)} (ideal 0)${cal.converged ? '' : ' — the recalibration fit did not converge; read with care'}`],
    ['Test rows', `${int(t.n)} (${int(t.positives)} events, prevalence ${pct(t.prevalence)}); trained on ${int(s.trainRows)} rows`],
  ];
  if (s.ceilingAuc !== undefined && Number.isFinite(s.ceilingAuc)) {
    const gap = s.ceilingAuc - t.auc.auc;
    const within = gap <= limits.ceilingGap;
    const without = s.ceilingRowsWithoutTruth ?? 0;
    const rowsText = without > 0 ? `the same rows but ${int(without)} without a true probability` : 'the same rows';
    rows.push(['Ceiling AUC', `${fmt(s.ceilingAuc, 3)} (the true probabilities on ${rowsText}); gap ${fmt(gap, 3)}`]);
    rows.push([
      'Ceiling check',
      `<span class="${within ? 'ok' : 'bad'}">within ${fmt(limits.ceilingGap, 2)} of the ceiling: ${within ? 'yes' : 'no'}</span>`,
    ]);
  }
  if (comparison && input.champion) {
    const word = comparison.recommendation === 'promote' ? 'promote the new model' : 'keep the champion';
    rows.push(['Against the champion', `<span class="${comparison.recommendation === 'promote' ? 'ok' : 'bad'}">${e(word)}</span> (${e(input.champion.name)} ${e(input.champion.version)}; see below)`]);
  }
  const dl = rows.map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${v}</td></tr>`).join('');
  return `<section id="verdict"><h2>Verdict</h2><table class="verdict">${dl}</table></section>`;
}

function candidatesSection(s: ReportSelection): string {
  const head = ['Learner', 'Parameters', 'CV AUC', 'Fold AUCs (min–max, SD)', 'CV Brier', 'CV seconds', ''];
  const rows = s.candidates.map((c) => {
    const folds = c.foldAucs;
    const mean = folds.reduce((a, b) => a + b, 0) / Math.max(1, folds.length);
    const sd = folds.length > 1 ? Math.sqrt(folds.reduce((a, b) => a + (b - mean) ** 2, 0) / (folds.length - 1)) : NaN;
    const chosen = sameCandidate(c, s.chosen);
    return {
      className: chosen ? 'chosen' : undefined,
      cells: [
        e(c.learner),
        `<code>${e(paramsText(c.params))}</code>`,
        fmt(c.cvAuc, 3),
        folds.length > 0 ? `${fmt(Math.min(...folds), 3)}–${fmt(Math.max(...folds), 3)}, SD ${fmt(sd, 3)}` : 'n/a',
        fmt(c.cvBrier, 4),
        seconds(c.cvSeconds),
        chosen ? '<span class="badge">chosen</span>' : '',
      ],
    };
  });
  const cal = Object.entries(s.calibration.cvBrier)
    .map(([method, brier]) => `${e(method)} ${fmt(brier, 4)}`)
    .join(', ');
  let body =
    `<p>Every candidate was cross-validated on the training rows only; the highest out-of-fold AUC wins. The test rows were scored once, by the chosen model.</p>` +
    table(head, rows, 'numbers') +
    `<p>Calibration: <strong>${e(s.calibration.method)}</strong>${cal ? ` (cross-validated Brier of the out-of-fold predictions: ${cal})` : ' (set by the run, not chosen)'}. Final fit took ${seconds(s.fitSeconds)} s.</p>`;
  if (s.candidateTest && s.candidateTest.length > 0) {
    body +=
      '<p>Test figures of every learner refitted on all training rows, for comparison only (not used to choose):</p>' +
      table(
        ['Learner', 'Test AUC', 'Test Brier'],
        s.candidateTest.map((c) => ({ cells: [e(c.learner), fmt(c.auc, 3), fmt(c.brier, 4)] })),
        'numbers',
      );
  }
  body += referencesTable(s);
  return section('candidates', 'Candidates', body);
}

/** The published clinical scores on the same test rows (Stratum issue 3: a reference row in every evaluation). */
function referencesTable(s: ReportSelection): string {
  if (s.references.length === 0) return '';
  const rows = [
    { cells: ['chosen model', fmt(s.test.auc.auc, 3), `${fmt(s.test.auc.lower, 3)}–${fmt(s.test.auc.upper, 3)}`, 'trained here', ''], className: 'chosen' },
    ...s.references.map((r) => ({ cells: [e(r.name), fmt(r.testAuc, 3), `${fmt(r.testAucLower, 3)}–${fmt(r.testAucUpper, 3)}`, e(r.citation), e(r.substitutions)] })),
  ];
  return (
    '<p>Clinical reference scores: published points computed from the same features on the same test rows, fitted on nothing. A model that cannot beat them adds no value over the score a clinician already knows.</p>' +
    table(['Score', 'Test AUC', '95% interval', 'Source', 'Inputs substituted'], rows, 'numbers')
  );
}

function rocSection(input: TrainingReportInput): string {
  const t = input.selection.test;
  const lines: LineSeries[] = [
    { label: `${input.model.name} ${input.model.version} (AUC ${fmt(t.auc.auc, 3)})`, points: thinCurve(rocCurve(input.testProbabilities, input.testLabels)), color: CHOSEN_COLOR },
  ];
  if (input.champion) {
    const auc = input.champion.test?.auc.auc ?? NaN;
    const label = `champion ${input.champion.name} ${input.champion.version} (AUC ${fmt(Number.isFinite(auc) ? auc : null, 3)})`;
    lines.push({ label, points: thinCurve(rocCurve(input.champion.testProbabilities, input.testLabels)), color: CHAMPION_COLOR, dash: '7 4' });
  }
  input.selection.references.forEach((r, i) => {
    const style = CLINICAL_REFERENCE_STYLES[i % CLINICAL_REFERENCE_STYLES.length]!;
    lines.push({ label: `${r.name} points, reference (AUC ${fmt(r.testAuc, 3)})`, points: thinCurve(rocCurve(r.testScores, input.testLabels)), ...style });
  });
  lines.push({ label: 'chance (AUC 0.5)', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }], color: REFERENCE_COLOR, dash: '3 3' });
  const svg = linePlot({
    title: 'ROC curve on the test rows',
    width: 520,
    height: 440,
    x: { label: 'False-positive rate (1 − specificity)', domain: [0, 1] },
    y: { label: 'True-positive rate (sensitivity)', domain: [0, 1] },
    lines,
    legend: 'bottom-right',
  });
  return section('roc', 'ROC curve', `<figure>${svg}<figcaption>Each point is a threshold on predicted risk; the area under the curve is the chance that a random member with the event is ranked above one without.</figcaption></figure>`);
}

function calibrationSection(input: TrainingReportInput): string {
  const t = input.selection.test;
  const bins = t.reliability;
  const maxCount = Math.max(1, ...bins.map((b) => b.count));
  let maxP = 0;
  for (let i = 0; i < input.testProbabilities.length; i++) maxP = Math.max(maxP, input.testProbabilities[i]!);
  // Zoom to the range the predictions and observed rates occupy: most risks are small, and a
  // [0, 1] square would crush them into one corner.
  const upper = Math.min(1, niceCeiling(Math.max(maxP, ...bins.map((b) => Math.max(b.meanPredicted, b.observedRate))) * 1.05));
  const margin: Margin = { top: 12, right: 16, bottom: 44, left: 64 };
  const plot = scatterPlot({
    title: 'Reliability diagram: mean predicted risk against observed event rate per bin',
    width: 520,
    height: 400,
    margin,
    x: { label: 'Mean predicted risk', domain: [0, upper] },
    y: { label: 'Observed event rate', domain: [0, upper] },
    lines: [{ label: 'ideal (predicted = observed)', points: [{ x: 0, y: 0 }, { x: upper, y: upper }], color: REFERENCE_COLOR, dash: '3 3' }],
    markers: [
      {
        label: 'bin (area ∝ rows)',
        color: CHOSEN_COLOR,
        points: bins.map((b) => ({
          x: b.meanPredicted,
          y: b.observedRate,
          r: 3 + 9 * Math.sqrt(b.count / maxCount),
          title: `predicted ${fmt(b.meanPredicted, 3)}, observed ${fmt(b.observedRate, 3)}, ${b.count} rows`,
        })),
      },
    ],
    legend: 'top-left',
  });
  const hist = columnChart({
    title: 'Histogram of predicted risk on the test rows',
    width: 520,
    height: 130,
    margin: { top: 8, right: margin.right, bottom: 40, left: margin.left },
    columns: predictionHistogram(input.testProbabilities, 20, upper),
    x: { label: 'Predicted risk', domain: [0, upper] },
    yLabel: 'Rows',
    color: '#7f9cc4',
  });
  const cal = t.calibration;
  const reading =
    cal.slope < 0.9 ? 'the predictions are too extreme (slope below 1: high risks overstated, low risks understated)' : cal.slope > 1.1 ? 'the predictions are too timid (slope above 1: risks pulled towards the mean)' : 'the spread of the predictions is about right (slope near 1)';
  const rowsTable = table(
    ['Bin', 'Rows', 'Mean predicted', 'Observed'],
    bins.map((b, i) => ({ cells: [`${i + 1} (${fmt(b.lower, 3)}–${fmt(b.upper, 3)})`, int(b.count), fmt(b.meanPredicted, 3), fmt(b.observedRate, 3)] })),
    'numbers compact',
  );
  return section(
    'calibration',
    'Calibration',
    `<div class="figure-pair"><figure>${plot}${hist}<figcaption>Points on the dashed diagonal are perfectly calibrated; the histogram shows where the predictions lie.</figcaption></figure>${rowsTable}</div>` +
      `<p>Calibration slope ${fmt(cal.slope, 2)}, intercept ${fmt(cal.intercept, 2)}, calibration-in-the-large ${fmt(cal.calibrationInTheLarge, 2)} (logit scale; ideal 0): ${e(reading)}. Mean predicted risk ${pct(cal.meanPredicted)} against an observed rate of ${pct(cal.observedRate)}.</p>`,
  );
}

function importanceSection(input: TrainingReportInput, limits: ReportLimits): string {
  const { names, importance } = input.features;
  if (names.length !== importance.length) throw new ReportError('LENGTH_MISMATCH', `${names.length} feature names but ${importance.length} importances`);
  const all = names.map((label, i) => ({ label, value: Number.isFinite(importance[i]!) ? importance[i]! : 0 }));
  const top = all
    .filter((b) => b.value > 0)
    .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label))
    .slice(0, limits.topFeatures);
  if (top.length === 0) return section('importance', 'Feature importance', `<p>The model reports no positive importance for any of its ${int(names.length)} features.</p>`);
  const svg = horizontalBarChart({ title: `Top ${top.length} features by importance`, bars: top, width: 640, valueLabel: 'Relative importance (sums to 1 over all features)', color: CHOSEN_COLOR, format: (v) => v.toFixed(3) });
  return section('importance', 'Feature importance', `<p>The ${top.length} most important of ${int(names.length)} features, as the learner reports them.</p><figure>${svg}</figure>`);
}

function topFractionSection(input: TrainingReportInput, champion: BinaryEvaluation | null): string {
  const t = input.selection.test;
  const head = ['List', 'Members on list', 'Lowest risk on list', 'Events on list', 'Precision', 'Recall', 'Lift'];
  if (champion) head.push('Champion precision', 'Champion recall', 'Champion lift');
  const rows = t.topFractions.map((f) => {
    const cells = [`top ${pct(f.fraction, 0)}`, int(f.listSize), fmt(f.threshold, 3), int(f.positivesOnList), pct(f.precision), pct(f.recall), `${fmt(f.lift, 2)}×`];
    const c = champion?.topFractions.find((g) => g.fraction === f.fraction);
    if (champion) cells.push(c ? pct(c.precision) : 'n/a', c ? pct(c.recall) : 'n/a', c ? `${fmt(c.lift, 2)}×` : 'n/a');
    return { cells };
  });
  return section(
    'top-fractions',
    'Follow-up lists',
    `<p>A clinic works down a list of its highest-risk members. Precision: share of the list who have the event; recall: share of all events the list catches; lift: how many times richer in events the list is than the population (prevalence ${pct(t.prevalence)}).</p>` +
      table(head, rows, 'numbers'),
  );
}

const FLAG_CLASS: Record<SubgroupFlag, string> = { AUC_GAP: 'flagged', CALIBRATION_IN_THE_LARGE_GAP: 'flagged', TOO_SMALL: 'muted', SINGLE_CLASS: 'muted' };

/** The plain-words explanation of one flag on one subgroup. */
export function explainFlag(flag: SubgroupFlag, g: SubgroupResult, limits: SubgroupEvaluation['limits']): string {
  switch (flag) {
    case 'AUC_GAP':
      return `ranks this group ${g.aucGap! < 0 ? 'worse' : 'better'} than overall: AUC ${signed(g.aucGap, 3)} (limit ±${fmt(limits.aucGap, 2)})`;
    case 'CALIBRATION_IN_THE_LARGE_GAP':
      return `${g.calibrationInTheLargeGap > 0 ? 'under-estimates' : 'over-estimates'} this group's risk by ${points(Math.abs(g.calibrationInTheLargeGap))} more than overall (limit ${points(limits.calibrationInTheLargeGap)})`;
    case 'TOO_SMALL':
      return `fewer than ${limits.minRows} rows: too small to check for gaps`;
    case 'SINGLE_CLASS':
      return 'only one outcome in this group: AUC undefined';
  }
}

function subgroupSection(input: TrainingReportInput): string {
  const entries = Object.entries(input.selection.subgroups);
  if (entries.length === 0) return section('subgroups', 'Subgroups', '<p>No subgroup keys were given for this run.</p>');
  let flaggedCount = 0;
  const parts = entries.map(([name, ev]) => {
    const rows = ev.groups.map((g) => {
      const serious = g.flags.filter((f) => FLAG_CLASS[f] === 'flagged');
      flaggedCount += serious.length > 0 ? 1 : 0;
      const note = g.flags.map((f) => `<span class="${FLAG_CLASS[f]}-note">${serious.includes(f) ? '⚠ ' : ''}${e(explainFlag(f, g, ev.limits))}</span>`).join('<br>');
      return {
        className: serious.length > 0 ? 'flagged' : g.flags.length > 0 ? 'muted' : undefined,
        cells: [
          e(g.key),
          int(g.n),
          int(g.positives),
          pct(g.observedRate),
          pct(g.meanPredicted),
          signed(g.calibrationInTheLarge * 100, 1) + ' pts',
          g.auc === null ? 'n/a' : `${fmt(g.auc, 3)}${g.aucLower !== null ? ` (${fmt(g.aucLower, 3)}–${fmt(g.aucUpper, 3)})` : ''}`,
          signed(g.aucGap, 3),
          note || 'ok',
        ],
      };
    });
    const o = ev.overall;
    rows.push({
      className: 'overall',
      cells: ['all', int(o.n), int(o.positives), pct(o.observedRate), pct(o.meanPredicted), signed(o.calibrationInTheLarge * 100, 1) + ' pts', o.auc === null ? 'n/a' : fmt(o.auc, 3), '', ''],
    });
    return `<h3>${e(name)}</h3>` + table(['Group', 'Rows', 'Events', 'Observed', 'Mean predicted', 'Observed − predicted', 'AUC (95% CI)', 'AUC gap', 'Flags'], rows, 'numbers subgroups');
  });
  const limits = entries[0]![1].limits;
  const intro =
    `<p>The same figures per group. A model that ranks one group poorly, or under-estimates its risk, moves money and follow-up unfairly between institutions (DOMAIN.md: rates that move money are risk-standardised), so gaps are flagged, never averaged away: ` +
    `an AUC more than ${fmt(limits.aucGap, 2)} from the overall AUC, or an observed-minus-predicted rate more than ${points(limits.calibrationInTheLargeGap)} away from the overall one; groups under ${limits.minRows} rows are not checked.</p>` +
    `<p class="${flaggedCount > 0 ? 'bad' : 'ok'}">${flaggedCount > 0 ? `${flaggedCount} group${flaggedCount === 1 ? '' : 's'} flagged (highlighted below).` : 'No group flagged.'}</p>`;
  return section('subgroups', 'Subgroups', intro + parts.join(''));
}

function championSection(input: TrainingReportInput, champion: ChampionInput, championTest: BinaryEvaluation, comparison: ChampionComparison): string {
  const t = input.selection.test;
  const a = comparison.auc;
  const rows = [
    { cells: ['AUC', fmt(t.auc.auc, 3), fmt(championTest.auc.auc, 3), `${signed(a.difference, 3)} (95% CI ${signed(a.lower, 3)} to ${signed(a.upper, 3)}, paired DeLong p ${pValue(a.pValue)})`] },
    { cells: ['Brier score', fmt(t.brier, 4), fmt(championTest.brier, 4), `${signed(comparison.brierDifference, 4)} (lower is better)`] },
    { cells: ['Calibration slope', fmt(t.calibration.slope, 2), fmt(championTest.calibration.slope, 2), signed(t.calibration.slope - championTest.calibration.slope, 2)] },
    { cells: ['Log loss', fmt(t.logLoss, 4), fmt(championTest.logLoss, 4), signed(t.logLoss - championTest.logLoss, 4)] },
  ];
  const promote = comparison.recommendation === 'promote';
  const headline = promote
    ? `Recommendation: promote ${input.model.name} ${input.model.version} to champion.`
    : `Recommendation: keep the champion (${champion.name} ${champion.version}).`;
  return section(
    'champion',
    'Against the champion',
    `<p>Both models scored on the same ${int(t.n)} test rows.</p>` +
      table(['Measure', `New: ${e(input.model.name)} ${e(input.model.version)}`, `Champion: ${e(champion.name)} ${e(champion.version)}`, 'Difference (new − champion)'], rows, 'numbers') +
      `<p class="recommendation ${promote ? 'ok' : 'bad'}"><strong>${e(headline)}</strong> ${e(comparison.reason)}</p>`,
  );
}

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a1a1a; max-width: 1080px; margin: 24px auto; padding: 0 20px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header .meta { color: #555; margin: 0; }
header .meta code { word-break: break-all; }
h2 { font-size: 18px; border-bottom: 2px solid #1f5fa8; padding-bottom: 3px; margin-top: 28px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
section { break-inside: avoid-page; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: #eef2f7; }
table.numbers td:not(:first-child) { font-variant-numeric: tabular-nums; }
table.compact td, table.compact th { padding: 1px 6px; font-size: 12px; }
table.verdict th { background: #f5f5f5; width: 190px; }
.big { font-size: 20px; }
tr.chosen { font-weight: 600; background: #e8f0fb; }
.badge { background: #1f5fa8; color: #fff; border-radius: 3px; padding: 0 6px; font-size: 12px; }
tr.flagged { background: #fde2e1; }
tr.flagged td:first-child { border-left: 4px solid #c0392b; }
tr.muted { color: #777; }
tr.overall { font-weight: 600; background: #f5f5f5; }
.flagged-note { color: #a02820; font-weight: 600; }
.ok { color: #1d6b34; font-weight: 600; }
.bad { color: #a02820; font-weight: 600; }
.recommendation { font-size: 15px; padding: 8px 12px; border: 1px solid currentColor; border-radius: 4px; }
figure { margin: 8px 0; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 12px; max-width: 520px; }
.figure-pair { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
footer { margin-top: 32px; color: #777; font-size: 12px; }
@page { margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid-page; }
  tr, figure { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

/**
 * Renders the report as one self-contained HTML document. Every text taken from the input is
 * escaped.
 * @throws ReportError LENGTH_MISMATCH when labels, probabilities, feature names and importances disagree in length.
 */
export function renderTrainingReport(input: TrainingReportInput): string {
  const limits: ReportLimits = { ...DEFAULT_REPORT_LIMITS, ...input.limits };
  const n = input.testLabels.length;
  if (input.testProbabilities.length !== n) throw new ReportError('LENGTH_MISMATCH', `${input.testProbabilities.length} test probabilities but ${n} test labels`);
  for (const r of input.selection.references)
    if (r.testScores.length !== n) throw new ReportError('LENGTH_MISMATCH', `reference score ${r.name} has ${r.testScores.length} test scores but there are ${n} test labels`);
  let champion: ChampionInput | undefined;
  let championTest: BinaryEvaluation | null = null;
  let comparison: ChampionComparison | null = null;
  if (input.champion) {
    if (input.champion.testProbabilities.length !== n) throw new ReportError('LENGTH_MISMATCH', `champion has ${input.champion.testProbabilities.length} test probabilities but there are ${n} test labels`);
    championTest = input.champion.test ?? evaluateBinary(input.champion.testProbabilities, input.testLabels);
    champion = { ...input.champion, test: championTest };
    comparison = compareWithChampion(input.testProbabilities, champion.testProbabilities, input.testLabels, limits.promotion);
  }
  const withChampion: TrainingReportInput = { ...input, champion };
  const created = input.createdAt instanceof Date ? input.createdAt.toISOString() : input.createdAt;
  const m = input.model;
  const title = `Training report: ${m.name} ${m.version}`;
  const body = [
    `<header><h1>${e(title)}</h1><p class="meta">Task: <strong>${e(m.task)}</strong> · created ${e(created)} · training data fingerprint <code>${e(input.dataFingerprint)}</code></p></header>`,
    verdict(withChampion, limits, comparison),
    candidatesSection(input.selection),
    rocSection(withChampion),
    calibrationSection(input),
    importanceSection(input, limits),
    topFractionSection(input, championTest),
    subgroupSection(input),
    champion && championTest && comparison ? championSection(input, champion, championTest, comparison) : '',
    `<footer>Generated by Stratum training. Figures on the test rows unless marked CV (cross-validated on the training rows).</footer>`,
  ].join('\n');
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(title)}</title><style>${CSS}</style></head><body>\n${body}\n</body></html>\n`;
}
