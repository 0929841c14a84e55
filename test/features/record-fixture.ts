/** A hand-made member record with history on both sides of an index date. */
import type { Encounter, Observation } from '../../data-contracts/v1/index.ts';
import type { MemberRecord } from '../../src/features/member-record.ts';
import { VALID } from '../contracts/fixtures.ts';

export const obs = (id: string, code: string, value: number, time: string, extra: Partial<Observation> = {}): Observation => ({
  ...(VALID.observation as Observation),
  observation_id: id,
  code,
  value,
  unit: code === '4548-4' ? '%' : code === '39156-5' ? 'kg/m2' : code === '1558-6' ? 'mmol/L' : 'mm[Hg]',
  effective_time: time,
  ...extra,
});

export const stay = (id: string, start: string, end: string, extra: Partial<Encounter> = {}): Encounter => ({
  ...(VALID.encounter as Encounter),
  encounter_id: id,
  start_time: start,
  end_time: end,
  ...extra,
});

export function sampleRecord(): MemberRecord {
  return {
    member: { ...(VALID.member as MemberRecord['member']), member_id: 'M1', birth_date: '1955-06-15' },
    signups: [],
    conditions: [
      { ...(VALID.condition as MemberRecord['conditions'][number]), condition_id: 'C1', code: 'E11.9', onset_date: '2019-01-01', source: 'problem-list', encounter_id: null },
      { ...(VALID.condition as MemberRecord['conditions'][number]), condition_id: 'C2', code: 'I10', onset_date: '2020-03-01', source: 'problem-list', encounter_id: null },
    ],
    encounters: [
      stay('E1', '2024-11-02T08:00:00Z', '2024-11-08T10:00:00Z'),
      stay('E2', '2025-03-01T08:00:00Z', '2025-03-06T10:00:00Z', { discharge_disposition: 'skilled-nursing' }),
      stay('E3', '2025-03-20T08:00:00Z', '2025-03-25T10:00:00Z'),
    ],
    observations: [
      obs('O1', '4548-4', 8.1, '2025-01-10T09:00:00Z'),
      obs('O2', '8480-6', 150, '2025-02-01T09:00:00Z', { panel_id: 'B1' }),
      obs('O3', '8462-4', 92, '2025-02-01T09:00:00Z', { panel_id: 'B1' }),
      obs('O4', '39156-5', 27.5, '2024-06-01T09:00:00Z'),
    ],
    procedures: [],
    serviceRequests: [],
    medications: [],
    claims: [],
    lifestyle: [],
  };
}
