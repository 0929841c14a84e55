/**
 * Import FHIR R4 Bundles into Stratum's v1 contract records, grouped per patient for the measures.
 *
 * Pure: takes parsed JSON, returns records plus the problems met (fqm-execution's habit: a bad
 * resource is reported beside the result and does not sink the bundle, STYLE.md item 5). Date-times
 * are normalised to UTC ISO instants (`YYYY-MM-DDTHH:mm:ss.sssZ`) so that measure code can compare
 * them as strings and take the day as the first ten characters.
 *
 * What the v1 contracts cannot carry, and what this importer does about it (reported to the lead):
 * - one code per record: the first coding in a known system is kept, the rest reported (warning);
 * - Member.region / insurance_scheme / enrolled_from do not exist in FHIR Patient: taken from
 *   {@link ImportOptions} (documented defaults);
 * - negated requests (`doNotPerform = true` on MedicationRequest / ServiceRequest, the R5
 *   DeviceRequest.doNotPerform modifier extension) have no contract field: they are dropped and counted;
 * - an Observation's effectivePeriod start is kept in `effective_start`;
 * - Encounter.class PRENC (pre-admission) has no contract class: mapped to `outpatient`, and
 *   observations linked to it get setting `inpatient` so CMS165 still excludes them.
 */
import type {
  CodeSystem,
  Condition,
  Encounter,
  Medication,
  Member,
  Observation,
  Procedure,
  ServiceRequest,
} from '../../data-contracts/v1/index.ts';
import { LOINC } from '../../data-contracts/v1/index.ts';
import type { PatientRecords } from '../performance/measures/patient-records.ts';
import { codeSystemForUri } from './code-systems.ts';
import { NotABundleError } from './errors.ts';
import type { ImportProblem } from './problems.ts';

type DischargeDisposition = NonNullable<Encounter['discharge_disposition']>;
type InsuranceScheme = Member['insurance_scheme'];
type VerificationStatus = NonNullable<Condition['verification_status']>;
type ClinicalStatus = NonNullable<Condition['clinical_status']>;

/* eslint-disable @typescript-eslint/no-explicit-any -- FHIR JSON is read defensively field by field */
type Json = any;

export interface ImportOptions {
  /** Member.region when the Patient carries none (FHIR has no such field). Default `unknown`. */
  defaultRegion?: string;
  /** Member.insurance_scheme (FHIR Patient has none; Coverage is not read). Default `URRBMI`. */
  defaultInsuranceScheme?: InsuranceScheme;
}

export interface BundleImportResult {
  patients: PatientRecords[];
  problems: ImportProblem[];
  /** Resources read but deliberately not imported, by reason key (`Coverage`, `MeasureReport`, `doNotPerform:MedicationRequest`, ...). */
  ignored: Record<string, number>;
}

type ContractEncounterClass = Encounter['class'];

/** v3 ActCode encounter classes -> contract class (FHIR R4 Encounter.class binding). */
const ENCOUNTER_CLASS: Record<string, ContractEncounterClass> = {
  AMB: 'outpatient',
  FLD: 'outpatient',
  OBSENC: 'outpatient',
  PRENC: 'outpatient',
  IMP: 'inpatient',
  ACUTE: 'inpatient',
  NONAC: 'inpatient',
  SS: 'inpatient',
  EMER: 'ed',
  HH: 'home',
  VR: 'virtual',
};

/** Classes whose readings CMS165 excludes (CMS165FHIR "Qualifying ... Blood Pressure Reading"). */
const ACUTE_SETTING_CLASSES: Record<string, Observation['setting']> = { EMER: 'ed', IMP: 'inpatient', ACUTE: 'inpatient', NONAC: 'inpatient', PRENC: 'inpatient', SS: 'inpatient' };

/** Discharge dispositions: the two SNOMED hospice codes of the Hospice library, and HL7 discharge-disposition codes. */
const DISCHARGE_DISPOSITION: Record<string, DischargeDisposition> = {
  '428361000124107': 'hospice-home',
  '428371000124100': 'hospice-facility',
  home: 'home',
  alt_home: 'home',
  'other-hcf': 'other',
  hosp: 'hospice-facility',
  long: 'long-term-care',
  aadvice: 'left-against-advice',
  exp: 'expired',
  psy: 'transfer-acute',
  rehab: 'rehab',
  snf: 'skilled-nursing',
  oth: 'other',
};

const ENCOUNTER_STATUS: Record<string, Encounter['status']> = {
  planned: 'planned',
  arrived: 'in-progress',
  triaged: 'in-progress',
  'in-progress': 'in-progress',
  onleave: 'in-progress',
  finished: 'finished',
  cancelled: 'cancelled',
  'entered-in-error': 'entered-in-error',
};

const OBSERVATION_STATUS = new Set<Observation['status']>(['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error']);
const VERIFICATION = new Set<string>(['confirmed', 'unconfirmed', 'provisional', 'differential', 'refuted', 'entered-in-error']);
const CLINICAL = new Set<string>(['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved']);
const PROCEDURE_STATUS = new Set<Procedure['status']>(['preparation', 'in-progress', 'not-done', 'on-hold', 'stopped', 'completed', 'entered-in-error', 'unknown']);
const REQUEST_STATUS = new Set<ServiceRequest['status']>(['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown']);
const REQUEST_INTENT = new Set<ServiceRequest['intent']>(['proposal', 'plan', 'directive', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option']);
const MEDICATION_STATUS = new Set<Medication['status']>(['active', 'on-hold', 'cancelled', 'completed', 'entered-in-error', 'stopped', 'draft', 'unknown']);

/** A FHIR dateTime/instant/date (possibly partial) as a UTC ISO instant, or null. */
export function toUtcInstant(value: unknown): string | null {
  if (typeof value !== 'string' || value.length < 4) return null;
  let s = value;
  if (/^\d{4}$/.test(s)) s += '-01-01';
  else if (/^\d{4}-\d{2}$/.test(s)) s += '-01';
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00Z';
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** A FHIR date/dateTime as the calendar date written in it (YYYY-MM-DD), or null. */
function toDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  if (/^\d{4}-\d{2}$/.test(value)) return `${value}-01`;
  if (/^\d{4}$/.test(value)) return `${value}-01-01`;
  return null;
}

/** The id a reference points at (`Patient/abc` -> abc; `urn:uuid:abc` -> abc; `#abc` -> abc). */
function referenceId(ref: Json): string | null {
  const r = ref?.reference;
  if (typeof r !== 'string') return null;
  if (r.startsWith('urn:uuid:')) return r.slice(9);
  if (r.startsWith('#')) return r.slice(1);
  const parts = r.split('/');
  // Versioned references: Type/id/_history/n
  const hist = parts.indexOf('_history');
  return (hist > 0 ? parts[hist - 1] : parts[parts.length - 1]) ?? null;
}

interface PickedCode {
  system: CodeSystem;
  code: string;
  dropped: number;
}

/** The first coding of a CodeableConcept whose system Stratum knows, and how many other codings were dropped. */
function pickCode(concept: Json): PickedCode | null {
  const codings: Json[] = Array.isArray(concept?.coding) ? concept.coding : [];
  let picked: PickedCode | null = null;
  for (const c of codings) {
    const system = codeSystemForUri(c?.system);
    if (!picked && system !== null && typeof c.code === 'string' && c.code.trim() === c.code && c.code.length > 0) picked = { system, code: c.code, dropped: 0 };
  }
  if (picked) picked.dropped = codings.length - 1;
  return picked;
}

function firstCodeValue(concept: Json): string | null {
  const codings: Json[] = Array.isArray(concept?.coding) ? concept.coding : [];
  for (const c of codings) if (typeof c?.code === 'string') return c.code;
  return null;
}

function hasDoNotPerformExtension(resource: Json): boolean {
  const exts: Json[] = [...(resource.modifierExtension ?? []), ...(resource.extension ?? [])];
  return exts.some((e) => typeof e?.url === 'string' && e.url.endsWith('doNotPerform') && e.valueBoolean === true);
}

/** Days in a FHIR Duration (expectedSupplyDuration), or null. */
function durationDays(d: Json): number | null {
  const v = d?.value;
  if (typeof v !== 'number' || !(v > 0)) return null;
  const unit = String(d.code ?? d.unit ?? 'd').toLowerCase();
  const perUnit: Record<string, number> = { d: 1, day: 1, days: 1, wk: 7, week: 7, weeks: 7, mo: 30, month: 30, months: 30, a: 365, year: 365, years: 365, h: 1 / 24 };
  const k = perUnit[unit];
  return k === undefined ? null : Math.ceil(v * k);
}

const dayMs = 86_400_000;

class PatientBuilder {
  encounters: Encounter[] = [];
  conditions: Condition[] = [];
  observations: Observation[] = [];
  procedures: Procedure[] = [];
  serviceRequests: ServiceRequest[] = [];
  medications: Medication[] = [];
  /** Raw ActCode class of each encounter, kept for observation settings (PRENC has no contract class). */
  rawClass = new Map<string, string>();
  constructor(readonly member: Member) {}
}

/**
 * Import one or more FHIR Bundles (parsed JSON). Patients are matched by id across bundles; a
 * resource whose subject names no Patient present is reported and dropped.
 */
export function importBundles(bundles: readonly unknown[], options: ImportOptions = {}): BundleImportResult {
  const problems: ImportProblem[] = [];
  const ignored: Record<string, number> = {};
  const ignore = (key: string) => (ignored[key] = (ignored[key] ?? 0) + 1);
  const resources: Json[] = [];
  for (const [i, bundle] of bundles.entries()) {
    const b = bundle as Json;
    if (!b || b.resourceType !== 'Bundle' || !Array.isArray(b.entry)) throw new NotABundleError(`bundle #${i}`, 'expected a FHIR Bundle with an entry array');
    for (const e of b.entry) if (e?.resource && typeof e.resource.resourceType === 'string') resources.push(e.resource);
  }
  const problem = (severity: ImportProblem['severity'], code: string, r: Json, patientId: string | null, message: string) =>
    problems.push({ severity, code, resourceType: String(r?.resourceType ?? 'unknown'), resourceId: typeof r?.id === 'string' ? r.id : null, patientId, message });

  // Pass 1: patients, and Medication resources (referenced by MedicationRequest.medicationReference).
  const builders = new Map<string, PatientBuilder>();
  const medicationsById = new Map<string, Json>();
  for (const r of resources) {
    if (r.resourceType === 'Medication' && typeof r.id === 'string') medicationsById.set(r.id, r);
    if (r.resourceType !== 'Patient') continue;
    const id = typeof r.id === 'string' ? r.id : null;
    const birth = toDate(r.birthDate);
    if (!id || !birth) {
      problem('error', 'patient-missing-id-or-birthdate', r, id, 'Patient needs an id and a birthDate (age decides every measure population)');
      continue;
    }
    // FHIR AdministrativeGender: male, female, other, unknown (absent = unknown).
    const sex = r.gender === 'male' ? 'M' : r.gender === 'female' ? 'F' : r.gender === 'other' ? 'O' : 'U';
    builders.set(
      id,
      new PatientBuilder({
        member_id: id,
        birth_date: birth,
        sex,
        region: typeof r.address?.[0]?.state === 'string' && r.address[0].state ? String(r.address[0].state).slice(0, 32) : (options.defaultRegion ?? 'unknown'),
        insurance_scheme: options.defaultInsuranceScheme ?? 'URRBMI',
        enrolled_from: birth,
        enrolled_to: null,
        deceased_date: toDate(r.deceasedDateTime),
      }),
    );
  }
  const ownerOf = (r: Json): PatientBuilder | null => {
    const pid = referenceId(r.subject ?? r.patient);
    const b = pid ? builders.get(pid) : undefined;
    if (!b) {
      problem('error', 'subject-not-found', r, pid, `subject ${pid ?? '(none)'} is not a Patient in the bundle`);
      return null;
    }
    return b;
  };
  const codeOf = (concept: Json, r: Json, pid: string, what: string): PickedCode | null => {
    const c = pickCode(concept);
    if (!c) {
      problem('error', `${what}-no-known-code`, r, pid, `no coding in a known code system (${JSON.stringify(concept?.coding?.map((x: Json) => x?.system) ?? [])})`);
      return null;
    }
    if (c.dropped > 0) problem('warning', 'extra-codings-dropped', r, pid, `kept ${c.system}|${c.code}; ${c.dropped} other coding(s) dropped (contract records carry one code)`);
    return c;
  };

  // Pass 2: encounters first (observations and conditions look them up), then everything else.
  const conditionEncounter = new Map<string, string>();
  for (const r of resources) {
    if (r.resourceType !== 'Encounter') continue;
    const b = ownerOf(r);
    if (!b) continue;
    const pid = b.member.member_id;
    const rawClass = typeof r.class?.code === 'string' ? r.class.code : '';
    const cls = ENCOUNTER_CLASS[rawClass];
    if (!cls) {
      problem('error', 'encounter-unknown-class', r, pid, `Encounter.class '${rawClass}' is not a known v3 ActCode class`);
      continue;
    }
    const type = codeOf(Array.isArray(r.type) ? { coding: r.type.flatMap((t: Json) => t?.coding ?? []) } : undefined, r, pid, 'encounter-type');
    if (!type) continue;
    const start = toUtcInstant(r.period?.start);
    if (!start) {
      problem('error', 'encounter-no-start', r, pid, 'Encounter.period.start is missing or unreadable');
      continue;
    }
    let status = ENCOUNTER_STATUS[r.status as string];
    if (!status) {
      problem('warning', 'encounter-status-unknown', r, pid, `status '${String(r.status)}' mapped to in-progress (never counts as performed)`);
      status = 'in-progress';
    }
    const dispCode = firstCodeValue(r.hospitalization?.dischargeDisposition);
    const disposition: DischargeDisposition | null = dispCode ? (DISCHARGE_DISPOSITION[dispCode] ?? 'other') : null;
    if (disposition !== null && cls !== 'inpatient' && cls !== 'ed') {
      // Contract rule: only inpatient/ED encounters carry a disposition. The CMS decks put
      // hospice discharges on AMB-class encounters typed as inpatient admissions; keep the
      // disposition (the Hospice library reads it by type, not class) and say so.
      problem('warning', 'disposition-on-non-inpatient-class', r, pid, `discharge disposition on a ${rawClass} encounter (contract expects inpatient/ED)`);
    }
    const id = String(r.id);
    b.rawClass.set(id, rawClass);
    b.encounters.push({
      encounter_id: id,
      member_id: pid,
      class: cls,
      type_system: type.system,
      type_code: type.code,
      status,
      start_time: start,
      end_time: toUtcInstant(r.period?.end),
      institution_id: null,
      facility_level: null,
      practitioner_id: null,
      primary_dx_system: null,
      primary_dx_code: null,
      discharge_disposition: disposition,
      planned: false,
    });
    for (const d of r.diagnosis ?? []) {
      const cid = referenceId(d?.condition);
      if (cid) conditionEncounter.set(cid, id);
    }
  }

  for (const r of resources) {
    switch (r.resourceType) {
      case 'Patient':
      case 'Encounter':
        break;
      case 'Condition': {
        const b = ownerOf(r);
        if (!b) break;
        const pid = b.member.member_id;
        const code = codeOf(r.code, r, pid, 'condition');
        if (!code) break;
        const onset = toDate(r.onsetDateTime) ?? toDate(r.onsetPeriod?.start) ?? toDate(r.recordedDate);
        if (!onset) {
          problem('error', 'condition-no-onset', r, pid, 'no onsetDateTime/onsetPeriod/recordedDate: prevalence period unknown');
          break;
        }
        const categories: string[] = (r.category ?? []).flatMap((c: Json) => (c?.coding ?? []).map((x: Json) => String(x?.code)));
        const source = categories.includes('encounter-diagnosis') ? 'encounter' : 'problem-list';
        if (categories.length === 0) problem('warning', 'condition-no-category', r, pid, 'no category: treated as a problem-list item');
        const encounterId = referenceId(r.encounter) ?? conditionEncounter.get(String(r.id)) ?? null;
        if (source === 'encounter' && encounterId === null)
          problem('warning', 'encounter-diagnosis-unlinked', r, pid, 'encounter-diagnosis with no Encounter reference (contract v1 expects encounter_id)');
        const ver = firstCodeValue(r.verificationStatus);
        const clin = firstCodeValue(r.clinicalStatus);
        let abatement = toDate(r.abatementDateTime) ?? toDate(r.abatementPeriod?.end);
        if (abatement !== null && abatement < onset) {
          problem('warning', 'condition-abatement-before-onset', r, pid, 'abatement before onset: abatement dropped');
          abatement = null;
        }
        b.conditions.push({
          condition_id: String(r.id),
          member_id: pid,
          code_system: code.system,
          code: code.code,
          onset_date: onset,
          abatement_date: abatement,
          verification_status: ver && VERIFICATION.has(ver) ? (ver as VerificationStatus) : null,
          clinical_status: clin && CLINICAL.has(clin) ? (clin as ClinicalStatus) : null,
          source,
          encounter_id: encounterId,
          recorded_date: toDate(r.recordedDate),
        });
        break;
      }
      case 'Observation': {
        const b = ownerOf(r);
        if (!b) break;
        importObservation(r, b, problem);
        break;
      }
      case 'Procedure': {
        const b = ownerOf(r);
        if (!b) break;
        const pid = b.member.member_id;
        const code = codeOf(r.code, r, pid, 'procedure');
        if (!code) break;
        const start = toUtcInstant(r.performedDateTime) ?? toUtcInstant(r.performedPeriod?.start) ?? toUtcInstant(r.performedPeriod?.end);
        if (!start) {
          problem('error', 'procedure-no-time', r, pid, 'no performedDateTime/performedPeriod');
          break;
        }
        const end = toUtcInstant(r.performedPeriod?.end);
        b.procedures.push({
          procedure_id: String(r.id),
          member_id: pid,
          code_system: code.system,
          code: code.code,
          performed_start: start,
          performed_end: end !== null && end >= start ? end : null,
          status: PROCEDURE_STATUS.has(r.status) ? r.status : 'unknown',
          encounter_id: referenceId(r.encounter),
        });
        break;
      }
      case 'ServiceRequest':
      case 'DeviceRequest': {
        const b = ownerOf(r);
        if (!b) break;
        const pid = b.member.member_id;
        if (r.doNotPerform === true || hasDoNotPerformExtension(r)) {
          ignore(`doNotPerform:${r.resourceType}`);
          break;
        }
        const concept = r.resourceType === 'DeviceRequest' ? r.codeCodeableConcept : r.code;
        const code = codeOf(concept, r, pid, 'request');
        if (!code) break;
        const authored = toUtcInstant(r.authoredOn);
        if (!authored) {
          problem('error', 'request-no-authored-on', r, pid, 'no authoredOn');
          break;
        }
        b.serviceRequests.push({
          request_id: String(r.id),
          member_id: pid,
          code_system: code.system,
          code: code.code,
          authored_time: authored,
          status: REQUEST_STATUS.has(r.status) ? r.status : 'unknown',
          intent: REQUEST_INTENT.has(r.intent) ? r.intent : 'order',
          kind: r.resourceType === 'DeviceRequest' ? 'device' : 'service',
        });
        break;
      }
      case 'MedicationRequest': {
        const b = ownerOf(r);
        if (!b) break;
        const pid = b.member.member_id;
        if (r.doNotPerform === true) {
          ignore('doNotPerform:MedicationRequest');
          break;
        }
        let concept = r.medicationCodeableConcept;
        if (!concept && r.medicationReference) {
          const mid = referenceId(r.medicationReference);
          const med = (mid && (medicationsById.get(mid) ?? (r.contained ?? []).find((c: Json) => c?.id === mid))) || null;
          concept = med?.code;
          if (!concept) {
            problem('error', 'medication-reference-unresolved', r, pid, `medicationReference ${mid ?? '(none)'} not found in the bundle`);
            break;
          }
        }
        const code = codeOf(concept, r, pid, 'medication');
        if (!code) break;
        const bounds = r.dosageInstruction?.[0]?.timing?.repeat?.boundsPeriod;
        const start = toDate(bounds?.start) ?? toDate(r.dispenseRequest?.validityPeriod?.start) ?? toDate(r.authoredOn);
        if (!start) {
          problem('error', 'medication-no-start', r, pid, 'no authoredOn or dosage bounds start');
          break;
        }
        let days = durationDays(r.dispenseRequest?.expectedSupplyDuration);
        if (days === null && typeof bounds?.end === 'string') {
          const end = toDate(bounds.end);
          if (end) days = Math.round((Date.parse(end) - Date.parse(start)) / dayMs) + 1;
        }
        if (days === null) {
          problem('warning', 'medication-supply-unknown', r, pid, 'no expectedSupplyDuration or dosage bounds: one day assumed');
          days = 1;
        }
        if (days > 366) problem('warning', 'medication-supply-capped', r, pid, `supply of ${days} days capped at 366 (contract limit)`);
        const refills = typeof r.dispenseRequest?.numberOfRepeatsAllowed === 'number' ? r.dispenseRequest.numberOfRepeatsAllowed : 0;
        b.medications.push({
          medication_id: String(r.id),
          member_id: pid,
          code_system: code.system,
          code: code.code,
          start_date: start,
          days_supplied: Math.max(1, Math.min(366, days * (1 + Math.max(0, refills)))),
          prescriber_id: null,
          status: MEDICATION_STATUS.has(r.status) ? r.status : 'unknown',
        });
        break;
      }
      default:
        ignore(String(r.resourceType));
    }
  }

  const patients: PatientRecords[] = [];
  for (const b of builders.values()) {
    // Observation settings from the linked encounter's raw class (pass 2 ran after encounters).
    for (const o of b.observations) {
      if (o.encounter_id === null) continue;
      const raw = b.rawClass.get(o.encounter_id);
      if (raw === undefined) continue;
      o.setting = ACUTE_SETTING_CLASSES[raw] ?? (o.setting === 'lab' ? 'lab' : 'clinic');
    }
    patients.push({
      member: b.member,
      encounters: b.encounters,
      conditions: b.conditions,
      observations: b.observations,
      procedures: b.procedures,
      serviceRequests: b.serviceRequests,
      medications: b.medications,
    });
  }
  return { patients, problems, ignored };
}

type ProblemSink = (severity: ImportProblem['severity'], code: string, r: Json, patientId: string | null, message: string) => void;

const BP_COMPONENTS = new Set<string>([LOINC.systolic, LOINC.diastolic]);

/** One Observation -> one contract record, or (a BP panel) one record per systolic/diastolic component sharing a panel id. */
function importObservation(r: Json, b: PatientBuilder, problem: ProblemSink): void {
  const pid = b.member.member_id;
  const id = String(r.id);
  const effStart = toUtcInstant(r.effectiveDateTime) ?? toUtcInstant(r.effectiveInstant) ?? toUtcInstant(r.effectivePeriod?.start);
  // CQL effective.latest(): the end of a period, else the instant.
  const effective = toUtcInstant(r.effectivePeriod?.end) ?? effStart ?? toUtcInstant(r.issued);
  if (!effective) {
    problem('error', 'observation-no-effective', r, pid, 'no effective[x] or issued');
    return;
  }
  let status = r.status as Observation['status'];
  if (!OBSERVATION_STATUS.has(status)) {
    problem('warning', 'observation-status-unknown', r, pid, `status '${String(r.status)}' mapped to registered (never counts as a result)`);
    status = 'registered';
  }
  const categories: string[] = (r.category ?? []).flatMap((c: Json) => (c?.coding ?? []).map((x: Json) => String(x?.code)));
  const setting: Observation['setting'] = categories.includes('laboratory') ? 'lab' : 'other';
  const encounterId = referenceId(r.encounter);
  const base = { member_id: pid, effective_time: effective, effective_start: effStart && effStart !== effective ? effStart : null, status, setting, encounter_id: encounterId };
  const components: Json[] = Array.isArray(r.component) ? r.component : [];
  const bpParts = components.filter((c) => (c?.code?.coding ?? []).some((x: Json) => codeSystemForUri(x?.system) === 'LOINC' && BP_COMPONENTS.has(x?.code)));
  if (bpParts.length > 0) {
    for (const c of bpParts) {
      const code = (c.code.coding as Json[]).find((x) => codeSystemForUri(x?.system) === 'LOINC' && BP_COMPONENTS.has(x?.code)).code as string;
      const value = typeof c.valueQuantity?.value === 'number' ? c.valueQuantity.value : null;
      const recId = `${id}.${code === LOINC.systolic ? 'systolic' : 'diastolic'}`;
      b.observations.push({
        ...base,
        observation_id: recId,
        code_system: 'LOINC',
        code,
        value,
        unit: value === null ? null : String(c.valueQuantity.unit ?? c.valueQuantity.code ?? 'mm[Hg]'),
        value_code_system: null,
        value_code: null,
        panel_id: id,
      });
    }
    return;
  }
  const code = pickCode(r.code);
  if (!code) {
    problem('error', 'observation-no-known-code', r, pid, 'no coding in a known code system');
    return;
  }
  if (code.dropped > 0) problem('warning', 'extra-codings-dropped', r, pid, `kept ${code.system}|${code.code}; ${code.dropped} other coding(s) dropped`);
  const value = typeof r.valueQuantity?.value === 'number' ? (r.valueQuantity.value as number) : null;
  const coded = r.valueCodeableConcept ? pickCode(r.valueCodeableConcept) : null;
  if (r.valueCodeableConcept && !coded) problem('warning', 'observation-value-unknown-system', r, pid, 'coded value in an unknown code system dropped');
  b.observations.push({
    ...base,
    observation_id: id,
    code_system: code.system,
    code: code.code,
    value,
    unit: value === null ? null : String(r.valueQuantity.unit ?? r.valueQuantity.code ?? '1'),
    value_code_system: coded?.system ?? null,
    value_code: coded?.code ?? null,
    panel_id: null,
  });
}
