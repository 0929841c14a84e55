/**
 * CMS122 + CMS165 over synthetic patients already in memory as contract records. Patients are
 * built from a few hundred templates (diabetic/hypertensive, perturbed readings, some exclusions)
 * that share their record arrays; each patient has its own Member (perturbed birth date), so age
 * logic runs per patient. Value sets are a toy lookup shaped like the decks' (same OIDs).
 */
import type { Encounter, Member, Observation } from '../data-contracts/v1/index.ts';
import { defaultPolicy } from '../src/config/policy.ts';
import { Rng } from '../src/lib/random.ts';
import { cms122Evaluator, cms165Evaluator, SHARED_VALUE_SETS } from '../src/performance/measures/index.ts';
import type { PatientRecords } from '../src/performance/measures/index.ts';
import type { BenchRun } from './types.ts';

const OIDS_122 = [
  '2.16.840.1.113883.3.464.1003.101.12.1001', '2.16.840.1.113883.3.526.3.1240', '2.16.840.1.113883.3.464.1003.101.12.1025', '2.16.840.1.113883.3.464.1003.101.12.1023',
  '2.16.840.1.113883.3.464.1003.101.12.1016', '2.16.840.1.113883.3.464.1003.1006', '2.16.840.1.113883.3.464.1003.101.12.1080', '2.16.840.1.113883.3.464.1003.198.12.1013',
  '2.16.840.1.113883.3.464.1003.103.12.1001', '2.16.840.1.113883.3.464.1003.101.12.1089', '2.16.840.1.113883.3.464.1003.104.12.1011', '2.16.840.1.113883.3.526.3.378',
  '2.16.840.1.113883.3.526.3.353', '2.16.840.1.113883.3.464.1003.109.12.1029', '2.16.840.1.113883.3.526.3.1002', '2.16.840.1.113883.3.464.1003.109.12.1012',
  '2.16.840.1.113883.3.464.1003.109.12.1013', '2.16.840.1.113883.3.464.1003.109.12.1014', '2.16.840.1.113883.3.464.1003.101.12.1010',
];

function valueSets(): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const oid of [...OIDS_122, ...Object.values(SHARED_VALUE_SETS).map(([o]) => o)]) m.set(oid, new Set<string>());
  m.get('2.16.840.1.113883.3.464.1003.101.12.1001')!.add('CPT|99213');
  m.get('2.16.840.1.113883.3.464.1003.198.12.1013')!.add('LOINC|4548-4');
  m.get('2.16.840.1.113883.3.464.1003.103.12.1001')!.add('ICD-10-CM|E11.9');
  m.get('2.16.840.1.113883.3.464.1003.104.12.1011')!.add('ICD-10-CM|I10');
  m.get(SHARED_VALUE_SETS.hospiceCareAmbulatory[0])!.add('SNOMED-CT|385763009');
  m.get(SHARED_VALUE_SETS.frailtyEncounter[0])!.add('CPT|99504');
  m.get(SHARED_VALUE_SETS.advancedIllness[0])!.add('ICD-10-CM|C71.9');
  m.get(SHARED_VALUE_SETS.encounterInpatient[0])!.add('SNOMED-CT|183452005');
  return m;
}

const iso = (day: string, hour: number) => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;
const dayIn2026 = (rng: Rng) => new Date(Date.UTC(2026, 0, 1) + Math.floor(rng.next() * 365) * 86_400_000).toISOString().slice(0, 10);

function template(rng: Rng, t: number): Omit<PatientRecords, 'member'> {
  const id = `t${t}`;
  const encounters: Encounter[] = [];
  const observations: Observation[] = [];
  const base = { member_id: id, institution_id: null, facility_level: null, practitioner_id: null, primary_dx_system: null, primary_dx_code: null, discharge_disposition: null, planned: false } as const;
  for (let k = 0; k < 1 + Math.floor(rng.next() * 3); k++) {
    const d = dayIn2026(rng);
    encounters.push({ ...base, encounter_id: `${id}e${k}`, class: 'outpatient', type_system: 'CPT', type_code: rng.next() < 0.05 ? '99504' : '99213', status: 'finished', start_time: iso(d, 9), end_time: iso(d, 10) });
  }
  if (rng.next() < 0.1) {
    const d = dayIn2026(rng);
    encounters.push({ ...base, encounter_id: `${id}ip`, class: 'inpatient', type_system: 'SNOMED-CT', type_code: '183452005', status: 'finished', start_time: iso(d, 0), end_time: iso(d, 23) });
  }
  const obsBase = { member_id: id, value_code_system: null, value_code: null, effective_start: null, status: 'final', setting: 'clinic', encounter_id: null } as const;
  for (let k = 0; k < Math.floor(rng.next() * 4); k++)
    observations.push({ ...obsBase, observation_id: `${id}a${k}`, code_system: 'LOINC', code: '4548-4', value: 5.5 + rng.next() * 6, unit: '%', effective_time: iso(dayIn2026(rng), 8), panel_id: null });
  for (let k = 0; k < Math.floor(rng.next() * 5); k++) {
    const t0 = iso(dayIn2026(rng), 11);
    observations.push({ ...obsBase, observation_id: `${id}s${k}`, code_system: 'LOINC', code: '8480-6', value: 110 + Math.floor(rng.next() * 60), unit: 'mm[Hg]', effective_time: t0, panel_id: `${id}bp${k}` });
    observations.push({ ...obsBase, observation_id: `${id}d${k}`, code_system: 'LOINC', code: '8462-4', value: 65 + Math.floor(rng.next() * 35), unit: 'mm[Hg]', effective_time: t0, panel_id: `${id}bp${k}` });
  }
  const cond = (code: string, onset: string, n: number) => ({ condition_id: `${id}c${n}`, member_id: id, code_system: 'ICD-10-CM' as const, code, onset_date: onset, abatement_date: null, verification_status: null, clinical_status: 'active' as const, source: 'encounter' as const, encounter_id: `${id}e0`, recorded_date: null });
  const conditions = [];
  if (rng.next() < 0.7) conditions.push(cond('E11.9', '2018-03-01', 0));
  if (rng.next() < 0.7) conditions.push(cond('I10', '2019-03-01', 1));
  if (rng.next() < 0.05) conditions.push(cond('C71.9', '2025-06-01', 2));
  const procedures =
    rng.next() < 0.03 ? [{ procedure_id: `${id}p`, member_id: id, code_system: 'SNOMED-CT' as const, code: '385763009', performed_start: iso(dayIn2026(rng), 8), performed_end: null, status: 'completed' as const, encounter_id: null }] : [];
  return { encounters, conditions, observations, procedures, serviceRequests: [], medications: [] };
}

function population(n: number): PatientRecords[] {
  const rng = new Rng(20260101);
  const templates = Array.from({ length: 500 }, (_, t) => template(rng, t));
  const out: PatientRecords[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const birthYear = 1935 + (i % 75);
    const member: Member = {
      member_id: `m${i}`, birth_date: `${birthYear}-${String(1 + (i % 12)).padStart(2, '0')}-15`, sex: i % 2 ? 'M' : 'F', region: 'r1', insurance_scheme: 'URRBMI',
      enrolled_from: '2020-01-01', enrolled_to: null, deceased_date: null,
    };
    out[i] = { member, ...templates[i % templates.length]! };
  }
  return out;
}

export const run: BenchRun = async ({ quick }) => {
  const n = quick ? 50_000 : 1_000_000;
  const patients = population(n);
  const vs = valueSets();
  const cms122 = cms122Evaluator(vs, 2026, defaultPolicy().control);
  const cms165 = cms165Evaluator(vs, 2026);
  const t0 = performance.now();
  let numer = 0;
  for (const p of patients) numer += cms122(p).populations.numerator + cms165(p).populations.numerator;
  const seconds = (performance.now() - t0) / 1000;
  const label = `CMS122 + CMS165 over ${n.toLocaleString('en-US')} in-memory patients`;
  return [
    { name: label, value: seconds, unit: 's', target: quick ? undefined : 10, higherIsBetter: false, note: `numerator hits ${numer}` },
    {
      name: `${label}: throughput`, value: n / seconds, unit: 'patients/s', higherIsBetter: true,
      baseline: { label: 'reference CQL engine (fqm-execution)', value: 15 },
    },
  ];
};
