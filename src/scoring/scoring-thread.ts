/** Body of a scoring thread (see scoring-threads.ts): scores the record texts it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Policy } from '../config/policy.ts';
import { ModelSet } from './model-set.ts';
import type { ScoringReply, ScoringTask } from './scoring-threads.ts';
import { scoreRecordText } from './service.ts';

/** Model sets kept loaded: the one served and the one before it, while requests on it finish. */
const KEPT_MODEL_SETS = 2;

const port = parentPort;
if (!port) throw new Error('scoring-thread.ts must run in a worker thread');
const { policy } = workerData as { policy: Policy };
const modelSets = new Map<string, Promise<ModelSet>>();

function modelsFor(task: ScoringTask): Promise<ModelSet> {
  let models = modelSets.get(task.modelsKey);
  if (!models) {
    models = ModelSet.fromDescriptor(task.models);
    modelSets.set(task.modelsKey, models);
    // A failed load is not kept: the next task tries again.
    models.catch(() => modelSets.delete(task.modelsKey));
    while (modelSets.size > KEPT_MODEL_SETS) modelSets.delete(modelSets.keys().next().value!);
  }
  return models;
}

port.on('message', (task: ScoringTask) => {
  void (async (): Promise<ScoringReply> => {
    try {
      const models = await modelsFor(task);
      return { id: task.id, outcomes: task.records.map((record) => scoreRecordText(task.layout, record, task.asOf, models, policy)) };
    } catch (err) {
      return { id: task.id, error: err instanceof Error ? err.message : String(err) };
    }
  })().then((reply) => port.postMessage(reply));
});
