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
}

/** A value-set lookup: OID -> set of `system|code` keys (system = contract `CodeSystem`). */
export type ValueSetLookup = ReadonlyMap<string, ReadonlySet<string>>;
