import { describe, expect, it } from 'vitest';
import { ENTITY_NAMES, LOINC, normaliseReading, validateRecord, formatViolation, type EntityName } from '../../data-contracts/v1/index.ts';
import { driftedSchemaFiles, renderSchemaFiles } from '../../src/cli/commands/contracts.ts';
import { VALID } from './fixtures.ts';

const broken = (entity: EntityName, patch: Record<string, unknown>) => validateRecord(entity, { ...VALID[entity], ...patch }, 'line 7');

describe('v1 contracts', () => {
  it.each(ENTITY_NAMES)('accepts a valid %s record', (entity) => {
    const r = validateRecord(entity, VALID[entity], 'x');
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  it('names the record, the field path and the rule on failure', () => {
    const r = broken('observation', { value: 'high' });
    expect(r).toEqual({
      ok: false,
      violations: [{ record: 'observation line 7', path: 'value', rule: 'invalid_type', message: expect.stringContaining('number') }],
    });
    if (!r.ok) expect(formatViolation(r.violations[0]!)).toMatch(/^observation line 7: value: invalid_type/);
  });

  const rules: [EntityName, Record<string, unknown>, string, string][] = [
    ['member', { member_id: '11010119900101123X' }, 'member_id', 'custom'],
    ['member', { birth_date: '1990-02-30x' }, 'birth_date', 'invalid_format'],
    ['member', { sex: 'X' }, 'sex', 'invalid_value'],
    ['member', { enrolled_to: '2019-12-31' }, 'enrolled_to', 'custom'],
    ['signup', { to_date: '2021-02-01' }, 'to_date', 'custom'],
    ['condition', { code_system: 'ICD10' }, 'code_system', 'invalid_value'],
    ['condition', { code: ' E11.9' }, 'code', 'invalid_format'],
    ['condition', { abatement_date: '2018-01-01' }, 'abatement_date', 'custom'],
    ['condition', { encounter_id: null }, 'encounter_id', 'custom'],
    ['encounter', { class: 'icu' }, 'class', 'invalid_value'],
    ['encounter', { end_time: '2025-02-01T00:00:00Z' }, 'end_time', 'custom'],
    ['encounter', { start_time: '2025-03-01 08:00' }, 'start_time', 'invalid_format'],
    ['encounter', { primary_dx_system: null }, 'primary_dx_system', 'custom'],
    ['observation', { unit: null }, 'unit', 'custom'],
    ['observation', { value: Number.POSITIVE_INFINITY }, 'value', 'invalid_type'],
    ['observation', { setting: 'car' }, 'setting', 'invalid_value'],
    ['procedure', { performed_end: '2025-06-01T00:00:00Z' }, 'performed_end', 'custom'],
    ['medication', { days_supplied: 2.5 }, 'days_supplied', 'invalid_type'],
    ['medication', { days_supplied: 0 }, 'days_supplied', 'too_small'],
    ['claim_cost', { amount: 12.345 }, 'amount', 'invalid_type'],
    ['claim_cost', { amount: '12.345' }, 'amount', 'invalid_format'],
    ['claim_cost', { month: '2025-13' }, 'month', 'invalid_format'],
    ['lifestyle', { smoking: 'sometimes' }, 'smoking', 'invalid_value'],
  ];
  it.each(rules)('%s %j fails at %s with %s', (entity, patch, path, rule) => {
    const r = broken(entity, patch);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.violations.map((v) => [v.path, v.rule])).toContainEqual([path, rule]);
  });

  it('published JSON Schema files match the zod contracts (run `npm run contracts:generate` after a change)', async () => {
    expect(await driftedSchemaFiles()).toEqual([]);
    expect(renderSchemaFiles().size).toBeGreaterThanOrEqual(ENTITY_NAMES.length);
  });
});

describe('reading normalisation', () => {
  it('converts HbA1c correctly labelled in mmol/mol to %', () => {
    expect(normaliseReading(LOINC.hba1c, 53, 'mmol/mol')).toEqual({ ok: true, value: 7, unit: '%', converted: true });
  });
  it('rejects HbA1c in mmol/mol mislabelled as %', () => {
    expect(normaliseReading(LOINC.hba1c, 53, '%')).toMatchObject({ ok: false, rule: 'implausible-value' });
  });
  it('rejects an unknown unit naming the accepted ones', () => {
    const r = normaliseReading(LOINC.fastingGlucose, 100, 'g/L');
    expect(r).toMatchObject({ ok: false, rule: 'unknown-unit' });
    if (!r.ok) expect(r.message).toContain('mmol/L or mg/dL');
  });
  it('converts glucose in mg/dL', () => {
    expect(normaliseReading(LOINC.fastingGlucose, 126, 'mg/dL')).toMatchObject({ ok: true, value: 6.99 });
  });
  it('rejects implausible blood pressure', () => {
    expect(normaliseReading(LOINC.systolic, 400, 'mm[Hg]')).toMatchObject({ ok: false, rule: 'implausible-value' });
    expect(normaliseReading(LOINC.systolic, 135, 'mm[Hg]')).toMatchObject({ ok: true, converted: false });
  });
});
