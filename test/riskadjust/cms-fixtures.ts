/**
 * Shared loading of the CMS reference tables for the risk-adjustment tests. The tables live in the
 * read-only shared data folder; when it is missing the suites that need it are skipped with a
 * message saying so.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCmsDataDir, loadCmsModelTables } from '../../src/riskadjust/cms-tables.ts';
import type { RiskModelTables } from '../../src/riskadjust/model-tables.ts';
import { RiskScorer, type RiskMember } from '../../src/riskadjust/score.ts';

export const CMS_DIR = defaultCmsDataDir();
export const CMS_DATA_AVAILABLE = existsSync(join(CMS_DIR, 'V28hcccoefn.csv'));
if (!CMS_DATA_AVAILABLE) console.warn(`[riskadjust tests] CMS tables not found at ${CMS_DIR} (set STRATUM_SHARED_DATA): CMS suites skipped`);

export interface CmsFixture {
  readonly tables: RiskModelTables;
  readonly scorer: RiskScorer;
  /** A code that maps to exactly this one category, preferring codes no edit touches. */
  codeFor(category: number): string;
  score(member: Partial<RiskMember> & { categories?: number[] }): ReturnType<RiskScorer['score']>;
}

async function fixture(model: 'cms-hcc-v24' | 'cms-hcc-v28'): Promise<CmsFixture> {
  const tables = await loadCmsModelTables(model, CMS_DIR);
  const scorer = RiskScorer.fromTables(tables);
  const edited = new Set(tables.diagnosisEdits.flatMap((e) => e.codes));
  const byCategory = new Map<number, string>();
  for (const [code, cats] of Object.entries(tables.diagnosisMap))
    if (cats.length === 1 && !edited.has(code) && !byCategory.has(cats[0]!)) byCategory.set(cats[0]!, code);
  // Some categories come only from edited codes (V28 HCC111: D66/D67, male only).
  for (const [code, cats] of Object.entries(tables.diagnosisMap)) if (cats.length === 1 && !byCategory.has(cats[0]!)) byCategory.set(cats[0]!, code);
  const codeFor = (category: number): string => {
    const code = byCategory.get(category);
    if (!code) throw new Error(`no single-category code for HCC${category} in ${model}`);
    return code;
  };
  return {
    tables,
    scorer,
    codeFor,
    score: ({ categories = [], ...m }) =>
      scorer.score({ age: 70, sex: 'F', segment: 'CNA', orec: '0', medicaid: false, ...m, dx: [...(m.dx ?? []), ...categories.map(codeFor)] }),
  };
}

let cache: Promise<{ v24: CmsFixture; v28: CmsFixture }> | undefined;
/** Both models, loaded once per test file. */
export function cmsFixtures(): Promise<{ v24: CmsFixture; v28: CmsFixture }> {
  cache ??= Promise.all([fixture('cms-hcc-v24'), fixture('cms-hcc-v28')]).then(([v24, v28]) => ({ v24, v28 }));
  return cache;
}

/** Non-zero contributions as the corpus's `contributing` map. */
export function contributing(score: ReturnType<RiskScorer['score']>): Record<string, number> {
  return Object.fromEntries(score.contributions.filter((c) => c.coefficient !== 0).map((c) => [c.coefficientName, c.coefficient]));
}
