/**
 * The served prediction tasks by name, each with its one feature definition and the task
 * settings training and serving share (index rules, horizon).
 */
import { onsetFeatures, readmissionFeatures, type FeatureSet } from './definitions.ts';

export const TASKS = ['readmission', 'onset-hypertension', 'onset-diabetes', 'onset-chd'] as const;
export type TaskName = (typeof TASKS)[number];

export const DEFAULT_TASK_OPTIONS = {
  readmission: { windowDays: 30, dataEnd: '2026-12-31', from: '2023-01-01' },
  onset: { indexDay: '2023-01-01', horizonYears: 3 },
} as const;

const featureSets = new Map<TaskName, FeatureSet<unknown>>();

/** The task's feature set (one object per task, built once: scoring asks for it per member). */
export function featureSetFor(task: TaskName): FeatureSet<unknown> {
  let set = featureSets.get(task);
  if (!set) {
    set = task === 'readmission' ? (readmissionFeatures as FeatureSet<unknown>) : (onsetFeatures(task.replace('onset-', '') as 'hypertension' | 'diabetes' | 'chd') as FeatureSet<unknown>);
    featureSets.set(task, set);
  }
  return set;
}
