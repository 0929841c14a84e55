/**
 * Training tables for the bureau's own tasks, built from members stored in the database with the
 * same feature definitions serving uses (src/features). Optionally joined to the generator's
 * ground truth, so the evaluation can report the true-probability ceiling.
 */
import { readFile } from 'node:fs/promises';
import { DEFAULT_TASK_OPTIONS, featureSetFor, type TaskName } from '../src/features/tasks.ts';
import type { FeaturePolicy } from '../src/features/definitions.ts';
import { ageOn } from '../src/features/member-record.ts';
import type { FeatureMatrix } from '../src/models/risk-model.ts';
import type { Queryable } from '../src/store/database.ts';
import { fetchMemberRecords, memberIdPages } from '../src/store/members.ts';
import { parseCsvRecord } from '../src/ingest/csv.ts';
import type { TrainingTable } from './select.ts';
import { onsetIndex, readmissionIndexes } from './tasks.ts';

export interface SyntheticTable extends TrainingTable {
  /** Row keys: encounter id (readmission) or member id (onset). */
  keys: string[];
  groups: string[];
  subgroups: Record<string, string[]>;
}

const ageBand = (age: number) => (age < 45 ? '18-44' : age < 65 ? '45-64' : age < 75 ? '65-74' : '75+');

/** The generator's true probabilities, keyed like the table rows (`truth/outcomes.csv`). */
export async function readTruth(file: string, task: TaskName): Promise<Map<string, number>> {
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n');
  const header = parseCsvRecord(lines[0]!);
  const col = (n: string) => header.indexOf(n);
  const [m, o, e, p] = [col('member_id'), col('outcome'), col('encounter_id'), col('true_probability')];
  const outcome = task === 'readmission' ? 'readmission-30d' : task;
  const out = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const f = parseCsvRecord(lines[i]!);
    if (f[o] !== outcome) continue;
    out.set(task === 'readmission' ? f[e]! : f[m]!, Number(f[p]));
  }
  return out;
}

/** Build the table for a task from every stored member, page by page (bounded memory per page). */
export async function buildSyntheticTable(
  db: Queryable,
  task: TaskName,
  policy: FeaturePolicy,
  options: { truth?: Map<string, number>; onProgress?: (members: number) => void; pageSize?: number } = {},
): Promise<SyntheticTable> {
  const set = featureSetFor(task);
  const cols = set.features.length;
  const chunks: Float64Array[] = [];
  const y: number[] = [];
  const keys: string[] = [];
  const groups: string[] = [];
  const sex: string[] = [];
  const age: string[] = [];
  const level: string[] = [];
  const truth: number[] = [];
  const levels = new Map((await db.query<{ institution_id: string; level: string }>('SELECT institution_id, level FROM institution')).rows.map((r) => [r.institution_id, r.level]));
  let members = 0;
  for await (const ids of memberIdPages(db, options.pageSize ?? 2000)) {
    const records = await fetchMemberRecords(db, ids);
    for (const record of records.values()) {
      const rows: { key: string; label: 0 | 1; x: Float64Array; indexDay: string; level: string }[] = [];
      if (task === 'readmission') {
        for (const r of readmissionIndexes(record, DEFAULT_TASK_OPTIONS.readmission)) {
          const x = set.compute(record, r.index as never, policy);
          rows.push({ key: r.index.encounter.encounter_id, label: r.label, x, indexDay: set.indexDay(r.index as never), level: r.index.encounter.facility_level ?? 'unknown' });
        }
      } else {
        const condition = task.replace('onset-', '') as 'hypertension' | 'diabetes' | 'chd';
        const r = onsetIndex(record, condition, DEFAULT_TASK_OPTIONS.onset);
        if (r) {
          const signup = record.signups.find((s) => s.from_date < r.index.indexDay);
          rows.push({ key: record.member.member_id, label: r.label, x: set.compute(record, r.index as never, policy), indexDay: r.index.indexDay, level: (signup && levels.get(signup.institution_id)) ?? 'none' });
        }
      }
      for (const row of rows) {
        chunks.push(row.x);
        y.push(row.label);
        keys.push(row.key);
        groups.push(record.member.member_id);
        sex.push(record.member.sex);
        age.push(ageBand(ageOn(record.member.birth_date, row.indexDay)));
        level.push(row.level);
        truth.push(options.truth?.get(row.key) ?? Number.NaN);
      }
    }
    members += ids.length;
    options.onProgress?.(members);
  }
  const values = new Float64Array(chunks.length * cols);
  chunks.forEach((c, i) => values.set(c, i * cols));
  const X: FeatureMatrix = { rows: chunks.length, cols, values, featureNames: set.features.map((f) => f.name) };
  return {
    X,
    y: Uint8Array.from(y),
    keys,
    groups,
    subgroups: { sex, age_band: age, institution_level: level },
    trueProbability: options.truth ? Float64Array.from(truth) : undefined,
  };
}
