/**
 * The parts of the CMS-HCC V24 and V28 models that the CMS data files do not carry: diagnosis
 * edits, the V28 heart patch, diagnostic groups, interaction terms, count terms, demographic rules
 * and each segment's term list. Written from shared/data/cms-hcc/SPEC.md (which describes CMS's SAS
 * programs `V2419P1M`/`V2823T2M`); section numbers are cited beside each table. Data only: the
 * engine reads these through `RiskModelTables`.
 */
import type {
  AgeBand,
  CategoryGroup,
  DemographicRules,
  DiagnosisEdit,
  InteractionDefinition,
  PresenceRule,
  SegmentDefinition,
} from './model-tables.ts';

/** Everything of a CMS model except the four file-borne tables. */
export interface CmsModelRules {
  readonly id: string;
  readonly description: string;
  readonly diagnosisEdits: readonly DiagnosisEdit[];
  readonly presenceRules: readonly PresenceRule[];
  readonly groups: readonly CategoryGroup[];
  readonly interactions: readonly InteractionDefinition[];
  readonly countTermNames: readonly string[];
  readonly demographics: DemographicRules;
  readonly segments: Readonly<Record<string, SegmentDefinition>>;
  /** How many `%SET0` rules the reference hierarchy file holds (SPEC.md 4.1 sanity check). */
  readonly expectedHierarchyRules: number;
}

/** The 24 age/sex cells' bands (SPEC.md 2.6). */
const AGE_SEX_BANDS: readonly AgeBand[] = [
  { name: '0_34', min: 0, max: 34 },
  { name: '35_44', min: 35, max: 44 },
  { name: '45_54', min: 45, max: 54 },
  { name: '55_59', min: 55, max: 59 },
  { name: '60_64', min: 60, max: 64 },
  { name: '65_69', min: 65, max: 69 },
  { name: '70_74', min: 70, max: 74 },
  { name: '75_79', min: 75, max: 79 },
  { name: '80_84', min: 80, max: 84 },
  { name: '85_89', min: 85, max: 89 },
  { name: '90_94', min: 90, max: 94 },
  { name: '95_GT', min: 95, max: null },
];

/** New-enrollee bands (SPEC.md 2.8); age 64 is placed by `newEnrolleeAge64OldAgeBand`/OREC. */
const NEW_ENROLLEE_BANDS: readonly AgeBand[] = [
  { name: '0_34', min: 0, max: 34 },
  { name: '35_44', min: 35, max: 44 },
  { name: '45_54', min: 45, max: 54 },
  { name: '55_59', min: 55, max: 59 },
  { name: '60_64', min: 60, max: 64 },
  { name: '65', min: 65, max: 65 },
  { name: '66', min: 66, max: 66 },
  { name: '67', min: 67, max: 67 },
  { name: '68', min: 68, max: 68 },
  { name: '69', min: 69, max: 69 },
  { name: '70_74', min: 70, max: 74 },
  { name: '75_79', min: 75, max: 79 },
  { name: '80_84', min: 80, max: 84 },
  { name: '85_89', min: 85, max: 89 },
  { name: '90_94', min: 90, max: 94 },
  { name: '95_GT', min: 95, max: null },
];

const AGED_BANDS = ['65_69', '70_74', '75_79', '80_84', '85_89', '90_94', '95_GT'];
const DISABLED_BANDS = ['0_34', '35_44', '45_54', '55_59', '60_64'];
const ALL_BANDS = [...DISABLED_BANDS, ...AGED_BANDS];

function demographics(promoteAge64: boolean): DemographicRules {
  return {
    promoteAge64WithOldAgeEntitlement: promoteAge64,
    disabledBelowAge: 65,
    oldAgeOrec: '0',
    originallyDisabledOrec: '1',
    ageSexBands: AGE_SEX_BANDS,
    newEnrolleeBands: NEW_ENROLLEE_BANDS,
    newEnrolleeAge64OldAgeBand: '65',
  };
}

/** D1..D9 and D10P (SPEC.md 6). */
const COUNT_TERMS = ['D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7', 'D8', 'D9', 'D10P'];

/** Builds the nine segments from the three community/institutional interaction lists (SPEC.md 7). */
function segments(
  aged: readonly string[],
  disabled: readonly string[],
  institutional: readonly string[],
  institutionalCounts: boolean,
): Record<string, SegmentDefinition> {
  const community = (bands: readonly string[], interactions: readonly string[], originallyDisabled: boolean): SegmentDefinition => ({
    newEnrollee: false,
    ageSexBands: bands,
    originallyDisabledTerms: originallyDisabled,
    institutionalTerms: false,
    categoryTerms: true,
    interactions,
    countTerms: true,
  });
  const newEnrollee: SegmentDefinition = {
    newEnrollee: true,
    ageSexBands: [],
    originallyDisabledTerms: false,
    institutionalTerms: false,
    categoryTerms: false,
    interactions: [],
    countTerms: false,
  };
  const agedSegment = community(AGED_BANDS, aged, true);
  const disabledSegment = community(DISABLED_BANDS, disabled, false);
  return {
    CNA: agedSegment,
    CFA: agedSegment,
    CPA: agedSegment,
    CND: disabledSegment,
    CFD: disabledSegment,
    CPD: disabledSegment,
    INS: {
      newEnrollee: false,
      ageSexBands: ALL_BANDS,
      originallyDisabledTerms: false,
      institutionalTerms: true,
      categoryTerms: true,
      interactions: institutional,
      countTerms: institutionalCounts,
    },
    NE: newEnrollee,
    SNPNE: newEnrollee,
  };
}

/** Chronic bronchitis / emphysema / COPD codes of the under-18 edit (SPEC.md 3.4, V24 #2 and V28 #2). */
const COPD_CODES = ['J410', 'J411', 'J418', 'J42', 'J430', 'J431', 'J432', 'J438', 'J439', 'J440', 'J441', 'J449', 'J982', 'J983'];

/**
 * The 54 breast-cancer codes of V28 edit 3: `C50` + site (0-6, 8, 9) + sex digit (1, 2) +
 * laterality (1, 2, 9), SPEC.md 3.4.
 */
const BREAST_CANCER_CODES = ['0', '1', '2', '3', '4', '5', '6', '8', '9'].flatMap((site) =>
  ['1', '2'].flatMap((sexDigit) => ['1', '2', '9'].map((side) => `C50${site}${sexDigit}${side}`)),
);

/** Newborn codes of V28 edit 4 (SPEC.md 3.4). */
const NEWBORN_CODES = [
  'P040', 'P041', 'P0411', 'P0412', 'P0413', 'P0414', 'P0415', 'P0416', 'P0417', 'P0418', 'P0419', 'P041A',
  'P042', 'P043', 'P0440', 'P0441', 'P0442', 'P0449', 'P045', 'P046', 'P048', 'P0481', 'P0489', 'P049',
  'P270', 'P271', 'P278', 'P279', 'P930', 'P938', 'P961', 'P962',
];

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** CMS-HCC V24 ("2020 CMS-HCC model", SAS `V2419P1M`). */
export const CMS_HCC_V24_RULES: CmsModelRules = {
  id: 'cms-hcc-v24',
  description: 'CMS-HCC V24 (2020 model, 86 payment HCCs)',
  expectedHierarchyRules: 37,
  // SPEC.md 3.4, V24I0ED1.
  diagnosisEdits: [
    { rule: 'V24 edit 1: hemophilia code in a female', codes: ['D66', 'D67'], when: [{ sex: 'F' }], result: [48] },
    { rule: 'V24 edit 2: chronic lung code under age 18', codes: COPD_CODES, when: [{ ageBelow: 18 }], result: [112] },
    { rule: 'V24 edit 3: DMDD outside ages 6-18', codes: ['F3481'], when: [{ ageBelow: 6 }, { ageAbove: 18 }], result: [] },
  ],
  presenceRules: [],
  // SPEC.md 5.1.
  groups: [
    { name: 'CANCER', anyOf: [8, 9, 10, 11, 12] },
    { name: 'DIABETES', anyOf: [17, 18, 19] },
    { name: 'CARD_RESP_FAIL', anyOf: [82, 83, 84] },
    { name: 'CHF', anyOf: [85] },
    { name: 'gCopdCF', anyOf: [110, 111, 112] },
    { name: 'RENAL_V24', anyOf: [134, 135, 136, 137, 138] },
    { name: 'SEPSIS', anyOf: [2] },
    { name: 'gSubstanceUseDisorder_V24', anyOf: [54, 55, 56] },
    { name: 'gPsychiatric_V24', anyOf: [57, 58, 59, 60] },
    { name: 'PRESSURE_ULCER', anyOf: [157, 158, 159] },
  ],
  // SPEC.md 5.2; the spellings are the SAS/CSV ones (hccpy's differ, SPEC.md 11 #3).
  interactions: [
    { name: 'HCC47_gCancer', factors: ['HCC47', 'CANCER'] },
    { name: 'DIABETES_CHF', factors: ['DIABETES', 'CHF'] },
    { name: 'CHF_gCopdCF', factors: ['CHF', 'gCopdCF'] },
    { name: 'HCC85_gRenal_V24', factors: ['HCC85', 'RENAL_V24'] },
    { name: 'gCopdCF_CARD_RESP_FAIL', factors: ['gCopdCF', 'CARD_RESP_FAIL'] },
    { name: 'HCC85_HCC96', factors: ['HCC85', 'HCC96'] },
    { name: 'gSubstanceUseDisorder_gPsych', factors: ['gSubstanceUseDisorder_V24', 'gPsychiatric_V24'] },
    { name: 'SEPSIS_PRESSURE_ULCER', factors: ['SEPSIS', 'PRESSURE_ULCER'] },
    { name: 'SEPSIS_ARTIF_OPENINGS', factors: ['SEPSIS', 'HCC188'] },
    { name: 'ART_OPENINGS_PRESS_ULCER', factors: ['HCC188', 'PRESSURE_ULCER'] },
    { name: 'gCopdCF_ASP_SPEC_B_PNEUM', factors: ['gCopdCF', 'HCC114'] },
    { name: 'ASP_SPEC_B_PNEUM_PRES_ULC', factors: ['HCC114', 'PRESSURE_ULCER'] },
    { name: 'SEPSIS_ASP_SPEC_BACT_PNEUM', factors: ['SEPSIS', 'HCC114'] },
    { name: 'SCHIZOPHRENIA_gCopdCF', factors: ['HCC57', 'gCopdCF'] },
    { name: 'SCHIZOPHRENIA_CHF', factors: ['HCC57', 'CHF'] },
    { name: 'SCHIZOPHRENIA_SEIZURES', factors: ['HCC57', 'HCC79'] },
    { name: 'DISABLED_HCC85', factors: ['DISABL', 'HCC85'] },
    { name: 'DISABLED_PRESSURE_ULCER', factors: ['DISABL', 'PRESSURE_ULCER'] },
    { name: 'DISABLED_HCC161', factors: ['DISABL', 'HCC161'] },
    { name: 'DISABLED_HCC39', factors: ['DISABL', 'HCC39'] },
    { name: 'DISABLED_HCC77', factors: ['DISABL', 'HCC77'] },
    { name: 'DISABLED_HCC6', factors: ['DISABL', 'HCC6'] },
  ],
  countTermNames: COUNT_TERMS,
  demographics: demographics(true),
  // SPEC.md 5.2 columns and 7; V24 INS has no count terms (SPEC.md 6).
  segments: segments(
    ['HCC47_gCancer', 'DIABETES_CHF', 'CHF_gCopdCF', 'HCC85_gRenal_V24', 'gCopdCF_CARD_RESP_FAIL', 'HCC85_HCC96'],
    ['HCC47_gCancer', 'DIABETES_CHF', 'CHF_gCopdCF', 'HCC85_gRenal_V24', 'gCopdCF_CARD_RESP_FAIL', 'HCC85_HCC96', 'gSubstanceUseDisorder_gPsych'],
    [
      'DIABETES_CHF', 'CHF_gCopdCF', 'gCopdCF_CARD_RESP_FAIL', 'SEPSIS_PRESSURE_ULCER', 'SEPSIS_ARTIF_OPENINGS',
      'ART_OPENINGS_PRESS_ULCER', 'gCopdCF_ASP_SPEC_B_PNEUM', 'ASP_SPEC_B_PNEUM_PRES_ULC', 'SEPSIS_ASP_SPEC_BACT_PNEUM',
      'SCHIZOPHRENIA_gCopdCF', 'SCHIZOPHRENIA_CHF', 'SCHIZOPHRENIA_SEIZURES', 'DISABLED_HCC85', 'DISABLED_PRESSURE_ULCER',
      'DISABLED_HCC161', 'DISABLED_HCC39', 'DISABLED_HCC77', 'DISABLED_HCC6',
    ],
    false,
  ),
};

/** V28 interaction with the CSV spelling and CMS's `_V28` spelling (SPEC.md 5.4). */
const v28 = (name: string, factors: string[]): InteractionDefinition => ({ name, factors, alternativeNames: [`${name}_V28`] });

/** CMS-HCC V28 ("2024 CMS-HCC model", SAS `V2823T2M`). */
export const CMS_HCC_V28_RULES: CmsModelRules = {
  id: 'cms-hcc-v28',
  description: 'CMS-HCC V28 (2024 model, 115 payment HCCs)',
  expectedHierarchyRules: 60,
  // SPEC.md 3.4, V28I0ED1.
  diagnosisEdits: [
    { rule: 'V28 edit 1: hemophilia code in a female', codes: ['D66', 'D67'], when: [{ sex: 'F' }], result: [112] },
    { rule: 'V28 edit 2: chronic lung code under age 18', codes: COPD_CODES, when: [{ ageBelow: 18 }], result: [] },
    { rule: 'V28 edit 3: breast cancer under age 50', codes: BREAST_CANCER_CODES, when: [{ ageBelow: 50 }], result: [22] },
    { rule: 'V28 edit 4: newborn code at age 2 or over', codes: NEWBORN_CODES, when: [{ ageAtLeast: 2 }], result: [] },
  ],
  // SPEC.md 4.3: CC223 needs a companion heart-failure CC (227 is not one).
  presenceRules: [{ rule: 'V28 heart-failure patch: HCC223 without another HF category', category: 223, removeUnlessAnyOf: [221, 222, 224, 225, 226] }],
  // SPEC.md 5.3.
  groups: [
    { name: 'CANCER_V28', anyOf: range(17, 23) },
    { name: 'DIABETES_V28', anyOf: range(35, 38) },
    { name: 'CARD_RESP_FAIL', anyOf: [211, 212, 213] },
    { name: 'HF_V28', anyOf: range(221, 226) },
    { name: 'CHR_LUNG_V28', anyOf: range(276, 280) },
    { name: 'KIDNEY_V28', anyOf: range(326, 329) },
    { name: 'SEPSIS', anyOf: [2] },
    { name: 'gSubUseDisorder_V28', anyOf: range(135, 139) },
    { name: 'gPsychiatric_V28', anyOf: range(151, 155) },
    { name: 'NEURO_V28', anyOf: [180, 181, 182, 190, 191, 192, 195, 196, 198, 199] },
    { name: 'ULCER_V28', anyOf: [379, 380, 381, 382] },
  ],
  // SPEC.md 5.4.
  interactions: [
    v28('DIABETES_HF', ['DIABETES_V28', 'HF_V28']),
    v28('HF_CHR_LUNG', ['HF_V28', 'CHR_LUNG_V28']),
    v28('HF_KIDNEY', ['HF_V28', 'KIDNEY_V28']),
    v28('CHR_LUNG_CARD_RESP_FAIL', ['CHR_LUNG_V28', 'CARD_RESP_FAIL']),
    v28('HF_HCC238', ['HF_V28', 'HCC238']),
    v28('gSubUseDisorder_gPsych', ['gSubUseDisorder_V28', 'gPsychiatric_V28']),
    v28('DISABLED_CANCER', ['DISABL', 'CANCER_V28']),
    v28('DISABLED_NEURO', ['DISABL', 'NEURO_V28']),
    v28('DISABLED_HF', ['DISABL', 'HF_V28']),
    v28('DISABLED_CHR_LUNG', ['DISABL', 'CHR_LUNG_V28']),
    v28('DISABLED_ULCER', ['DISABL', 'ULCER_V28']),
  ],
  countTermNames: COUNT_TERMS,
  demographics: demographics(false),
  // SPEC.md 7; V28 INS scores count terms.
  segments: segments(
    ['DIABETES_HF', 'HF_CHR_LUNG', 'HF_KIDNEY', 'CHR_LUNG_CARD_RESP_FAIL', 'HF_HCC238'],
    ['DIABETES_HF', 'HF_CHR_LUNG', 'HF_KIDNEY', 'CHR_LUNG_CARD_RESP_FAIL', 'HF_HCC238', 'gSubUseDisorder_gPsych'],
    [
      'DIABETES_HF', 'HF_CHR_LUNG', 'HF_KIDNEY', 'CHR_LUNG_CARD_RESP_FAIL',
      'DISABLED_CANCER', 'DISABLED_NEURO', 'DISABLED_HF', 'DISABLED_CHR_LUNG', 'DISABLED_ULCER',
    ],
    true,
  ),
};
