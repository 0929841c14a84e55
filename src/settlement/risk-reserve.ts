/**
 * The fund's risk reserve (DOMAIN.md "Settlement of the budget"): the fund holds back
 * riskReserveShare (3-10%, default 5%) of its yearly capitation spending and pays its overspend
 * shares from it first; the statement shows the reserve used and left. Nothing is withheld from
 * institutions for it.
 *
 * When the fund's shares exceed the reserve, the reserve is spread over institutions in
 * proportion to their fund shares, in whole fen by largest remainder (ties by institution id), so
 * the per-institution amounts add up to the reserve exactly and the result does not depend on
 * input order.
 */
import type { DecimalInput } from '../lib/money.ts';
import { allocateFenProportionally, fenString, fromFen, multiplyByRate, parseMoney, toFen } from '../lib/money.ts';
import { fenOf } from './aggregate.ts';
import { SettlementError } from './errors.ts';
import type { SettlementPolicy } from './member-lines.ts';
import type { SettlementStatement } from './statement.ts';
import type { StatementLine } from './trace.ts';

const SOURCE = 'DOMAIN.md "Settlement of the budget": risk reserve; policy.settlement.riskReserveShare';

/** One institution's draw on the reserve. */
export interface ReserveDraw {
  institutionId: string;
  fundOverspendShare: string;
  fromReserve: string;
  /** Paid by the fund beyond the reserve. */
  beyondReserve: string;
}

/** The reserve for the year across all institutions. */
export interface RiskReserveAllocation {
  held: StatementLine;
  used: StatementLine;
  left: StatementLine;
  /** Fund overspend shares not covered by the reserve. */
  beyondReserve: StatementLine;
  draws: ReserveDraw[];
}

/**
 * Allocate the reserve over the fund's overspend shares.
 * @param capitationSpending the fund's capitation spending for the year (e.g. the sum of the
 *   institutions' medical budgets and management packages).
 */
export function allocateRiskReserve(
  capitationSpending: DecimalInput,
  fundShares: readonly { institutionId: string; fundOverspendShare: string }[],
  policy: SettlementPolicy,
): RiskReserveAllocation {
  const seen = new Set<string>();
  for (const f of fundShares) {
    if (seen.has(f.institutionId)) throw new SettlementError('DUPLICATE_INSTITUTION', `institution ${f.institutionId} appears twice`);
    seen.add(f.institutionId);
  }
  const spending = parseMoney(capitationSpending, 'capitation spending');
  const heldFen = toFen(multiplyByRate(spending, policy.riskReserveShare));
  const sorted = [...fundShares].sort((a, b) => (a.institutionId < b.institutionId ? -1 : a.institutionId > b.institutionId ? 1 : 0));
  const demands = sorted.map((f) => fenOf(f.fundOverspendShare));
  const demandFen = demands.reduce((s, d) => s + d, 0n);
  const usedFen = demandFen < heldFen ? demandFen : heldFen;

  // Proportional shares of what is used, in whole fen by largest remainder.
  const draws = allocateFenProportionally(usedFen, demands);

  const inputs = { capitationSpending: fenString(spending), riskReserveShare: policy.riskReserveShare, fundOverspendShares: fenString(fromFen(demandFen)) };
  const line = (fen: bigint, rule: string) => ({ amount: fenString(fromFen(fen)), trace: { rule, source: SOURCE, inputs } });
  return {
    held: line(heldFen, 'settlement.risk-reserve.held'),
    used: line(usedFen, 'settlement.risk-reserve.used'),
    left: line(heldFen - usedFen, 'settlement.risk-reserve.left'),
    beyondReserve: line(demandFen - usedFen, 'settlement.risk-reserve.beyond'),
    draws: sorted.map((f, i) => ({
      institutionId: f.institutionId,
      fundOverspendShare: fenString(fromFen(demands[i]!)),
      fromReserve: fenString(fromFen(draws[i]!)),
      beyondReserve: fenString(fromFen(demands[i]! - draws[i]!)),
    })),
  };
}

/** The fund's overspend share on a statement ("0.00" when there is no overspend). */
export function fundOverspendShareOf(statement: SettlementStatement): string {
  return statement.overspend?.fundTotal.amount ?? '0.00';
}

/** The fund's capitation spending over statements: medical budgets plus management packages. */
export function capitationSpendingOf(statements: readonly SettlementStatement[]): string {
  const fen = statements.reduce((s, st) => s + fenOf(st.medicalBudget.amount) + fenOf(st.managementPackage.amount), 0n);
  return fenString(fromFen(fen));
}

/** A statement with the reserve section the bureau's copy shows. */
export type StatementWithReserve = SettlementStatement & {
  riskReserve: { held: string; used: string; left: string; fromReserveForThisInstitution: string; beyondReserveForThisInstitution: string };
};

/** Attach the year's reserve figures to each statement (statements and allocation must match). */
export function attachRiskReserve(statements: readonly SettlementStatement[], allocation: RiskReserveAllocation): StatementWithReserve[] {
  const byId = new Map(allocation.draws.map((d) => [d.institutionId, d]));
  return statements.map((st) => {
    const draw = byId.get(st.institutionId);
    if (!draw) throw new SettlementError('MEMBER_INPUT_INVALID', `no reserve allocation for institution ${st.institutionId}`);
    return {
      ...st,
      riskReserve: {
        held: allocation.held.amount,
        used: allocation.used.amount,
        left: allocation.left.amount,
        fromReserveForThisInstitution: draw.fromReserve,
        beyondReserveForThisInstitution: draw.beyondReserve,
      },
    };
  });
}

/** Settle the reserve for a year's statements in one step. */
export function settleRiskReserve(statements: readonly SettlementStatement[], policy: SettlementPolicy): { allocation: RiskReserveAllocation; statements: StatementWithReserve[] } {
  const allocation = allocateRiskReserve(
    capitationSpendingOf(statements),
    statements.map((s) => ({ institutionId: s.institutionId, fundOverspendShare: fundOverspendShareOf(s) })),
    policy,
  );
  return { allocation, statements: attachRiskReserve(statements, allocation) };
}
