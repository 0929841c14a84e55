/** A tiny population folder written by hand: one defect of each class the loader must catch. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contractColumns, type EntityName } from '../../data-contracts/v1/index.ts';
import { VALID } from '../contracts/fixtures.ts';

type Row = Record<string, unknown>;

function csv(entity: EntityName, rows: Row[]): string {
  const cols = contractColumns(entity).map((c) => c.name);
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

const obs = (id: string, code: string, value: number | null, unit: string | null, extra: Row = {}): Row => ({
  ...VALID.observation,
  observation_id: id,
  code,
  value,
  unit,
  ...extra,
});

/** Expected outcome per defect: record id -> rule. */
export const EXPECTED_REJECTS: Record<string, string> = {
  M3: 'required', // missing birth date
  O_OUT: 'implausible-value', // SBP 400
  O_MISLABEL: 'implausible-value', // HbA1c 58 labelled %
  O_SWAP_S: 'swapped-systolic-diastolic',
  O_SWAP_D: 'swapped-systolic-diastolic',
  O_DUP: 'duplicate',
  O_ORPHAN: 'unknown-member',
  O_BADUNIT: 'unknown-unit',
  C_BAD: 'invalid_value',
  O_SHORT: 'column-count', // a row with fewer fields than its header
};

export async function writeFixturePopulation(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stratum-load-'));
  const members: Row[] = [
    { ...VALID.member, member_id: 'M1' },
    { ...VALID.member, member_id: 'M2', sex: 'M' },
    { ...VALID.member, member_id: 'M3', birth_date: null },
  ];
  const observations: Row[] = [
    obs('O_OK', '4548-4', 7.2, '%', { member_id: 'M1' }),
    obs('O_CONV', '4548-4', 53, 'mmol/mol', { member_id: 'M1' }),
    obs('O_OUT', '8480-6', 400, 'mm[Hg]', { member_id: 'M1', panel_id: 'BPX' }),
    obs('O_MISLABEL', '4548-4', 58, '%', { member_id: 'M2' }),
    obs('O_SWAP_S', '8480-6', 80, 'mm[Hg]', { member_id: 'M2', panel_id: 'BP1' }),
    obs('O_SWAP_D', '8462-4', 130, 'mm[Hg]', { member_id: 'M2', panel_id: 'BP1' }),
    obs('O_BP_S', '8480-6', 128, 'mm[Hg]', { member_id: 'M2', panel_id: 'BP2' }),
    obs('O_BP_D', '8462-4', 82, 'mm[Hg]', { member_id: 'M2', panel_id: 'BP2' }),
    obs('O_DUP', '39156-5', 24.5, 'kg/m2', { member_id: 'M1' }),
    obs('O_DUP', '39156-5', 24.5, 'kg/m2', { member_id: 'M1' }),
    obs('O_ORPHAN', '39156-5', 22, 'kg/m2', { member_id: 'M404' }),
    obs('O_BADUNIT', '1558-6', 5.5, 'g/L', { member_id: 'M1' }),
  ];
  const conditions: Row[] = [
    { ...VALID.condition, condition_id: 'C_OK', member_id: 'M1', source: 'problem-list', encounter_id: null },
    { ...VALID.condition, condition_id: 'C_BAD', member_id: 'M1', code_system: 'ICD10', source: 'problem-list', encounter_id: null },
  ];
  await writeFile(path.join(dir, 'member.csv'), csv('member', members));
  await writeFile(path.join(dir, 'observation.csv'), csv('observation', observations) + 'O_SHORT,M1,LOINC,4548-4,7.1,%\n');
  await writeFile(path.join(dir, 'condition.csv'), csv('condition', conditions));
  await writeFile(path.join(dir, 'institution.csv'), csv('institution', [VALID.institution]));
  return dir;
}
