/**
 * Score-only fast path of the risk-adjustment engine (issue 5 item 1): the same pipeline as
 * `RiskScorer.score` (SPEC.md 1: diagnoses -> edits -> categories -> presence rules -> hierarchies
 * -> demographic cell -> interactions and count term -> sum), over typed arrays compiled once, with
 * no explanation and no allocation per member when the caller passes an output record.
 *
 * Layout: categories are bits of a Uint32Array (`words` 32-bit words); each hierarchy rule is a
 * parent bit and a mask of children to clear; each interaction factor is a mask of categories that
 * switch it on. Coefficients are the compiled segment's Float64Arrays. The explained path stays the
 * one for settlement lines; `test/riskadjust/compact.test.ts` asserts both give the same numbers.
 */
import type { CompiledRiskModel, CompiledSegment } from './compile.ts';
import { UnknownSegmentError } from './errors.ts';
import type { AgeSexCondition } from './model-tables.ts';
import type { PaymentAdjustment } from './cms-payment-factors.ts';
import type { RiskMember } from './score.ts';
import { normalizeDiagnosisCode } from './score.ts';
import { paymentScore, round4 } from './payment.ts';

/** No CMS adjustment: payment score = raw score (the bureau's own model, DOMAIN.md "Capitation standard"). */
export const NO_PAYMENT_ADJUSTMENT: PaymentAdjustment = { codingIntensity: 0, normalization: 1 };

/** An edit of a code, with its result as a category bit mask. */
interface CompactEdit {
  readonly when: readonly AgeSexCondition[];
  readonly mask: Uint32Array;
}

/** A model compiled for `scoreCompact`. Immutable; share it freely. */
export interface CompactRiskModel {
  readonly model: CompiledRiskModel;
  readonly adjustment: PaymentAdjustment;
  /** 32-bit words per category bitset. */
  readonly words: number;
  /** Normalised code -> entry index into `codeMasks` / `codeEdits`. */
  readonly codeIndex: ReadonlyMap<string, number>;
  /** [entry * words + w]: the categories a code maps to (zero when only an edit knows the code). */
  readonly codeMasks: Uint32Array;
  /** Per entry: edits in chain order, or undefined (the common case). */
  readonly codeEdits: readonly (readonly CompactEdit[] | undefined)[];
  readonly presenceCategory: Int32Array;
  /** [rule * words + w]. */
  readonly presenceCompanions: Uint32Array;
  readonly hierarchyParent: Int32Array;
  /** [rule * words + w]: the children a present parent clears. */
  readonly hierarchyClear: Uint32Array;
  /** CSR by category index: `rulesOfParent[rulesOfParentStart[c] .. rulesOfParentStart[c + 1])` are the rules c is parent of. */
  readonly rulesOfParentStart: Int32Array;
  readonly rulesOfParent: Int32Array;
  /**
   * Scratch for the candidate rules of one member. Shared: safe because scoring is synchronous
   * and JavaScript runs one call at a time per thread (a worker gets its own copy of the model).
   */
  readonly candidateRules: Int32Array;
  /** [feature * words + w]: categories that switch the feature on; DISABL's row is empty. */
  readonly featureMasks: Uint32Array;
  readonly segmentIndex: ReadonlyMap<string, number>;
  readonly segments: readonly CompiledSegment[];
  /** Per segment, per scored interaction: its factors as offsets into `featureMasks` (-1 = DISABL). */
  readonly segmentInteractions: readonly { readonly start: Int32Array; readonly rows: Int32Array }[];
}

/** One member's score from the fast path. */
export interface CompactScore {
  /** Raw score rounded to 4 decimals, equal to `RiskScorer.score(...).rawScore`. */
  raw: number;
  /** `paymentScore(raw, adjustment)`. */
  payment: number;
  /** Categories after hierarchies as bits of category *indices* (`model.categoryIds[i]` is the number). */
  hccBits: Uint32Array;
}

function maskOf(indices: ArrayLike<number>, words: number, into: Uint32Array = new Uint32Array(words), offset = 0): Uint32Array {
  for (let k = 0; k < indices.length; k++) {
    const c = indices[k]!;
    into[offset + (c >>> 5)]! |= 1 << (c & 31);
  }
  return into;
}

/**
 * Compiles the fast path from a compiled model.
 * @param adjustment CMS coding-intensity and normalisation (CMS-compatible mode only); default none.
 */
export function compileCompact(model: CompiledRiskModel, adjustment: PaymentAdjustment = NO_PAYMENT_ADJUSTMENT): CompactRiskModel {
  const words = Math.max(1, Math.ceil(model.categoryIds.length / 32));
  const codes = [...model.diagnosisEntries.keys()];
  const codeIndex = new Map<string, number>();
  const codeMasks = new Uint32Array(codes.length * words);
  const codeEdits: (readonly CompactEdit[] | undefined)[] = [];
  codes.forEach((code, i) => {
    const entry = model.diagnosisEntries.get(code)!;
    codeIndex.set(code, i);
    if (entry.categories) maskOf(entry.categories, words, codeMasks, i * words);
    codeEdits.push(entry.edits?.map((e) => ({ when: e.when, mask: maskOf(e.resultIndices, words) })));
  });

  const presenceCompanions = new Uint32Array(model.presenceRules.length * words);
  model.presenceRules.forEach((r, i) => maskOf(r.companions, words, presenceCompanions, i * words));
  const hierarchyClear = new Uint32Array(model.hierarchyParents.length * words);
  model.hierarchyChildren.forEach((children, r) => maskOf(children, words, hierarchyClear, r * words));

  const categoryCount = model.categoryIds.length;
  const rulesOfParentStart = new Int32Array(categoryCount + 1);
  for (const p of model.hierarchyParents) rulesOfParentStart[p + 1]!++;
  for (let c = 0; c < categoryCount; c++) rulesOfParentStart[c + 1]! += rulesOfParentStart[c]!;
  const rulesOfParent = new Int32Array(model.hierarchyParents.length);
  const fill = rulesOfParentStart.slice(0, categoryCount);
  model.hierarchyParents.forEach((p, r) => (rulesOfParent[fill[p]!++] = r)); // ascending rule order per parent

  const featureMasks = new Uint32Array(Math.max(1, model.featureNames.length) * words);
  model.categoryFeatures.forEach((features, c) => {
    for (let k = 0; k < features.length; k++) featureMasks[features[k]! * words + (c >>> 5)]! |= 1 << (c & 31);
  });

  const segments = [...model.segments.values()];
  const segmentInteractions = segments.map((segment) => {
    const start = [0];
    const rows: number[] = [];
    for (const interaction of segment.interactionIndices) {
      for (const f of model.interactionFactors[interaction]!) rows.push(f === model.disabledFeature ? -1 : f * words);
      start.push(rows.length);
    }
    return { start: Int32Array.from(start), rows: Int32Array.from(rows) };
  });
  return {
    model,
    adjustment,
    words,
    codeIndex,
    codeMasks,
    codeEdits,
    presenceCategory: Int32Array.from(model.presenceRules.map((r) => r.category)),
    presenceCompanions,
    hierarchyParent: model.hierarchyParents,
    hierarchyClear,
    rulesOfParentStart,
    rulesOfParent,
    candidateRules: new Int32Array(Math.max(1, model.hierarchyParents.length)),
    featureMasks,
    segmentIndex: new Map(segments.map((s, i) => [s.name, i])),
    segments,
    segmentInteractions,
  };
}

/** A fresh output record sized for `compact` (reuse it across calls to avoid allocation). */
export function newCompactScore(compact: CompactRiskModel): CompactScore {
  return { raw: 0, payment: 0, hccBits: new Uint32Array(compact.words) };
}

function isClean(code: string): boolean {
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return false;
  }
  return code.length > 0;
}

function matches(conditions: readonly AgeSexCondition[], age: number, sex: string): boolean {
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i]!;
    if (c.sex !== undefined && c.sex !== sex) continue;
    if (c.ageBelow !== undefined && !(age < c.ageBelow)) continue;
    if (c.ageAbove !== undefined && !(age > c.ageAbove)) continue;
    if (c.ageAtLeast !== undefined && !(age >= c.ageAtLeast)) continue;
    return true;
  }
  return false;
}

/**
 * Scores one member on the fast path. Unknown codes are ignored (the explained path lists them).
 * @param out reused output record (from `newCompactScore`); its `hccBits` is overwritten. When
 * omitted a new record is returned.
 * @throws UnknownSegmentError when the member's segment is not in the model.
 */
export function scoreCompact(compact: CompactRiskModel, member: RiskMember, out: CompactScore = newCompactScore(compact)): CompactScore {
  const model = compact.model;
  const s = compact.segmentIndex.get(member.segment);
  if (s === undefined) throw new UnknownSegmentError(model.id, member.segment);
  const segment = compact.segments[s]!;
  const demo = model.tables.demographics;
  const words = compact.words;
  const bits = out.hccBits;
  for (let w = 0; w < words; w++) bits[w] = 0;

  // SPEC.md 2.2-2.4: scoring age, DISABL and ORIGDS.
  let age = member.age > 0 ? Math.floor(member.age) : 0;
  if (demo.promoteAge64WithOldAgeEntitlement && age === 64 && member.orec === demo.oldAgeOrec) age = 65;
  const disabled = age < demo.disabledBelowAge && member.orec !== demo.oldAgeOrec;
  const originallyDisabled = member.orec === demo.originallyDisabledOrec && !disabled;
  const sexIndex = member.sex === 'F' ? 0 : member.sex === 'M' ? 1 : -1;

  // SPEC.md 3: map (or edit) every code into the bitset; duplicates OR in harmlessly.
  const dx = member.dx;
  const codeMasks = compact.codeMasks;
  for (let d = 0; d < dx.length; d++) {
    const raw = dx[d]!;
    const entry = compact.codeIndex.get(isClean(raw) ? raw : normalizeDiagnosisCode(raw));
    if (entry === undefined) continue;
    const edits = compact.codeEdits[entry];
    if (edits !== undefined) {
      let edited = false;
      for (let e = 0; e < edits.length; e++) {
        if (matches(edits[e]!.when, age, member.sex)) {
          const mask = edits[e]!.mask;
          for (let w = 0; w < words; w++) bits[w]! |= mask[w]!;
          edited = true;
          break;
        }
      }
      if (edited) continue;
    }
    const base = entry * words;
    for (let w = 0; w < words; w++) bits[w]! |= codeMasks[base + w]!;
  }

  // SPEC.md 4.3: presence rules before hierarchies.
  const presence = compact.presenceCategory;
  for (let r = 0; r < presence.length; r++) {
    const c = presence[r]!;
    if ((bits[c >>> 5]! & (1 << (c & 31))) === 0) continue;
    let companion = 0;
    for (let w = 0; w < words; w++) companion |= bits[w]! & compact.presenceCompanions[r * words + w]!;
    if (companion === 0) bits[c >>> 5]! &= ~(1 << (c & 31));
  }
  // SPEC.md 4.2: in rule order, a parent still present clears its children. Only the rules of
  // categories present can fire, so those few are gathered and applied in rule order.
  const parents = compact.hierarchyParent;
  const clear = compact.hierarchyClear;
  const start = compact.rulesOfParentStart;
  const byParent = compact.rulesOfParent;
  const candidates = compact.candidateRules;
  let n = 0;
  for (let w = 0; w < words; w++) {
    let word = bits[w]!;
    while (word !== 0) {
      const low = word & -word;
      const c = (w << 5) + 31 - Math.clz32(low);
      word ^= low;
      for (let k = start[c]!; k < start[c + 1]!; k++) {
        // Insertion keeps the candidates in rule order (a handful at most).
        const r = byParent[k]!;
        let i = n++;
        while (i > 0 && candidates[i - 1]! > r) {
          candidates[i] = candidates[i - 1]!;
          i--;
        }
        candidates[i] = r;
      }
    }
  }
  for (let k = 0; k < n; k++) {
    const r = candidates[k]!;
    const p = parents[r]!;
    if ((bits[p >>> 5]! & (1 << (p & 31))) === 0) continue;
    for (let w = 0; w < words; w++) bits[w]! &= ~clear[r * words + w]!;
  }

  // Demographic terms, summed in the explained path's order so the rounding agrees exactly.
  let demographicSum = 0;
  if (segment.newEnrollee) {
    const table = model.newEnrolleeBandByAge;
    const band = age === 64 && member.orec === demo.oldAgeOrec ? model.newEnrolleeAge64OldAgeBand : table[age < table.length ? age : table.length - 1]!;
    if (sexIndex >= 0 && band >= 0)
      demographicSum += segment.newEnrolleeCoefficients[(((member.medicaid ? 2 : 0) + (originallyDisabled ? 1 : 0)) * 2 + sexIndex) * model.newEnrolleeBandCount + band]!;
    out.raw = round4(demographicSum);
  } else {
    const table = model.ageSexBandByAge;
    const band = table[age < table.length ? age : table.length - 1]!;
    if (sexIndex >= 0 && band >= 0) {
      const cell = segment.cellCoefficients[sexIndex * model.ageSexBandCount + band]!;
      if (cell === cell) demographicSum += cell; // NaN: cell not in this segment (SPEC.md 2.5)
    }
    if (segment.originallyDisabledTerms && originallyDisabled && sexIndex >= 0) demographicSum += segment.originallyDisabledCoefficients[sexIndex]!;
    if (segment.institutionalTerms) {
      if (member.medicaid) demographicSum += segment.medicaidCoefficient;
      if (originallyDisabled) demographicSum += segment.originallyDisabledFlagCoefficient;
    }

    // SPEC.md 5-6: categories ascending, interactions in segment order, one count term.
    let sum = 0;
    let count = 0;
    const categoryCoefficients = segment.categoryCoefficients;
    for (let w = 0; w < words; w++) {
      let word = bits[w]!;
      while (word !== 0) {
        const low = word & -word;
        const c = (w << 5) + 31 - Math.clz32(low);
        word ^= low;
        count++;
        if (segment.categoryTerms) sum += categoryCoefficients[c]!;
      }
    }
    const interactions = compact.segmentInteractions[s]!;
    const terms = interactions.start.length - 1;
    if (terms > 0 && count + (disabled ? 1 : 0) > 0) {
      const featureMasks = compact.featureMasks;
      const rows = interactions.rows;
      for (let t = 0; t < terms; t++) {
        let on = true;
        for (let k = interactions.start[t]!; k < interactions.start[t + 1]! && on; k++) {
          const row = rows[k]!;
          if (row < 0) {
            on = disabled;
            continue;
          }
          let hit = 0;
          for (let w = 0; w < words; w++) hit |= bits[w]! & featureMasks[row + w]!;
          on = hit !== 0;
        }
        if (on) sum += segment.interactionCoefficients[t]!;
      }
    }
    if (segment.countTerms && count > 0) sum += segment.countCoefficients[Math.min(count, segment.countCoefficients.length) - 1]!;
    out.raw = round4(demographicSum + sum);
  }
  out.payment = compact.adjustment === NO_PAYMENT_ADJUSTMENT ? out.raw : paymentScore(out.raw, compact.adjustment);
  return out;
}

/** The category numbers set in `hccBits`, ascending (for tests and reports, not the hot path). */
export function categoriesOf(compact: CompactRiskModel, hccBits: Uint32Array): number[] {
  const out: number[] = [];
  for (let c = 0; c < compact.model.categoryIds.length; c++) if ((hccBits[c >>> 5]! & (1 << (c & 31))) !== 0) out.push(compact.model.categoryIds[c]!);
  return out;
}
