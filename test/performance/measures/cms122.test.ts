import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/config/policy.ts';
import { cms122Evaluator, MissingValueSetError, summarize } from '../../../src/performance/measures/index.ts';
import type { PatientRecords } from '../../../src/performance/measures/index.ts';
import { CODES, condition, encounter, medication, observation, patient, procedure, request, toyValueSets } from './fixtures.ts';

const control = defaultPolicy().control;
const narrative = cms122Evaluator(toyValueSets(), 2026, control);
const computable = cms122Evaluator(toyValueSets(), 2026, control, { mode: 'computable' });

/** An eligible diabetic (born 1970: age 56 at 2026-12-31) with the given extra records. */
function diabetic(extra: Partial<Omit<PatientRecords, 'member'>> = {}, birth = '1970-06-15'): PatientRecords {
  return patient(birth, {
    ...extra,
    encounters: [encounter(CODES.office, '2026-03-01'), ...(extra.encounters ?? [])],
    conditions: [condition(CODES.diabetes, '2020-01-01'), ...(extra.conditions ?? [])],
  });
}
const pops = (p: PatientRecords, ev = narrative) => Object.values(ev(p).populations).join('');

describe('CMS122 initial population', () => {
  it.each([
    ['2009-12-31', 17, '0000'],
    ['2008-12-31', 18, '1101'],
    ['1951-12-31', 75, '1101'],
    ['1950-12-31', 76, '0000'],
  ])('born %s (age %i at end of MP) -> %s', (birth, _age, expected) => {
    expect(pops(diabetic({}, birth))).toBe(expected);
  });

  it('birthday on the last day of the MP counts (AgeInYearsAt end of MP)', () => {
    expect(narrative(diabetic({}, '1950-12-31')).reasons[0]).toMatch(/age 76/);
    expect(narrative(diabetic({}, '1951-01-01')).reasons[0]).toMatch(/ipp.met: age 75/);
  });

  it('needs a finished qualifying encounter during the MP', () => {
    const noVisit = patient('1970-01-01', { conditions: [condition(CODES.diabetes, '2020-01-01')] });
    expect(narrative(noVisit).reasons[0]).toMatch(/^ipp.no-qualifying-encounter/);
    const planned = patient('1970-01-01', { conditions: [condition(CODES.diabetes, '2020-01-01')], encounters: [encounter(CODES.office, '2026-03-01', { status: 'planned' })] });
    expect(pops(planned)).toBe('0000');
    const crossesEnd = patient('1970-01-01', {
      conditions: [condition(CODES.diabetes, '2020-01-01')],
      encounters: [encounter(CODES.office, '2026-12-31', { end_time: '2027-01-01T01:00:00.000Z' })],
    });
    expect(pops(crossesEnd)).toBe('0000');
  });

  it('medical nutrition therapy codes qualify directly (CPT 97802, HCPCS G0270)', () => {
    for (const e of [encounter('97802', '2026-02-02'), encounter('G0270', '2026-02-02', { type_system: 'HCPCS' })]) {
      expect(pops(patient('1970-01-01', { conditions: [condition(CODES.diabetes, '2020-01-01')], encounters: [e] }))).toBe('1101');
    }
  });

  it('diabetes must be verified and overlap the MP', () => {
    const refuted = patient('1970-01-01', { encounters: [encounter(CODES.office, '2026-03-01')], conditions: [condition(CODES.diabetes, '2020-01-01', { verification_status: 'refuted' })] });
    expect(pops(refuted)).toBe('0000');
    const abated = patient('1970-01-01', { encounters: [encounter(CODES.office, '2026-03-01')], conditions: [condition(CODES.diabetes, '2020-01-01', { abatement_date: '2025-12-31', clinical_status: 'resolved' })] });
    expect(pops(abated)).toBe('0000');
    const inactiveNoAbatement = patient('1970-01-01', { encounters: [encounter(CODES.office, '2026-03-01')], conditions: [condition(CODES.diabetes, '2020-01-01', { clinical_status: 'inactive' })] });
    expect(pops(inactiveNoAbatement)).toBe('0000');
    const onsetAfter = patient('1970-01-01', { encounters: [encounter(CODES.office, '2026-03-01')], conditions: [condition(CODES.diabetes, '2027-01-01')] });
    expect(pops(onsetAfter)).toBe('0000');
  });

  it('narrative vs computable: diabetes only on the problem list', () => {
    const p = patient('1970-01-01', {
      encounters: [encounter(CODES.office, '2026-03-01')],
      conditions: [condition(CODES.diabetes, '2020-01-01', { source: 'problem-list', encounter_id: null })],
    });
    expect(pops(p, narrative)).toBe('1101');
    expect(pops(p, computable)).toBe('0000');
    expect(computable(p).reasons[0]).toMatch(/^ipp.diabetes-problem-list-only/);
  });
});

describe('CMS122 numerator (inverse: poor control)', () => {
  it('no assessment in the MP -> numerator', () => {
    expect(narrative(diabetic({ observations: [observation('4548-4', '2025-12-31', 6)] })).reasons[1]).toMatch(/^numer.no-assessment/);
  });
  it('9.0 is not > 9; 9.1 is', () => {
    expect(pops(diabetic({ observations: [observation('4548-4', '2026-05-01', 9)] }))).toBe('1100');
    expect(pops(diabetic({ observations: [observation('4548-4', '2026-05-01', 9.1)] }))).toBe('1101');
  });
  it('most recent day decides, not the worst value', () => {
    const p = diabetic({ observations: [observation('4548-4', '2026-02-01', 11), observation('4548-4', '2026-10-01', 6.5)] });
    expect(pops(p)).toBe('1100');
  });
  it('lowest value on the most recent day (from different readings) decides', () => {
    const p = diabetic({ observations: [observation('4548-4', '2026-10-01T08:00:00.000Z', 9.5), observation('17855-8', '2026-10-01T16:00:00.000Z', 8.5)] });
    const r = narrative(p);
    expect(r.populations.numerator).toBe(0);
    expect(r.glycaemic?.value).toBe(8.5);
  });
  it('GMI counts as a glycaemic status assessment', () => {
    expect(pops(diabetic({ observations: [observation('97506-0', '2026-05-01', 9.4)] }))).toBe('1101');
  });
  it('null result on the most recent assessment -> numerator; a coded result -> not', () => {
    expect(narrative(diabetic({ observations: [observation('4548-4', '2026-02-01', 6), observation('4548-4', '2026-05-01', null)] })).reasons[1]).toMatch(/^numer.no-result/);
    const coded = diabetic({ observations: [observation('4548-4', '2026-05-01', null, { value_code_system: 'SNOMED-CT', value_code: '373066001' })] });
    expect(pops(coded)).toBe('1100');
  });
  it('only final/amended/corrected results count', () => {
    expect(pops(diabetic({ observations: [observation('4548-4', '2026-05-01', 6, { status: 'preliminary' })] }))).toBe('1101');
    expect(pops(diabetic({ observations: [observation('4548-4', '2026-05-01', 6, { status: 'amended' })] }))).toBe('1100');
  });
  it('extra rates: < 7 % (policy) and < 8 % (HEDIS) from the same value', () => {
    expect(narrative(diabetic({ observations: [observation('4548-4', '2026-05-01', 6.9)] })).extraRates).toEqual({ 'hba1c-below-7': 1, 'hba1c-below-8': 1 });
    expect(narrative(diabetic({ observations: [observation('4548-4', '2026-05-01', 7.0)] })).extraRates).toEqual({ 'hba1c-below-7': 0, 'hba1c-below-8': 1 });
    expect(narrative(diabetic({ observations: [observation('4548-4', '2026-05-01', 8.0)] })).extraRates).toEqual({ 'hba1c-below-7': 0, 'hba1c-below-8': 0 });
    expect(narrative(diabetic()).extraRates).toEqual({ 'hba1c-below-7': 0, 'hba1c-below-8': 0 });
    const stricter = cms122Evaluator(toyValueSets(), 2026, { ...control, hba1cUncontrolledPct: 6.5 });
    expect(stricter(diabetic({ observations: [observation('4548-4', '2026-05-01', 6.9)] })).extraRates['hba1c-below-7']).toBe(0);
  });
});

describe('CMS122 denominator exclusions', () => {
  const old = '1955-06-01'; // 71 at end of MP
  it('hospice: discharge to hospice from an inpatient encounter ending in the MP', () => {
    const e = encounter(CODES.inpatient, '2026-04-01', { type_system: 'SNOMED-CT', class: 'inpatient', discharge_disposition: 'hospice-home' });
    expect(narrative(diabetic({ encounters: [e] })).reasons[1]).toBe('denex.hospice.discharge-to-hospice');
    const before = encounter(CODES.inpatient, '2025-04-01', { type_system: 'SNOMED-CT', class: 'inpatient', discharge_disposition: 'hospice-home' });
    expect(pops(diabetic({ encounters: [before] }))).toBe('1101');
    const home = encounter(CODES.inpatient, '2026-04-01', { type_system: 'SNOMED-CT', class: 'inpatient', discharge_disposition: 'home' });
    expect(pops(diabetic({ encounters: [home] }))).toBe('1101');
  });
  it('hospice: order, procedure, diagnosis, assessment yes; a draft order does not', () => {
    expect(pops(diabetic({ serviceRequests: [request(CODES.hospiceCare, '2026-02-01')] }))).toBe('1110');
    expect(pops(diabetic({ serviceRequests: [request(CODES.hospiceCare, '2026-02-01', { status: 'draft' })] }))).toBe('1101');
    expect(pops(diabetic({ procedures: [procedure(CODES.hospiceCare, '2026-12-31')] }))).toBe('1110');
    expect(pops(diabetic({ procedures: [procedure(CODES.hospiceCare, '2027-01-01')] }))).toBe('1101');
    expect(pops(diabetic({ conditions: [condition(CODES.hospiceDx, '2026-05-01', { code_system: 'SNOMED-CT' })] }))).toBe('1110');
    const yes = observation('45755-6', '2026-01-01', null, { value_code_system: 'SNOMED-CT', value_code: '373066001' });
    expect(pops(diabetic({ observations: [yes] }))).toBe('1110');
    const no = observation('45755-6', '2026-01-01', null, { value_code_system: 'SNOMED-CT', value_code: '373067005' });
    expect(pops(diabetic({ observations: [no] }))).toBe('1101');
  });
  it('palliative: an assessment period overlapping the MP (effective_start) counts', () => {
    const o = observation('71007-9', '2027-01-01T00:00:00.000Z', null);
    expect(pops(diabetic({ observations: [o] }))).toBe('1101');
    expect(pops(diabetic({ observations: [{ ...o, effective_start: '2026-12-31T00:00:00.000Z' }] }))).toBe('1110');
    expect(pops(diabetic({ observations: [observation('71007-9', '2026-03-01', null, { status: 'entered-in-error' })] }))).toBe('1101');
    expect(pops(diabetic({ procedures: [procedure(CODES.palliativeIntervention, '2026-03-01')] }))).toBe('1110');
  });
  it('nursing home: age 66+ and the LAST housing status says nursing home', () => {
    const home = (day: string, code: string) => observation('71802-3', day, null, { value_code_system: 'SNOMED-CT', value_code: code });
    expect(pops(diabetic({ observations: [home('2026-01-01', '160734000')] }, old))).toBe('1110');
    expect(pops(diabetic({ observations: [home('2026-01-01', '160734000')] }, '1961-06-01'))).toBe('1101'); // 65
    expect(pops(diabetic({ observations: [home('2025-01-01', '160734000'), home('2026-01-01', '160943002')] }, old))).toBe('1101');
  });
  it('frailty + advanced illness or dementia medication at 66+; either alone does not', () => {
    const frail = encounter(CODES.frailtyEncounter, '2026-06-01');
    const illness = condition(CODES.advancedIllness, '2025-03-01');
    expect(narrative(diabetic({ encounters: [frail], conditions: [illness] }, old)).reasons[1]).toMatch(/^denex.frailty-and-advanced-illness/);
    expect(pops(diabetic({ encounters: [frail] }, old))).toBe('1101');
    expect(pops(diabetic({ conditions: [illness] }, old))).toBe('1101');
    expect(pops(diabetic({ encounters: [frail], conditions: [illness] }, '1961-06-01'))).toBe('1101');
    expect(pops(diabetic({ encounters: [frail], conditions: [condition(CODES.advancedIllness, '2024-12-31')] }, old))).toBe('1101');
    expect(pops(diabetic({ encounters: [frail], medications: [medication(CODES.dementiaMed, '2024-11-01', 90)] }, old))).toBe('1110');
    expect(pops(diabetic({ encounters: [frail], medications: [medication(CODES.dementiaMed, '2027-01-02', 90)] }, old))).toBe('1101');
    // CMS122 has no "81+ frailty alone" branch.
    expect(pops(diabetic({ serviceRequests: [request(CODES.frailtyDevice, '2026-05-01', { kind: 'device' })] }, '1951-01-01'))).toBe('1101');
  });
  it('exclusion precedence: hospice is reported before palliative', () => {
    const r = narrative(diabetic({ procedures: [procedure(CODES.palliativeIntervention, '2026-03-01'), procedure(CODES.hospiceCare, '2026-03-01')] }));
    expect(r.reasons[1]).toBe('denex.hospice.procedure');
  });
});

describe('CMS122 set-up and aggregation', () => {
  it('a missing value set is a typed fatal error', () => {
    const vs = toyValueSets();
    vs.delete('2.16.840.1.113883.3.464.1003.103.12.1001');
    expect(() => cms122Evaluator(vs, 2026, control)).toThrow(MissingValueSetError);
  });
  it('zero-denominator rule: all excluded -> rate null, not 0', () => {
    const excluded = diabetic({ procedures: [procedure(CODES.hospiceCare, '2026-03-01')] });
    expect(summarize([narrative(excluded)]).rate).toBeNull();
    expect(summarize([]).rate).toBeNull();
    expect(summarize([narrative(excluded), narrative(diabetic())]).rate).toBe(1);
  });
});
