import { describe, expect, it } from 'vitest';
import { defaultPolicy, parsePolicy } from '../../src/config/policy.ts';
import type { MemberRecord } from '../../src/features/member-record.ts';
import { canonicalJson } from '../../src/lib/canonical-json.ts';
import { inputFingerprint, policyFingerprint } from '../../src/scoring/score-member.ts';
import { sampleRecord } from '../features/record-fixture.ts';

describe('fingerprints behind a stored score', () => {
  it('the policy fingerprint changes with any figure and not with key order', () => {
    const a = defaultPolicy();
    expect(policyFingerprint(a)).toBe(policyFingerprint(defaultPolicy()));
    expect(policyFingerprint(parsePolicy({ packageRates: { mild: 310 } }))).not.toBe(policyFingerprint(a));
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    expect(policyFingerprint(reordered)).toBe(policyFingerprint(a));
  });

  it('the input fingerprint ignores what was recorded after the as-of date', () => {
    const record = sampleRecord();
    const later = structuredClone(record);
    later.observations.push({ ...record.observations[0]!, observation_id: 'LATE', effective_time: '2027-01-01T00:00:00Z' });
    expect(inputFingerprint(later, '2025-06-01')).toBe(inputFingerprint(record, '2025-06-01'));
    expect(inputFingerprint(later, '2027-06-01')).not.toBe(inputFingerprint(record, '2027-06-01'));
  });

  // Stored scores keep their input fingerprint: a faster canonical JSON or record cut must give
  // the same text and hash for the same input. These answers were produced by the first
  // implementation (map/join canonical JSON), before it was rewritten for speed.
  it('canonical JSON text is unchanged: key order, escapes, numbers, undefined members', () => {
    const tricky = {
      b: [1, -0, 1e21, 5e-7, 0.1, -2.5],
      a: { é: 'quote " backslash \\ newline \n tab \t', Z: null, z: true, '10': 'x', '2': 'y', '': 'empty' },
      ü: '\u2028\ud800 lone',
      '😀': [false, { y: 1, x: [] }],
      skip: undefined,
    };
    expect(canonicalJson(tricky)).toBe(
      '{"a":{"":"empty","10":"x","2":"y","Z":null,"z":true,"é":"quote \\" backslash \\\\ newline \\n tab \\t"},"b":[1,0,1e+21,5e-7,0.1,-2.5],"ü":"\u2028\\ud800 lone","😀":[false,{"x":[],"y":1}]}',
    );
  });

  // Arrays of records reuse one element's key order for the next while their keys match; any
  // change of shape (other keys, same keys added in another order, a member left undefined) must
  // still be written in sorted order.
  it('canonical JSON of arrays of objects with changing shapes', () => {
    const rows = [
      { b: 1, a: 2 },
      { b: 3, a: 4 },
      { a: 5, b: 6 },
      { b: 7, a: undefined },
      { b: 8, c: 9 },
      { c: 10, b: 11, a: 12 },
      [{ z: 1, y: 2 }],
      null,
      { b: 13, a: 14 },
    ];
    expect(canonicalJson(rows)).toBe('[{"a":2,"b":1},{"a":4,"b":3},{"a":5,"b":6},{"b":7},{"b":8,"c":9},{"a":12,"b":11,"c":10},[{"y":2,"z":1}],null,{"a":14,"b":13}]');
    class Row {
      a = 1;
    }
    expect(() => canonicalJson([{ a: 1 }, new Row()])).toThrow(/plain objects/);
  });

  it('the input fingerprint of a known record is the one stored before', () => {
    const record = {
      member: { member_id: 'M-PIN', birth_date: '1960-02-29', sex: 'F', region: 'R1', insurance_scheme: 'UEBMI', enrolled_from: '2020-01-01', enrolled_to: null, deceased_date: null },
      signups: [{ signup_id: 'S1', member_id: 'M-PIN', practitioner_id: 'P1', institution_id: 'I1', from_date: '2020-02-01', to_date: '2026-01-01' }],
      conditions: [
        { condition_id: 'C1', member_id: 'M-PIN', code_system: 'ICD-10-CN', code: 'E11.9', onset_date: '2021-03-04', abatement_date: '2025-12-01', verification_status: 'confirmed', clinical_status: 'active', source: 'problem-list', encounter_id: null, recorded_date: null },
      ],
      encounters: [
        {
          encounter_id: 'E1', member_id: 'M-PIN', class: 'inpatient', type_system: 'SNOMED-CT', type_code: '32485007', status: 'finished', start_time: '2025-04-01T08:00:00Z', end_time: '2025-04-05T10:30:00Z',
          institution_id: 'I2', facility_level: 'secondary', practitioner_id: null, primary_dx_system: 'ICD-10-CN', primary_dx_code: 'I10', discharge_disposition: 'home', planned: false,
        },
      ],
      observations: [
        { observation_id: 'O1', member_id: 'M-PIN', code_system: 'LOINC', code: '4548-4', value: 7.25, unit: '%', value_code_system: null, value_code: null, effective_time: '2025-05-06T09:00:00Z', effective_start: null, status: 'final', setting: 'lab', encounter_id: null, panel_id: null },
      ],
      procedures: [],
      serviceRequests: [],
      medications: [{ medication_id: 'RX1', member_id: 'M-PIN', code_system: 'ATC', code: 'A10BA02', start_date: '2025-05-01', days_supplied: 90, prescriber_id: null, status: 'active' }],
      claims: [{ claim_id: 'CL1', member_id: 'M-PIN', month: '2025-04', category: 'inpatient', institution_id: 'I2', amount: '1234.50' }],
      lifestyle: [{ lifestyle_id: 'L1', member_id: 'M-PIN', recorded_date: '2024-01-01', smoking: 'former', family_history_hypertension: true, family_history_diabetes: null, family_history_chd: false, physical_activity: 'low' }],
    } as MemberRecord;
    // Mid-stay (the stay is cut open) and after everything.
    expect(inputFingerprint(record, '2025-04-03')).toBe('f0e2e327455c0524af20c51c399a22aa9253cb562fa2cf68c9ae52195f9898d0');
    expect(inputFingerprint(record, '2025-12-31')).toBe('5359a2fdb5fa1df384934c07fa52759f79c8a7c4fdbde7126f6cd65da0b92aea');
  });
});
