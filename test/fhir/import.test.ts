import { describe, expect, it } from 'vitest';
import { importBundles, loadValueSets, NotABundleError } from '../../src/fhir/index.ts';

const ref = (t: string, id: string) => ({ reference: `${t}/${id}` });
const coding = (system: string, code: string) => ({ coding: [{ system, code }] });
const bundle = (...resources: object[]) => ({ resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) });
const patient = { resourceType: 'Patient', id: 'p1', gender: 'female', birthDate: '1960-02-03' };

describe('FHIR bundle import', () => {
  it('maps a patient, an ED encounter and a BP panel (split into linked systolic/diastolic records)', () => {
    const r = importBundles([
      bundle(
        patient,
        { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' }, type: [coding('http://www.ama-assn.org/go/cpt', '99283')], subject: ref('Patient', 'p1'), period: { start: '2026-01-01T08:00:00+08:00', end: '2026-01-01T10:00:00+08:00' } },
        { resourceType: 'Observation', id: 'o1', status: 'final', code: coding('http://loinc.org', '85354-9'), subject: ref('Patient', 'p1'), encounter: ref('Encounter', 'e1'), effectiveDateTime: '2026-01-01T09:00:00+08:00',
          component: [{ code: coding('http://loinc.org', '8480-6'), valueQuantity: { value: 139, unit: 'mmHg' } }, { code: coding('http://loinc.org', '8462-4'), valueQuantity: { value: 89, unit: 'mmHg' } }] },
        { resourceType: 'Coverage', id: 'c1' },
      ),
    ]);
    expect(r.problems).toEqual([]);
    expect(r.ignored).toEqual({ Coverage: 1 });
    const p = r.patients[0]!;
    expect(p.member).toMatchObject({ member_id: 'p1', birth_date: '1960-02-03', sex: 'F' });
    expect(p.encounters[0]).toMatchObject({ class: 'ed', type_system: 'CPT', type_code: '99283', start_time: '2026-01-01T00:00:00.000Z' });
    expect(p.observations.map((o) => [o.observation_id, o.code, o.value, o.panel_id, o.setting])).toEqual([
      ['o1.systolic', '8480-6', 139, 'o1', 'ed'],
      ['o1.diastolic', '8462-4', 89, 'o1', 'ed'],
    ]);
  });

  it('maps hospice discharge, HCPCS alias URIs, conditions with encounter links and period observations', () => {
    const r = importBundles([
      bundle(
        patient,
        { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'IMP' }, type: [coding('http://snomed.info/sct', '183452005')], subject: ref('Patient', 'p1'), period: { start: '2026-03-01', end: '2026-03-05' },
          hospitalization: { dischargeDisposition: coding('http://snomed.info/sct', '428371000124100') }, diagnosis: [{ condition: ref('Condition', 'c1') }] },
        { resourceType: 'Encounter', id: 'e2', status: 'arrived', class: { code: 'AMB' }, type: [coding('http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', 'G0270')], subject: ref('Patient', 'p1'), period: { start: '2026-04-01' } },
        { resourceType: 'Condition', id: 'c1', category: [coding('http://terminology.hl7.org/CodeSystem/condition-category', 'encounter-diagnosis')], clinicalStatus: coding('x', 'active'), verificationStatus: coding('x', 'refuted'), code: coding('http://hl7.org/fhir/sid/icd-10-cm', 'E11.9'), subject: ref('Patient', 'p1'), onsetDateTime: '2019-05-06T10:00:00Z' },
        { resourceType: 'Observation', id: 'o2', status: 'final', code: coding('http://loinc.org', '71007-9'), subject: ref('Patient', 'p1'), effectivePeriod: { start: '2026-12-31T00:00:00Z', end: '2027-01-01T00:00:00Z' } },
      ),
    ]);
    const p = r.patients[0]!;
    expect(p.encounters[0]).toMatchObject({ class: 'inpatient', discharge_disposition: 'hospice-facility', end_time: '2026-03-05T00:00:00.000Z' });
    expect(p.encounters[1]).toMatchObject({ type_system: 'HCPCS', status: 'in-progress' });
    expect(p.conditions[0]).toMatchObject({ source: 'encounter', encounter_id: 'e1', onset_date: '2019-05-06', verification_status: 'refuted', clinical_status: 'active' });
    expect(p.observations[0]!.effective_time).toBe('2027-01-01T00:00:00.000Z');
    expect(p.observations.find((o) => o.observation_id === 'o2')!.effective_start).toBe('2026-12-31T00:00:00.000Z');
  });

  it('drops negated requests with a count, resolves medicationReference, reads supply duration', () => {
    const r = importBundles([
      bundle(
        patient,
        { resourceType: 'Medication', id: 'm1', code: coding('http://www.nlm.nih.gov/research/umls/rxnorm', '312836') },
        { resourceType: 'MedicationRequest', id: 'mr1', status: 'active', intent: 'order', medicationReference: ref('Medication', 'm1'), subject: ref('Patient', 'p1'), authoredOn: '2026-01-01', dispenseRequest: { expectedSupplyDuration: { value: 90, code: 'd' } } },
        { resourceType: 'MedicationRequest', id: 'mr2', status: 'active', intent: 'order', doNotPerform: true, medicationCodeableConcept: coding('http://www.nlm.nih.gov/research/umls/rxnorm', '312836'), subject: ref('Patient', 'p1'), authoredOn: '2026-01-01' },
        { resourceType: 'DeviceRequest', id: 'd1', status: 'completed', intent: 'order', modifierExtension: [{ url: 'http://hl7.org/fhir/5.0/StructureDefinition/extension-DeviceRequest.doNotPerform', valueBoolean: true }], codeCodeableConcept: coding('http://snomed.info/sct', '183240000'), subject: ref('Patient', 'p1'), authoredOn: '2026-11-01' },
        { resourceType: 'DeviceRequest', id: 'd2', status: 'completed', intent: 'order', codeCodeableConcept: coding('http://snomed.info/sct', '183240000'), subject: ref('Patient', 'p1'), authoredOn: '2026-11-01' },
      ),
    ]);
    const p = r.patients[0]!;
    expect(p.medications).toEqual([expect.objectContaining({ medication_id: 'mr1', code_system: 'RxNorm', code: '312836', start_date: '2026-01-01', days_supplied: 90 })]);
    expect(p.serviceRequests).toEqual([expect.objectContaining({ request_id: 'd2', kind: 'device' })]);
    expect(r.ignored).toMatchObject({ 'doNotPerform:MedicationRequest': 1, 'doNotPerform:DeviceRequest': 1, Medication: 1 });
  });

  it('collects per-resource problems instead of throwing', () => {
    const r = importBundles([
      bundle(
        { resourceType: 'Patient', id: 'p2', gender: 'unknown', birthDate: '1960-01-01' },
        patient,
        { resourceType: 'Encounter', id: 'e9', status: 'finished', class: { code: 'XYZ' }, type: [coding('http://snomed.info/sct', '1')], subject: ref('Patient', 'p1'), period: { start: '2026-01-01' } },
        { resourceType: 'Condition', id: 'c9', code: coding('http://example.org/unknown', 'x'), subject: ref('Patient', 'p1'), onsetDateTime: '2020-01-01' },
        { resourceType: 'Observation', id: 'o9', status: 'final', code: coding('http://loinc.org', '4548-4'), subject: ref('Patient', 'nobody'), effectiveDateTime: '2026-01-01' },
      ),
    ]);
    expect(r.patients.map((x) => [x.member.member_id, x.member.sex])).toEqual([['p2', 'U'], ['p1', expect.any(String)]]);
    expect(r.problems.map((x) => [x.code, x.resourceId])).toEqual([
      ['encounter-unknown-class', 'e9'],
      ['condition-no-known-code', 'c9'],
      ['subject-not-found', 'o9'],
    ]);
    expect(() => importBundles([{ resourceType: 'Patient' }])).toThrow(NotABundleError);
  });
});

describe('ValueSet bundle loading', () => {
  it('builds OID -> system|code sets and reports systems it cannot name', () => {
    const r = loadValueSets(
      bundle({
        resourceType: 'ValueSet', id: '1.2.3-20250101', url: 'http://cts.nlm.nih.gov/fhir/ValueSet/1.2.3',
        expansion: { contains: [{ system: 'http://loinc.org', code: '4548-4' }, { system: 'http://www.nlm.nih.gov/research/umls/hcpcs', code: 'G0270' }, { system: 'http://www.cms.gov/Medicare/Coding/ICD10', code: '0TY00Z0' }, { system: 'http://example.org/local', code: 'x' }] },
      }),
    );
    expect([...r.valueSets.get('1.2.3')!]).toEqual(['LOINC|4548-4', 'HCPCS|G0270', 'ICD-10-PCS|0TY00Z0']);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'valueset-unknown-system', resourceId: '1.2.3' })]);
  });
});
