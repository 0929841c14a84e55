/**
 * Everything stored about one member, and the one way features see it: as of a date. Every
 * feature function receives a record already cut at its index date, so nothing recorded after
 * the date can reach a feature (the leakage guard that training and serving share).
 */
import type {
  ClaimCost,
  Condition,
  Encounter,
  Lifestyle,
  Medication,
  Member,
  Observation,
  Procedure,
  ServiceRequest,
  Signup,
} from '../../data-contracts/v1/index.ts';

export interface MemberRecord {
  member: Member;
  signups: Signup[];
  conditions: Condition[];
  encounters: Encounter[];
  observations: Observation[];
  procedures: Procedure[];
  serviceRequests: ServiceRequest[];
  medications: Medication[];
  claims: ClaimCost[];
  lifestyle: Lifestyle[];
}

/** A record cut at `asOf` (exclusive): the only view feature code gets. Branded so a full record cannot be passed by mistake. */
export type RecordAsOf = MemberRecord & { readonly asOf: string; readonly __asOf: unique symbol };

const day = (iso: string) => iso.slice(0, 10);

/**
 * Keep only what was known before `asOf` (YYYY-MM-DD, exclusive). An encounter still open at
 * `asOf` is kept without its end and discharge disposition (they were not yet known); a
 * condition's abatement after `asOf` is forgotten; claims count from months ending before `asOf`.
 */
export function recordAsOf(record: MemberRecord, asOf: string): RecordAsOf {
  const asOfMonth = asOf.slice(0, 7);
  const encounters: Encounter[] = [];
  for (const e of record.encounters) {
    if (day(e.start_time) >= asOf) continue;
    if (e.end_time !== null && day(e.end_time) >= asOf) encounters.push({ ...e, end_time: null, discharge_disposition: null, status: 'in-progress' });
    else encounters.push(e);
  }
  const known = new Set(encounters.map((e) => e.encounter_id));
  return {
    asOf,
    member: record.member.deceased_date !== null && record.member.deceased_date >= asOf ? { ...record.member, deceased_date: null } : record.member,
    signups: record.signups.filter((s) => s.from_date < asOf).map((s) => (s.to_date !== null && s.to_date >= asOf ? { ...s, to_date: null } : s)),
    conditions: record.conditions
      .filter((c) => c.onset_date < asOf && (c.recorded_date === null || c.recorded_date < asOf) && (c.encounter_id === null || known.has(c.encounter_id)))
      .map((c) => (c.abatement_date !== null && c.abatement_date >= asOf ? { ...c, abatement_date: null } : c)),
    encounters,
    observations: record.observations.filter((o) => day(o.effective_time) < asOf),
    procedures: record.procedures.filter((p) => day(p.performed_start) < asOf),
    serviceRequests: record.serviceRequests.filter((s) => day(s.authored_time) < asOf),
    medications: record.medications.filter((m) => m.start_date < asOf),
    claims: record.claims.filter((c) => c.month < asOfMonth),
    lifestyle: record.lifestyle.filter((l) => l.recorded_date < asOf),
  } as unknown as RecordAsOf;
}

/** Whole years of age on a day. */
export function ageOn(birthDate: string, on: string): number {
  let age = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  if (on.slice(5) < birthDate.slice(5)) age--;
  return age;
}
