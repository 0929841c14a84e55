/** Small hand-made member records for the P4P performance tests. */
import type { Condition, Observation, Procedure, Signup } from '../../../data-contracts/v1/index.ts';
import type { MemberRecord } from '../../../src/features/member-record.ts';

export interface MemberSpec {
  id: string;
  institution?: string;
  signupFrom?: string;
  signupTo?: string | null;
  enrolledFrom?: string;
  enrolledTo?: string | null;
  deceased?: string | null;
  birth?: string;
  sex?: 'M' | 'F';
  diabetes?: string | null;
  hypertension?: string | null;
  hba1c?: [day: string, value: number][];
  bp?: [day: string, systolic: number, diastolic: number, setting?: Observation['setting']][];
  procedures?: [day: string, code: string, status?: Procedure['status']][];
}

let seq = 0;
const condition = (member: string, code: string, onset: string): Condition => ({
  condition_id: `C${++seq}`,
  member_id: member,
  code_system: 'ICD-10-CN',
  code,
  onset_date: onset,
  abatement_date: null,
  verification_status: 'confirmed',
  clinical_status: 'active',
  source: 'problem-list',
  encounter_id: null,
  recorded_date: onset,
});
const obs = (member: string, code: string, value: number, unit: string, day: string, setting: Observation['setting'] = 'clinic'): Observation => ({
  observation_id: `O${++seq}`,
  member_id: member,
  code_system: 'LOINC',
  code,
  value,
  unit,
  value_code_system: null,
  value_code: null,
  effective_time: `${day}T09:00:00Z`,
  effective_start: null,
  status: 'final',
  setting,
  encounter_id: null,
  panel_id: null,
});

/** A member record from a compact description (defaults: signed up 2024-03-01 at I1, enrolled since 2020). */
export function memberRecord(spec: MemberSpec): MemberRecord {
  const id = spec.id;
  const signups: Signup[] =
    spec.signupFrom === undefined && spec.institution === undefined && spec.signupTo === undefined
      ? [{ signup_id: `S-${id}`, member_id: id, practitioner_id: 'P1', institution_id: 'I1', from_date: '2024-03-01', to_date: null }]
      : spec.signupFrom === ''
        ? []
        : [{ signup_id: `S-${id}`, member_id: id, practitioner_id: 'P1', institution_id: spec.institution ?? 'I1', from_date: spec.signupFrom ?? '2024-03-01', to_date: spec.signupTo ?? null }];
  const conditions: Condition[] = [];
  if (spec.diabetes) conditions.push(condition(id, 'E11.9', spec.diabetes));
  if (spec.hypertension) conditions.push(condition(id, 'I10', spec.hypertension));
  const observations: Observation[] = [];
  for (const [day, v] of spec.hba1c ?? []) observations.push(obs(id, '4548-4', v, '%', day));
  for (const [day, s, d, setting] of spec.bp ?? []) observations.push(obs(id, '8480-6', s, 'mm[Hg]', day, setting), obs(id, '8462-4', d, 'mm[Hg]', day, setting));
  const procedures: Procedure[] = (spec.procedures ?? []).map(([day, code, status]) => ({
    procedure_id: `PR${++seq}`,
    member_id: id,
    code_system: 'CPT',
    code,
    performed_start: `${day}T10:00:00Z`,
    performed_end: null,
    status: status ?? 'completed',
    encounter_id: null,
  }));
  return {
    member: {
      member_id: id,
      birth_date: spec.birth ?? '1960-06-15',
      sex: spec.sex ?? 'F',
      region: 'R1',
      insurance_scheme: 'URRBMI',
      enrolled_from: spec.enrolledFrom ?? '2020-01-01',
      enrolled_to: spec.enrolledTo ?? null,
      deceased_date: spec.deceased ?? null,
    },
    signups,
    conditions,
    encounters: [],
    observations,
    procedures,
    serviceRequests: [],
    medications: [],
    claims: [],
    lifestyle: [],
  };
}
