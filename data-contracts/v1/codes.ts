/**
 * Code systems. Every code in Stratum travels with its system (DOMAIN.md "Data rules"): a bare
 * "E11.9" is ambiguous between China's national ICD-10 edition and ICD-10-CM.
 */
import { z } from 'zod';

export const CODE_SYSTEMS = [
  'ICD-10-CN', // ICD-10 national clinical edition (China)
  'ICD-10-CM', // US clinical modification, for CMS-HCC compatibility
  'ICD-9-CM',
  'ICD-10-PCS', // procedures in US inpatient data (kidney transplant in the CMS165 value sets)
  'SNOMED-CT',
  'LOINC',
  'CPT',
  'HCPCS',
  'ATC',
  'RxNorm',
  'HL7-ActCode', // FHIR Encounter.class (v3 ActCode: AMB, IMP, EMER, HH, VR, ...)
  'LOCAL',
] as const;
export const CodeSystem = z.enum(CODE_SYSTEMS);
export type CodeSystem = z.infer<typeof CodeSystem>;

/** The canonical FHIR URI for each system, used by the FHIR importer and exporter. */
export const CODE_SYSTEM_URI: Record<CodeSystem, string> = {
  'ICD-10-CN': 'http://www.nhc.gov.cn/icd10',
  'ICD-10-CM': 'http://hl7.org/fhir/sid/icd-10-cm',
  'ICD-9-CM': 'http://hl7.org/fhir/sid/icd-9-cm',
  'ICD-10-PCS': 'http://www.cms.gov/Medicare/Coding/ICD10',
  'SNOMED-CT': 'http://snomed.info/sct',
  LOINC: 'http://loinc.org',
  CPT: 'http://www.ama-assn.org/go/cpt',
  HCPCS: 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  ATC: 'http://www.whocc.no/atc',
  RxNorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  'HL7-ActCode': 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  LOCAL: 'urn:stratum:local',
};

/** A code is non-empty, has no surrounding spaces and no control characters. */
export const CodeValue = z
  .string()
  .min(1, 'code must not be empty')
  .max(64)
  .regex(/^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u, 'code must have no surrounding spaces or control characters');

/** The LOINC codes Stratum reads (DOMAIN.md "Codes"), plus the few the quality measures need. */
export const LOINC = {
  hba1c: '4548-4',
  gmi: '97506-0',
  systolic: '8480-6',
  diastolic: '8462-4',
  bloodPressurePanel: '85354-9',
  bmi: '39156-5',
  fastingGlucose: '1558-6',
  homeCapillaryGlucose: '14743-9',
  ldl: '13457-7',
  egfr: '33914-3',
  urineAlbuminCreatinine: '9318-7',
  housingStatus: '71802-3',
  hospiceYes: '45755-6',
  palliativeAssessment: '71007-9',
  medicalEquipmentUsed: '98181-1',
} as const;
