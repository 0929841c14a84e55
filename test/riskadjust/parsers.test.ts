/** The CMS table parsers, on small inline texts and on the reference files (SPEC.md 3.2, 3.6, 4.1, 7). */
import { describe, expect, it } from 'vitest';
import { CMS_HCC_V24_RULES } from '../../src/riskadjust/cms-model-rules.ts';
import {
  buildCmsModelTables,
  parseCoefficientCsv,
  parseDiagnosisMapping,
  parseHierarchyMacro,
  parseLabelMacro,
} from '../../src/riskadjust/cms-table-parsers.ts';
import { ModelTableFormatError } from '../../src/riskadjust/errors.ts';
import { CMS_DATA_AVAILABLE, cmsFixtures } from './cms-fixtures.ts';

describe('parseCoefficientCsv', () => {
  it('pairs header names with values', () => {
    expect(parseCoefficientCsv('CNA_F65_69,CNA_HCC1\n0.323,0.5\n', 'x.csv')).toEqual({ CNA_F65_69: 0.323, CNA_HCC1: 0.5 });
  });
  it('rejects a non-number and names the column', () => {
    expect(() => parseCoefficientCsv('A,B\n1,x', 'x.csv')).toThrow(/column 2 \(B\) value "x" is not a number/);
  });
  it('rejects rows of different length', () => {
    expect(() => parseCoefficientCsv('A,B\n1', 'x.csv')).toThrow(ModelTableFormatError);
  });
});

describe('parseDiagnosisMapping', () => {
  it('unions a code listed on several lines and trims fields', () => {
    expect(parseDiagnosisMapping('E0852\t18\t\nE0852\t106\t\n E0852 \t108\t\nA021\t2\t\n', 'm.txt')).toEqual({ E0852: [18, 106, 108], A021: [2] });
  });
  it('names the bad line', () => {
    expect(() => parseDiagnosisMapping('A021\t2\nB\tx\n', 'm.txt')).toThrow(/line 2/);
  });
});

describe('parseHierarchyMacro', () => {
  const text = [
    ' %MACRO SET0( CC=, HIER= );',
    ' /*Heart 1 */      %SET0(CC=221   , HIER=%STR(',
    '222, 223 ));',
    ' /*Heart 2 */      %SET0(CC=222   , HIER=%STR(223, 224',
    '));',
    ' /*Heart 3 */      %SET0(CC=223   , HIER=%STR(224 ));',
  ].join('\n');
  it('reads rules that wrap across lines, in file order, skipping the macro definition', () => {
    expect(parseHierarchyMacro(text, 'h.txt')).toEqual([
      { parent: 221, children: [222, 223], label: 'Heart 1' },
      { parent: 222, children: [223, 224], label: 'Heart 2' },
      { parent: 223, children: [224], label: 'Heart 3' },
    ]);
  });
  it('refuses the reference V24 rule count when rules are lost', () => {
    const texts = {
      coefficients: { source: 'c', text: 'A\n1' },
      mapping: { source: 'm', text: 'A021\t2\n' },
      hierarchy: { source: 'h', text },
      labels: { source: 'l', text: 'HCC2 ="Sepsis "' },
    };
    expect(() => buildCmsModelTables(texts, CMS_HCC_V24_RULES)).toThrow(/found 3 hierarchy rules, expected 37/);
  });
});

describe('parseLabelMacro', () => {
  it('keeps HCC lines once and ignores CC lines', () => {
    expect(parseLabelMacro(' HCC1 ="HIV/AIDS "\n CC1 ="HIV/AIDS "\n HCC2 ="Sepsis "\n', 'l.txt')).toEqual([
      { id: 1, label: 'HIV/AIDS' },
      { id: 2, label: 'Sepsis' },
    ]);
  });
});

describe.skipIf(!CMS_DATA_AVAILABLE)('reference files', () => {
  it('V24: 86 payment HCCs, 37 hierarchy rules, coefficient inventory per prefix (SPEC.md 7)', async () => {
    const { tables } = (await cmsFixtures()).v24;
    expect(tables.categories).toHaveLength(86);
    expect(tables.hierarchy).toHaveLength(37);
    const count = (p: string) => Object.keys(tables.coefficients).filter((n) => n.startsWith(`${p}_`)).length;
    expect(['CNA', 'CFA', 'CPA', 'CND', 'CFD', 'CPD', 'INS', 'NE', 'SNPNE'].map(count)).toEqual([118, 118, 118, 113, 113, 113, 130, 108, 108]);
    // SPEC.md 3.2: five V24 codes map to three CCs.
    expect([...tables.diagnosisMap['E1152']!].sort((a, b) => a - b)).toEqual([18, 106, 108]);
  });
  it('V28: 115 payment HCCs, 60 rules including the four wrapped ones (SPEC.md 4.1)', async () => {
    const { tables } = (await cmsFixtures()).v28;
    expect(tables.categories).toHaveLength(115);
    expect(tables.hierarchy).toHaveLength(60);
    const rule = (p: number) => tables.hierarchy.find((r) => r.parent === p)?.children;
    expect(rule(191)).toEqual([180, 181, 182, 192, 253, 254]);
    expect(rule(192)).toEqual([180, 181, 182, 253, 254]);
    expect(rule(221)).toEqual([222, 223, 224, 225, 226, 227]);
    expect(rule(222)).toEqual([223, 224, 225, 226, 227]);
    const count = (p: string) => Object.keys(tables.coefficients).filter((n) => n.startsWith(`${p}_`)).length;
    expect(['CNA', 'CFA', 'CPA', 'CND', 'CFD', 'CPD', 'INS', 'NE', 'SNPNE'].map(count)).toEqual([152, 152, 152, 146, 146, 146, 161, 108, 108]);
    expect([...tables.diagnosisMap['I70444']!].sort((a, b) => a - b)).toEqual([263, 383]);
  });
});
