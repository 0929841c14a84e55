/**
 * Which diagnosis codes mean which chronic condition or complication (DOMAIN.md, "The class
 * decision table"). ICD-10 code prefixes, shared by China's national edition and ICD-10-CM at
 * this level of detail; matching ignores the dot. One grouping for tiers, features and the
 * bureau's risk categories.
 */
import type { CodeSystem } from '../../data-contracts/v1/index.ts';

export const CHRONIC_CONDITIONS = ['hypertension', 'diabetes', 'chd', 'stroke', 'ckd', 'heart-failure', 'copd'] as const;
export type ChronicCondition = (typeof CHRONIC_CONDITIONS)[number];

export const COMPLICATIONS = ['retinopathy', 'nephropathy', 'neuropathy', 'chd', 'stroke', 'heart-failure', 'pad'] as const;
export type Complication = (typeof COMPLICATIONS)[number];

/** Groups that are neither: markers used by the high-risk row and the onset models. */
export type RiskMarkerGroup = 'prediabetes' | 'elevated-bp';

export type ConditionGroup = ChronicCondition | Complication | RiskMarkerGroup;

/** ICD-10 prefixes (without dots) per group. A code may fall in several groups (E11.3 is diabetes and retinopathy). */
export const ICD10_GROUPS: Record<ConditionGroup, readonly string[]> = {
  hypertension: ['I10', 'I11', 'I12', 'I13', 'I15'],
  diabetes: ['E10', 'E11', 'E12', 'E13', 'E14'],
  chd: ['I20', 'I21', 'I22', 'I23', 'I24', 'I25'],
  stroke: ['I60', 'I61', 'I62', 'I63', 'I64', 'I69'],
  ckd: ['N18', 'I12', 'I13'],
  'heart-failure': ['I50', 'I110', 'I130', 'I132'],
  copd: ['J43', 'J44'],
  // Complications. Nephropathy = diabetic kidney disease, CKD stage 3+, or albuminuria.
  retinopathy: ['E103', 'E113', 'E123', 'E133', 'E143', 'H360', 'H350'],
  nephropathy: ['E102', 'E112', 'E122', 'E132', 'E142', 'N183', 'N184', 'N185', 'N083', 'R80'],
  neuropathy: ['E104', 'E114', 'E124', 'E134', 'E144', 'G632', 'E105', 'E115', 'L97'],
  pad: ['I70', 'I73', 'I739', 'E115', 'E105'],
  prediabetes: ['R730', 'R7301', 'R7303', 'R739'],
  'elevated-bp': ['R030'],
};

const DIAGNOSIS_SYSTEMS: ReadonlySet<CodeSystem> = new Set(['ICD-10-CN', 'ICD-10-CM']);

/** The groups a diagnosis code belongs to (empty for codes of other systems or no group). */
export function groupsOf(system: CodeSystem, code: string): ConditionGroup[] {
  if (!DIAGNOSIS_SYSTEMS.has(system)) return [];
  const bare = code.replace('.', '').toUpperCase();
  const out: ConditionGroup[] = [];
  for (const [group, prefixes] of Object.entries(ICD10_GROUPS) as [ConditionGroup, readonly string[]][])
    if (prefixes.some((p) => bare.startsWith(p))) out.push(group);
  return out;
}

export function isChronic(group: ConditionGroup): group is ChronicCondition {
  return (CHRONIC_CONDITIONS as readonly string[]).includes(group);
}

export function isComplication(group: ConditionGroup): group is Complication {
  return (COMPLICATIONS as readonly string[]).includes(group);
}

/**
 * Complications that count for a member. DOMAIN.md: "a condition counts as a complication of
 * another when both are present", so CHD, stroke and heart failure count only beside another
 * chronic condition; retinopathy, nephropathy, neuropathy and PAD count beside any.
 */
export function countedComplications(chronic: ReadonlySet<ChronicCondition>, present: ReadonlySet<Complication>): Complication[] {
  const out: Complication[] = [];
  for (const c of COMPLICATIONS) {
    if (!present.has(c)) continue;
    const alsoChronic = (CHRONIC_CONDITIONS as readonly string[]).includes(c);
    const others = [...chronic].filter((x) => x !== c).length;
    if (alsoChronic ? others > 0 : chronic.size > 0) out.push(c);
  }
  return out;
}
