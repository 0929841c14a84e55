/**
 * `stratum risk-score`: CMS-HCC V24/V28 risk scores for members read as JSON lines on stdin, one
 * JSON line out per member (or an error line naming the input line, field and rule). Streams with
 * bounded memory: output is flushed in small batches and waits for the consumer to drain.
 */
import { createInterface } from 'node:readline';
import { Option, type Command } from 'commander';
import { RiskScoreInputSchema } from '../../../data-contracts/v1/risk-score-input.ts';
import { CMS_MODEL_IDS, defaultCmsDataDir, loadCmsModelTables, type CmsModelId } from '../../riskadjust/cms-tables.ts';
import { CMS_PUBLISHED_PAYMENT_FACTORS, CORPUS_PAYMENT_ADJUSTMENT, type PaymentAdjustment } from '../../riskadjust/cms-payment-factors.ts';
import { paymentScore, publishedFactors } from '../../riskadjust/payment.ts';
import { RiskScorer, type RiskScore } from '../../riskadjust/score.ts';

interface RiskScoreOptions {
  model: CmsModelId;
  cif: number;
  norm: number;
  paymentYear?: number;
  dataDir?: string;
  explain: boolean;
}

const parseNumber = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number from ${min} to ${max}, got "${value}"`);
  return n;
};

/** Lines of output buffered before a write (keeps syscalls few and memory bounded). */
const FLUSH_LINES = 512;

export function register(program: Command): void {
  program
    .command('risk-score')
    .description(
      'Score members with the CMS-HCC model, CMS-compatible (SAS logic). Reads JSON lines on stdin:\n' +
        '  {"id","age","sex":"M"|"F","elig":"CNA|CND|CFA|CFD|CPA|CPD|INS|NE|SNPNE","orec":"0".."3","medicaid":bool,"dx":["E1122",...]}\n' +
        'writes one JSON line per member: {"id","risk_score","risk_score_adj","hccs","contributions","unknown_dx"}\n' +
        '(contributions lists the non-zero coefficients by name). A malformed line yields\n' +
        '{"line":N,"id"?,"errors":[{"field","rule"}]} and the other lines are still scored.',
    )
    .addOption(new Option('--model <model>', 'model to score with').choices([...CMS_MODEL_IDS]).makeOptionMandatory())
    .addOption(new Option('--cif <share>', 'coding-intensity (MA coding-pattern) adjustment: risk_score_adj = raw x (1 - cif) / norm').default(CORPUS_PAYMENT_ADJUSTMENT.codingIntensity).argParser(parseNumber('--cif', 0, 0.99)))
    .addOption(new Option('--norm <factor>', 'normalisation factor the raw score is divided by').default(CORPUS_PAYMENT_ADJUSTMENT.normalization).argParser(parseNumber('--norm', 0.01, 100)))
    .addOption(
      new Option('--payment-year <yyyy>', "use CMS's published normalisation and coding adjustment for this model and payment year instead of --cif/--norm (default: not set)")
        .argParser(parseNumber('--payment-year', 2000, 2100))
        .conflicts(['cif', 'norm']),
    )
    .addOption(new Option('--data-dir <dir>', 'folder with the CMS table files (default: $STRATUM_SHARED_DATA/cms-hcc, i.e. ../shared/data/cms-hcc)'))
    .addOption(new Option('--explain', 'add "explanation": every scored term with the categories and dx codes behind it').default(false))
    .action(async (options: RiskScoreOptions) => {
      const adjustment = chooseAdjustment(options);
      const tables = await loadCmsModelTables(options.model, options.dataDir ?? defaultCmsDataDir());
      const scorer = RiskScorer.fromTables(tables);
      await scoreStream(scorer, adjustment, options.explain);
    });
}

function chooseAdjustment(options: RiskScoreOptions): PaymentAdjustment {
  if (options.paymentYear === undefined) return { codingIntensity: options.cif, normalization: options.norm };
  const factors = publishedFactors(CMS_PUBLISHED_PAYMENT_FACTORS, options.model, options.paymentYear);
  if (!factors.confirmed) console.error(`stratum risk-score: warning: ${options.model} ${options.paymentYear} normalisation ${factors.normalization} is unconfirmed (${factors.source})`);
  return factors;
}

/** The output line of one scored member. */
export function formatScoreLine(id: string | number, score: RiskScore, adjustment: PaymentAdjustment, explain: boolean): string {
  const contributions: Record<string, number> = {};
  for (const c of score.contributions) if (c.coefficient !== 0) contributions[c.coefficientName] = c.coefficient;
  const line: Record<string, unknown> = {
    id,
    risk_score: score.rawScore,
    risk_score_adj: paymentScore(score.rawScore, adjustment),
    hccs: score.categories.map((n) => `HCC${n}`),
    contributions,
    unknown_dx: score.unknownDx,
  };
  if (explain) line['explanation'] = { contributions: score.contributions, applied_edits: score.appliedEdits, suppressed: score.suppressed };
  return JSON.stringify(line);
}

/** The error line for an input line that cannot be scored. */
function errorLine(lineNumber: number, id: unknown, errors: { field: string; rule: string }[]): string {
  const out: Record<string, unknown> = { line: lineNumber };
  if (typeof id === 'string' || typeof id === 'number') out['id'] = id;
  out['errors'] = errors;
  return JSON.stringify(out);
}

async function scoreStream(scorer: RiskScorer, adjustment: PaymentAdjustment, explain: boolean): Promise<void> {
  const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out = process.stdout;
  let buffer: string[] = [];
  const flush = async () => {
    if (buffer.length === 0) return;
    const ok = out.write(buffer.join('\n') + '\n');
    buffer = [];
    if (!ok) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  let lineNumber = 0;
  for await (const text of input) {
    lineNumber++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      buffer.push(errorLine(lineNumber, undefined, [{ field: '(line)', rule: 'must be one JSON object' }]));
      continue;
    }
    const parsed = RiskScoreInputSchema.safeParse(value);
    if (!parsed.success) {
      const id = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['id'] : undefined;
      buffer.push(errorLine(lineNumber, id, parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(line)', rule: i.message }))));
    } else {
      const m = parsed.data;
      const score = scorer.score({ age: m.age, sex: m.sex, segment: m.elig, orec: m.orec, medicaid: m.medicaid, dx: m.dx });
      buffer.push(formatScoreLine(m.id, score, adjustment, explain));
    }
    if (buffer.length >= FLUSH_LINES) await flush();
  }
  await flush();
}
