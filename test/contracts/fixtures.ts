/** One valid record per entity: the base that each rule test breaks in one place. */
import type { EntityName } from '../../data-contracts/v1/index.ts';

export const VALID: Record<EntityName, Record<string, unknown>> = {
  institution: { institution_id: 'I01', name: 'Hexi Community Health Centre', level: 'primary', region: 'R1' },
  practitioner: { practitioner_id: 'P0101', institution_id: 'I01', department: 'general-practice' },
  member: { member_id: 'M0000001', birth_date: '1958-04-02', sex: 'F', region: 'R1', insurance_scheme: 'URRBMI', enrolled_from: '2020-01-01', enrolled_to: null, deceased_date: null },
  signup: { signup_id: 'S1', member_id: 'M0000001', practitioner_id: 'P0101', institution_id: 'I01', from_date: '2021-03-01', to_date: null },
  encounter: {
    encounter_id: 'E1', member_id: 'M0000001', class: 'inpatient', type_system: 'SNOMED-CT', type_code: '183452005', status: 'finished',
    start_time: '2025-03-01T08:00:00Z', end_time: '2025-03-06T10:00:00Z', institution_id: 'I01', facility_level: 'secondary', practitioner_id: 'P0101',
    primary_dx_system: 'ICD-10-CN', primary_dx_code: 'I50.9', discharge_disposition: 'home', planned: false,
  },
  condition: {
    condition_id: 'C1', member_id: 'M0000001', code_system: 'ICD-10-CN', code: 'E11.9', onset_date: '2019-05-01', abatement_date: null,
    verification_status: 'confirmed', clinical_status: 'active', source: 'encounter', encounter_id: 'E1', recorded_date: '2019-05-01',
  },
  observation: {
    observation_id: 'O1', member_id: 'M0000001', code_system: 'LOINC', code: '4548-4', value: 7.4, unit: '%', value_code_system: null, value_code: null,
    effective_time: '2025-06-01T09:00:00+08:00', status: 'final', setting: 'lab', encounter_id: null, panel_id: null,
  },
  procedure: { procedure_id: 'PR1', member_id: 'M0000001', code_system: 'CPT', code: '92250', performed_start: '2025-07-01T09:00:00Z', performed_end: null, status: 'completed', encounter_id: null },
  service_request: { request_id: 'SR1', member_id: 'M0000001', code_system: 'SNOMED-CT', code: '385763009', authored_time: '2025-07-01T09:00:00Z', status: 'active', intent: 'order', kind: 'service' },
  medication: { medication_id: 'RX1', member_id: 'M0000001', code_system: 'ATC', code: 'A10BA02', start_date: '2025-01-10', days_supplied: 30, prescriber_id: 'P0101', status: 'active' },
  claim_cost: { claim_id: 'CL1', member_id: 'M0000001', month: '2025-03', category: 'inpatient', institution_id: 'I01', amount: '12345.60' },
  lifestyle: { lifestyle_id: 'L1', member_id: 'M0000001', recorded_date: '2024-01-01', smoking: 'current', family_history_hypertension: true, family_history_diabetes: false, family_history_chd: null, physical_activity: 'low' },
};
