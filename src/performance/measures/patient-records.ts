/**
 * The input of a measure: one patient's contract records (data-contracts v1), grouped. The FHIR
 * importer builds these from bundles; the store or the generator can build them the same way.
 */
import type { Condition, Encounter, Medication, Member, Observation, Procedure, ServiceRequest } from '../../../data-contracts/v1/index.ts';

export interface PatientRecords {
  member: Member;
  encounters: readonly Encounter[];
  conditions: readonly Condition[];
  observations: readonly Observation[];
  procedures: readonly Procedure[];
  serviceRequests: readonly ServiceRequest[];
  medications: readonly Medication[];
  /**
   * Side structure the v1 Observation contract cannot carry: the start of a FHIR
   * `effectivePeriod` (observation_id -> ISO instant) when it differs from `effective_time`, which
   * holds the period's end (CQL `effective.latest()`). The exclusions that ask whether an
   * assessment's period *overlaps* the measurement period (palliative FACIT-Pal, hospice MDS,
   * frailty symptom) need it; absent means the observation is a point in time.
   */
  observationPeriodStart?: ReadonlyMap<string, string>;
}

/** A value-set lookup: OID -> set of `system|code` keys (system = contract `CodeSystem`). */
export type ValueSetLookup = ReadonlyMap<string, ReadonlySet<string>>;
