/**
 * Parsers for the CMS-HCC table files (pure: text in, data out; reading the files is
 * `cms-tables.ts`'s job). Formats per shared/data/cms-hcc/README.md and SPEC.md 3.2, 3.6 and 4.1.
 */
import { ModelTableFormatError } from './errors.ts';
import type { CmsModelRules } from './cms-model-rules.ts';
import type { CategoryDefinition, HierarchyRule, RiskModelTables } from './model-tables.ts';

/**
 * Coefficient CSV: a header row of names `<SEGMENT>_<TERM>` and one row of values.
 * @throws ModelTableFormatError when the rows differ in length, a name repeats or a value is not a number.
 */
export function parseCoefficientCsv(text: string, source: string): Record<string, number> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length !== 2) throw new ModelTableFormatError(source, `expected a header row and a value row, found ${lines.length} non-empty lines`);
  const names = lines[0]!.split(',').map((n) => n.trim());
  const values = lines[1]!.split(',').map((v) => v.trim());
  if (names.length !== values.length) throw new ModelTableFormatError(source, `${names.length} names but ${values.length} values`);
  const out: Record<string, number> = {};
  names.forEach((name, i) => {
    const raw = values[i]!;
    const value = Number(raw);
    if (name === '') throw new ModelTableFormatError(source, `column ${i + 1} has an empty name`);
    if (raw === '' || !Number.isFinite(value)) throw new ModelTableFormatError(source, `column ${i + 1} (${name}) value "${raw}" is not a number`);
    if (Object.hasOwn(out, name)) throw new ModelTableFormatError(source, `coefficient ${name} appears twice`);
    out[name] = value;
  });
  return out;
}

/**
 * Diagnosis mapping: one `code<TAB>category[<TAB>]` per line; a code on several lines maps to the
 * union of its categories, in file order (SPEC.md 3.2).
 */
export function parseDiagnosisMapping(text: string, source: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = line.split('\t');
    const code = fields[0]!.trim();
    const category = (fields[1] ?? '').trim();
    if (code === '' || !/^\d+$/.test(category)) throw new ModelTableFormatError(source, `line ${i + 1}: expected "<code><TAB><category number>", got ${JSON.stringify(line)}`);
    const list = (out[code] ??= []);
    const n = Number(category);
    if (!list.includes(n)) list.push(n);
  });
  return out;
}

/**
 * Hierarchy macro (`%SET0(CC=parent, HIER=%STR(children));`). The whole text is scanned, not line
 * by line, because four V28 rules wrap across two lines (SPEC.md 4.1). The macro definition
 * (`CC=` with no number) is skipped. Rules are returned in file order.
 */
export function parseHierarchyMacro(text: string, source: string): HierarchyRule[] {
  const rules: HierarchyRule[] = [];
  const pattern = /(?:\/\*([^*]*)\*\/\s*)?%SET0\(\s*CC\s*=\s*(\d+)\s*,\s*HIER\s*=\s*%STR\(([^)]*)\)/g;
  for (const match of text.matchAll(pattern)) {
    const children = match[3]!
      .split(/[\s,]+/)
      .filter((c) => c !== '')
      .map((c) => {
        if (!/^\d+$/.test(c)) throw new ModelTableFormatError(source, `rule for HCC${match[2]} lists "${c}", not a category number`);
        return Number(c);
      });
    if (children.length === 0) throw new ModelTableFormatError(source, `rule for HCC${match[2]} lists no children`);
    const label = match[1]?.trim();
    rules.push(label ? { parent: Number(match[2]), children, label } : { parent: Number(match[2]), children });
  }
  return rules;
}

/**
 * Label macro: `HCCnnn ="label"` lines define the payment categories (SPEC.md 3.6). `CCnnn` lines
 * in the V28 file repeat the same numbers and are ignored.
 */
export function parseLabelMacro(text: string, source: string): CategoryDefinition[] {
  const out: CategoryDefinition[] = [];
  const seen = new Set<number>();
  for (const match of text.matchAll(/^\s*HCC(\d+)\s*=\s*"([^"]*)"/gm)) {
    const id = Number(match[1]);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ id, label: match[2]!.trim() });
  }
  if (out.length === 0) throw new ModelTableFormatError(source, 'no HCCnnn ="label" lines found');
  return out;
}

/** The text of the four CMS files of one model. */
export interface CmsTableTexts {
  readonly coefficients: { readonly source: string; readonly text: string };
  readonly mapping: { readonly source: string; readonly text: string };
  readonly hierarchy: { readonly source: string; readonly text: string };
  readonly labels: { readonly source: string; readonly text: string };
}

/**
 * Assembles a `RiskModelTables` from the CMS file texts and the rules the files do not carry.
 * @throws ModelTableFormatError when the hierarchy file yields a different number of rules than the
 * reference file holds (the check that catches a parser losing wrapped rules, SPEC.md 4.1).
 */
export function buildCmsModelTables(texts: CmsTableTexts, rules: CmsModelRules): RiskModelTables {
  const hierarchy = parseHierarchyMacro(texts.hierarchy.text, texts.hierarchy.source);
  if (hierarchy.length !== rules.expectedHierarchyRules)
    throw new ModelTableFormatError(texts.hierarchy.source, `found ${hierarchy.length} hierarchy rules, expected ${rules.expectedHierarchyRules}`);
  return {
    id: rules.id,
    description: rules.description,
    categories: parseLabelMacro(texts.labels.text, texts.labels.source),
    diagnosisMap: parseDiagnosisMapping(texts.mapping.text, texts.mapping.source),
    diagnosisEdits: rules.diagnosisEdits,
    presenceRules: rules.presenceRules,
    hierarchy,
    groups: rules.groups,
    interactions: rules.interactions,
    countTermNames: rules.countTermNames,
    demographics: rules.demographics,
    segments: rules.segments,
    coefficients: parseCoefficientCsv(texts.coefficients.text, texts.coefficients.source),
  };
}
