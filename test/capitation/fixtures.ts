/**
 * A tiny hand-written bureau model (two age bands, three categories, one hierarchy) written as a
 * model version on disk, so every expected capitation in the tests can be worked out by hand.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bureauModelTables, parseBureauDefinition } from '../../src/riskadjust/fit/bureau-definition.ts';
import type { RiskModelTables } from '../../src/riskadjust/model-tables.ts';

export const TINY_DEFINITION = parseBureauDefinition({
  id: 'tiny-categories',
  description: 'test categories',
  segment: 'BUREAU',
  ageBands: [
    { name: '0_54', min: 0, max: 54 },
    { name: '55_GT', min: 55, max: null },
  ],
  categories: [
    { id: 10, label: 'Diabetes without complication', family: 'diabetes', codes: ['E11', 'E11.9'] },
    { id: 11, label: 'Diabetes with complications', family: 'diabetes', codes: ['E11.2', 'E11.3'] },
    { id: 20, label: 'Hypertension', family: 'hypertension', codes: ['I10'] },
  ],
  hierarchy: [{ parent: 11, children: [10], label: 'Diabetes' }],
  groups: [],
  interactions: [],
});

/** Coefficients: F 55+ 0.9, M under 55 0.4; diabetes 0.3, with complications 0.6; hypertension 0.2505. */
export const TINY_COEFFICIENTS = {
  BUREAU_F0_54: 0.5,
  BUREAU_F55_GT: 0.9,
  BUREAU_M0_54: 0.4,
  BUREAU_M55_GT: 0.8,
  BUREAU_HCC10: 0.3,
  BUREAU_HCC11: 0.6,
  BUREAU_HCC20: 0.2505,
} as const;

export function tinyTables(version = 1): RiskModelTables {
  return bureauModelTables(TINY_DEFINITION, TINY_COEFFICIENTS, `bureau-risk-adjustment-v${version}`);
}

/** Write the tiny model as version `version` under a fresh temp folder (prefix settleapi-); returns the folder. */
export function writeTinyModelVersions(versions: readonly number[] = [1]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'settleapi-models-'));
  for (const version of versions) {
    const dir = path.join(root, String(version));
    mkdirSync(dir, { recursive: true });
    const text = JSON.stringify(tinyTables(version), null, 1) + '\n';
    writeFileSync(path.join(dir, 'tables.json'), text);
    const manifest = {
      id: `bureau-risk-adjustment-v${version}`,
      name: 'risk-adjustment',
      version,
      created: '2026-01-01T00:00:00.000Z',
      featureSchema: { segment: 'BUREAU', categoriesFile: 'tiny-categories', input: [], terms: [] },
      tablesSha256: createHash('sha256').update(text).digest('hex'),
    };
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  }
  return root;
}
