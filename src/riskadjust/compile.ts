/**
 * Compiles `RiskModelTables` into lookups the scorer can use without string work per member: a Map
 * from diagnosis code to category indices, typed arrays of coefficients per segment, and feature
 * indices for groups and interactions. Pure; done once per model.
 */
import { ModelDefinitionError } from './errors.ts';
import type { AgeBand, AgeSexCondition, RiskModelTables } from './model-tables.ts';

/** A diagnosis edit with its result as category indices. */
export interface CompiledEdit {
  readonly rule: string;
  readonly when: readonly AgeSexCondition[];
  readonly resultIndices: Int32Array;
  readonly resultCategories: readonly number[];
}

/** What one diagnosis code can produce. */
export interface DiagnosisEntry {
  /** Mapped payment-category indices; undefined when the code is only known to an edit. */
  readonly categories: Int32Array | undefined;
  /** Edits listing this code, in chain order; undefined when none. */
  readonly edits: readonly CompiledEdit[] | undefined;
}

/** One segment's coefficients laid out by index; NaN marks a term the segment does not score. */
export interface CompiledSegment {
  readonly name: string;
  readonly newEnrollee: boolean;
  /** [sex * bands + band] -> coefficient; NaN when the band is not in the segment's set. */
  readonly cellCoefficients: Float64Array;
  readonly cellNames: readonly string[];
  /** [((medicaid * 2 + originallyDisabled) * 2 + sex) * neBands + band]. */
  readonly newEnrolleeCoefficients: Float64Array;
  readonly newEnrolleeNames: readonly string[];
  readonly originallyDisabledTerms: boolean;
  /** [sex] for `OriginallyDisabled_Female` (0) and `OriginallyDisabled_Male` (1). */
  readonly originallyDisabledCoefficients: Float64Array;
  readonly originallyDisabledNames: readonly string[];
  readonly institutionalTerms: boolean;
  readonly medicaidCoefficient: number;
  readonly medicaidName: string;
  readonly originallyDisabledFlagCoefficient: number;
  readonly originallyDisabledFlagName: string;
  readonly categoryTerms: boolean;
  readonly categoryCoefficients: Float64Array;
  readonly categoryNames: readonly string[];
  readonly interactionIndices: Int32Array;
  readonly interactionCoefficients: Float64Array;
  readonly interactionNames: readonly string[];
  readonly countTerms: boolean;
  readonly countCoefficients: Float64Array;
  readonly countNames: readonly string[];
}

/** The compiled form of a model; immutable and shareable between scorers. */
export interface CompiledRiskModel {
  readonly id: string;
  readonly tables: RiskModelTables;
  /** Index -> category number, ascending. */
  readonly categoryIds: Int32Array;
  readonly categoryIndex: ReadonlyMap<number, number>;
  /** Normalised code -> its mapped categories and the edits that may replace them: one lookup per code. */
  readonly diagnosisEntries: ReadonlyMap<string, DiagnosisEntry>;
  readonly presenceRules: readonly { readonly rule: string; readonly category: number; readonly companions: Int32Array }[];
  readonly hierarchyParents: Int32Array;
  readonly hierarchyChildren: readonly Int32Array[];
  readonly featureNames: readonly string[];
  /** Per category index: the features (its own HCC factor, its groups) it switches on. */
  readonly categoryFeatures: readonly Int32Array[];
  /** Feature index of `DISABL`, or -1 when no interaction uses it. */
  readonly disabledFeature: number;
  readonly interactionNames: readonly string[];
  readonly interactionFactors: readonly Int32Array[];
  /** Per interaction: the category indices that can switch its factors on (for explanations). */
  readonly interactionCategories: readonly Int32Array[];
  readonly segments: ReadonlyMap<string, CompiledSegment>;
  /** Age (clamped to the table length - 1) -> age/sex band index, -1 if none. */
  readonly ageSexBandByAge: Int16Array;
  readonly newEnrolleeBandByAge: Int16Array;
  readonly newEnrolleeAge64OldAgeBand: number;
  readonly ageSexBandCount: number;
  readonly newEnrolleeBandCount: number;
}

const SEX_LETTERS = ['F', 'M'] as const;
const NE_GROUPS = ['NMCAID_NORIGDIS', 'NMCAID_ORIGDIS', 'MCAID_NORIGDIS', 'MCAID_ORIGDIS'] as const;
/** Ages above this share the last entry of the band lookup (every band list ends open-ended). */
const MAX_TABULATED_AGE = 130;

function bandLookup(bands: readonly AgeBand[]): Int16Array {
  const out = new Int16Array(MAX_TABULATED_AGE + 1).fill(-1);
  for (let age = 0; age <= MAX_TABULATED_AGE; age++) {
    const i = bands.findIndex((b) => age >= b.min && (b.max === null || age <= b.max));
    out[age] = i;
  }
  return out;
}

/**
 * Compiles a model.
 * @throws ModelDefinitionError when the tables contradict themselves (an interaction factor that is
 * neither a category, a group nor `DISABL`; a segment naming an unknown interaction or band).
 */
export function compileRiskModel(tables: RiskModelTables): CompiledRiskModel {
  const fail = (detail: string): never => {
    throw new ModelDefinitionError(tables.id, detail);
  };
  const coefficient = (name: string): number => tables.coefficients[name] ?? 0;

  const categoryIds = Int32Array.from(new Set(tables.categories.map((c) => c.id))).sort();
  const categoryIndex = new Map<number, number>();
  categoryIds.forEach((id, i) => categoryIndex.set(id, i));
  // Only payment categories survive the mapping (SPEC.md 3.6).
  const toIndices = (categories: readonly number[]): Int32Array =>
    Int32Array.from(categories.filter((c) => categoryIndex.has(c)).map((c) => categoryIndex.get(c)!));

  const diagnosisMap = new Map<string, Int32Array>();
  for (const [code, categories] of Object.entries(tables.diagnosisMap)) {
    const indices = toIndices(categories);
    if (indices.length > 0) diagnosisMap.set(code, indices);
  }

  const editsByCode = new Map<string, CompiledEdit[]>();
  for (const edit of tables.diagnosisEdits) {
    const compiled: CompiledEdit = { rule: edit.rule, when: edit.when, resultIndices: toIndices(edit.result), resultCategories: [...edit.result] };
    for (const code of edit.codes) {
      const list = editsByCode.get(code) ?? [];
      list.push(compiled);
      editsByCode.set(code, list);
    }
  }

  const presenceRules = tables.presenceRules
    .filter((r) => categoryIndex.has(r.category))
    .map((r) => ({ rule: r.rule, category: categoryIndex.get(r.category)!, companions: toIndices(r.removeUnlessAnyOf) }));

  // A rule whose parent is not a payment category can never fire.
  const hierarchy = tables.hierarchy.filter((r) => categoryIndex.has(r.parent));
  const hierarchyParents = Int32Array.from(hierarchy.map((r) => categoryIndex.get(r.parent)!));
  const hierarchyChildren = hierarchy.map((r) => toIndices(r.children));

  // Features: every distinct interaction factor.
  const groupsByName = new Map(tables.groups.map((g) => [g.name, g]));
  const featureNames: string[] = [];
  const featureIndex = new Map<string, number>();
  const feature = (name: string): number => {
    let i = featureIndex.get(name);
    if (i === undefined) {
      i = featureNames.length;
      featureNames.push(name);
      featureIndex.set(name, i);
    }
    return i;
  };
  const categoryFeatureLists: number[][] = Array.from({ length: categoryIds.length }, () => []);
  const interactionFactors: Int32Array[] = [];
  const interactionCategories: Int32Array[] = [];
  for (const interaction of tables.interactions) {
    const factors: number[] = [];
    const sources = new Set<number>();
    for (const factor of interaction.factors) {
      const f = feature(factor);
      factors.push(f);
      if (factor === 'DISABL') continue;
      const group = groupsByName.get(factor);
      const hccMatch = /^HCC(\d+)$/.exec(factor);
      const members = group ? group.anyOf : hccMatch ? [Number(hccMatch[1])] : fail(`interaction ${interaction.name}: factor ${factor} is not a category, a group or DISABL`);
      for (const c of members) {
        const ci = categoryIndex.get(c);
        if (ci === undefined) continue;
        sources.add(ci);
        if (!categoryFeatureLists[ci]!.includes(f)) categoryFeatureLists[ci]!.push(f);
      }
    }
    interactionFactors.push(Int32Array.from(factors));
    interactionCategories.push(Int32Array.from([...sources].sort((a, b) => a - b)));
  }
  const interactionIndex = new Map(tables.interactions.map((d, i) => [d.name, i]));

  const demo = tables.demographics;
  const bandNames = demo.ageSexBands.map((b) => b.name);
  const neBandNames = demo.newEnrolleeBands.map((b) => b.name);
  const ne64 = neBandNames.indexOf(demo.newEnrolleeAge64OldAgeBand);
  if (ne64 < 0) fail(`new-enrollee band ${demo.newEnrolleeAge64OldAgeBand} is not defined`);

  const segments = new Map<string, CompiledSegment>();
  for (const [name, def] of Object.entries(tables.segments)) {
    const cellCoefficients = new Float64Array(2 * bandNames.length).fill(NaN);
    const cellNames: string[] = [];
    SEX_LETTERS.forEach((sex, s) =>
      bandNames.forEach((band, b) => {
        const coefName = `${name}_${sex}${band}`;
        cellNames[s * bandNames.length + b] = coefName;
        if (def.ageSexBands.includes(band)) cellCoefficients[s * bandNames.length + b] = coefficient(coefName);
      }),
    );
    for (const band of def.ageSexBands) if (!bandNames.includes(band)) fail(`segment ${name} uses undefined age band ${band}`);

    const newEnrolleeCoefficients = new Float64Array(NE_GROUPS.length * 2 * neBandNames.length);
    const newEnrolleeNames: string[] = [];
    NE_GROUPS.forEach((group, g) =>
      SEX_LETTERS.forEach((sex, s) =>
        neBandNames.forEach((band, b) => {
          const i = (g * 2 + s) * neBandNames.length + b;
          newEnrolleeNames[i] = `${name}_${group}_NE${sex}${band}`;
          newEnrolleeCoefficients[i] = coefficient(newEnrolleeNames[i]!);
        }),
      ),
    );

    const interactionIndices: number[] = [];
    const interactionCoefficients: number[] = [];
    const interactionNames: string[] = [];
    for (const term of def.interactions) {
      const i = interactionIndex.get(term) ?? fail(`segment ${name} scores undefined interaction ${term}`);
      const definition = tables.interactions[i]!;
      // SPEC.md 5.4: use whichever spelling the coefficient table carries.
      const coefName = [definition.name, ...(definition.alternativeNames ?? [])].map((n) => `${name}_${n}`).find((n) => Object.hasOwn(tables.coefficients, n)) ?? `${name}_${definition.name}`;
      interactionIndices.push(i);
      interactionCoefficients.push(coefficient(coefName));
      interactionNames.push(coefName);
    }

    const categoryNames = Array.from(categoryIds, (id) => `${name}_HCC${id}`);
    const countNames = tables.countTermNames.map((t) => `${name}_${t}`);
    segments.set(name, {
      name,
      newEnrollee: def.newEnrollee,
      cellCoefficients,
      cellNames,
      newEnrolleeCoefficients,
      newEnrolleeNames,
      originallyDisabledTerms: def.originallyDisabledTerms,
      originallyDisabledCoefficients: Float64Array.from([coefficient(`${name}_OriginallyDisabled_Female`), coefficient(`${name}_OriginallyDisabled_Male`)]),
      originallyDisabledNames: [`${name}_OriginallyDisabled_Female`, `${name}_OriginallyDisabled_Male`],
      institutionalTerms: def.institutionalTerms,
      medicaidCoefficient: coefficient(`${name}_LTIMCAID`),
      medicaidName: `${name}_LTIMCAID`,
      originallyDisabledFlagCoefficient: coefficient(`${name}_ORIGDS`),
      originallyDisabledFlagName: `${name}_ORIGDS`,
      categoryTerms: def.categoryTerms,
      categoryCoefficients: Float64Array.from(categoryNames, coefficient),
      categoryNames,
      interactionIndices: Int32Array.from(interactionIndices),
      interactionCoefficients: Float64Array.from(interactionCoefficients),
      interactionNames,
      countTerms: def.countTerms,
      countCoefficients: Float64Array.from(countNames, coefficient),
      countNames,
    });
  }

  const diagnosisEntries = new Map<string, DiagnosisEntry>();
  for (const code of new Set([...diagnosisMap.keys(), ...editsByCode.keys()]))
    diagnosisEntries.set(code, { categories: diagnosisMap.get(code), edits: editsByCode.get(code) });

  return {
    id: tables.id,
    tables,
    categoryIds,
    categoryIndex,
    diagnosisEntries,
    presenceRules,
    hierarchyParents,
    hierarchyChildren,
    featureNames,
    categoryFeatures: categoryFeatureLists.map((l) => Int32Array.from(l)),
    disabledFeature: featureIndex.get('DISABL') ?? -1,
    interactionNames: tables.interactions.map((d) => d.name),
    interactionFactors,
    interactionCategories,
    segments,
    ageSexBandByAge: bandLookup(demo.ageSexBands),
    newEnrolleeBandByAge: bandLookup(demo.newEnrolleeBands),
    newEnrolleeAge64OldAgeBand: ne64,
    ageSexBandCount: bandNames.length,
    newEnrolleeBandCount: neBandNames.length,
  };
}
