/**
 * Loads the CMS-HCC V24/V28 tables from the shared data folder (the I/O edge of the
 * risk-adjustment engine). The folder is `<STRATUM_SHARED_DATA>/cms-hcc` unless the caller names
 * another; the files are read, never copied (README.md of that folder lists them).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../config/env.ts';
import { CMS_HCC_V24_RULES, CMS_HCC_V28_RULES, type CmsModelRules } from './cms-model-rules.ts';
import { buildCmsModelTables } from './cms-table-parsers.ts';
import type { RiskModelTables } from './model-tables.ts';

/** The CMS models this loader knows, by their CLI name. */
export const CMS_MODEL_IDS = ['cms-hcc-v24', 'cms-hcc-v28'] as const;
export type CmsModelId = (typeof CMS_MODEL_IDS)[number];

interface CmsModelFiles {
  readonly rules: CmsModelRules;
  readonly coefficients: string;
  readonly mapping: string;
  readonly hierarchy: string;
  readonly labels: string;
}

/** File names per model (shared/data/cms-hcc/README.md). */
const CMS_MODEL_FILES: Record<CmsModelId, CmsModelFiles> = {
  'cms-hcc-v24': { rules: CMS_HCC_V24_RULES, coefficients: 'V24hcccoefn.csv', mapping: 'F24_AllYearsCombined.TXT', hierarchy: 'V24H86H1.TXT', labels: 'V24H86L1.TXT' },
  'cms-hcc-v28': { rules: CMS_HCC_V28_RULES, coefficients: 'V28hcccoefn.csv', mapping: 'F2824T1N.TXT', hierarchy: 'V28115H1.TXT', labels: 'V28115L3.TXT' },
};

/** The project root (two levels above this file), against which a relative STRATUM_SHARED_DATA resolves. */
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The folder holding the CMS tables: `<STRATUM_SHARED_DATA>/cms-hcc`, the setting resolved against
 * the project root (default `../shared/data`).
 */
export function defaultCmsDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(resolve(PROJECT_ROOT, loadEnv(env).STRATUM_SHARED_DATA), 'cms-hcc');
}

/**
 * Reads and parses one CMS model's tables from `dataDir` (the `cms-hcc` folder).
 * @throws ModelTableFormatError on a malformed file; the fs error (ENOENT) when a file is missing.
 */
export async function loadCmsModelTables(model: CmsModelId, dataDir: string): Promise<RiskModelTables> {
  const files = CMS_MODEL_FILES[model];
  const read = async (name: string) => ({ source: name, text: await readFile(join(dataDir, name), 'utf8') });
  const [coefficients, mapping, hierarchy, labels] = await Promise.all([
    read(files.coefficients),
    read(files.mapping),
    read(files.hierarchy),
    read(files.labels),
  ]);
  return buildCmsModelTables({ coefficients, mapping, hierarchy, labels }, files.rules);
}
