/**
 * Bonuses, deductions and the P4P budget cap (DOMAIN.md "The P4P formula").
 * - Bonus: if C >= bonusCompositeThreshold (0.5), per served person
 *   min + (max - min) x (C - threshold) / (1 - threshold) CNY (50 + 150 x (C - 0.5) / 0.5 by
 *   default), the per-person rate rounded half-up to the fen, times served persons.
 * - Improvement bonus: if C is below the threshold but rose by improvementDelta (0.10) or more
 *   since the last period, improvementBonusPerPerson (50) per served person.
 * - Deduction: if C < deductionCompositeThreshold (0.25) and it did not improve, deductionShare
 *   (5%) of the year's capitation payment, repeatDeductionShare (10%) if C was also under the
 *   threshold the year before; waived by an accepted appeal. "Improve" means the same rise as
 *   the improvement bonus (>= improvementDelta); with no previous period nothing improved.
 * - Cap: all bonuses together within budgetShareOfCapitation (2%) of the year's capitation
 *   spending; above it every bonus is scaled down in proportion, in whole fen by largest
 *   remainder so the scaled bonuses add up to the cap exactly.
 * The P4P settles once a year, so "the last period" is the year before.
 */
import type { DecimalInput } from '../../lib/money.ts';
import { allocateFenProportionally, fenString, fromFen, multiplyByRate, parseMoney, toFen } from '../../lib/money.ts';
import type { P4PPolicy } from './composite.ts';
import { P4PError } from './errors.ts';
import { Rational } from './rational.ts';

/** What one institution earned before the cap. */
export interface AwardBeforeCap {
  kind: 'performance' | 'improvement' | 'none';
  improved: boolean;
  perPerson: string;
  bonusFen: bigint;
  deduction: { applies: boolean; share: number | null; waived: boolean; fen: bigint };
}

/** The inputs of {@link awardBeforeCap}. */
export interface AwardInput {
  composite: Rational | null;
  previousComposite: Rational | null;
  servedPersons: number;
  /** The institution's capitation payment for the year, CNY. */
  capitationPayment: DecimalInput;
  deductionWaived: boolean;
}

/** Bonus per served person for a composite at or above the threshold, rounded half-up to the fen. */
export function bonusPerPerson(composite: Rational, policy: P4PPolicy): bigint {
  const t = Rational.from(policy.bonusCompositeThreshold);
  const min = Rational.from(policy.bonusMinPerPerson);
  const span = Rational.from(policy.bonusMaxPerPerson).minus(min);
  // At threshold 1 the only qualifying composite is 1, which earns the maximum.
  const position = Rational.ONE.minus(t).compare(Rational.ZERO) === 0 ? Rational.ONE : composite.minus(t).div(Rational.ONE.minus(t));
  return min.plus(span.times(position)).toFenHalfUp();
}

/** Apply the bonus, improvement and deduction rules to one institution. */
export function awardBeforeCap(input: AwardInput, policy: P4PPolicy): AwardBeforeCap {
  if (!Number.isInteger(input.servedPersons) || input.servedPersons < 0) throw new P4PError('INSTITUTION_INPUT_INVALID', `served persons must be a whole number >= 0 (got ${input.servedPersons})`);
  const none = { applies: false, share: null, waived: false, fen: 0n };
  const c = input.composite;
  if (c === null) return { kind: 'none', improved: false, perPerson: '0.00', bonusFen: 0n, deduction: none };
  const prev = input.previousComposite;
  const improved = prev !== null && c.minus(prev).gte(Rational.from(policy.improvementDelta));
  const persons = BigInt(input.servedPersons);

  let kind: AwardBeforeCap['kind'] = 'none';
  let perPersonFen = 0n;
  if (c.gte(Rational.from(policy.bonusCompositeThreshold))) {
    kind = 'performance';
    perPersonFen = bonusPerPerson(c, policy);
  } else if (improved) {
    kind = 'improvement';
    perPersonFen = toFen(parseMoney(policy.improvementBonusPerPerson));
  }

  const deductionThreshold = Rational.from(policy.deductionCompositeThreshold);
  let deduction: AwardBeforeCap['deduction'] = none;
  if (c.lt(deductionThreshold) && !improved) {
    const repeat = prev !== null && prev.lt(deductionThreshold);
    const share = repeat ? policy.repeatDeductionShare : policy.deductionShare;
    const fen = toFen(multiplyByRate(parseMoney(input.capitationPayment, 'capitation payment'), share));
    deduction = { applies: true, share, waived: input.deductionWaived, fen: input.deductionWaived ? 0n : fen };
  }
  return { kind, improved, perPerson: fenString(fromFen(perPersonFen)), bonusFen: perPersonFen * persons, deduction };
}

/** The cap applied to all bonuses of a year. */
export interface BonusCap {
  cap: string;
  totalBeforeCap: string;
  scaled: boolean;
  /** Bonuses after the cap, in the order given. */
  bonusesFen: bigint[];
}

/** Keep all bonuses within budgetShareOfCapitation of the year's capitation spending. */
export function capBonuses(bonusesFen: readonly bigint[], capitationSpending: DecimalInput, policy: P4PPolicy): BonusCap {
  const capFen = toFen(multiplyByRate(parseMoney(capitationSpending, 'capitation spending'), policy.budgetShareOfCapitation));
  const total = bonusesFen.reduce((s, b) => s + b, 0n);
  const scaled = total > capFen;
  return {
    cap: fenString(fromFen(capFen)),
    totalBeforeCap: fenString(fromFen(total)),
    scaled,
    bonusesFen: scaled ? allocateFenProportionally(capFen, bonusesFen) : [...bonusesFen],
  };
}
