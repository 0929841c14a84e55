/**
 * The bureau's own category definition (`models/risk-adjustment/categories-v1.json`): categories
 * with their ICD-10 codes, hierarchies, groups, interactions and age bands, and the function that
 * turns it plus fitted coefficients into the `RiskModelTables` the engine scores. DOMAIN.md
 * "Capitation standard": a demographic factor (age band x sex) plus additive categories, a more
 * severe category replacing a milder one; no CMS edits, OREC, Medicaid or count terms.
 */
import { z } from 'zod';
import { normalizeDiagnosisCode } from '../score.ts';
import type { RiskModelTables } from '../model-tables.ts';

const AgeBandSchema = z.object({ name: z.string().min(1), min: z.number().int().min(0), max: z.number().int().nullable() });

/** Schema of the categories file; `parseBureauDefinition` validates with it. */
export const BureauDefinitionSchema = z
  .object({
    id: z.string().min(1),
    description: z.string(),
    /** Segment name, the prefix of every coefficient name (e.g. `BUREAU_HCC10`). */
    segment: z.string().regex(/^[A-Z][A-Z0-9]*$/),
    ageBands: z.array(AgeBandSchema).min(1),
    categories: z
      .array(z.object({ id: z.number().int().positive(), label: z.string().min(1), family: z.string().min(1), codes: z.array(z.string().min(1)) }))
      .min(1),
    hierarchy: z.array(z.object({ parent: z.number().int(), children: z.array(z.number().int()).min(1), label: z.string().optional() })),
    groups: z.array(z.object({ name: z.string().min(1), anyOf: z.array(z.number().int()).min(1) })),
    interactions: z.array(z.object({ name: z.string().min(1), factors: z.array(z.string().min(1)).min(2) })),
  })
  .superRefine((d, ctx) => {
    const ids = new Set(d.categories.map((c) => c.id));
    if (ids.size !== d.categories.length) ctx.addIssue({ code: 'custom', path: ['categories'], message: 'category ids must be unique' });
    d.hierarchy.forEach((r, i) => {
      for (const c of [r.parent, ...r.children])
        if (!ids.has(c)) ctx.addIssue({ code: 'custom', path: ['hierarchy', i], message: `category ${c} is not defined` });
    });
    const last = d.ageBands.at(-1);
    if (d.ageBands[0]?.min !== 0 || last?.max !== null) ctx.addIssue({ code: 'custom', path: ['ageBands'], message: 'age bands must start at 0 and end open-ended' });
    d.ageBands.slice(1).forEach((b, i) => {
      if (b.min !== (d.ageBands[i]!.max ?? NaN) + 1) ctx.addIssue({ code: 'custom', path: ['ageBands', i + 1], message: `band ${b.name} must start right after ${d.ageBands[i]!.name}` });
    });
  });
export type BureauDefinition = z.infer<typeof BureauDefinitionSchema>;

/** Parses and validates the categories file's JSON value (throws zod's error naming the bad field). */
export function parseBureauDefinition(json: unknown): BureauDefinition {
  return BureauDefinitionSchema.parse(json);
}

/**
 * The engine's tables for the bureau model: every member is scored in the one segment with
 * `orec` '0' and no Medicaid (those are CMS notions, SPEC.md 2, unused here).
 * @param coefficients coefficient name -> value; missing names count as 0 (an unfitted model).
 */
export function bureauModelTables(definition: BureauDefinition, coefficients: Readonly<Record<string, number>>, id = definition.id, description = definition.description): RiskModelTables {
  const diagnosisMap: Record<string, number[]> = {};
  for (const category of definition.categories)
    for (const code of category.codes) {
      const list = (diagnosisMap[normalizeDiagnosisCode(code)] ??= []);
      if (!list.includes(category.id)) list.push(category.id);
    }
  const bands = definition.ageBands.map((b) => ({ name: b.name, min: b.min, max: b.max }));
  return {
    id,
    description,
    categories: definition.categories.map((c) => ({ id: c.id, label: c.label })),
    diagnosisMap,
    diagnosisEdits: [],
    presenceRules: [],
    hierarchy: definition.hierarchy.map((r) => ({ parent: r.parent, children: [...r.children], ...(r.label ? { label: r.label } : {}) })),
    groups: definition.groups.map((g) => ({ name: g.name, anyOf: [...g.anyOf] })),
    interactions: definition.interactions.map((i) => ({ name: i.name, factors: [...i.factors] })),
    countTermNames: [],
    demographics: {
      promoteAge64WithOldAgeEntitlement: false,
      // Nobody is "disabled" in the bureau model: DISABL is a CMS entitlement notion.
      disabledBelowAge: 0,
      oldAgeOrec: '0',
      originallyDisabledOrec: '1',
      ageSexBands: bands,
      newEnrolleeBands: bands,
      newEnrolleeAge64OldAgeBand: bands.find((b) => 64 >= b.min && (b.max === null || 64 <= b.max))!.name,
    },
    segments: {
      [definition.segment]: {
        newEnrollee: false,
        ageSexBands: bands.map((b) => b.name),
        originallyDisabledTerms: false,
        institutionalTerms: false,
        categoryTerms: true,
        interactions: definition.interactions.map((i) => i.name),
        countTerms: false,
      },
    },
    coefficients: { ...coefficients },
  };
}
