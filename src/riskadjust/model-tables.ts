/**
 * The data a risk-adjustment model is made of, as one plain, JSON-serialisable structure.
 *
 * The engine (`score.ts`) knows the *shape* of a CMS-HCC-style model (DOMAIN.md "Capitation
 * standard": a demographic factor plus additive condition-category factors, hierarchies replacing
 * milder categories) but none of its numbers or names: every category, mapping, edit, hierarchy,
 * interaction, count term and coefficient comes from here. CMS V24/V28 tables are built from the
 * CMS files by `cms-tables.ts`; a bureau model can be supplied as the same structure from a data
 * file and scored by the same engine.
 */

/** One condition category the model pays for (a CMS "payment HCC"). */
export interface CategoryDefinition {
  /** Category number, e.g. 85. Term and coefficient names write it as `HCC85`. */
  readonly id: number;
  readonly label: string;
}

/**
 * A conjunction of age/sex conditions. Ages are the member's scoring age (after the model's age
 * rules); a missing field does not constrain.
 */
export interface AgeSexCondition {
  readonly sex?: 'M' | 'F';
  /** Matches when age < ageBelow. */
  readonly ageBelow?: number;
  /** Matches when age > ageAbove. */
  readonly ageAbove?: number;
  /** Matches when age >= ageAtLeast. */
  readonly ageAtLeast?: number;
}

/**
 * A diagnosis edit (CMS `V24I0ED1`/`V28I0ED1`, SPEC.md 3.4): when any condition matches, the
 * listed codes map to `result` instead of the mapping table (an empty result drops the code).
 */
export interface DiagnosisEdit {
  /** Short name used in explanations, e.g. `V28 edit 3: breast cancer under 50`. */
  readonly rule: string;
  readonly codes: readonly string[];
  /** The edit applies when at least one condition matches. */
  readonly when: readonly AgeSexCondition[];
  readonly result: readonly number[];
}

/**
 * A category removed before hierarchies unless one of its companions is present (the V28
 * heart-failure patch on CC223, SPEC.md 4.3).
 */
export interface PresenceRule {
  readonly rule: string;
  readonly category: number;
  readonly removeUnlessAnyOf: readonly number[];
}

/** "If parent is still present, remove every listed child" (CMS `%SET0`, SPEC.md 4.1-4.2). */
export interface HierarchyRule {
  readonly parent: number;
  readonly children: readonly number[];
  /** The family label from the macro comment, e.g. `Heart 2`. */
  readonly label?: string;
}

/** A diagnostic group: 1 when any listed category is present after hierarchies (SPEC.md 5.1/5.3). */
export interface CategoryGroup {
  readonly name: string;
  readonly anyOf: readonly number[];
}

/**
 * A product term. Each factor names a category (`HCC85`), a group from `groups`, or the
 * demographic flag `DISABL`; the term is 1 when every factor is 1.
 */
export interface InteractionDefinition {
  readonly name: string;
  readonly factors: readonly string[];
  /** Other spellings the coefficient table may use for the same term (V28's `_V28` suffix, SPEC.md 5.4). */
  readonly alternativeNames?: readonly string[];
}

/** An age band; `max` null = open-ended. */
export interface AgeBand {
  readonly name: string;
  readonly min: number;
  readonly max: number | null;
}

/** The demographic rules of a model (SPEC.md 2). */
export interface DemographicRules {
  /** V24 only: age 64 with OREC `0` is scored as 65 everywhere (SPEC.md 2.3). */
  readonly promoteAge64WithOldAgeEntitlement: boolean;
  /** DISABL = 1 when age is below this and OREC is not the old-age code (SPEC.md 2.4). */
  readonly disabledBelowAge: number;
  /** OREC meaning old age (OASI). */
  readonly oldAgeOrec: string;
  /** OREC meaning disability; ORIGDS needs exactly this value (OREC `3` never counts). */
  readonly originallyDisabledOrec: string;
  /** Age/sex cells `<sex><band>` of the scored segments. */
  readonly ageSexBands: readonly AgeBand[];
  /** New-enrollee cells `NE<sex><band>`. */
  readonly newEnrolleeBands: readonly AgeBand[];
  /** Band a new enrollee aged 64 with old-age OREC falls in (`AGESEXV2`: `65`), SPEC.md 2.8. */
  readonly newEnrolleeAge64OldAgeBand: string;
}

/** Which terms a segment's score is made of (the SAS regression variable list, SPEC.md 7). */
export interface SegmentDefinition {
  /** True for NE/SNPNE: exactly one new-enrollee cell and nothing else (SPEC.md 2.8). */
  readonly newEnrollee: boolean;
  /** Names of the age bands whose `<sex><band>` cells this segment scores. */
  readonly ageSexBands: readonly string[];
  readonly originallyDisabledTerms: boolean;
  /** `LTIMCAID` and `ORIGDS` (institutional). */
  readonly institutionalTerms: boolean;
  readonly categoryTerms: boolean;
  /** Names from `interactions` scored in this segment. */
  readonly interactions: readonly string[];
  readonly countTerms: boolean;
}

/** The complete, data-only definition of a risk model. */
export interface RiskModelTables {
  /** e.g. `cms-hcc-v24`. */
  readonly id: string;
  readonly description: string;
  /** Payment categories; categories outside this list are discarded after mapping (SPEC.md 3.6). */
  readonly categories: readonly CategoryDefinition[];
  /** Normalised diagnosis code -> categories (one code may map to several, SPEC.md 3.2). */
  readonly diagnosisMap: Readonly<Record<string, readonly number[]>>;
  readonly diagnosisEdits: readonly DiagnosisEdit[];
  readonly presenceRules: readonly PresenceRule[];
  /** Applied in this order (SPEC.md 4.2). */
  readonly hierarchy: readonly HierarchyRule[];
  readonly groups: readonly CategoryGroup[];
  readonly interactions: readonly InteractionDefinition[];
  /** Count terms by number of categories: index 0 is for 1 category; the last also covers every larger count. */
  readonly countTermNames: readonly string[];
  readonly demographics: DemographicRules;
  readonly segments: Readonly<Record<string, SegmentDefinition>>;
  /** Coefficient name (`<SEGMENT>_<term>`) -> value; a missing name counts as 0 (SPEC.md 8.1). */
  readonly coefficients: Readonly<Record<string, number>>;
}
