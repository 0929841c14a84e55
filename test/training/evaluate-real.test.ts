/**
 * The bar on the small public datasets: chosen by cross-validation on the training rows,
 * scored once on the published test rows, against scikit-learn's best on the same split
 * (shared/data/README.md). The full UCI run lives in `stratum evaluate` and the benchmark.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateDataset } from '../../src/cli/commands/evaluate.ts';
import { loadEnv } from '../../src/config/env.ts';
import { resolveSharedDataDir } from '../../src/datasets/index.ts';

const dataDir = resolveSharedDataDir(loadEnv().STRATUM_SHARED_DATA);
const present = existsSync(dataDir);
if (!present) console.warn(`[evaluate] shared data folder ${dataDir} not found (STRATUM_SHARED_DATA): real-data bar tests skipped`);

const BAR = {
  framingham: { auc: 0.68, peerBrier: 0.1218 },
  pima: { auc: 0.8, peerBrier: 0.1679 },
} as const;

describe.skipIf(!present)('real-data bar', () => {
  for (const [dataset, bar] of Object.entries(BAR)) {
    it(`${dataset}: chosen model reaches AUC ${bar.auc} with Brier within 0.002 of scikit-learn's`, async () => {
      const r = await evaluateDataset({ dataset, dataDir, learners: ['logreg', 'hgb', 'forest'], folds: 5, seed: 42 });
      expect(r.chosen.test_auc).toBeGreaterThanOrEqual(bar.auc);
      expect(r.chosen.test_brier).toBeLessThanOrEqual(bar.peerBrier + 0.002);
      // The choice is the best cross-validated learner, never the best on the test rows.
      expect(r.chosen.cv_auc).toBe(Math.max(...r.learners.map((l) => l.cv_auc)));
      expect(r.learners.map((l) => l.learner).sort()).toEqual(['forest', 'hgb', 'logreg']);
    }, 120_000);
  }

  it('nhanes-diabetes is reported as a sanity check (labels the features already reflect)', async () => {
    const r = await evaluateDataset({ dataset: 'nhanes-diabetes', dataDir, learners: ['logreg'], folds: 3, seed: 42 });
    expect(r.chosen.test_auc).toBeGreaterThan(0.85);
    expect(r.test_rows).toBeGreaterThan(900);
  }, 120_000);
});
