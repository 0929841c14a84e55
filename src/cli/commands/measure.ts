/**
 * `stratum measure`: run CMS122 or CMS165 over a folder of FHIR R4 Bundles (one or more JSON files)
 * with a ValueSet expansion Bundle, printing each patient's populations and the reasons.
 * I/O lives here; the measure logic is pure (src/performance/measures).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadEnv } from '../../config/env.ts';
import { defaultPolicy, parsePolicy } from '../../config/policy.ts';
import type { Policy } from '../../config/policy.ts';
import { importBundles, loadValueSets } from '../../fhir/index.ts';
import { cms122Evaluator, cms165Evaluator, summarize } from '../../performance/measures/index.ts';
import type { MeasureMode, MeasureResult, PatientRecords } from '../../performance/measures/index.ts';

interface MeasureOptions {
  measure: string;
  fhir: string;
  valuesets: string;
  period: string;
  mode: string;
  json?: boolean;
}

async function readJsonFiles(dir: string): Promise<unknown[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(path.join(dir, n), 'utf8')) as unknown));
}

/** The policy in force: STRATUM_POLICY_FILE overrides, else the documented defaults. */
async function loadPolicyFromEnv(): Promise<Policy> {
  const file = loadEnv().STRATUM_POLICY_FILE;
  return file ? parsePolicy(JSON.parse(await readFile(file, 'utf8')) as unknown) : defaultPolicy();
}

export function register(program: Command): void {
  program
    .command('measure')
    .description('Evaluate an eCQM (CMS122 HbA1c > 9% or CMS165 BP < 140/90) over FHIR R4 patient bundles')
    .requiredOption('--measure <id>', 'cms122 | cms165')
    .requiredOption('--fhir <dir>', 'folder of FHIR Bundle JSON files (patients and their resources)')
    .requiredOption('--valuesets <file>', 'FHIR Bundle of ValueSet expansions (VSAC export, e.g. the deck valuesets.json)')
    .option('--period <year>', 'measurement period: a calendar year', String(new Date().getUTCFullYear()))
    .option('--mode <mode>', 'narrative (the written spec, default) | computable (copy the published CQL where they differ)', 'narrative')
    .option('--json', 'print one JSON object per patient per line: patientId, the four populations (0/1), reasons; problems go to stderr')
    .addHelpText(
      'after',
      `
Populations: initial-population, denominator, denominator-exclusion, numerator (0 or 1 each).
An excluded patient is not evaluated for the numerator (reported 0). CMS122 is inverse: numerator =
poor control (> 9%, no result, or no test). CMS122 rows also carry "hba1c-below-7" (bureau target,
policy control.hba1cUncontrolledPct) and "hba1c-below-8" (HEDIS) on the eligible denominator.
Import problems (resources that could not be mapped) are printed to stderr, never fatal.

Example:
  stratum measure --measure cms165 --fhir ../shared/data/ecqm/CMS165FHIRControllingHighBloodPressure/patients \\
    --valuesets ../shared/data/ecqm/CMS165FHIRControllingHighBloodPressure/valuesets.json --period 2026 --json`,
    )
    .action(async (opts: MeasureOptions) => {
      const measure = opts.measure.toLowerCase();
      if (measure !== 'cms122' && measure !== 'cms165') throw new Error(`--measure must be cms122 or cms165 (got '${opts.measure}')`);
      if (opts.mode !== 'narrative' && opts.mode !== 'computable') throw new Error(`--mode must be narrative or computable (got '${opts.mode}')`);
      const year = Number(opts.period);
      if (!/^\d{4}$/.test(opts.period)) throw new Error(`--period must be a 4-digit year (got '${opts.period}')`);
      const mode = opts.mode as MeasureMode;
      const vs = loadValueSets(JSON.parse(await readFile(opts.valuesets, 'utf8')) as unknown);
      const imported = importBundles(await readJsonFiles(opts.fhir));
      for (const p of [...vs.problems, ...imported.problems].filter((x) => x.severity === 'error'))
        console.error(`import ${p.severity} ${p.code} ${p.resourceType}/${p.resourceId ?? '?'}${p.patientId ? ` (patient ${p.patientId})` : ''}: ${p.message}`);
      const evaluate: (p: PatientRecords) => MeasureResult & { extraRates?: unknown } =
        measure === 'cms122' ? cms122Evaluator(vs.valueSets, year, (await loadPolicyFromEnv()).control, { mode }) : cms165Evaluator(vs.valueSets, year, { mode });
      const results = imported.patients.map(evaluate);
      if (opts.json) {
        for (const r of results) console.log(JSON.stringify({ patientId: r.patientId, ...r.populations, ...(r.extraRates ? (r.extraRates as object) : {}), reasons: r.reasons }));
        return;
      }
      for (const r of results) {
        const p = r.populations;
        console.log(`${r.patientId}  IPP ${p['initial-population']} DENOM ${p.denominator} DENEX ${p['denominator-exclusion']} NUMER ${p.numerator}  ${r.reasons.at(-1) ?? ''}`);
      }
      const s = summarize(results);
      console.log(
        `${measure.toUpperCase()} ${year} (${mode}): IPP ${s.initialPopulation}, denominator ${s.denominator}, exclusions ${s.exclusions}, numerator ${s.numerator}, rate ${s.rate === null ? 'n/a (no eligible patients)' : (s.rate * 100).toFixed(1) + '%'}`,
      );
    });
}
