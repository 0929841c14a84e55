/**
 * The regression's columns for a bureau model and the reparameterisation that makes the
 * hierarchy constraints plain non-negativity (issue 5 item 3): within a family, a more severe
 * category's coefficient is its milder neighbour's plus a non-negative increment, so
 * beta(severe) >= beta(mild) >= 0 holds whenever every increment is >= 0.
 *
 * Columns are read off the explained engine itself (the names of the terms a member's score is
 * made of), so the fitted coefficients score exactly the way they were fitted. Pure.
 */
import type { CompiledRiskModel } from '../compile.ts';
import { RiskModelFitError } from '../errors.ts';
import type { RiskModelTables } from '../model-tables.ts';
import { RiskScorer, type RiskMember } from '../score.ts';

/** One regression column. */
export interface TermColumn {
  /** Coefficient name, e.g. `BUREAU_F65_69`, `BUREAU_HCC51`, `BUREAU_HF_CKD`. */
  readonly name: string;
  readonly kind: 'demographic' | 'category' | 'interaction';
  /** Category number for `category` columns. */
  readonly category?: number;
  /**
   * For category columns: the columns whose increments add up to this coefficient, itself first,
   * then each milder category of its family down the chain.
   */
  readonly chain: readonly number[];
}

/** The design of a fit: columns and how a member maps onto them. */
export interface TermDesign {
  readonly segment: string;
  readonly columns: readonly TermColumn[];
  /** Column indices of the member's terms (one demographic cell, its categories, its interactions). */
  termsOf(member: Omit<RiskMember, 'segment' | 'orec' | 'medicaid'>): Int32Array;
  /** Expands term indices into increment columns (the reparameterised design row). */
  incrementsOf(terms: Int32Array): Int32Array;
  /** beta from increments: beta_c = sum of the increments of its chain. */
  coefficientsFrom(increments: Float64Array): Float64Array;
}

/**
 * For each category, the next milder category of its family: the child it suppresses whose own
 * children are all the others it suppresses (a chain, as CMS writes hierarchies, SPEC.md 4.1).
 * @throws RiskModelFitError when a category suppresses two categories neither of which suppresses
 * the other: `beta(parent) >= max(...)` is not expressible as one increment.
 */
export function milderNeighbours(tables: RiskModelTables): Map<number, number> {
  const suppresses = new Map<number, Set<number>>();
  for (const rule of tables.hierarchy) {
    const set = suppresses.get(rule.parent) ?? new Set<number>();
    for (const c of rule.children) set.add(c);
    suppresses.set(rule.parent, set);
  }
  const out = new Map<number, number>();
  for (const [parent, children] of suppresses) {
    const next = [...children].find((m) => [...children].every((o) => o === m || (suppresses.get(m)?.has(o) ?? false)));
    if (next === undefined)
      throw new RiskModelFitError(`hierarchy of category ${parent} is not a chain (${[...children].join(', ')}): monotone constraints need each family ordered from mild to severe`);
    out.set(parent, next);
  }
  return out;
}

/** Builds the design of `tables` (a one-segment model; the first segment when several). */
export function termDesign(model: CompiledRiskModel): TermDesign {
  const tables = model.tables;
  const segment = Object.keys(tables.segments)[0];
  if (segment === undefined) throw new RiskModelFitError(`model ${tables.id} has no segment`);
  const definition = tables.segments[segment]!;
  const columns: TermColumn[] = [];
  const index = new Map<string, number>();
  const add = (column: Omit<TermColumn, 'chain'>): void => {
    index.set(column.name, columns.length);
    columns.push({ ...column, chain: [columns.length] });
  };
  for (const sex of ['F', 'M']) for (const band of definition.ageSexBands) add({ name: `${segment}_${sex}${band}`, kind: 'demographic' });
  const categoryIds = [...model.categoryIds];
  for (const id of categoryIds) add({ name: `${segment}_HCC${id}`, kind: 'category', category: id });
  for (const name of definition.interactions) add({ name: `${segment}_${name}`, kind: 'interaction' });

  const milder = milderNeighbours(tables);
  const chained = columns.map((column) => {
    if (column.kind !== 'category') return column;
    const chain: number[] = [];
    for (let c: number | undefined = column.category; c !== undefined; c = milder.get(c)) {
      const i = index.get(`${segment}_HCC${c}`);
      if (i === undefined || chain.includes(i)) break;
      chain.push(i);
    }
    return { ...column, chain };
  });

  // The explained engine names each member's terms; coefficients do not matter for that.
  const scorer = new RiskScorer(model);
  return {
    segment,
    columns: chained,
    termsOf(member) {
      const score = scorer.score({ ...member, segment, orec: '0', medicaid: false });
      const out: number[] = [];
      for (const c of score.contributions) {
        const i = index.get(c.coefficientName);
        if (i === undefined) throw new RiskModelFitError(`term ${c.coefficientName} has no column`);
        out.push(i);
      }
      return Int32Array.from(out);
    },
    incrementsOf(terms) {
      const out = new Set<number>();
      for (const t of terms) for (const k of chained[t]!.chain) out.add(k);
      return Int32Array.from([...out].sort((a, b) => a - b));
    },
    coefficientsFrom(increments) {
      return Float64Array.from(chained, (column) => column.chain.reduce((sum, k) => sum + increments[k]!, 0));
    },
  };
}
