/**
 * The real-dataset adapters by name, for CLIs and benchmarks that take a dataset name. Each reads
 * from `dataDir`, the resolved `STRATUM_SHARED_DATA` folder.
 */
import type { LabelledDataset } from './dataset.ts';
import { DatasetError } from './errors.ts';
import { loadFramingham } from './framingham.ts';
import { loadNhanesDiabetes, loadNhanesHypertension } from './nhanes.ts';
import { loadPima } from './pima.ts';
import { loadUciReadmission } from './uci-readmission.ts';

export const REAL_DATASETS = {
  'uci-readmission': loadUciReadmission,
  framingham: loadFramingham,
  pima: loadPima,
  'nhanes-diabetes': loadNhanesDiabetes,
  'nhanes-hypertension': loadNhanesHypertension,
} as const satisfies Record<string, (dataDir: string) => LabelledDataset>;

export type RealDatasetName = keyof typeof REAL_DATASETS;

/** Load a real dataset by adapter name; UNKNOWN_DATASET lists the valid names. */
export function loadRealDataset(name: string, dataDir: string): LabelledDataset {
  const loader = (REAL_DATASETS as Record<string, (dataDir: string) => LabelledDataset>)[name];
  if (!loader) throw new DatasetError('UNKNOWN_DATASET', `unknown dataset ${JSON.stringify(name)}; known: ${Object.keys(REAL_DATASETS).join(', ')}`);
  return loader(dataDir);
}

export type { LabelledDataset } from './dataset.ts';
export { resolveSharedDataDir } from './dataset.ts';
