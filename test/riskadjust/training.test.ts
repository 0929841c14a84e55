/**
 * The training edge: the population reader's member-year rules (one fixture member per rule),
 * the model-version writer (save-reload equality, immutability, checksum), and
 * `stratum train risk-adjustment` end to end on a small generated population.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { writePopulation } from '../../src/generator/population-files.ts';
import { bureauModelTables, parseBureauDefinition } from '../../src/riskadjust/fit/bureau-definition.ts';
import { fitRiskModel } from '../../src/riskadjust/fit/fit.ts';
import { RiskScorer } from '../../src/riskadjust/score.ts';
import { ModelVersionError, readRiskModelVersion, writeRiskModelVersion } from '../../src/riskadjust/model-version.ts';
import { ageOn, enrolledMonths, fingerprintPopulation, memberYears, readPopulation } from '../../training/risk-adjustment/population.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CATEGORIES_FILE = join(ROOT, 'models/risk-adjustment/categories-v1.json');
const definition = parseBureauDefinition(JSON.parse(readFileSync(CATEGORIES_FILE, 'utf8')));

/** A hand-written population: one member per rule of `memberYears`. */
function fixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stratum-riskadjust-fixture-'));
  writeFileSync(
    join(dir, 'member.csv'),
    [
      'member_id,birth_date,sex,region,insurance_scheme,enrolled_from,enrolled_to,deceased_date',
      'M1,1960-06-15,F,R,UEBMI,2010-01-01,,', // whole years; age 63 on 2024-01-01
      'M2,1950-01-01,M,R,UEBMI,2010-01-01,,2025-03-10', // dies in March: 3 months of 2025
      'M3,1970-01-01,M,R,UEBMI,2025-02-01,,', // joins after the feature year: no row
      'M4,1980-01-01,F,R,URRBMI,2010-01-01,2024-12-31,', // leaves before the payment year: no row
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'condition.csv'),
    [
      'condition_id,member_id,code_system,code,onset_date,abatement_date,verification_status,clinical_status,source,encounter_id,recorded_date',
      'C1,M1,ICD-10-CN,I10,2019-01-01,,confirmed,active,problem-list,,',
      'C2,M1,ICD-10-CN,E11.9,2025-01-05,,confirmed,active,problem-list,,', // onset after the feature year
      'C3,M1,ICD-10-CN,J44.9,2018-01-01,2023-06-01,confirmed,resolved,problem-list,,', // abated before it
      'C4,M1,ICD-10-CN,I50.9,2024-12-31,,refuted,active,problem-list,,', // refuted
      'C5,M1,SNOMED-CT,38341003,2019-01-01,,confirmed,active,problem-list,,', // other code system
      'C6,M2,ICD-10-CN,N18.3,2024-12-31,,,active,encounter,E1,', // last day of the year counts
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'claim_cost.csv'),
    [
      'claim_id,member_id,month,category,institution_id,amount',
      'B1,M1,2024-05,pharmacy,,100.00',
      'B2,M1,2025-01,pharmacy,,250.50',
      'B3,M1,2025-12,inpatient,I1,1000.25',
      'B4,M2,2025-02,inpatient,I2,9000.00',
      'B5,M1,2026-01,pharmacy,,7.00',
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'signup.csv'),
    [
      'signup_id,member_id,practitioner_id,institution_id,from_date,to_date',
      'S1,M1,P1,I1,2020-01-01,2024-06-30',
      'S2,M1,P2,I2,2024-07-01,',
      'S3,M2,P3,I3,2025-01-02,', // starts after 1 January of the payment year: unattributed
    ].join('\n') + '\n',
  );
  return dir;
}

describe('population reader: member-years for a prospective fit', () => {
  const dir = fixtureDir();

  it('counts age in whole years and enrolled months by calendar month', () => {
    expect(ageOn('1960-06-15', '2024-01-01')).toBe(63);
    expect(ageOn('1960-01-01', '2024-01-01')).toBe(64);
    const member = { birthDate: '1950-01-01', sex: 'M' as const, enrolledFrom: '2025-02-15', enrolledUntil: '2025-03-10' };
    expect(enrolledMonths(member, 2025)).toBe(2);
    expect(enrolledMonths({ ...member, enrolledFrom: '2000-01-01', enrolledUntil: null }, 2025)).toBe(12);
  });

  it('builds one row per eligible member with the year rules applied', async () => {
    const rows = memberYears(await readPopulation(dir), 2024);
    expect(rows).toEqual([
      { age: 63, sex: 'F', dx: ['I10'], nextYearCost: 1250.75, exposure: 1, group: 'I2' },
      { age: 74, sex: 'M', dx: ['N18.3'], nextYearCost: 9000, exposure: 3 / 12 },
    ]);
  });

  it('fingerprints the four input files, and a change to any of them changes it', async () => {
    const before = await fingerprintPopulation(dir);
    expect(Object.keys(before.files)).toEqual(['member.csv', 'condition.csv', 'claim_cost.csv', 'signup.csv']);
    writeFileSync(join(dir, 'signup.csv'), readFileSync(join(dir, 'signup.csv'), 'utf8') + 'S4,M4,P1,I1,2020-01-01,\n');
    const after = await fingerprintPopulation(dir);
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(after.files['member.csv']).toBe(before.files['member.csv']);
  });
});

describe('model versions', () => {
  const rows = Array.from({ length: 200 }, (_, i) => ({ age: 30 + (i % 60), sex: (i % 2 ? 'M' : 'F') as 'M' | 'F', dx: i % 3 ? ['I10'] : ['E11.9'], nextYearCost: 500 + (i % 7) * 100, exposure: 1 }));
  const fitted = fitRiskModel(bureauModelTables(definition, {}), rows);
  const input = (root: string, version?: number) => ({
    root,
    ...(version !== undefined ? { version } : {}),
    fitted,
    fitYear: 2024,
    trainingData: { source: 'test', fingerprint: 'f'.repeat(64), files: {} },
    categoriesFile: 'categories-v1.json',
    now: () => new Date('2026-01-02T03:04:05Z'),
  });

  it('writes tables and a manifest that read back equal and score the same', async () => {
    const root = mkdtempSync(join(tmpdir(), 'stratum-riskadjust-versions-'));
    const { dir, manifest } = await writeRiskModelVersion(input(root));
    expect(dir).toBe(join(root, '1'));
    expect(manifest).toMatchObject({ id: 'bureau-risk-adjustment-v1', version: 1, created: '2026-01-02T03:04:05.000Z', trainingData: { fitYear: 2024, memberYears: 200 } });
    expect(manifest.libraries.node).toBe(process.version);
    expect(manifest.featureSchema.terms).toContain('BUREAU_HCC20');
    expect(manifest.metrics.rSquared).toBe(fitted.evaluation.rSquared);
    const back = await readRiskModelVersion(dir);
    expect(back.manifest).toEqual(manifest);
    expect(back.tables.coefficients).toEqual(fitted.tables.coefficients);
    const member = { age: 70, sex: 'F', segment: 'BUREAU', orec: '0', medicaid: false, dx: ['I10', 'E11.9'] };
    expect(RiskScorer.fromTables(back.tables).score(member).rawScore).toBe(RiskScorer.fromTables(fitted.tables).score(member).rawScore);
    // The next write without a version number takes the next integer.
    expect((await writeRiskModelVersion(input(root))).manifest.version).toBe(2);
  });

  it('never overwrites a version, and refuses tables that do not match the manifest', async () => {
    const root = mkdtempSync(join(tmpdir(), 'stratum-riskadjust-versions-'));
    const { dir } = await writeRiskModelVersion(input(root, 7));
    await expect(writeRiskModelVersion(input(root, 7))).rejects.toMatchObject({ code: 'VERSION_EXISTS' });
    await expect(writeRiskModelVersion(input(root, 0))).rejects.toBeInstanceOf(ModelVersionError);
    writeFileSync(join(dir, 'tables.json'), readFileSync(join(dir, 'tables.json'), 'utf8').replace('"BUREAU_HCC20": ', '"BUREAU_HCC20": 9'));
    await expect(readRiskModelVersion(dir)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
  });
});

describe('stratum train risk-adjustment (spawned)', () => {
  let population = '';
  beforeAll(async () => {
    population = mkdtempSync(join(tmpdir(), 'stratum-riskadjust-small-'));
    await writePopulation({ members: 1500, seed: 11, defectRate: 0, startYear: 2022, endYear: 2026 }, population);
  }, 60_000);

  it('fits, writes version 1 with its manifest, and prints R-squared and the ratio tables', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'stratum-riskadjust-cli-')), 'models');
    mkdirSync(out);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'src/cli/bin.mjs'), 'train', 'risk-adjustment', '--from', population, '--fit-year', '2024', '--out', out, '--categories', CATEGORIES_FILE],
      { cwd: ROOT },
    );
    expect(stdout).toMatch(/fit 2024 -> 2025: \d+ member-years, R-squared 0\.\d{4}, mean score 1\.000\d, pool predicted\/actual 1\.000/);
    expect(stdout).toContain('predictive ratios by decile of predicted cost');
    expect(stdout).toContain('HCC20 Hypertension');
    expect(stdout).toMatch(/out of time 2025 -> 2026/);
    const { manifest, tables } = await readRiskModelVersion(join(out, '1'));
    expect(manifest.trainingData.fingerprint).toBe((await fingerprintPopulation(population)).fingerprint);
    expect(manifest.metrics.outOfTime?.members).toBeGreaterThan(1000);
    expect(Object.keys(tables.segments)).toEqual(['BUREAU']);
  }, 60_000);
});
