/** The HTML report of a training run, from its summary (written beside the artifact). */
import { renderTrainingReport } from './report/index.ts';
import type { TrainingRunSummary } from './train-task.ts';

export function renderRunReport(run: TrainingRunSummary): string {
  const { manifest, selection } = run;
  return renderTrainingReport({
    model: { name: manifest.name, version: String(manifest.version), task: manifest.task },
    createdAt: manifest.created,
    dataFingerprint: manifest.trainingData.fingerprint,
    features: { names: run.table.X.featureNames, importance: run.featureImportance },
    selection,
    testLabels: run.testLabels,
    testProbabilities: selection.testProbabilities,
    champion: run.champion ? { name: manifest.name, version: String(run.champion.version), testProbabilities: run.champion.testProbabilities } : undefined,
  });
}
