import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/config/policy.ts';
import { onsetFeatures, readmissionFeatures, featureSchemaHash } from '../../src/features/definitions.ts';
import { recordAsOf, type MemberRecord } from '../../src/features/member-record.ts';
import { obs, sampleRecord, stay } from './record-fixture.ts';

const policy = defaultPolicy();
const named = (names: readonly { name: string }[], v: Float64Array) => Object.fromEntries(names.map((f, i) => [f.name, v[i]]));

/** Arbitrary events dated on or after a day: whatever happens later must not move a feature. */
const laterEvents = (fromDay: string) =>
  fc.array(
    fc.record({
      kind: fc.constantFrom('obs', 'stay', 'dx'),
      offsetDays: fc.integer({ min: 0, max: 900 }),
      value: fc.integer({ min: 60, max: 250 }),
      code: fc.constantFrom('4548-4', '8480-6', '8462-4', '39156-5', '1558-6'),
    }),
    { maxLength: 8 },
  ).map((events) => {
    const base = Date.parse(`${fromDay}T00:00:00Z`);
    return events.map((e, i) => {
      const t = new Date(base + e.offsetDays * 86_400_000 + 3_600_000).toISOString().replace('.000', '');
      return { ...e, t, id: `LATER${i}` };
    });
  });

function withLater(record: MemberRecord, later: { kind: string; t: string; value: number; code: string; id: string }[]): MemberRecord {
  const r = structuredClone(record);
  for (const e of later) {
    if (e.kind === 'obs') r.observations.push(obs(e.id, e.code, e.code === '4548-4' ? e.value / 20 : e.value, e.t));
    else if (e.kind === 'stay') r.encounters.push(stay(e.id, e.t, e.t));
    else r.conditions.push({ ...r.conditions[0]!, condition_id: e.id, code: 'I25.1', onset_date: e.t.slice(0, 10) });
  }
  return r;
}

describe('features use nothing recorded after the index date', () => {
  it('onset features ignore any later events (property)', () => {
    const set = onsetFeatures('chd');
    const index = { indexDay: '2025-01-01' };
    const reference = set.compute(sampleRecord(), index, policy);
    fc.assert(
      fc.property(laterEvents(index.indexDay), (later) => {
        expect(set.compute(withLater(sampleRecord(), later), index, policy)).toEqual(reference);
      }),
      { numRuns: 200 },
    );
  });

  it('readmission features at a discharge ignore later events, including the readmission itself', () => {
    const record = sampleRecord();
    const index = { encounter: record.encounters[1]! };
    const reference = readmissionFeatures.compute(record, index, policy);
    fc.assert(
      fc.property(laterEvents(readmissionFeatures.indexDay(index)), (later) => {
        expect(readmissionFeatures.compute(withLater(sampleRecord(), later), index, policy)).toEqual(reference);
      }),
      { numRuns: 200 },
    );
  });

  it('readmission features describe the stay and what came before it', () => {
    const record = sampleRecord();
    const f = named(readmissionFeatures.features, readmissionFeatures.compute(record, { encounter: record.encounters[1]! }, policy));
    expect(f).toMatchObject({
      age: 69,
      has_diabetes: 1,
      has_hypertension: 1,
      admissions_12m: 1, // E1 only: the stay itself is not a prior admission; E3 is later
      length_of_stay: 5,
      discharged_skilled_nursing: 1,
      days_since_previous_discharge: 113,
      hba1c: 8.1,
      glycaemia_uncontrolled: 1,
      bp_uncontrolled: 1,
      bmi: 27.5,
    });
    expect(f.smoker).toBeNaN();
  });

  it('an encounter open at the cut loses its end and disposition', () => {
    const cut = recordAsOf(sampleRecord(), '2025-03-03');
    const open = cut.encounters.find((e) => e.encounter_id === 'E2')!;
    expect([open.end_time, open.discharge_disposition, open.status]).toEqual([null, null, 'in-progress']);
    expect(cut.encounters.map((e) => e.encounter_id)).toEqual(['E1', 'E2']);
  });

  it('the feature schema hash changes when a feature is added', () => {
    const set = onsetFeatures('diabetes');
    expect(featureSchemaHash(set)).toMatch(/^[0-9a-f]{16}$/);
    expect(featureSchemaHash({ ...set, features: [...set.features, { name: 'x', description: '' }] })).not.toBe(featureSchemaHash(set));
  });
});
