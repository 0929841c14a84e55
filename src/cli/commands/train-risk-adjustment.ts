/**
 * `stratum train risk-adjustment`: fits the bureau's own risk-adjustment model (issue 5 item 3)
 * from a population's CSVs and writes it as a new model version with its manifest, then prints
 * R-squared and the predictive-ratio tables (fit year, and the next year out of time when its
 * costs are in the data). The `train` parent is shared: it is created here only if another
 * module has not created it already.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { evaluationReport } from '../../../training/risk-adjustment/report.ts';
import { MIN_INSTITUTION_MEMBERS, trainRiskAdjustment } from '../../../training/risk-adjustment/train.ts';
import { progressBar, type Progress } from '../progress.ts';

interface TrainRiskAdjustmentOptions {
  from: string;
  fitYear: number;
  out: string;
  version?: number;
  categories?: string;
}

const integer = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
};

export function register(program: Command): void {
  const train = program.commands.find((c) => c.name() === 'train') ?? program.command('train').description('Fit models from data and write them as model versions.');
  train
    .command('risk-adjustment')
    .description(
      "Fit the bureau's risk-adjustment model: next year's cost on this year's age band x sex and " +
        'categories (models/risk-adjustment/categories-v1.json), coefficients >= 0 and monotone within each ' +
        'hierarchy, normalised to a mean score of 1.0 in the fit year. Reads member.csv, condition.csv, ' +
        'claim_cost.csv and signup.csv from --from; writes <out>/<version>/tables.json and manifest.json.',
    )
    .requiredOption('--from <dir>', 'folder with the population CSVs (e.g. the output of `stratum generate`)')
    .addOption(new Option('--fit-year <yyyy>', 'diagnoses and demographics of this year, cost of the next').argParser(integer('--fit-year', 2000, 2100)).makeOptionMandatory())
    .addOption(new Option('--out <dir>', 'model versions folder').default('models/risk-adjustment'))
    .addOption(new Option('--version <n>', 'version number to write (default: one more than the highest present)').argParser(integer('--version', 1, 1_000_000)))
    .addOption(new Option('--categories <file>', 'categories file (default: <out>/categories-v1.json)'))
    .action(async (options: TrainRiskAdjustmentOptions) => {
      let bar: Progress | undefined;
      const result = await trainRiskAdjustment({
        from: resolve(options.from),
        fitYear: options.fitYear,
        out: resolve(options.out),
        ...(options.version !== undefined ? { version: options.version } : {}),
        ...(options.categories ? { categoriesFile: resolve(options.categories) } : {}),
        onStage: (stage) => {
          bar?.stop();
          bar = undefined;
          process.stderr.write(`${stage}\n`);
        },
        onProgress: (done, total) => {
          bar ??= progressBar('fitting', total, 'member-years');
          bar.update(done);
        },
      });
      bar?.stop();
      const lines = [
        `wrote ${result.dir} (${result.manifest.id}; training data ${result.manifest.trainingData.fingerprint.slice(0, 12)})`,
        `score 1.0 = ${result.fitted.costPerScore.toFixed(2)} CNY per member-year in ${options.fitYear + 1}`,
        ...evaluationReport(`fit ${options.fitYear} -> ${options.fitYear + 1}`, result.fitted.evaluation, MIN_INSTITUTION_MEMBERS),
        ...(result.outOfTime ? evaluationReport(`out of time ${options.fitYear + 1} -> ${options.fitYear + 2}`, result.outOfTime, MIN_INSTITUTION_MEMBERS) : [`(no claims in ${options.fitYear + 2}: no out-of-time check)`]),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
