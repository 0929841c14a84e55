/**
 * Traceability of statement figures: every money line says which rule made it, from which
 * inputs, and (where members contributed) which members.
 */

/** A scalar as it appears in a trace: money as a fen string, counts and shares as numbers. */
export type TraceValue = string | number | boolean | null;

/** Why a figure is what it is. */
export interface Trace {
  /** Stable rule identifier, e.g. "settlement.overspend.band". */
  rule: string;
  /** Where the rule is written (DOMAIN.md clause or policy field). */
  source: string;
  /** The inputs the rule used, by name. */
  inputs: Record<string, TraceValue>;
  /** Members that contributed, with their contribution (only where the rule is per member). */
  members?: { memberId: string; amount: string }[];
}

/** One money figure on a statement: exact amount ("1150000.00") and its trace. */
export interface StatementLine {
  amount: string;
  trace: Trace;
}
