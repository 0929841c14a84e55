/**
 * Hand-worked fixtures, one per rule of SPEC.md: every hierarchy family, interaction, segment,
 * count term, edit and age rule of CMS-HCC V24 and V28. Expected values are written out from the
 * SPEC tables and the reference coefficient CSVs (terms listed in each case).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { UnknownSegmentError } from '../../src/riskadjust/errors.ts';
import { CMS_DATA_AVAILABLE, cmsFixtures, contributing, type CmsFixture } from './cms-fixtures.ts';

let v24: CmsFixture;
let v28: CmsFixture;
beforeAll(async () => {
  if (!CMS_DATA_AVAILABLE) return;
  ({ v24, v28 } = await cmsFixtures());
});

/** SPEC.md 4.4, written out: [family, parent, children]. */
const V24_HIERARCHY: [string, number, number[]][] = [
  ['Neoplasm', 8, [9, 10, 11, 12]], ['Neoplasm', 9, [10, 11, 12]], ['Neoplasm', 10, [11, 12]], ['Neoplasm', 11, [12]],
  ['Diabetes', 17, [18, 19]], ['Diabetes', 18, [19]],
  ['Liver', 27, [28, 29, 80]], ['Liver', 28, [29]],
  ['Blood', 46, [48]], ['Cognitive', 51, [52]],
  ['SUD', 54, [55, 56]], ['SUD', 55, [56]],
  ['Psychiatric', 57, [58, 59, 60]], ['Psychiatric', 58, [59, 60]], ['Psychiatric', 59, [60]],
  ['Spinal', 70, [71, 72, 103, 104, 169]], ['Spinal', 71, [72, 104, 169]], ['Spinal', 72, [169]],
  ['Arrest', 82, [83, 84]], ['Arrest', 83, [84]],
  ['Heart', 86, [87, 88]], ['Heart', 87, [88]],
  ['CVD', 99, [100]], ['CVD', 103, [104]],
  ['Vascular', 106, [107, 108, 161, 189]], ['Vascular', 107, [108]],
  ['Lung', 110, [111, 112]], ['Lung', 111, [112]], ['Lung', 114, [115]],
  ['Kidney', 134, [135, 136, 137, 138]], ['Kidney', 135, [136, 137, 138]], ['Kidney', 136, [137, 138]], ['Kidney', 137, [138]],
  ['Skin', 157, [158, 159, 161]], ['Skin', 158, [159, 161]], ['Skin', 159, [161]],
  ['Injury', 166, [80, 167]],
];

const V28_HIERARCHY: [string, number, number[]][] = [
  ['Neoplasm', 17, [18, 19, 20, 21, 22, 23]], ['Neoplasm', 18, [19, 20, 21, 22, 23]], ['Neoplasm', 19, [20, 21, 22, 23]],
  ['Neoplasm', 20, [21, 22, 23]], ['Neoplasm', 21, [22, 23]], ['Neoplasm', 22, [23]],
  ['Diabetes', 35, [36, 37, 38]], ['Diabetes', 36, [37, 38]], ['Diabetes', 37, [38]],
  ['Liver', 62, [63, 64, 65, 68]], ['Liver', 63, [64, 65, 68, 202]], ['Liver', 64, [65, 68]],
  ['GI', 77, [78, 80, 81]], ['GI', 80, [81]], ['MSK', 93, [94]],
  ['Blood', 107, [108]], ['Blood', 111, [112]], ['Blood', 114, [115]],
  ['Cognitive', 125, [126, 127]], ['Cognitive', 126, [127]],
  ['SUD', 135, [136, 137, 138, 139]], ['SUD', 136, [137, 138, 139]], ['SUD', 137, [138, 139]], ['SUD', 138, [139]],
  ['Psychiatric', 151, [152, 153, 154, 155]], ['Psychiatric', 152, [153, 154, 155]], ['Psychiatric', 153, [154, 155]], ['Psychiatric', 154, [155]],
  ['Spinal', 180, [181, 182, 253, 254]], ['Spinal', 181, [182, 254]],
  ['Neuro', 191, [180, 181, 182, 192, 253, 254]], ['Neuro', 192, [180, 181, 182, 253, 254]], ['Neuro', 195, [196]],
  ['Arrest', 211, [212, 213]], ['Arrest', 212, [213]],
  ['Heart', 221, [222, 223, 224, 225, 226, 227]], ['Heart', 222, [223, 224, 225, 226, 227]], ['Heart', 223, [224, 225, 226, 227]],
  ['Heart', 224, [225, 226, 227]], ['Heart', 225, [226, 227]], ['Heart', 226, [227]], ['Heart', 228, [229]],
  ['CVD', 248, [249]], ['CVD', 253, [254]],
  ['Vascular', 263, [264, 383, 409]],
  ['Lung', 276, [277, 278, 279, 280]], ['Lung', 277, [278, 279, 280]], ['Lung', 278, [279, 280]], ['Lung', 279, [280]], ['Lung', 282, [283]],
  ['Kidney', 326, [327, 328, 329]], ['Kidney', 327, [328, 329]], ['Kidney', 328, [329]],
  ['Skin', 379, [380, 381, 382, 383]], ['Skin', 380, [381, 382, 383]], ['Skin', 381, [382, 383]], ['Skin', 382, [383]],
  ['Injury', 397, [202, 398, 399]], ['Injury', 398, [202, 399]], ['Injury', 405, [409]],
];

describe.skipIf(!CMS_DATA_AVAILABLE)('hierarchies (SPEC.md 4)', () => {
  it('the parsed V24 and V28 rules are exactly the SPEC.md 4.4 tables, in order', () => {
    expect(v24.tables.hierarchy.map((r) => [r.parent, r.children])).toEqual(V24_HIERARCHY.map(([, p, c]) => [p, c]));
    expect(v28.tables.hierarchy.map((r) => [r.parent, r.children])).toEqual(V28_HIERARCHY.map(([, p, c]) => [p, c]));
  });

  const pairs = (rules: [string, number, number[]][]) => rules.flatMap(([family, parent, children]) => children.map((child) => [family, parent, child] as const));

  it.each(pairs(V24_HIERARCHY))('V24 %s: HCC%i removes HCC%i', (_family, parent, child) => {
    const r = v24.score({ categories: [child, parent] });
    expect(r.categories).toEqual([parent]);
    expect(r.suppressed).toContainEqual({ category: child, by: `HCC${parent}` });
  });

  it.each(pairs(V28_HIERARCHY).filter(([, p, c]) => !(p === 223 && c === 227)))('V28 %s: HCC%i removes HCC%i', (_family, parent, child) => {
    // Male: V28 HCC111 comes only from D66/D67, which the female edit would move to HCC112.
    const r = v28.score({ sex: 'M', categories: [child, parent] });
    expect(r.categories).toEqual([parent]);
  });

  it('V24 Diabetes worked out: E1152 -> CC18, 106, 108; 106 removes 108 (SPEC.md 3.2)', () => {
    const r = v24.score({ dx: ['E1152'] });
    expect(r.categories).toEqual([18, 106]);
    // CNA_F70_74 0.386 + CNA_HCC18 0.302 + CNA_HCC106 + CNA_D2 0
    expect(contributing(r)).toEqual({ CNA_F70_74: 0.386, CNA_HCC18: 0.302, CNA_HCC106: v24.tables.coefficients['CNA_HCC106'] });
  });

  it('V28 a removed parent does not fire: 62 removes 63, so 202 stays (SPEC.md 4.2)', () => {
    expect(v28.score({ categories: [62, 63, 202] }).categories).toEqual([62, 202]);
  });

  it('V28 an absent parent never fires: 62 + 202 keeps both (corpus V28-0410, 1.314)', () => {
    const r = v28.score({ dx: ['T8640', 'G931'] });
    expect(r.categories).toEqual([62, 202]);
    expect(r.rawScore).toBe(1.314);
  });

  it('V28 two-line rule 222 removes 223 and 226; nothing else fires (SPEC.md 9.3, 3.816)', () => {
    const r = v28.score({ age: 92, sex: 'M', dx: ['F201', 'I281', 'F315', 'T82592A', 'I5084'] });
    expect(r.categories).toEqual([151, 222]);
    expect(r.rawScore).toBe(3.816);
  });
});

describe.skipIf(!CMS_DATA_AVAILABLE)('V28 heart-failure patch (SPEC.md 4.3)', () => {
  it('removes 223 alone', () => {
    const r = v28.score({ dx: ['Z95811'] });
    expect(r.categories).toEqual([]);
    expect(r.suppressed[0]?.category).toBe(223);
  });
  it('removes 223 beside 227 (227 is no companion), so 227 survives: 0.585', () => {
    const r = v28.score({ age: 70, sex: 'M', dx: ['Z95811', 'I420'] });
    expect(r.categories).toEqual([227]);
    expect(r.rawScore).toBe(0.585);
  });
  it('keeps 223 beside 226, which rule 223 then removes: 2.901', () => {
    const r = v28.score({ age: 70, sex: 'M', dx: ['Z95811', 'I5022'] });
    expect(r.categories).toEqual([223]);
    expect(r.rawScore).toBe(2.901);
  });
  it('is not part of V24 (no presence rules)', () => {
    expect(v24.tables.presenceRules).toEqual([]);
  });
});

/** [model, segment, sex, age, orec, categories, expected contributing terms (non-zero), raw]. */
type InteractionCase = [string, 'v24' | 'v28', string, 'M' | 'F', number, string, number[], Record<string, number>, number];
const INTERACTIONS: InteractionCase[] = [
  ['HCC47_gCancer', 'v24', 'CNA', 'F', 70, '0', [47, 8], { CNA_F70_74: 0.386, CNA_HCC8: 2.659, CNA_HCC47: 0.665, CNA_HCC47_gCancer: 0.838 }, 4.548],
  ['DIABETES_CHF', 'v24', 'CNA', 'F', 70, '0', [18, 85], { CNA_F70_74: 0.386, CNA_HCC18: 0.302, CNA_HCC85: 0.331, CNA_DIABETES_CHF: 0.121 }, 1.14],
  ['CHF_gCopdCF', 'v24', 'CNA', 'F', 70, '0', [85, 111], { CNA_F70_74: 0.386, CNA_HCC85: 0.331, CNA_HCC111: 0.335, CNA_CHF_gCopdCF: 0.155 }, 1.207],
  ['HCC85_gRenal_V24', 'v24', 'CNA', 'F', 70, '0', [85, 136], { CNA_F70_74: 0.386, CNA_HCC85: 0.331, CNA_HCC136: 0.289, CNA_HCC85_gRenal_V24: 0.156 }, 1.162],
  ['gCopdCF_CARD_RESP_FAIL', 'v24', 'CNA', 'F', 70, '0', [111, 84], { CNA_F70_74: 0.386, CNA_HCC84: 0.282, CNA_HCC111: 0.335, CNA_gCopdCF_CARD_RESP_FAIL: 0.363 }, 1.366],
  ['HCC85_HCC96', 'v24', 'CNA', 'F', 70, '0', [85, 96], { CNA_F70_74: 0.386, CNA_HCC85: 0.331, CNA_HCC96: 0.268, CNA_HCC85_HCC96: 0.085 }, 1.07],
  ['gSubstanceUseDisorder_gPsych', 'v24', 'CND', 'M', 40, '1', [55, 59], { CND_M35_44: 0.199, CND_HCC55: 0.279, CND_HCC59: 0.164, CND_gSubstanceUseDisorder_gPsych: 0.138 }, 0.78],
  ['INS DIABETES_CHF', 'v24', 'INS', 'F', 80, '0', [18, 85], { INS_F80_84: 0.882, INS_HCC18: 0.44, INS_HCC85: 0.203, INS_DIABETES_CHF: 0.169 }, 1.694],
  ['SEPSIS_PRESSURE_ULCER', 'v24', 'INS', 'F', 80, '0', [2, 158], { INS_F80_84: 0.882, INS_HCC2: 0.324, INS_HCC158: 0.322, INS_SEPSIS_PRESSURE_ULCER: 0.155 }, 1.683],
  ['SEPSIS_ARTIF_OPENINGS', 'v24', 'INS', 'F', 80, '0', [2, 188], { INS_F80_84: 0.882, INS_HCC2: 0.324, INS_HCC188: 0.514, INS_SEPSIS_ARTIF_OPENINGS: 0.474 }, 2.194],
  ['ART_OPENINGS_PRESS_ULCER', 'v24', 'INS', 'F', 80, '0', [188, 157], { INS_F80_84: 0.882, INS_HCC157: 0.854, INS_HCC188: 0.514, INS_ART_OPENINGS_PRESS_ULCER: 0.359 }, 2.609],
  ['gCopdCF_ASP_SPEC_B_PNEUM', 'v24', 'INS', 'F', 80, '0', [110, 114], { INS_F80_84: 0.882, INS_HCC110: 0.593, INS_HCC114: 0.156, INS_gCopdCF_ASP_SPEC_B_PNEUM: 0.216 }, 1.847],
  ['ASP_SPEC_B_PNEUM_PRES_ULC', 'v24', 'INS', 'F', 80, '0', [114, 159], { INS_F80_84: 0.882, INS_HCC114: 0.156, INS_HCC159: 0.322, INS_ASP_SPEC_B_PNEUM_PRES_ULC: 0.472 }, 1.832],
  ['SEPSIS_ASP_SPEC_BACT_PNEUM', 'v24', 'INS', 'F', 80, '0', [2, 114], { INS_F80_84: 0.882, INS_HCC2: 0.324, INS_HCC114: 0.156, INS_SEPSIS_ASP_SPEC_BACT_PNEUM: 0.346 }, 1.708],
  ['SCHIZOPHRENIA_gCopdCF', 'v24', 'INS', 'F', 80, '0', [57, 112], { INS_F80_84: 0.882, INS_HCC57: 0.187, INS_HCC112: 0.11, INS_SCHIZOPHRENIA_gCopdCF: 0.417 }, 1.596],
  ['SCHIZOPHRENIA_CHF', 'v24', 'INS', 'F', 80, '0', [57, 85], { INS_F80_84: 0.882, INS_HCC57: 0.187, INS_HCC85: 0.203, INS_SCHIZOPHRENIA_CHF: 0.127 }, 1.399],
  ['SCHIZOPHRENIA_SEIZURES', 'v24', 'INS', 'F', 80, '0', [57, 79], { INS_F80_84: 0.882, INS_HCC57: 0.187, INS_HCC79: 0.065, INS_SCHIZOPHRENIA_SEIZURES: 0.573 }, 1.707],
  ['DISABLED_HCC85', 'v24', 'INS', 'M', 50, '1', [85], { INS_M45_54: 0.965, INS_HCC85: 0.203, INS_DISABLED_HCC85: 0.279 }, 1.447],
  ['DISABLED_PRESSURE_ULCER', 'v24', 'INS', 'M', 50, '1', [157], { INS_M45_54: 0.965, INS_HCC157: 0.854, INS_DISABLED_PRESSURE_ULCER: 0.544 }, 2.363],
  ['DISABLED_HCC161', 'v24', 'INS', 'M', 50, '1', [161], { INS_M45_54: 0.965, INS_HCC161: 0.294, INS_DISABLED_HCC161: 0.473 }, 1.732],
  ['DISABLED_HCC39', 'v24', 'INS', 'M', 50, '1', [39], { INS_M45_54: 0.965, INS_HCC39: 0.401, INS_DISABLED_HCC39: 0.456 }, 1.822],
  ['DISABLED_HCC77', 'v24', 'INS', 'M', 50, '1', [77], { INS_M45_54: 0.965, INS_DISABLED_HCC77: 0.496 }, 1.461],
  ['DISABLED_HCC6', 'v24', 'INS', 'M', 50, '1', [6], { INS_M45_54: 0.965, INS_HCC6: 0.534, INS_DISABLED_HCC6: 0.405 }, 1.904],
  ['DIABETES_HF', 'v28', 'CNA', 'M', 75, '0', [37, 226], { CNA_M75_79: 0.502, CNA_HCC37: 0.166, CNA_HCC226: 0.36, CNA_DIABETES_HF: 0.112 }, 1.14],
  ['HF_CHR_LUNG', 'v28', 'CNA', 'M', 75, '0', [226, 280], { CNA_M75_79: 0.502, CNA_HCC226: 0.36, CNA_HCC280: 0.319, CNA_HF_CHR_LUNG: 0.078 }, 1.259],
  ['HF_KIDNEY', 'v28', 'CNA', 'M', 75, '0', [226, 327], { CNA_M75_79: 0.502, CNA_HCC226: 0.36, CNA_HCC327: 0.514, CNA_HF_KIDNEY: 0.176 }, 1.552],
  ['CHR_LUNG_CARD_RESP_FAIL', 'v28', 'CNA', 'M', 75, '0', [280, 213], { CNA_M75_79: 0.502, CNA_HCC213: 0.37, CNA_HCC280: 0.319, CNA_CHR_LUNG_CARD_RESP_FAIL: 0.254 }, 1.445],
  ['HF_HCC238', 'v28', 'CNA', 'M', 75, '0', [226, 238], { CNA_M75_79: 0.502, CNA_HCC226: 0.36, CNA_HCC238: 0.299, CNA_HF_HCC238: 0.077 }, 1.238],
  ['gSubUseDisorder_gPsych (disabled)', 'v28', 'CND', 'F', 50, '1', [137, 155], { CND_F45_54: 0.34, CND_HCC137: 0.365, CND_HCC155: 0.166, CND_gSubUseDisorder_gPsych: 0.087 }, 0.958],
  ['gSubUseDisorder_gPsych not in the aged list', 'v28', 'CNA', 'F', 70, '0', [137, 155], { CNA_F70_74: 0.395, CNA_HCC137: 0.424, CNA_HCC155: 0.299 }, 1.118],
  ['DISABLED_CANCER', 'v28', 'INS', 'F', 55, '2', [21], { INS_F55_59: 0.949, INS_HCC21: 0.493, INS_DISABLED_CANCER: 0.367 }, 1.809],
  ['DISABLED_NEURO', 'v28', 'INS', 'F', 55, '2', [199], { INS_F55_59: 0.949, INS_HCC199: 0.219, INS_DISABLED_NEURO: 0.154 }, 1.322],
  ['DISABLED_HF', 'v28', 'INS', 'F', 55, '2', [225], { INS_F55_59: 0.949, INS_HCC225: 0.217, INS_DISABLED_HF: 0.488 }, 1.654],
  ['DISABLED_CHR_LUNG', 'v28', 'INS', 'F', 55, '2', [279], { INS_F55_59: 0.949, INS_HCC279: 0.873, INS_DISABLED_CHR_LUNG: 0.278 }, 2.1],
  ['DISABLED_ULCER', 'v28', 'INS', 'F', 55, '2', [381], { INS_F55_59: 0.949, INS_HCC381: 0.423, INS_DISABLED_ULCER: 0.537 }, 1.909],
  ['INS HF_KIDNEY (coefficient 0)', 'v28', 'INS', 'F', 80, '0', [226, 327], { INS_F80_84: 0.862, INS_HCC226: 0.217, INS_HCC327: 0.462 }, 1.541],
];

describe.skipIf(!CMS_DATA_AVAILABLE)('interactions (SPEC.md 5)', () => {
  it.each(INTERACTIONS)('%s (%s %s)', (_name, model, segment, sex, age, orec, categories, expected, raw) => {
    const r = (model === 'v24' ? v24 : v28).score({ segment, sex, age, orec, categories });
    expect(contributing(r)).toEqual(expected);
    expect(r.rawScore).toBe(raw);
  });

  it('an interaction explains itself with the categories and codes behind it', () => {
    const dx = [v24.codeFor(18), v24.codeFor(85)];
    const r = v24.score({ dx });
    const term = r.contributions.find((c) => c.coefficientName === 'CNA_DIABETES_CHF');
    expect(term).toMatchObject({ kind: 'interaction', categories: [18, 85], dx });
  });

  it('a community member with DISABL = 1 gets no DISABLED term (SPEC.md 5.4)', () => {
    const r = v28.score({ segment: 'CND', age: 55, orec: '1', categories: [225] });
    expect(r.contributions.some((c) => c.coefficientName.includes('DISABLED'))).toBe(false);
  });
});

describe.skipIf(!CMS_DATA_AVAILABLE)('segments and demographic terms (SPEC.md 2)', () => {
  // [model, segment, sex, age, orec, medicaid, expected contributing, raw]
  const SEGMENTS: [string, 'v24' | 'v28', string, 'M' | 'F', number, string, boolean, Record<string, number>, number][] = [
    ['V24 CNA', 'v24', 'CNA', 'F', 70, '0', true, { CNA_F70_74: 0.386 }, 0.386],
    ['V24 CFA', 'v24', 'CFA', 'F', 70, '0', false, { CFA_F70_74: 0.519 }, 0.519],
    ['V24 CPA', 'v24', 'CPA', 'F', 70, '0', false, { CPA_F70_74: 0.406 }, 0.406],
    ['V24 CND', 'v24', 'CND', 'M', 40, '1', false, { CND_M35_44: 0.199 }, 0.199],
    ['V24 CFD', 'v24', 'CFD', 'M', 40, '1', false, { CFD_M35_44: 0.235 }, 0.235],
    ['V24 CPD', 'v24', 'CPD', 'M', 40, '1', false, { CPD_M35_44: 0.282 }, 0.282],
    ['V24 INS with LTIMCAID and ORIGDS (0.000)', 'v24', 'INS', 'F', 80, '1', true, { INS_F80_84: 0.882, INS_LTIMCAID: 0.061 }, 0.943],
    ['V24 NE originally disabled', 'v24', 'NE', 'F', 66, '1', false, { NE_NMCAID_ORIGDIS_NEF66: 1.174 }, 1.174],
    ['V24 SNPNE Medicaid', 'v24', 'SNPNE', 'M', 30, '1', true, { SNPNE_MCAID_NORIGDIS_NEM0_34: 1.533 }, 1.533],
    ['V24 CNA originally disabled male', 'v24', 'CNA', 'M', 70, '1', false, { CNA_M70_74: 0.394, CNA_OriginallyDisabled_Male: 0.147 }, 0.541],
    ['V24 OREC 3 is not originally disabled', 'v24', 'CNA', 'M', 70, '3', false, { CNA_M70_74: 0.394 }, 0.394],
    ['V28 CNA', 'v28', 'CNA', 'F', 70, '0', false, { CNA_F70_74: 0.395 }, 0.395],
    ['V28 CFA', 'v28', 'CFA', 'F', 70, '0', false, { CFA_F70_74: 0.506 }, 0.506],
    ['V28 CPA', 'v28', 'CPA', 'F', 70, '0', false, { CPA_F70_74: 0.423 }, 0.423],
    ['V28 CND', 'v28', 'CND', 'M', 40, '1', false, { CND_M35_44: 0.154 }, 0.154],
    ['V28 CFD', 'v28', 'CFD', 'M', 40, '1', false, { CFD_M35_44: 0.204 }, 0.204],
    ['V28 CPD', 'v28', 'CPD', 'M', 40, '1', false, { CPD_M35_44: 0.261 }, 0.261],
    ['V28 INS (ORIGDS missing from the CSV = 0)', 'v28', 'INS', 'F', 80, '1', true, { INS_F80_84: 0.862, INS_LTIMCAID: 0.13 }, 0.992],
    ['V28 NE originally disabled', 'v28', 'NE', 'F', 66, '1', false, { NE_NMCAID_ORIGDIS_NEF66: 1.276 }, 1.276],
    ['V28 SNPNE Medicaid', 'v28', 'SNPNE', 'M', 30, '1', true, { SNPNE_MCAID_NORIGDIS_NEM0_34: 1.485 }, 1.485],
    ['V28 CNA originally disabled male', 'v28', 'CNA', 'M', 70, '1', false, { CNA_M70_74: 0.396, CNA_OriginallyDisabled_Male: 0.135 }, 0.531],
    ['segment/age mismatch: CNA aged 40 has no cell', 'v28', 'CNA', 'M', 40, '0', false, {}, 0],
    ['segment/age mismatch: CND aged 75 has no cell', 'v24', 'CND', 'F', 75, '0', false, {}, 0],
    ['95 and over', 'v24', 'CNA', 'M', 101, '0', false, { CNA_M95_GT: 0.986 }, 0.986],
  ];
  it.each(SEGMENTS)('%s', (_name, model, segment, sex, age, orec, medicaid, expected, raw) => {
    const r = (model === 'v24' ? v24 : v28).score({ segment, sex, age, orec, medicaid });
    expect(contributing(r)).toEqual(expected);
    expect(r.rawScore).toBe(raw);
    expect(r.demographicScore).toBe(raw);
  });

  it('INS scores the ORIGDS term even at 0.000, and the demographic part excludes diagnoses', () => {
    const r = v24.score({ segment: 'INS', sex: 'F', age: 80, orec: '1', medicaid: false, categories: [85] });
    expect(r.contributions.map((c) => c.coefficientName)).toEqual(['INS_F80_84', 'INS_ORIGDS', 'INS_HCC85']);
    expect(r.demographicScore).toBe(0.882);
  });

  it('new enrollees score one cell and no diagnosis terms (SPEC.md 2.8)', () => {
    const r = v28.score({ segment: 'NE', sex: 'M', age: 84, orec: '1', medicaid: true, dx: ['F18950', 'F1911'] });
    expect(contributing(r)).toEqual({ NE_MCAID_ORIGDIS_NEM80_84: 2.813 });
    expect(r.categories).toEqual([135]);
  });

  it('unknown sex matches no cell', () => {
    expect(v24.score({ sex: 'U' }).contributions).toEqual([]);
  });

  it('rejects a segment the model does not define', () => {
    expect(() => v24.score({ segment: 'ESRD' })).toThrow(UnknownSegmentError);
  });
});

describe.skipIf(!CMS_DATA_AVAILABLE)('age rules (SPEC.md 2.3)', () => {
  it('V24 promotes 64 with OREC 0 to 65 (CNA_M65_69 0.308)', () => {
    expect(contributing(v24.score({ sex: 'M', age: 64, orec: '0' }))).toEqual({ CNA_M65_69: 0.308 });
  });
  it('V24 promotion reaches INS too (INS_M65_69 1.288 instead of M60_64)', () => {
    expect(contributing(v24.score({ segment: 'INS', sex: 'M', age: 64, orec: '0' }))).toEqual({ INS_M65_69: 1.288 });
  });
  it('V28 does not promote: an aged-segment member of 64 gets no cell', () => {
    expect(v28.score({ sex: 'M', age: 64, orec: '0' }).rawScore).toBe(0);
    expect(contributing(v28.score({ segment: 'INS', sex: 'M', age: 64, orec: '0' }))).toEqual({ INS_M60_64: 0.917 });
  });
  it('V28 new enrollee aged 64: OREC 0 -> NEF65 (0.532), otherwise NEF60_64 (1.212)', () => {
    expect(contributing(v28.score({ segment: 'NE', age: 64, orec: '0' }))).toEqual({ NE_NMCAID_NORIGDIS_NEF65: 0.532 });
    expect(contributing(v28.score({ segment: 'NE', age: 64, orec: '2' }))).toEqual({ NE_NMCAID_NORIGDIS_NEF60_64: 1.212 });
  });
  it('a negative age is scored as 0', () => {
    expect(contributing(v28.score({ segment: 'CND', age: -3, orec: '1' }))).toEqual({ CND_F0_34: 0.238 });
  });
});

describe.skipIf(!CMS_DATA_AVAILABLE)('count terms (SPEC.md 6)', () => {
  // Ten categories from different families, none in a hierarchy with another.
  const TEN_V24 = [1, 21, 33, 40, 47, 75, 96, 122, 176, 186];
  const TEN_V28 = [1, 48, 77, 93, 107, 125, 180, 228, 248, 282];
  const V24_CNA_D = [0, 0, 0, 0.006, 0.042, 0.077, 0.126, 0.214, 0.258, 0.505];
  const V28_CNA_D = [0, 0, 0, 0, 0.05, 0.102, 0.188, 0.316, 0.444, 0.728];
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12])('V24 and V28 CNA with %i categories', (n) => {
    const name = n >= 10 ? 'CNA_D10P' : `CNA_D${n}`;
    const categories24 = [...TEN_V24, 2, 6].slice(0, n);
    const categories28 = [...TEN_V28, 2, 6].slice(0, n);
    const r24 = v24.score({ categories: categories24 });
    const r28 = v28.score({ categories: categories28 });
    expect(r24.categories).toHaveLength(n);
    const count24 = r24.contributions.filter((c) => c.kind === 'count');
    const count28 = r28.contributions.filter((c) => c.kind === 'count');
    expect(count24).toHaveLength(1);
    expect(count24[0]).toMatchObject({ coefficientName: name, coefficient: V24_CNA_D[Math.min(n, 10) - 1] });
    expect(count28[0]).toMatchObject({ coefficientName: name, coefficient: V28_CNA_D[Math.min(n, 10) - 1] });
  });
  it('no count term with no categories', () => {
    expect(v28.score({}).contributions.some((c) => c.kind === 'count')).toBe(false);
  });
  it('V24 INS has no count terms; V28 INS has D10P = 0.373', () => {
    expect(v24.score({ segment: 'INS', categories: TEN_V24 }).contributions.some((c) => c.kind === 'count')).toBe(false);
    expect(contributing(v28.score({ segment: 'INS', categories: TEN_V28 }))['INS_D10P']).toBe(0.373);
  });
  it('counts categories after hierarchies, not codes', () => {
    const r = v24.score({ categories: [17, 18, 19] });
    expect(r.contributions.find((c) => c.kind === 'count')?.coefficientName).toBe('CNA_D1');
  });
});

describe.skipIf(!CMS_DATA_AVAILABLE)('diagnosis edits (SPEC.md 3.4)', () => {
  it('V24 1: D66 in a female -> HCC48 (0.192); in a male the mapping (HCC46)', () => {
    const f = v24.score({ sex: 'F', dx: ['D66'] });
    expect(f.categories).toEqual([48]);
    expect(f.appliedEdits).toEqual([{ dx: 'D66', rule: 'V24 edit 1: hemophilia code in a female', categories: [48] }]);
    expect(v24.score({ sex: 'M', dx: ['D66'] }).categories).toEqual([46]);
  });
  it('V24 2: J449 under 18 -> HCC112; at 18 the mapping (HCC111)', () => {
    expect(v24.score({ segment: 'CND', age: 10, orec: '1', dx: ['J449'] }).categories).toEqual([112]);
    expect(v24.score({ segment: 'CND', age: 18, orec: '1', dx: ['J449'] }).categories).toEqual([111]);
  });
  it('V24 3: F3481 dropped under 6 and over 18, kept (HCC59) from 6 to 18', () => {
    expect(v24.score({ segment: 'CND', age: 30, orec: '1', dx: ['F3481'] }).categories).toEqual([]);
    expect(v24.score({ segment: 'CND', age: 5, orec: '1', dx: ['F3481'] }).categories).toEqual([]);
    const kept = v24.score({ segment: 'CND', age: 12, orec: '1', dx: ['F3481'] });
    expect(kept.categories).toEqual([59]);
    expect(kept.unknownDx).toEqual([]);
  });
  it('an edited-away code is not unknown', () => {
    const r = v24.score({ segment: 'CND', age: 30, orec: '1', dx: ['F3481'] });
    expect(r.unknownDx).toEqual([]);
    expect(r.appliedEdits[0]?.categories).toEqual([]);
  });
  it('V28 1: D66 in a female -> HCC112; male -> HCC111', () => {
    expect(v28.score({ sex: 'F', dx: ['D66'] }).categories).toEqual([112]);
    expect(v28.score({ sex: 'M', dx: ['D67'] }).categories).toEqual([111]);
  });
  it('V28 2: J449 under 18 dropped', () => {
    expect(v28.score({ segment: 'CND', age: 10, orec: '1', dx: ['J449'] }).categories).toEqual([]);
    expect(v28.score({ segment: 'CND', age: 18, orec: '1', dx: ['J449'] }).categories).toEqual([280]);
  });
  it('V28 3: breast cancer under 50 -> HCC22 for both sexes; at 50 HCC23', () => {
    expect(v28.score({ segment: 'CND', age: 45, orec: '1', dx: ['C50911'] }).categories).toEqual([22]);
    expect(v28.score({ segment: 'CND', sex: 'M', age: 49, orec: '1', dx: ['C50929'] }).categories).toEqual([22]);
    expect(v28.score({ segment: 'CND', age: 55, orec: '1', dx: ['C50911'] }).categories).toEqual([23]);
  });
  it('V28 4: newborn code dropped from age 2, mapped under 2', () => {
    expect(v28.score({ segment: 'CND', age: 5, orec: '1', dx: ['P040'] }).categories).toEqual([]);
    expect(v28.score({ segment: 'CND', age: 1, orec: '1', dx: ['P040'] }).categories).toEqual([137]);
  });
});
