/**
 * The risk-adjustment engine: one member's diagnoses and demographics in, a raw score with every
 * contribution explained out. Pure (no I/O); follows the CMS SAS pipeline of SPEC.md 1 for any model
 * expressed as `RiskModelTables`:
 * diagnoses -> edits -> categories -> presence rules -> hierarchies -> demographic cell ->
 * interactions and count term -> sum of coefficients.
 */
import { compileRiskModel, type CompiledRiskModel, type CompiledSegment } from './compile.ts';
import { UnknownSegmentError } from './errors.ts';
import type { AgeSexCondition, RiskModelTables } from './model-tables.ts';
import { round4 } from './payment.ts';

/** A member as the engine needs it. */
export interface RiskMember {
  /** Whole years on the model's as-of date (CMS: February 1 of the payment year, SPEC.md 2.2). */
  readonly age: number;
  /** `M` or `F`; anything else matches no age/sex cell and no sex edit (SPEC.md 2.1). */
  readonly sex: string;
  /** Segment / coefficient prefix, e.g. `CNA`, `INS`, `NE`. */
  readonly segment: string;
  /** Original reason for entitlement, compared as a string (SPEC.md 2.1). */
  readonly orec: string;
  readonly medicaid: boolean;
  /** Diagnosis codes; normalised (trim, upper case, dots removed) and de-duplicated here (SPEC.md 3.1). */
  readonly dx: readonly string[];
}

/** What a term is, for grouping an explanation. */
export type ContributionKind = 'demographic' | 'category' | 'interaction' | 'count';

/** One scored term: its coefficient and the diagnoses that brought it. */
export interface ScoreContribution {
  /** Coefficient name, e.g. `CNA_HCC85`. */
  readonly coefficientName: string;
  readonly kind: ContributionKind;
  /** May be 0: some published coefficients are 0.000, and a missing name counts as 0 (SPEC.md 8.1). */
  readonly coefficient: number;
  /** Categories (after hierarchies) behind the term; empty for demographic terms. */
  readonly categories: readonly number[];
  /** Normalised diagnosis codes behind those categories. */
  readonly dx: readonly string[];
}

/** A diagnosis whose categories came from an edit instead of the mapping (SPEC.md 3.4). */
export interface AppliedEdit {
  readonly dx: string;
  readonly rule: string;
  /** Categories the edit assigned; empty when it dropped the code. */
  readonly categories: readonly number[];
}

/** A category present before hierarchies that did not survive them. */
export interface SuppressedCategory {
  readonly category: number;
  /** `HCC<n>` of the hierarchy parent, or the presence rule's name. */
  readonly by: string;
}

/** One member's score. */
export interface RiskScore {
  readonly modelId: string;
  readonly segment: string;
  /** Sum of all scored coefficients, rounded to 4 decimals (SPEC.md 8.2). */
  readonly rawScore: number;
  /** The demographic part of `rawScore` (SPEC.md 8.2 `risk_score_age`). */
  readonly demographicScore: number;
  /** Categories after edits, presence rules and hierarchies, ascending. */
  readonly categories: readonly number[];
  readonly contributions: readonly ScoreContribution[];
  /** Codes (normalised) that are neither in the mapping nor caught by an edit; blank inputs as given. */
  readonly unknownDx: readonly string[];
  readonly appliedEdits: readonly AppliedEdit[];
  readonly suppressed: readonly SuppressedCategory[];
}

const NO_NUMBERS: readonly number[] = [];
const NO_STRINGS: readonly string[] = [];

/** Upper case, dots and surrounding whitespace removed (SPEC.md 3.1). */
export function normalizeDiagnosisCode(raw: string): string {
  return raw.trim().toUpperCase().replaceAll('.', '');
}

/** True when `code` needs no normalisation (the common case; skips three string copies). */
function isClean(code: string): boolean {
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    // 0-9 or A-Z only.
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return false;
  }
  return code.length > 0;
}

function conditionMatches(c: AgeSexCondition, age: number, sex: string): boolean {
  if (c.sex !== undefined && c.sex !== sex) return false;
  if (c.ageBelow !== undefined && !(age < c.ageBelow)) return false;
  if (c.ageAbove !== undefined && !(age > c.ageAbove)) return false;
  if (c.ageAtLeast !== undefined && !(age >= c.ageAtLeast)) return false;
  return true;
}

function sameDx(this: string, edit: AppliedEdit): boolean {
  return edit.dx === this;
}

function anyConditionMatches(conditions: readonly AgeSexCondition[], age: number, sex: string): boolean {
  for (let i = 0; i < conditions.length; i++) if (conditionMatches(conditions[i]!, age, sex)) return true;
  return false;
}

function demographic(coefficientName: string, coefficient: number): ScoreContribution {
  return { coefficientName, kind: 'demographic', coefficient, categories: NO_NUMBERS, dx: NO_STRINGS };
}

/** Appends the codes of `from` not yet in `into` (both a handful long). */
function addUnique(into: string[], from: readonly string[]): void {
  for (let i = 0; i < from.length; i++) if (!into.includes(from[i]!)) into.push(from[i]!);
}

/**
 * Scores members against one compiled model. Holds per-member scratch buffers, so one scorer must
 * not be shared by concurrent callers (JavaScript runs it single-threaded; make one per worker).
 */
export class RiskScorer {
  readonly model: CompiledRiskModel;
  private readonly present: Uint8Array;
  private readonly categoryDx: string[][];
  private readonly touched: Int32Array;
  private touchedCount = 0;
  private readonly features: Uint8Array;

  constructor(model: CompiledRiskModel) {
    this.model = model;
    const n = model.categoryIds.length;
    this.present = new Uint8Array(n);
    this.categoryDx = Array.from({ length: n }, () => []);
    this.touched = new Int32Array(n);
    this.features = new Uint8Array(Math.max(1, model.featureNames.length));
  }

  /** Compiles `tables` and returns a scorer for them. */
  static fromTables(tables: RiskModelTables): RiskScorer {
    return new RiskScorer(compileRiskModel(tables));
  }

  /**
   * Scores one member.
   * @throws UnknownSegmentError when the member's segment is not in the model.
   */
  score(member: RiskMember): RiskScore {
    const model = this.model;
    const segment = model.segments.get(member.segment);
    if (!segment) throw new UnknownSegmentError(model.id, member.segment);
    const demo = model.tables.demographics;

    // SPEC.md 2.2-2.4: scoring age, then DISABL and ORIGDS from it.
    let age = member.age > 0 ? Math.floor(member.age) : 0;
    if (demo.promoteAge64WithOldAgeEntitlement && age === 64 && member.orec === demo.oldAgeOrec) age = 65;
    const disabled = age < demo.disabledBelowAge && member.orec !== demo.oldAgeOrec;
    const originallyDisabled = member.orec === demo.originallyDisabledOrec && !disabled;
    const sexIndex = member.sex === 'F' ? 0 : member.sex === 'M' ? 1 : -1;

    const unknownDx: string[] = [];
    const appliedEdits: AppliedEdit[] = [];
    const suppressed: SuppressedCategory[] = [];
    this.collectCategories(member, age, unknownDx, appliedEdits);
    const present = this.present;
    const touched = this.touched;

    // SPEC.md 4.3: presence rules (V28 heart patch) on the CC set, before hierarchies.
    for (const rule of model.presenceRules) {
      if (present[rule.category] !== 1) continue;
      let companion = false;
      for (let k = 0; k < rule.companions.length; k++) if (present[rule.companions[k]!] === 1) companion = true;
      if (!companion) {
        present[rule.category] = 0;
        suppressed.push({ category: model.categoryIds[rule.category]!, by: rule.rule });
      }
    }
    // SPEC.md 4.2: rules in file order; a parent fires only while still present.
    const parents = model.hierarchyParents;
    if (this.touchedCount > 1) {
      for (let r = 0; r < parents.length; r++) {
        const parent = parents[r]!;
        if (present[parent] !== 1) continue;
        const children = model.hierarchyChildren[r]!;
        for (let k = 0; k < children.length; k++) {
          const child = children[k]!;
          if (present[child] === 1) {
            present[child] = 0;
            suppressed.push({ category: model.categoryIds[child]!, by: `HCC${model.categoryIds[parent]!}` });
          }
        }
      }
    }

    // Surviving categories in ascending order (indices are ascending by category number).
    const kept: number[] = [];
    for (let t = 0; t < this.touchedCount; t++) {
      const c = touched[t]!;
      if (present[c] !== 1) continue;
      // Insertion sort: a handful of categories, and no comparator closure in the hot path.
      let k = kept.length;
      kept.push(c);
      while (k > 0 && kept[k - 1]! > c) {
        kept[k] = kept[k - 1]!;
        k--;
      }
      kept[k] = c;
    }
    const categories: number[] = new Array(kept.length);
    for (let k = 0; k < kept.length; k++) categories[k] = model.categoryIds[kept[k]!]!;

    const contributions: ScoreContribution[] = [];
    let sum = 0;

    if (segment.newEnrollee) {
      // SPEC.md 2.8: one cell, group by Medicaid and NE_ORIGDS (= ORIGDS); nothing else is scored.
      const tableAge = age < model.newEnrolleeBandByAge.length ? age : model.newEnrolleeBandByAge.length - 1;
      const band = age === 64 && member.orec === demo.oldAgeOrec ? model.newEnrolleeAge64OldAgeBand : model.newEnrolleeBandByAge[tableAge]!;
      if (sexIndex >= 0 && band >= 0) {
        const i = (((member.medicaid ? 2 : 0) + (originallyDisabled ? 1 : 0)) * 2 + sexIndex) * model.newEnrolleeBandCount + band;
        contributions.push(demographic(segment.newEnrolleeNames[i]!, segment.newEnrolleeCoefficients[i]!));
      }
    } else {
      this.scoreDemographics(segment, age, sexIndex, member.medicaid, originallyDisabled, contributions);
    }
    let demographicSum = 0;
    for (let k = 0; k < contributions.length; k++) demographicSum += contributions[k]!.coefficient;
    if (!segment.newEnrollee) sum = this.scoreDiagnosisTerms(segment, kept, categories, disabled, contributions);
    this.reset();

    return {
      modelId: model.id,
      segment: segment.name,
      rawScore: round4(demographicSum + sum),
      demographicScore: round4(demographicSum),
      categories,
      contributions,
      unknownDx,
      appliedEdits,
      suppressed,
    };
  }

  /** SPEC.md 3.1-3.6: normalise, de-duplicate, edit or map each code into `present`. */
  private collectCategories(member: RiskMember, age: number, unknownDx: string[], appliedEdits: AppliedEdit[]): void {
    const model = this.model;
    const dx = member.dx;
    for (let d = 0; d < dx.length; d++) {
      const raw = dx[d]!;
      // Clean codes (the common case) are looked up as given; others are normalised first.
      const code = isClean(raw) ? raw : normalizeDiagnosisCode(raw);
      if (code === '') {
        unknownDx.push(raw);
        continue;
      }
      const entry = model.diagnosisEntries.get(code);
      let indices: Int32Array | undefined = entry?.categories;
      if (entry?.edits !== undefined) {
        // An applying edit replaces every mapped category of the code (SPEC.md 3.4).
        for (const edit of entry.edits) {
          if (anyConditionMatches(edit.when, age, member.sex)) {
            indices = edit.resultIndices;
            if (!appliedEdits.some(sameDx, code)) appliedEdits.push({ dx: code, rule: edit.rule, categories: edit.resultCategories });
            break;
          }
        }
      }
      if (indices === undefined) {
        // Repeats of a code (SPEC.md 3.1 de-duplication) are reported once.
        if (!unknownDx.includes(code)) unknownDx.push(code);
        continue;
      }
      for (let k = 0; k < indices.length; k++) {
        const c = indices[k]!;
        if (this.present[c] !== 1) {
          this.present[c] = 1;
          this.touched[this.touchedCount++] = c;
        }
        const sources = this.categoryDx[c]!;
        if (!sources.includes(code)) sources.push(code);
      }
    }
  }

  /** SPEC.md 2.6-2.7: age/sex cell, originally-disabled and institutional terms. */
  private scoreDemographics(
    segment: CompiledSegment,
    age: number,
    sexIndex: number,
    medicaid: boolean,
    originallyDisabled: boolean,
    out: ScoreContribution[],
  ): void {
    const model = this.model;
    const tableAge = age < model.ageSexBandByAge.length ? age : model.ageSexBandByAge.length - 1;
    const band = model.ageSexBandByAge[tableAge]!;
    if (sexIndex >= 0 && band >= 0) {
      const i = sexIndex * model.ageSexBandCount + band;
      const coefficient = segment.cellCoefficients[i]!;
      // NaN: the cell is not in this segment's set, so no age/sex term (SPEC.md 2.5).
      if (!Number.isNaN(coefficient)) out.push(demographic(segment.cellNames[i]!, coefficient));
    }
    if (segment.originallyDisabledTerms && originallyDisabled && sexIndex >= 0)
      out.push(demographic(segment.originallyDisabledNames[sexIndex]!, segment.originallyDisabledCoefficients[sexIndex]!));
    if (segment.institutionalTerms) {
      if (medicaid) out.push(demographic(segment.medicaidName, segment.medicaidCoefficient));
      if (originallyDisabled) out.push(demographic(segment.originallyDisabledFlagName, segment.originallyDisabledFlagCoefficient));
    }
  }

  /** SPEC.md 5-6: category, interaction and count terms; returns their sum. */
  private scoreDiagnosisTerms(segment: CompiledSegment, kept: readonly number[], categories: readonly number[], disabled: boolean, out: ScoreContribution[]): number {
    const model = this.model;
    let sum = 0;
    if (segment.categoryTerms) {
      for (let k = 0; k < kept.length; k++) {
        const c = kept[k]!;
        const coefficient = segment.categoryCoefficients[c]!;
        out.push({ coefficientName: segment.categoryNames[c]!, kind: 'category', coefficient, categories: [model.categoryIds[c]!], dx: this.categoryDx[c]!.slice() });
        sum += coefficient;
      }
    }
    if (segment.interactionIndices.length > 0) {
      const features = this.features;
      features.fill(0);
      for (let j = 0; j < kept.length; j++) {
        const list = model.categoryFeatures[kept[j]!]!;
        for (let k = 0; k < list.length; k++) features[list[k]!] = 1;
      }
      if (disabled && model.disabledFeature >= 0) features[model.disabledFeature] = 1;
      for (let t = 0; t < segment.interactionIndices.length; t++) {
        const interaction = segment.interactionIndices[t]!;
        const factors = model.interactionFactors[interaction]!;
        let on = true;
        for (let k = 0; k < factors.length; k++) if (features[factors[k]!] !== 1) on = false;
        if (!on) continue;
        const coefficient = segment.interactionCoefficients[t]!;
        const sources = model.interactionCategories[interaction]!;
        const behind: number[] = [];
        const dx: string[] = [];
        for (let k = 0; k < sources.length; k++) {
          const c = sources[k]!;
          if (this.present[c] !== 1) continue;
          behind.push(model.categoryIds[c]!);
          addUnique(dx, this.categoryDx[c]!);
        }
        out.push({ coefficientName: segment.interactionNames[t]!, kind: 'interaction', coefficient, categories: behind, dx });
        sum += coefficient;
      }
    }
    // SPEC.md 6: exactly one count term for n >= 1; the last name covers every larger n.
    if (segment.countTerms && kept.length > 0) {
      const i = Math.min(kept.length, segment.countNames.length) - 1;
      const dx: string[] = [];
      for (let k = 0; k < kept.length; k++) addUnique(dx, this.categoryDx[kept[k]!]!);
      const coefficient = segment.countCoefficients[i]!;
      out.push({ coefficientName: segment.countNames[i]!, kind: 'count', coefficient, categories, dx });
      sum += coefficient;
    }
    return sum;
  }

  private reset(): void {
    for (let t = 0; t < this.touchedCount; t++) {
      const c = this.touched[t]!;
      this.present[c] = 0;
      this.categoryDx[c]!.length = 0;
    }
    this.touchedCount = 0;
  }
}
