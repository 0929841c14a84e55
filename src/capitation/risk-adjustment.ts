/**
 * One member's risk-adjusted capitation for a payment year, and the panel's totals. Pure.
 *
 * DOMAIN.md "Capitation standard" and "Settlement of the budget": the payment score is the bureau
 * model's score (normalised to a mean of 1.0 in its fit year, so no CMS coding-intensity or
 * normalisation factor applies) rounded half-up to policy.settlement.paymentScoreDecimals (3);
 * the medical capitation is base standard x payment score x enrolled months / 12 and the package
 * amount is the class's package rate x enrolled months / 12, each rounded half-up to the fen once
 * (the delivery share is applied at settlement, not here); a total is the sum of its rounded
 * lines. The line arithmetic is src/settlement/member-lines.ts, reused, not restated.
 */
import type { Policy, RiskClass } from '../config/policy.ts';
import type { RiskScorer } from '../riskadjust/score.ts';
import { fenOf, fenText } from '../settlement/aggregate.ts';
import { memberCapitationLine } from '../settlement/member-lines.ts';

/** A member cannot be priced; reported beside the panel's lines (STYLE.md item 5). */
export class CapitationError extends Error {
  constructor(
    readonly code: 'SEX_NOT_PRICED' | 'NOT_ENROLLED_IN_YEAR',
    message: string,
  ) {
    super(message);
    this.name = 'CapitationError';
  }
}

/** The member-level inputs a line is computed from; stored with the result so it can be recomputed. */
export interface RiskAdjustmentMemberInput {
  memberId: string;
  /** Pricing age (see panel-inputs.ts pricingAge). */
  age: number;
  sex: string;
  /** Pricing diagnoses (see panel-inputs.ts pricingDiagnoses). */
  dx: readonly string[];
  enrolledMonths: number;
  /** Class as of 1 January of the payment year. */
  riskClass: RiskClass;
}

/** One scored term of the payment score: which coefficient, how much, and which codes brought it. */
export interface ScoreContributionLine {
  coefficient: string;
  kind: 'demographic' | 'category' | 'interaction' | 'count';
  value: number;
  categories: number[];
  dx: string[];
}

/** A member's risk adjustment: the score, the two money lines and why. */
export interface RiskAdjustmentLine {
  memberId: string;
  riskClass: RiskClass;
  age: number;
  sex: string;
  enrolledMonths: number;
  /** The engine's score (4 decimals, as the engine rounds it). */
  rawScore: number;
  /** Rounded half-up to policy.settlement.paymentScoreDecimals: the figure the money line used. */
  paymentScore: string;
  /** base x payment score x months / 12, half-up to the fen. */
  medicalCapitation: string;
  /** package rate of the class x months / 12, half-up to the fen. */
  packageAmount: string;
  packageRate: string;
  contributions: ScoreContributionLine[];
}

/** The figures a panel is priced with. */
export interface CapitationTerms {
  /** Base standard, CNY per member-year, exact decimal string. */
  baseStandard: string;
  packageRates: Policy['packageRates'];
  settlement: Policy['settlement'];
}

/**
 * Price one member.
 * @throws CapitationError when the member's sex has no cell in the model or they are not enrolled in the year.
 */
export function riskAdjustmentLine(member: RiskAdjustmentMemberInput, scorer: RiskScorer, segment: string, terms: CapitationTerms): RiskAdjustmentLine {
  // The bureau model prices age band x sex cells for M and F only (its fit skipped other values).
  if (member.sex !== 'M' && member.sex !== 'F') throw new CapitationError('SEX_NOT_PRICED', `sex ${JSON.stringify(member.sex)} has no age/sex cell in the bureau model`);
  if (member.enrolledMonths === 0) throw new CapitationError('NOT_ENROLLED_IN_YEAR', 'no enrolled month in the payment year');
  // orec '0' and no Medicaid: CMS entitlement notions the bureau model does not use (bureau-definition.ts).
  const score = scorer.score({ age: member.age, sex: member.sex, segment, orec: '0', medicaid: false, dx: member.dx });
  const rate = terms.packageRates[member.riskClass];
  const line = memberCapitationLine(
    {
      memberId: member.memberId,
      riskClass: member.riskClass,
      baseStandard: terms.baseStandard,
      paymentScore: String(score.rawScore),
      enrolledMonths: member.enrolledMonths,
      actualClaims: 0,
      // Required 0: the ratio is 1, i.e. rate x months / 12; delivery is applied at settlement.
      managementPackage: { rate, requiredServices: 0, deliveredServices: 0 },
    },
    terms.settlement,
  );
  return {
    memberId: member.memberId,
    riskClass: member.riskClass,
    age: member.age,
    sex: member.sex,
    enrolledMonths: member.enrolledMonths,
    rawScore: score.rawScore,
    paymentScore: line.paymentScore,
    medicalCapitation: line.medical,
    packageAmount: line.managementPackage,
    packageRate: String(rate),
    contributions: score.contributions.map((c) => ({ coefficient: c.coefficientName, kind: c.kind, value: c.coefficient, categories: [...c.categories], dx: [...c.dx] })),
  };
}

/** Panel totals: sums of the rounded lines, in exact whole fen. */
export interface PanelTotals {
  members: number;
  memberMonths: number;
  medicalCapitation: string;
  packageAmount: string;
  /** medicalCapitation + packageAmount. */
  total: string;
}

/** Accumulates totals line by line, so a 100,000-member panel never needs a second pass. */
export class PanelTotalsAccumulator {
  #members = 0;
  #months = 0;
  #medical = 0n;
  #package = 0n;

  add(line: Pick<RiskAdjustmentLine, 'enrolledMonths' | 'medicalCapitation' | 'packageAmount'>): void {
    this.#members += 1;
    this.#months += line.enrolledMonths;
    this.#medical += fenOf(line.medicalCapitation);
    this.#package += fenOf(line.packageAmount);
  }

  totals(): PanelTotals {
    return { members: this.#members, memberMonths: this.#months, medicalCapitation: fenText(this.#medical), packageAmount: fenText(this.#package), total: fenText(this.#medical + this.#package) };
  }
}

/** Totals of a list of lines. */
export function panelTotals(lines: Iterable<Pick<RiskAdjustmentLine, 'enrolledMonths' | 'medicalCapitation' | 'packageAmount'>>): PanelTotals {
  const acc = new PanelTotalsAccumulator();
  for (const line of lines) acc.add(line);
  return acc.totals();
}
