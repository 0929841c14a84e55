/**
 * Every defect class the generator injects is caught by the loader with the expected rule, one
 * test per class, on a generated population (the defect list is the generator's ground truth).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { parseCsvRecord } from '../../src/ingest/csv.ts';
import { loadPopulation } from '../../src/ingest/loader.ts';
import { describeEachEngine } from '../helpers/engines.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'stratum-defects-'));
execFileSync(process.execPath, ['src/cli/bin.mjs', 'generate', '--members', '1500', '--seed', '5', '--defect-rate', '0.01', '--out', dir], { stdio: 'ignore' });

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').slice(1).map(parseCsvRecord);
const injected = lines(path.join(dir, 'truth', 'defects.csv')).map(([entity, id, defect]) => ({ entity: entity!, id: id!, defect: defect! }));

/** The rule each defect class must be rejected by. */
const RULE: Record<string, string> = {
  'missing-required': 'required',
  'duplicate-row': 'duplicate',
  'out-of-range': 'implausible-value',
  'hba1c-unit-mislabel': 'implausible-value',
  'bp-swapped': 'swapped-systolic-diastolic',
};

describeEachEngine('loader on generated defects', (getDb) => {
  let rejects: Map<string, Set<string>>;
  beforeAll(async () => {
    const summary = await loadPopulation(getDb(), { from: dir, rejectsFile: path.join(mkdtempSync(path.join(tmpdir(), 'stratum-rejects-')), 'rejects.csv') });
    rejects = new Map();
    for (const [entity, , , id, , rule] of lines(summary.rejectsFile)) {
      const key = `${entity}|${id}`;
      if (!rejects.has(key)) rejects.set(key, new Set());
      rejects.get(key)!.add(rule!);
    }
  }, 180_000);

  it('the generator injected every class', () => {
    expect(new Set(injected.map((d) => d.defect))).toEqual(new Set(Object.keys(RULE)));
  });

  for (const [defect, rule] of Object.entries(RULE))
    it(`rejects every ${defect} with rule ${rule}`, () => {
      const cases = injected.filter((d) => d.defect === defect);
      expect(cases.length).toBeGreaterThan(0);
      const missed = cases.filter((d) => !rejects.get(`${d.entity}|${d.id}`)?.has(rule)).map((d) => `${d.entity} ${d.id}`);
      expect(missed).toEqual([]);
    });

  it('labelled mmol/mol HbA1c is converted, not rejected', async () => {
    const r = await getDb().query<{ n: number }>(`SELECT count(*)::int AS n FROM observation WHERE code = '4548-4' AND (value > 20 OR unit <> '%')`);
    expect(Number(r.rows[0]!.n)).toBe(0);
  });
});
