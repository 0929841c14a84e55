/**
 * Stratum data contracts, version 1: the records the generator writes, the loader validates and
 * the store holds. Field names are snake_case so a record, its CSV header and its table column
 * are the same word. Each record carries enough of FHIR R4 (Patient, Encounter, Condition,
 * Observation, Procedure, ServiceRequest, MedicationRequest) for the CMS122/CMS165 measures.
 */
import { z } from 'zod';
import { CodeSystem, CodeValue } from './codes.ts';
import { Id, IsoDate, IsoDateTime, MoneyString, YearMonth } from './common.ts';

const notBefore = (later: string | null | undefined, earlier: string | null | undefined) =>
  later == null || earlier == null || later >= earlier;

/** Administrative sex (FHIR Patient.gender: male, female, other, unknown). */
export const Sex = z.enum(['M', 'F', 'O', 'U']);
/** China's two basic medical-insurance schemes: employees' (UEBMI) and urban-rural residents' (URRBMI). */
export const InsuranceScheme = z.enum(['UEBMI', 'URRBMI']);

export const Member = z
  .object({
    member_id: Id,
    birth_date: IsoDate,
    sex: Sex,
    region: z.string().min(1).max(32),
    insurance_scheme: InsuranceScheme,
    /** First day of insurance enrolment. */
    enrolled_from: IsoDate,
    /** Last day of enrolment; null while enrolled. Enrolled months are counted from this span. */
    enrolled_to: IsoDate.nullable(),
    deceased_date: IsoDate.nullable().default(null),
  })
  .refine((m) => notBefore(m.enrolled_to, m.enrolled_from), { path: ['enrolled_to'], message: 'enrolled_to must not be before enrolled_from' })
  .refine((m) => m.birth_date >= '1900-01-01', { path: ['birth_date'], message: 'birth_date must be on or after 1900-01-01' });
export type Member = z.infer<typeof Member>;

/** primary: community health centre / township clinic; secondary: county hospital or medical community. */
export const InstitutionLevel = z.enum(['primary', 'secondary', 'tertiary']);
export const Institution = z.object({
  institution_id: Id,
  name: z.string().min(1).max(200),
  level: InstitutionLevel,
  region: z.string().min(1).max(32),
});
export type Institution = z.infer<typeof Institution>;

export const Practitioner = z.object({
  practitioner_id: Id,
  institution_id: Id,
  department: z.string().min(1).max(64),
});
export type Practitioner = z.infer<typeof Practitioner>;

/** Family-doctor sign-up (家庭医生签约): attribution for capitation and P4P. */
export const Signup = z
  .object({
    signup_id: Id,
    member_id: Id,
    practitioner_id: Id,
    institution_id: Id,
    from_date: IsoDate,
    to_date: IsoDate.nullable(),
  })
  .refine((s) => notBefore(s.to_date, s.from_date), { path: ['to_date'], message: 'to_date must not be before from_date' });
export type Signup = z.infer<typeof Signup>;

/** FHIR Condition.verificationStatus. */
export const VerificationStatus = z.enum(['confirmed', 'unconfirmed', 'provisional', 'differential', 'refuted', 'entered-in-error']);
/** FHIR Condition.clinicalStatus. */
export const ClinicalStatus = z.enum(['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved']);

export const Condition = z
  .object({
    condition_id: Id,
    member_id: Id,
    code_system: CodeSystem,
    code: CodeValue,
    onset_date: IsoDate,
    abatement_date: IsoDate.nullable(),
    verification_status: VerificationStatus.nullable(),
    clinical_status: ClinicalStatus.nullable(),
    /** problem-list item or encounter diagnosis (FHIR Condition.category); CMS122's CQL reads only the latter. */
    source: z.enum(['problem-list', 'encounter']),
    encounter_id: Id.nullable(),
    recorded_date: IsoDate.nullable().default(null),
  })
  .refine((c) => notBefore(c.abatement_date, c.onset_date), { path: ['abatement_date'], message: 'abatement_date must not be before onset_date' })
  .refine((c) => c.source !== 'encounter' || c.encounter_id !== null, { path: ['encounter_id'], message: 'an encounter diagnosis must name its encounter' });
export type Condition = z.infer<typeof Condition>;

export const EncounterClass = z.enum(['inpatient', 'outpatient', 'ed', 'home', 'phone', 'virtual']);
export const EncounterStatus = z.enum(['planned', 'in-progress', 'finished', 'cancelled', 'entered-in-error']);
/** FHIR Encounter.hospitalization.dischargeDisposition, with the hospice destinations the measures need. */
export const DischargeDisposition = z.enum([
  'home',
  'home-health',
  'transfer-acute',
  'skilled-nursing',
  'long-term-care',
  'rehab',
  'hospice-home',
  'hospice-facility',
  'left-against-advice',
  'expired',
  'other',
]);

export const Encounter = z
  .object({
    encounter_id: Id,
    member_id: Id,
    class: EncounterClass,
    type_system: CodeSystem,
    type_code: CodeValue,
    status: EncounterStatus,
    start_time: IsoDateTime,
    end_time: IsoDateTime.nullable(),
    institution_id: Id.nullable(),
    facility_level: z.enum(['primary', 'secondary', 'tertiary']).nullable(),
    practitioner_id: Id.nullable(),
    /** Principal diagnosis; secondary diagnoses are Condition rows whose encounter_id points here. */
    primary_dx_system: CodeSystem.nullable(),
    primary_dx_code: CodeValue.nullable(),
    discharge_disposition: DischargeDisposition.nullable(),
    /** A planned admission (e.g. scheduled chemotherapy) is not an unplanned readmission. */
    planned: z.boolean().default(false),
  })
  .refine((e) => notBefore(e.end_time, e.start_time), { path: ['end_time'], message: 'end_time must not be before start_time' })
  .refine((e) => (e.primary_dx_code === null) === (e.primary_dx_system === null), {
    path: ['primary_dx_system'],
    message: 'primary diagnosis code and system come together',
  })
  // Discharge dispositions are allowed on any class: FHIR data carries hospice discharges on
  // ambulatory encounters too (CMS122/CMS165 test decks), and the measures read them there.
  ;
export type Encounter = z.infer<typeof Encounter>;

export const ObservationStatus = z.enum(['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error']);
/** Where the reading was taken: CMS165 excludes inpatient and ED readings; home devices count. */
export const ObservationSetting = z.enum(['clinic', 'home-device', 'inpatient', 'ed', 'lab', 'other']);

export const Observation = z
  .object({
    observation_id: Id,
    member_id: Id,
    code_system: CodeSystem,
    code: CodeValue,
    /** Numeric result; null when the test was done but has no result (CMS122 counts that as poor control). */
    value: z.number().finite().nullable(),
    unit: z.string().max(32).nullable(),
    /** Coded result (e.g. housing status, hospice yes/no). */
    value_code_system: CodeSystem.nullable().default(null),
    value_code: CodeValue.nullable().default(null),
    effective_time: IsoDateTime,
    /** Start of an effective period (FHIR effectivePeriod.start); effective_time is its end (CQL latest()). */
    effective_start: IsoDateTime.nullable().default(null),
    status: ObservationStatus,
    setting: ObservationSetting,
    encounter_id: Id.nullable(),
    /** Readings taken together share a panel id (a BP's systolic and diastolic halves). */
    panel_id: Id.nullable().default(null),
  })
  .refine((o) => o.value === null || o.unit !== null, { path: ['unit'], message: 'a numeric value needs a unit' })
  .refine((o) => (o.value_code === null) === (o.value_code_system === null), { path: ['value_code_system'], message: 'a coded value needs its code system' });
export type Observation = z.infer<typeof Observation>;

export const Procedure = z
  .object({
    procedure_id: Id,
    member_id: Id,
    code_system: CodeSystem,
    code: CodeValue,
    performed_start: IsoDateTime,
    performed_end: IsoDateTime.nullable(),
    status: z.enum(['preparation', 'in-progress', 'not-done', 'on-hold', 'stopped', 'completed', 'entered-in-error', 'unknown']),
    encounter_id: Id.nullable(),
  })
  .refine((p) => notBefore(p.performed_end, p.performed_start), { path: ['performed_end'], message: 'performed_end must not be before performed_start' });
export type Procedure = z.infer<typeof Procedure>;

export const ServiceRequest = z.object({
  request_id: Id,
  member_id: Id,
  code_system: CodeSystem,
  code: CodeValue,
  authored_time: IsoDateTime,
  status: z.enum(['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown']),
  intent: z.enum(['proposal', 'plan', 'directive', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option']),
  /** DeviceRequest rows (frailty devices) are carried here with kind 'device'. */
  kind: z.enum(['service', 'device']).default('service'),
});
export type ServiceRequest = z.infer<typeof ServiceRequest>;

export const Medication = z.object({
  medication_id: Id,
  member_id: Id,
  code_system: CodeSystem,
  code: CodeValue,
  start_date: IsoDate,
  days_supplied: z.number().int('days_supplied must be a whole number').min(1).max(366),
  prescriber_id: Id.nullable(),
  status: z.enum(['active', 'on-hold', 'cancelled', 'completed', 'entered-in-error', 'stopped', 'draft', 'unknown']),
});
export type Medication = z.infer<typeof Medication>;

export const ClaimCategory = z.enum(['inpatient', 'outpatient', 'ed', 'pharmacy', 'primary-care', 'other']);
export const ClaimCost = z.object({
  claim_id: Id,
  member_id: Id,
  month: YearMonth,
  category: ClaimCategory,
  institution_id: Id.nullable(),
  amount: MoneyString,
});
export type ClaimCost = z.infer<typeof ClaimCost>;

export const Lifestyle = z.object({
  lifestyle_id: Id,
  member_id: Id,
  recorded_date: IsoDate,
  smoking: z.enum(['never', 'former', 'current']).nullable(),
  family_history_hypertension: z.boolean().nullable(),
  family_history_diabetes: z.boolean().nullable(),
  family_history_chd: z.boolean().nullable(),
  physical_activity: z.enum(['low', 'moderate', 'high']).nullable(),
});
export type Lifestyle = z.infer<typeof Lifestyle>;

/** Every v1 entity by its file/table name, in load order (referenced entities first). */
export const ENTITIES = {
  institution: Institution,
  practitioner: Practitioner,
  member: Member,
  signup: Signup,
  encounter: Encounter,
  condition: Condition,
  observation: Observation,
  procedure: Procedure,
  service_request: ServiceRequest,
  medication: Medication,
  claim_cost: ClaimCost,
  lifestyle: Lifestyle,
} as const;
export type EntityName = keyof typeof ENTITIES;
export const ENTITY_NAMES = Object.keys(ENTITIES) as EntityName[];
export type EntityRecord<E extends EntityName> = z.infer<(typeof ENTITIES)[E]>;

/** The primary-key field of each entity. */
export const PRIMARY_KEY: Record<EntityName, string> = {
  institution: 'institution_id',
  practitioner: 'practitioner_id',
  member: 'member_id',
  signup: 'signup_id',
  encounter: 'encounter_id',
  condition: 'condition_id',
  observation: 'observation_id',
  procedure: 'procedure_id',
  service_request: 'request_id',
  medication: 'medication_id',
  claim_cost: 'claim_id',
  lifestyle: 'lifestyle_id',
};
