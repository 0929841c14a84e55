/**
 * Reference figures the synthetic population is drawn from. Sources: China's seventh national
 * census (2020) for the adult age pyramid; DOMAIN.md for prevalence and control baselines; the
 * codes are ICD-10-CN (national clinical edition) for diagnoses, LOINC for readings, ATC for
 * drugs, CPT for visits and procedures (fundus 92250 / CPT II 2022F, foot exam CPT II 2028F)
 * and SNOMED CT for inpatient admissions, as CMS test data carries them.
 */

/** 2020 census, share of total population by 5-year band (per cent); the 15-19 band is cut to 18-19. */
export const AGE_BANDS: readonly { lo: number; share: number }[] = [
  { lo: 18, share: 2.1 },
  { lo: 20, share: 5.9 },
  { lo: 25, share: 6.5 },
  { lo: 30, share: 8.5 },
  { lo: 35, share: 6.9 },
  { lo: 40, share: 6.6 },
  { lo: 45, share: 8.0 },
  { lo: 50, share: 8.7 },
  { lo: 55, share: 7.3 },
  { lo: 60, share: 5.1 },
  { lo: 65, share: 5.2 },
  { lo: 70, share: 3.7 },
  { lo: 75, share: 2.3 },
  { lo: 80, share: 1.5 },
  { lo: 85, share: 0.8 },
  { lo: 90, share: 0.36 },
];

/** A district or county: the unit institutions serve. Rurality (0 urban .. 1 rural) shifts age and scheme. */
export interface RegionSpec {
  name: string;
  rurality: number;
  /** Relative population weight. */
  weight: number;
}

export const REGIONS: readonly RegionSpec[] = [
  { name: 'Jinshui', rurality: 0.05, weight: 1.6 },
  { name: 'Erqi', rurality: 0.1, weight: 1.4 },
  { name: 'Zhongyuan', rurality: 0.15, weight: 1.3 },
  { name: 'Xinzheng', rurality: 0.45, weight: 1.1 },
  { name: 'Gongyi', rurality: 0.55, weight: 0.9 },
  { name: 'Dengfeng', rurality: 0.7, weight: 0.8 },
  { name: 'Xinmi', rurality: 0.75, weight: 0.8 },
  { name: 'Zhongmu', rurality: 0.85, weight: 0.7 },
];

/** ICD-10-CN diagnosis codes the simulation uses. */
export const DX = {
  hypertension: 'I10',
  elevatedBp: 'R03.0',
  diabetes: 'E11.9',
  diabetesRetinopathy: 'E11.3',
  diabetesNephropathy: 'E11.2',
  diabetesNeuropathy: 'E11.4',
  prediabetes: 'R73.0',
  chd: 'I25.1',
  angina: 'I20.9',
  stroke: 'I63.9',
  heartFailure: 'I50.9',
  ckd3: 'N18.3',
  pad: 'I73.9',
  copd: 'J44.9',
  pneumonia: 'J18.9',
} as const;

/** Everyday diagnoses for acute outpatient visits (ICD-10-CN). */
export const ACUTE_DX: readonly string[] = ['J06.9', 'J20.9', 'K29.7', 'M54.5', 'N39.0', 'R51', 'K52.9', 'L30.9'];

/** Visit type codes (CPT), inpatient admission (SNOMED CT 32485007 "hospital admission"). */
export const VISIT = {
  office: '99213',
  officeComplex: '99214',
  phone: '99442',
  home: '99348',
  ed: '99284',
  preventive18to39: '99395',
  preventive40to64: '99396',
  preventive65plus: '99397',
  inpatientSnomed: '32485007',
} as const;

/** Procedures (CPT): fundus photography, CPT II retinal exam, CPT II foot exam. */
export const PROCEDURE = { fundusPhoto: '92250', retinalExam: '2022F', footExam: '2028F' } as const;

/** Drugs (ATC). */
export const ATC = {
  losartan: 'C09CA01',
  enalapril: 'C09AA02',
  amlodipine: 'C08CA01',
  hydrochlorothiazide: 'C03AA03',
  metoprolol: 'C07AB02',
  metformin: 'A10BA02',
  glimepiride: 'A10BB12',
  insulinGlargine: 'A10AE04',
  atorvastatin: 'C10AA05',
  aspirin: 'B01AC06',
  amoxicillin: 'J01CA04',
} as const;

export const ANTIHYPERTENSIVES: readonly string[] = [ATC.amlodipine, ATC.losartan, ATC.enalapril, ATC.hydrochlorothiazide, ATC.metoprolol];

/** Departments of practitioners by institution level. */
export const DEPARTMENTS = {
  primary: ['general-practice', 'general-practice', 'general-practice', 'internal-medicine', 'public-health'],
  secondary: ['internal-medicine', 'cardiology', 'endocrinology', 'general-practice', 'emergency', 'neurology'],
} as const;
