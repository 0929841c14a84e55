/**
 * Sharing an overspend between the fund and the institution.
 *
 * DOMAIN.md "Settlement of the budget", overspend, in this order:
 * 1. severe-patient overspend (sum over severe members of their actual - budget where positive),
 *    capped at the total overspend, shared fund/institution by severeOverspendFundShare;
 * 2. the rest through bands measured against the budget like tax brackets: each share applies
 *    only to the part inside its band; the last band is the institution's alone unless the bureau
 *    marks the overspend justified (then the band's justifiedFundShare applies).
 * Each fund share is rounded half-up to the fen and the institution bears the remainder, so the
 * two always add up to the part exactly.
 */
import type { Decimal } from '../lib/money.ts';
import { Decimal as D, fenString, roundFen, splitByShare } from '../lib/money.ts';
import type { SettlementPolicy } from './member-lines.ts';
import type { StatementLine, Trace } from './trace.ts';
import { SettlementError } from './errors.ts';

const SOURCE = 'DOMAIN.md "Settlement of the budget", overspend';

/** One band's part of the overspend. */
export interface OverspendBandLine {
  /** Position in policy.settlement.overspendBands (0-based). */
  band: number;
  /** Band edges in CNY, measured on the overspend after step 1; `to` null = unbounded. */
  from: string;
  to: string | null;
  /** Fund share applied (after the justified rule). */
  fundShare: number;
  justifiedApplied: boolean;
  amountInBand: StatementLine;
  fund: StatementLine;
  institution: StatementLine;
}

/** How an overspend was shared. */
export interface OverspendSharing {
  total: StatementLine;
  /** Step 1. */
  severe: { uncapped: string; amount: StatementLine; fund: StatementLine; institution: StatementLine };
  /** Step 2, one line per configured band (zero lines included, so every band is on record). */
  bands: OverspendBandLine[];
  justified: boolean;
  fundTotal: StatementLine;
  institutionTotal: StatementLine;
}

/** Inputs of the sharing rule. */
export interface OverspendInput {
  budget: Decimal;
  actual: Decimal;
  /** Sum of severe members' positive (actual - budget), before the cap. */
  severeOverspend: Decimal;
  severeMembers?: { memberId: string; amount: string }[];
  /** The bureau marked this overspend justified. */
  justified: boolean;
}

function line(amount: Decimal, trace: Trace): StatementLine {
  return { amount: fenString(amount), trace };
}

/** Share the overspend (actual - budget > 0). Throws if the bands do not end unbounded. */
export function shareOverspend(input: OverspendInput, policy: SettlementPolicy): OverspendSharing {
  const bands = policy.overspendBands;
  if (bands.length === 0 || bands[bands.length - 1]!.upTo !== null)
    throw new SettlementError('BANDS_NOT_EXHAUSTIVE', 'the last overspend band must be unbounded (upTo: null) so every part of an overspend has a rule');
  const total = input.actual.minus(input.budget);
  if (!total.isPositive() || total.isZero()) throw new SettlementError('MEMBER_INPUT_INVALID', `no overspend to share (actual ${fenString(input.actual)} <= budget ${fenString(input.budget)})`);
  const budgetText = fenString(input.budget);
  const totalLine = line(total, { rule: 'settlement.overspend.total', source: SOURCE, inputs: { actual: fenString(input.actual), budget: budgetText } });

  // Step 1: capped at the total overspend.
  const severeAmount = D.min(input.severeOverspend, total);
  const severeSplit = splitByShare(severeAmount, policy.severeOverspendFundShare);
  const severeInputs = { severeOverspendUncapped: fenString(input.severeOverspend), totalOverspend: totalLine.amount };
  const severe = {
    uncapped: fenString(input.severeOverspend),
    amount: line(severeAmount, { rule: 'settlement.overspend.severe', source: `${SOURCE} step 1 (capped at total overspend)`, inputs: severeInputs, ...(input.severeMembers ? { members: input.severeMembers } : {}) }),
    fund: line(severeSplit.share, { rule: 'settlement.overspend.severe.fund', source: `${SOURCE} step 1; policy.settlement.severeOverspendFundShare`, inputs: { amount: fenString(severeAmount), fundShare: policy.severeOverspendFundShare } }),
    institution: line(severeSplit.rest, { rule: 'settlement.overspend.severe.institution', source: `${SOURCE} step 1 (remainder)`, inputs: { amount: fenString(severeAmount), fundShare: policy.severeOverspendFundShare } }),
  };

  // Step 2: the rest through the bands, each share only on the part inside its band.
  const rest = total.minus(severeAmount);
  let fundTotal = severeSplit.share;
  let institutionTotal = severeSplit.rest;
  let lower: Decimal = new D(0);
  const bandLines: OverspendBandLine[] = bands.map((band, index) => {
    const upper = band.upTo === null ? null : roundFen(input.budget.times(String(band.upTo)));
    const above = D.max(rest.minus(lower), 0);
    const inBand = upper === null ? above : D.min(above, D.max(upper.minus(lower), 0));
    const justifiedApplied = input.justified && band.justifiedFundShare !== undefined;
    const fundShare = justifiedApplied ? band.justifiedFundShare! : band.fundShare;
    const split = splitByShare(inBand, fundShare);
    fundTotal = fundTotal.plus(split.share);
    institutionTotal = institutionTotal.plus(split.rest);
    const inputs = { budget: budgetText, upToShareOfBudget: band.upTo, from: fenString(lower), to: upper === null ? null : fenString(upper), restAfterStep1: fenString(rest) };
    const source = `${SOURCE} step 2; policy.settlement.overspendBands[${index}]`;
    const result: OverspendBandLine = {
      band: index,
      from: fenString(lower),
      to: upper === null ? null : fenString(upper),
      fundShare,
      justifiedApplied,
      amountInBand: line(inBand, { rule: 'settlement.overspend.band', source, inputs }),
      fund: line(split.share, { rule: 'settlement.overspend.band.fund', source, inputs: { amountInBand: fenString(inBand), fundShare, justified: input.justified } }),
      institution: line(split.rest, { rule: 'settlement.overspend.band.institution', source: `${source} (remainder)`, inputs: { amountInBand: fenString(inBand), fundShare, justified: input.justified } }),
    };
    if (upper !== null) lower = D.max(lower, upper);
    return result;
  });

  const parts = [severe.fund.amount, ...bandLines.map((b) => b.fund.amount)];
  const instParts = [severe.institution.amount, ...bandLines.map((b) => b.institution.amount)];
  return {
    total: totalLine,
    severe,
    bands: bandLines,
    justified: input.justified,
    fundTotal: line(fundTotal, { rule: 'settlement.overspend.fund-total', source: `${SOURCE}: sum of the fund lines`, inputs: { lines: parts.join(' + ') } }),
    institutionTotal: line(institutionTotal, { rule: 'settlement.overspend.institution-total', source: `${SOURCE}: sum of the institution lines`, inputs: { lines: instParts.join(' + ') } }),
  };
}
