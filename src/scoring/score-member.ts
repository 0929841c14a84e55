/**
 * Scoring one member as of a date: each served model's probability with the factors that raised
 * it, the risk class by the decision table (with the row that decided and why), the management
 * package and its rate, and the intervention list. Pure: the caller hands in the member's record
 * and the loaded models, so the same inputs always give the same answer.
 */
import type { Policy, RiskClass } from '../config/policy.ts';
import { canonicalJson, sha256Hex } from '../lib/canonical-json.ts';
import type { ChronicCondition } from '../clinical/conditions.ts';
import { summarise } from '../features/clinical-summary.ts';
import { onsetFeaturesFromSummary, readmissionFeatures } from '../features/definitions.ts';
import { isCountedResult } from '../performance/control.ts';
import { recordAsOf, type MemberRecord, type RecordAsOf } from '../features/member-record.ts';
import { featureSetFor, type TaskName } from '../features/tasks.ts';
import type { FeatureMatrix } from '../models/risk-model.ts';
import { classify, type ClassDecision } from '../tiers/classify.ts';
import { interventionList, type HistoryEvent, type Intervention } from '../tiers/interventions.ts';
import { topFactors, type Factor } from './explain.ts';
import type { ModelSet } from './model-set.ts';

export interface Prediction {
  model: TaskName;
  version: number;
  /** Calibrated probability; null when the model does not apply (e.g. onset for a member who already has the condition). */
  probability: number | null;
  /** Why it does not apply, when it does not. */
  notApplicable?: string;
  /** What the prediction is about: the discharge for readmission, the horizon for onset. */
  index: string | null;
  topFactors: Factor[];
}

export interface MemberScore {
  memberId: string;
  asOf: string;
  predictions: Prediction[];
  riskClass: ClassDecision & { careGaps: string[] };
  package: { class: RiskClass; annualRate: number };
  interventions: Intervention[];
  /** Next due service, for the clinic list. */
  nextDue: Intervention | null;
  modelVersions: Record<string, number>;
  /** sha256 of the member's record as of the date: the inputs behind this answer. */
  inputFingerprint: string;
  /** sha256 of the policy figures in force (thresholds, rates, services): the rules behind this answer. */
  policyFingerprint: string;
}

/** A model the caller needs is not loaded: scoring stops (the API answers 503 with the reason). */
export class ModelUnavailableError extends Error {
  readonly code = 'MODEL_UNAVAILABLE';
  constructor(readonly reasons: Record<string, string>) {
    super(`no loadable model for ${Object.keys(reasons).join(', ')}: ${Object.values(reasons).join('; ')}`);
    this.name = 'ModelUnavailableError';
  }
}

const one = (x: Float64Array, names: readonly string[]): FeatureMatrix => ({ rows: 1, cols: x.length, values: x, featureNames: names });

const policyFingerprints = new WeakMap<Policy, string>();

/** sha256 of a policy's canonical JSON, computed once per policy object. */
export function policyFingerprint(policy: Policy): string {
  let f = policyFingerprints.get(policy);
  if (!f) policyFingerprints.set(policy, (f = sha256Hex(canonicalJson(policy))));
  return f;
}

export function inputFingerprint(record: MemberRecord, asOf: string): string {
  return fingerprintOfCut(recordAsOf(record, asOf));
}

function fingerprintOfCut(cut: RecordAsOf): string {
  return sha256Hex(canonicalJson(cut));
}

function historyEvents(record: MemberRecord): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  // A service counts as delivered only when it happened: finished visits, final results.
  for (const e of record.encounters) if (e.status === 'finished') events.push({ entity: 'encounter', encounterClass: e.class, date: e.start_time.slice(0, 10) });
  for (const p of record.procedures) if (p.status === 'completed') events.push({ entity: 'procedure', code: `${p.code_system}|${p.code}`, date: p.performed_start.slice(0, 10) });
  for (const o of record.observations) if (isCountedResult(o.status)) events.push({ entity: 'observation', code: `${o.code_system}|${o.code}`, date: o.effective_time.slice(0, 10) });
  for (const s of record.serviceRequests) if (s.status === 'completed') events.push({ entity: 'service_request', code: `${s.code_system}|${s.code}`, date: s.authored_time.slice(0, 10) });
  return events;
}

/** Feature names per schema array, mapped once (the arrays belong to loaded manifests and feature sets). */
const featureNames = new WeakMap<readonly { name: string }[], readonly string[]>();
function namesOf(features: readonly { name: string }[]): readonly string[] {
  let names = featureNames.get(features);
  if (!names) featureNames.set(features, (names = features.map((f) => f.name)));
  return names;
}

export function scoreMember(record: MemberRecord, asOf: string, models: ModelSet, policy: Policy): MemberScore {
  if (models.unavailable.size) throw new ModelUnavailableError(Object.fromEntries(models.unavailable));
  const cut = recordAsOf(record, asOf);
  const summary = summarise(cut, policy);
  const predictions: Prediction[] = [];

  // Readmission risk at the last discharge before the date (decision table row 1).
  const readmission = models.get('readmission')!;
  const lastStay = summary.lastDischarge ? cut.encounters.find((e) => e.encounter_id === summary.lastDischarge!.encounterId) : undefined;
  if (lastStay) {
    const x = readmissionFeatures.compute(record, { encounter: lastStay }, policy);
    const X = one(x, namesOf(readmission.manifest.featureSchema.features));
    predictions.push({
      model: 'readmission',
      version: readmission.version,
      probability: readmission.model.predictProba(X)[0]!,
      index: `discharge ${lastStay.end_time!.slice(0, 10)}`,
      topFactors: topFactors(readmission.model, X, 0, readmissionFeatures.features),
    });
  } else predictions.push({ model: 'readmission', version: readmission.version, probability: null, notApplicable: 'no inpatient discharge on record', index: null, topFactors: [] });

  const onsetRisk: Partial<Record<'hypertension' | 'diabetes' | 'chd', number>> = {};
  // Every onset model reads the same features of the record cut at the as-of date: the summary
  // made above, computed into one vector (read, never written, by the models).
  let onsetX: Float64Array | undefined;
  for (const condition of ['hypertension', 'diabetes', 'chd'] as const) {
    const task = `onset-${condition}` as TaskName;
    const served = models.get(task)!;
    if (summary.chronic.has(condition)) {
      predictions.push({ model: task, version: served.version, probability: null, notApplicable: `already diagnosed with ${condition}`, index: null, topFactors: [] });
      continue;
    }
    const set = featureSetFor(task);
    onsetX ??= onsetFeaturesFromSummary(record, summary);
    const X = one(onsetX, namesOf(set.features));
    const p = served.model.predictProba(X)[0]!;
    onsetRisk[condition] = p;
    predictions.push({ model: task, version: served.version, probability: p, index: `3 years from ${asOf}`, topFactors: topFactors(served.model, X, 0, set.features) });
  }

  const readmitRisk = predictions[0]!.probability;
  const decision = classify(
    {
      age: summary.age,
      chronic: summary.chronic,
      complications: summary.complications,
      admissions: summary.admissions,
      readmissionRiskAtLastDischarge: readmitRisk,
      glycaemicControl: summary.glycaemic.status,
      bloodPressureControl: summary.bloodPressure.status,
      latest: summary.latest,
      onsetRisk,
      smoker: summary.smoker,
      familyHistory: summary.familyHistory.hypertension || summary.familyHistory.diabetes || summary.familyHistory.chd,
    },
    policy,
  );
  const careGaps: string[] = decision.unknownControl.map((k) => (k === 'glycaemic' ? 'no HbA1c in the last 12 months: test due' : 'no blood-pressure reading in the last 12 months: reading due'));
  const signup = [...cut.signups].sort((a, b) => (a.from_date < b.from_date ? 1 : -1))[0];
  const interventions = interventionList(
    { riskClass: decision.class, chronic: summary.chronic as ReadonlySet<ChronicCondition>, age: summary.age, asOf, managedSince: signup?.from_date ?? record.member.enrolled_from, history: historyEvents(cut) },
    policy,
  );
  for (const i of interventions) if (i.status !== 'done') careGaps.push(`${i.label} ${i.status} since ${i.dueDate}`);
  // The earliest open service, else the earliest upcoming one; the list itself keeps the package's order.
  const byDue = [...interventions].sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0));
  const nextDue = byDue.find((i) => i.status !== 'done') ?? byDue[0] ?? null;
  return {
    memberId: record.member.member_id,
    asOf,
    predictions,
    riskClass: { ...decision, careGaps },
    package: { class: decision.class, annualRate: policy.packageRates[decision.class] },
    interventions,
    nextDue,
    modelVersions: models.versions(),
    inputFingerprint: fingerprintOfCut(cut),
    policyFingerprint: policyFingerprint(policy),
  };
}
