import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITY_NAMES, PRIMARY_KEY, validateRecord } from '../../data-contracts/v1/index.ts';
import { contractColumns } from '../../src/generator/csv.ts';
import { writePopulation, type GenerationSummary } from '../../src/generator/population-files.ts';
import { DEFECT_CLASSES } from '../../src/generator/rows.ts';
import { readRows, typed } from './helpers.ts';

const root = mkdtempSync(path.join(tmpdir(), 'stratum-gen-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a small population with defects', () => {
  const dir = path.join(root, 'defects');
  let summary: GenerationSummary;
  beforeAll(async () => {
    summary = await writePopulation({ members: 1500, seed: 7, defectRate: 0.01, startYear: 2022, endYear: 2026 }, dir);
  });

  it('writes every entity with the contract header, and every record validates unless listed as a defect', () => {
    const defects = readRows(dir, 'truth/defects.csv').rows;
    const listed = new Set(defects.map((d) => `${d.entity}:${d.record_id}`));
    for (const entity of ENTITY_NAMES) {
      const { header, rows } = readRows(dir, `${entity}.csv`);
      expect(header).toEqual(contractColumns(entity));
      expect(rows.length).toBeGreaterThan(0);
      const key = PRIMARY_KEY[entity];
      for (const row of rows) {
        const result = validateRecord(entity, typed(row), row[key] ?? '?');
        if (!result.ok) expect(listed.has(`${entity}:${row[key]}`), `${entity} ${row[key]}: ${JSON.stringify(result.violations)}`).toBe(true);
      }
    }
  });

  it('lists every defect class, and each listed defect is visible in the data', () => {
    const defects = readRows(dir, 'truth/defects.csv').rows;
    for (const cls of DEFECT_CLASSES) expect(defects.some((d) => d.defect_class === cls), cls).toBe(true);
    expect(summary.manifest.defect_counts['duplicate-row']).toBe(defects.filter((d) => d.defect_class === 'duplicate-row').length);
    const obs = readRows(dir, 'observation.csv').rows;
    const byId = new Map<string, Record<string, string | null>[]>();
    for (const o of obs) byId.set(o.observation_id!, [...(byId.get(o.observation_id!) ?? []), o]);
    const panelOf = new Map(obs.map((o) => [o.observation_id, o.panel_id]));
    for (const d of defects.filter((x) => x.entity === 'observation')) {
      const rows = byId.get(d.record_id!)!;
      expect(rows, d.record_id!).toBeDefined();
      const o = rows[0]!;
      if (d.defect_class === 'duplicate-row') expect(rows.length).toBe(2);
      if (d.defect_class === 'missing-required') expect(o.member_id).toBeNull();
      if (d.defect_class === 'hba1c-unit-mislabel') expect(o.unit === '%' && Number(o.value) > 20).toBe(true);
      if (d.defect_class === 'out-of-range') expect(Number(o.value) > 300 || Number(o.value) < 10).toBe(true);
      if (d.defect_class === 'bp-swapped') {
        const pair = obs.filter((x) => x.panel_id === panelOf.get(d.record_id));
        const sys = pair.find((x) => x.code === '8480-6')!;
        const dia = pair.find((x) => x.code === '8462-4')!;
        expect(Number(dia.value)).toBeGreaterThan(Number(sys.value));
      }
    }
  });

  it('writes correctly labelled mmol/mol HbA1c values, which are not defects', () => {
    const obs = readRows(dir, 'observation.csv').rows.filter((o) => o.code === '4548-4' && o.unit === 'mmol/mol');
    expect(obs.length).toBeGreaterThan(0);
    expect(summary.manifest.hba1c_mmol_per_mol_rows).toBe(obs.length);
    for (const o of obs) expect(Number(o.value)).toBeGreaterThan(20);
  });

  it('records a manifest whose hashes and row counts match the files', async () => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'truth/manifest.json'), 'utf8'));
    const { createHash } = await import('node:crypto');
    for (const [file, sha] of Object.entries(manifest.sha256)) expect(createHash('sha256').update(readFileSync(path.join(dir, file))).digest('hex'), file).toBe(sha);
    expect(manifest.row_counts['member.csv']).toBe(1500);
    expect(manifest.row_counts['encounter.csv']).toBe(readRows(dir, 'encounter.csv').rows.length);
    expect(manifest.seed).toBe(7);
  });
});

describe('determinism', () => {
  it('gives identical bytes for the same seed and different bytes for another', async () => {
    const opts = { members: 400, seed: 99, defectRate: 0.002, startYear: 2022, endYear: 2026 };
    const a = await writePopulation(opts, path.join(root, 'a'));
    const b = await writePopulation(opts, path.join(root, 'b'));
    const c = await writePopulation({ ...opts, seed: 100 }, path.join(root, 'c'));
    expect(b.manifest.sha256).toEqual(a.manifest.sha256);
    expect(c.manifest.sha256['member.csv']).not.toBe(a.manifest.sha256['member.csv']);
  });

  it('gives the same bytes with one thread and with two worker threads', async () => {
    const opts = { members: 2100, seed: 31, defectRate: 0.005, startYear: 2022, endYear: 2026 };
    const one = await writePopulation(opts, path.join(root, 't1'), { threads: 1 });
    const progress: number[] = [];
    const two = await writePopulation(opts, path.join(root, 't2'), { threads: 2, onProgress: (n) => progress.push(n) });
    expect(two.manifest.sha256).toEqual(one.manifest.sha256);
    expect(two.manifest.row_counts).toEqual(one.manifest.row_counts);
    expect(two.manifest.defect_counts).toEqual(one.manifest.defect_counts);
    expect(progress).toEqual([1000, 2000, 2100]);
  }, 30_000);

  it('refuses a thread count it cannot use', async () => {
    await expect(writePopulation({ members: 10, seed: 1, defectRate: 0, startYear: 2022, endYear: 2026 }, path.join(root, 't0'), { threads: 0 })).rejects.toMatchObject({ code: 'GENERATOR_OPTIONS' });
  });

  it('does not change the clean population when defects are added (a separate defect stream)', async () => {
    const clean = await writePopulation({ members: 300, seed: 5, defectRate: 0, startYear: 2022, endYear: 2026 }, path.join(root, 'clean'));
    const dirty = await writePopulation({ members: 300, seed: 5, defectRate: 0, startYear: 2022, endYear: 2026 }, path.join(root, 'clean2'));
    expect(dirty.manifest.sha256['truth/outcomes.csv']).toBe(clean.manifest.sha256['truth/outcomes.csv']);
    const withDefects = await writePopulation({ members: 300, seed: 5, defectRate: 0.01, startYear: 2022, endYear: 2026 }, path.join(root, 'dirty'));
    expect(withDefects.manifest.sha256['truth/outcomes.csv']).toBe(clean.manifest.sha256['truth/outcomes.csv']);
    expect(withDefects.manifest.sha256['truth/costs.csv']).toBe(clean.manifest.sha256['truth/costs.csv']);
  });
});
