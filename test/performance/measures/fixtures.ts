/** Small builders for measure fixtures: one patient's contract records and a toy value-set lookup. */
import type { Condition, Encounter, Medication, Observation, Procedure, ServiceRequest } from '../../../data-contracts/v1/index.ts';
import type { PatientRecords } from '../../../src/performance/measures/index.ts';
import { SHARED_VALUE_SETS } from '../../../src/performance/measures/index.ts';

let seq = 0;
const nextId = (p: string) => `${p}${++seq}`;

export function encounter(code: string, start: string, extra: Partial<Encounter> = {}): Encounter {
  return {
    encounter_id: nextId('enc'), member_id: 'p1', class: 'outpatient', type_system: 'CPT', type_code: code, status: 'finished',
    start_time: `${start}T09:00:00.000Z`, end_time: `${start}T09:30:00.000Z`, institution_id: null, facility_level: null, practitioner_id: null,
    primary_dx_system: null, primary_dx_code: null, discharge_disposition: null, planned: false, ...extra,
  };
}

export function condition(code: string, onset: string, extra: Partial<Condition> = {}): Condition {
  return {
    condition_id: nextId('cond'), member_id: 'p1', code_system: 'ICD-10-CM', code, onset_date: onset, abatement_date: null, verification_status: null,
    clinical_status: 'active', source: 'encounter', encounter_id: 'enc0', recorded_date: null, ...extra,
  };
}

export function observation(code: string, time: string, value: number | null, extra: Partial<Observation> = {}): Observation {
  return {
    observation_id: nextId('obs'), member_id: 'p1', code_system: 'LOINC', code, value, unit: value === null ? null : '%', value_code_system: null, value_code: null,
    effective_time: time.length === 10 ? `${time}T10:00:00.000Z` : time, effective_start: null, status: 'final', setting: 'clinic', encounter_id: null, panel_id: null, ...extra,
  };
}

/** A BP reading: systolic and diastolic halves sharing a panel id. */
export function bp(time: string, systolic: number, diastolic: number, extra: Partial<Observation> = {}): Observation[] {
  const panel = nextId('bp');
  return [
    observation('8480-6', time, systolic, { unit: 'mm[Hg]', panel_id: panel, ...extra }),
    observation('8462-4', time, diastolic, { unit: 'mm[Hg]', panel_id: panel, ...extra }),
  ];
}

export function procedure(code: string, start: string, extra: Partial<Procedure> = {}): Procedure {
  return { procedure_id: nextId('proc'), member_id: 'p1', code_system: 'SNOMED-CT', code, performed_start: `${start}T08:00:00.000Z`, performed_end: null, status: 'completed', encounter_id: null, ...extra };
}

export function request(code: string, authored: string, extra: Partial<ServiceRequest> = {}): ServiceRequest {
  return { request_id: nextId('req'), member_id: 'p1', code_system: 'SNOMED-CT', code, authored_time: `${authored}T08:00:00.000Z`, status: 'active', intent: 'order', kind: 'service', ...extra };
}

export function medication(code: string, start: string, days: number, extra: Partial<Medication> = {}): Medication {
  return { medication_id: nextId('med'), member_id: 'p1', code_system: 'RxNorm', code, start_date: start, days_supplied: days, prescriber_id: null, status: 'active', ...extra };
}

export function patient(birth: string, parts: Partial<Omit<PatientRecords, 'member'>> = {}): PatientRecords {
  return {
    member: { member_id: 'p1', birth_date: birth, sex: 'F', region: 'r', insurance_scheme: 'URRBMI', enrolled_from: '2000-01-01', enrolled_to: null, deceased_date: null },
    encounters: [], conditions: [], observations: [], procedures: [], serviceRequests: [], medications: [], ...parts,
  };
}

/** Toy codes, one per value set the measures read. */
export const CODES = {
  office: '99213', virtual: '98970', edVisit: '99283', inpatient: '183452005', esrdMonthly: '90951', frailtyEncounter: '99504',
  diabetes: 'E11.9', hypertension: 'I10', pregnancy: 'O09.90', esrd: 'N18.6', ckd5: 'N18.5', ktr: 'Z94.0',
  frailtyDx: 'R54', advancedIllness: 'C71.9', hospiceDx: '170935008', palliativeDx: 'Z51.5', frailtySymptom: 'R26.89',
  hospiceCare: '385763009', palliativeIntervention: '395694002', dialysis: '108241001', hospiceEncounter: '183919006', palliativeEncounter: '305284002',
  frailtyDevice: '183240000', dementiaMed: '312836',
} as const;

export function toyValueSets(): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  const put = (oid: string, ...keys: string[]) => m.set(oid, new Set(keys));
  const empty = [
    '2.16.840.1.113883.3.526.3.1240', '2.16.840.1.113883.3.464.1003.101.12.1025', '2.16.840.1.113883.3.464.1003.101.12.1023',
    '2.16.840.1.113883.3.464.1003.101.12.1016', '2.16.840.1.113883.3.464.1003.1006', '2.16.840.1.113883.3.464.1003.101.12.1080',
    '2.16.840.1.113883.3.464.1003.109.12.1012',
  ];
  for (const oid of empty) put(oid);
  for (const [oid] of Object.values(SHARED_VALUE_SETS)) put(oid);
  put('2.16.840.1.113883.3.464.1003.101.12.1001', `CPT|${CODES.office}`);
  put('2.16.840.1.113883.3.464.1003.101.12.1089', `CPT|${CODES.virtual}`);
  put('2.16.840.1.113883.3.464.1003.101.12.1010', `CPT|${CODES.edVisit}`);
  put(SHARED_VALUE_SETS.encounterInpatient[0], `SNOMED-CT|${CODES.inpatient}`);
  put('2.16.840.1.113883.3.464.1003.109.12.1014', `CPT|${CODES.esrdMonthly}`);
  put(SHARED_VALUE_SETS.frailtyEncounter[0], `CPT|${CODES.frailtyEncounter}`);
  put('2.16.840.1.113883.3.464.1003.103.12.1001', `ICD-10-CM|${CODES.diabetes}`);
  put('2.16.840.1.113883.3.464.1003.198.12.1013', 'LOINC|4548-4', 'LOINC|17855-8');
  put('2.16.840.1.113883.3.464.1003.104.12.1011', `ICD-10-CM|${CODES.hypertension}`);
  put('2.16.840.1.113883.3.526.3.378', `ICD-10-CM|${CODES.pregnancy}`);
  put('2.16.840.1.113883.3.526.3.353', `ICD-10-CM|${CODES.esrd}`);
  put('2.16.840.1.113883.3.526.3.1002', `ICD-10-CM|${CODES.ckd5}`);
  put('2.16.840.1.113883.3.464.1003.109.12.1029', `ICD-10-CM|${CODES.ktr}`);
  put('2.16.840.1.113883.3.464.1003.109.12.1013', `SNOMED-CT|${CODES.dialysis}`);
  put(SHARED_VALUE_SETS.frailtyDiagnosis[0], `ICD-10-CM|${CODES.frailtyDx}`);
  put(SHARED_VALUE_SETS.advancedIllness[0], `ICD-10-CM|${CODES.advancedIllness}`);
  put(SHARED_VALUE_SETS.hospiceDiagnosis[0], `SNOMED-CT|${CODES.hospiceDx}`);
  put(SHARED_VALUE_SETS.palliativeDiagnosis[0], `ICD-10-CM|${CODES.palliativeDx}`);
  put(SHARED_VALUE_SETS.frailtySymptom[0], `ICD-10-CM|${CODES.frailtySymptom}`);
  put(SHARED_VALUE_SETS.hospiceCareAmbulatory[0], `SNOMED-CT|${CODES.hospiceCare}`);
  put(SHARED_VALUE_SETS.palliativeIntervention[0], `SNOMED-CT|${CODES.palliativeIntervention}`);
  put(SHARED_VALUE_SETS.hospiceEncounter[0], `SNOMED-CT|${CODES.hospiceEncounter}`);
  put(SHARED_VALUE_SETS.palliativeEncounter[0], `SNOMED-CT|${CODES.palliativeEncounter}`);
  put(SHARED_VALUE_SETS.frailtyDevice[0], `SNOMED-CT|${CODES.frailtyDevice}`);
  put(SHARED_VALUE_SETS.dementiaMedications[0], `RxNorm|${CODES.dementiaMed}`);
  return m;
}
