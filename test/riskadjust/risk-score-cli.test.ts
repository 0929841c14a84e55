/**
 * `stratum risk-score` end to end: the real CLI spawned on a few JSON lines, one of them malformed.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CMS_DATA_AVAILABLE } from './cms-fixtures.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

function riskScore(args: string[], lines: string[]) {
  const result = spawnSync(process.execPath, ['src/cli/bin.mjs', 'risk-score', ...args], { cwd: ROOT, input: lines.join('\n') + '\n', encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stderr: result.stderr, out: result.stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) };
}

const member = (fields: Record<string, unknown>) => JSON.stringify({ id: 'm', age: 70, sex: 'F', elig: 'CNA', orec: '0', medicaid: false, dx: [], ...fields });

describe.skipIf(!CMS_DATA_AVAILABLE)('stratum risk-score (spawned)', () => {
  it('scores good lines, reports the malformed ones with line, field and rule, and keeps going', () => {
    const { status, out } = riskScore(['--model', 'cms-hcc-v24'], [
      member({ id: 'V24-0223', orec: '1', dx: ['E103593', 'I50811', 'XYZ'] }),
      member({ id: 'bad-sex', sex: 'X' }),
      '{not json',
      '',
      member({ id: 'V24-0260', elig: 'INS', sex: 'M', age: 37, orec: '1', dx: ['Z433', 'L89024'] }),
    ]);
    expect(status).toBe(0);
    expect(out).toEqual([
      {
        id: 'V24-0223',
        risk_score: 1.612,
        risk_score_adj: 1.4945,
        hccs: ['HCC18', 'HCC85', 'HCC122'],
        contributions: { CNA_F70_74: 0.386, CNA_OriginallyDisabled_Female: 0.25, CNA_HCC18: 0.302, CNA_HCC85: 0.331, CNA_HCC122: 0.222, CNA_DIABETES_CHF: 0.121 },
        unknown_dx: ['XYZ'],
      },
      { line: 2, id: 'bad-sex', errors: [{ field: 'sex', rule: 'Invalid option: expected one of "M"|"F"' }] },
      { line: 3, errors: [{ field: '(line)', rule: 'must be one JSON object' }] },
      {
        id: 'V24-0260',
        risk_score: 3.273,
        risk_score_adj: 3.0344,
        hccs: ['HCC157', 'HCC188'],
        contributions: { INS_M35_44: 1.002, INS_HCC157: 0.854, INS_HCC188: 0.514, INS_DISABLED_PRESSURE_ULCER: 0.544, INS_ART_OPENINGS_PRESS_ULCER: 0.359 },
        unknown_dx: [],
      },
    ]);
  });

  it('applies --cif/--norm, and --payment-year picks the published factors (V28 2024: 1.015)', () => {
    const line = member({ id: 'V28-0224', sex: 'M', age: 92, dx: ['F201', 'I281', 'F315', 'T82592A', 'I5084'] });
    expect(riskScore(['--model', 'cms-hcc-v28', '--cif', '0', '--norm', '2'], [line]).out[0].risk_score_adj).toBe(1.908);
    const byYear = riskScore(['--model', 'cms-hcc-v28', '--payment-year', '2024'], [line]).out[0];
    expect(byYear).toMatchObject({ risk_score: 3.816, risk_score_adj: 3.5378, hccs: ['HCC151', 'HCC222'] });
  });

  it('refuses a payment year without published factors', () => {
    const { status, stderr } = riskScore(['--model', 'cms-hcc-v24', '--payment-year', '2027'], []);
    expect(status).toBe(1);
    expect(stderr).toContain('no published payment factors for cms-hcc-v24 in payment year 2027');
  });

  it('--help explains every option with its default', () => {
    const help = spawnSync(process.execPath, ['src/cli/bin.mjs', 'risk-score', '--help'], { cwd: ROOT, encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    for (const text of ['--model', '--cif', 'default: 0.059', '--norm', 'default: 1.015', '--payment-year', '--data-dir', 'STRATUM_SHARED_DATA']) expect(help).toContain(text);
  });
});
