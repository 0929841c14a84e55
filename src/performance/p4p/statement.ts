/**
 * The yearly P4P statements (DOMAIN.md "The P4P formula"): one statement per institution with
 * every figure traceable (inputs, indicator scores, weights used after redistribution, composite,
 * bonus before and after the cap, deduction, TOPSIS figures and coefficient, appeal deadline),
 * and the lines the capitation settlement statement takes from it. An accepted appeal issues a
 * new statement that supersedes the old one; both stay on record.
 */
import type { P4PSettlementLines } from '../../settlement/statement.ts';
import type { StatementLine } from '../../settlement/trace.ts';
import type { DecimalInput } from '../../lib/money.ts';
import { fenString, fromFen, parseMoney } from '../../lib/money.ts';
import { appealDeadline, isWithinAppealWindow } from './appeals.ts';
import type { AwardBeforeCap } from './awards.ts';
import { awardBeforeCap, capBonuses } from './awards.ts';
import type { IndicatorResult, IndicatorScore, P4PPolicy } from './composite.ts';
import { DISPLAY_PLACES, scoreComposite } from './composite.ts';
import { P4PError } from './errors.ts';
import { Rational } from './rational.ts';
import type { RankingResult } from './topsis.ts';
import { rankInstitutions } from './topsis.ts';

const SOURCE = 'DOMAIN.md "The P4P formula"';

/** An accepted appeal against an earlier statement. */
export interface AcceptedAppeal {
  /** The statement appealed against. */
  statementId: string;
  filedOn: string;
  decidedOn: string;
  /** The deduction is waived (the bureau accepted a good reason). */
  waivesDeduction: boolean;
  reason: string;
}

/** One institution's P4P inputs for the year. */
export interface P4PInstitutionInput {
  institutionId: string;
  /** Institution level (ranking is within a level), e.g. "community". */
  level: string;
  indicators: IndicatorResult[];
  /** Distinct attributed members in any scored denominator, not excluded (counted upstream). */
  servedPersons: number;
  /** The institution's capitation payment for the year (deductions are a share of it), CNY. */
  capitationPayment: DecimalInput;
  /** Composite of the previous year (exact "n/d" or decimal), null if none. */
  previousComposite: DecimalInput | null;
  /** Risk-adjusted cost per member-year (TOPSIS cost criterion), CNY. */
  costPerMemberYear: number;
  /** An accepted appeal, when this run issues a superseding statement. */
  appeal?: AcceptedAppeal;
}

/** The year's context shared by all institutions. */
export interface P4PRunContext {
  year: number;
  issuedOn: string;
  /** The fund's capitation spending for the year (bonus cap base), CNY. */
  capitationSpending: DecimalInput;
  holidays?: string[];
}

/** One institution's P4P statement. */
export interface P4PStatement {
  kind: 'p4p';
  statementId: string;
  institutionId: string;
  level: string;
  year: number;
  revision: number;
  supersedes: string | null;
  issuedOn: string;
  appealDeadline: string;
  indicators: IndicatorScore[];
  composite: { value: string | null; exact: string | null; previous: string | null; improved: boolean };
  servedPersons: number;
  bonus: {
    kind: AwardBeforeCap['kind'];
    perPerson: string;
    beforeCap: StatementLine;
    cap: { cap: string; totalBeforeCap: string; scaled: boolean };
    amount: StatementLine;
  };
  deduction: { applies: boolean; share: number | null; waived: boolean; appeal: AcceptedAppeal | null; amount: StatementLine };
  ranking: Omit<RankingResult, 'id'>;
}

/** "P4P/<institution>/<year>/r<revision>". */
export function p4pStatementId(institutionId: string, year: number, revision: number): string {
  return `P4P/${institutionId}/${year}/r${revision}`;
}

function revisionOf(statementId: string): number {
  const m = /\/r(\d+)$/.exec(statementId);
  if (!m) throw new P4PError('APPEAL_NOT_ACCEPTED', `not a P4P statement id: ${statementId}`);
  return Number(m[1]);
}

/**
 * Issue the year's P4P statements for all institutions (the bonus cap and the ranking are over
 * all of them together). An input carrying an accepted appeal gets the next revision of the
 * statement it appealed, superseding it.
 */
export function issueP4PStatements(inputs: readonly P4PInstitutionInput[], context: P4PRunContext, policy: P4PPolicy): P4PStatement[] {
  const ids = new Set<string>();
  for (const i of inputs) {
    if (ids.has(i.institutionId)) throw new P4PError('DUPLICATE_INSTITUTION', `institution ${i.institutionId} appears twice`);
    ids.add(i.institutionId);
  }
  const deadline = appealDeadline(context.issuedOn, policy.appealWorkingDays, context.holidays);
  const scored = inputs.map((input) => {
    if (input.appeal) {
      const appealed = input.appeal;
      if (!appealed.statementId.startsWith(`P4P/${input.institutionId}/${context.year}/`)) throw new P4PError('APPEAL_NOT_ACCEPTED', `appeal ${appealed.statementId} is not against this institution-year`);
    }
    const composite = scoreComposite(input.indicators, policy);
    const previous = input.previousComposite === null ? null : Rational.from(input.previousComposite);
    const award = awardBeforeCap(
      { composite: composite.composite, previousComposite: previous, servedPersons: input.servedPersons, capitationPayment: input.capitationPayment, deductionWaived: input.appeal?.waivesDeduction ?? false },
      policy,
    );
    return { input, composite, previous, award };
  });
  const cap = capBonuses(scored.map((s) => s.award.bonusFen), context.capitationSpending, policy);
  const ranking = rankInstitutions(
    inputs.map((input) => {
      const rates: Record<string, number> = {};
      for (const key of ['O1', 'O2', 'P1', 'P2']) {
        const result = input.indicators.find((r) => r.id === key);
        if (!result) throw new P4PError('INSTITUTION_INPUT_INVALID', `institution ${input.institutionId}: ranking needs indicator ${key}`);
        rates[key] = Rational.from(result.rate).toNumber();
      }
      return { id: input.institutionId, level: input.level, values: { ...rates, cost: input.costPerMemberYear } };
    }),
    policy,
  );

  return scored.map(({ input, composite, previous, award }, index): P4PStatement => {
    const revision = input.appeal ? revisionOf(input.appeal.statementId) + 1 : 1;
    const c = composite.composite;
    const afterCap = cap.bonusesFen[index]!;
    const { id: _id, ...rank } = ranking[index]!;
    const compositeText = c ? c.toFixed(DISPLAY_PLACES) : null;
    return {
      kind: 'p4p',
      statementId: p4pStatementId(input.institutionId, context.year, revision),
      institutionId: input.institutionId,
      level: input.level,
      year: context.year,
      revision,
      supersedes: input.appeal?.statementId ?? null,
      issuedOn: context.issuedOn,
      appealDeadline: deadline,
      indicators: composite.indicators,
      composite: { value: compositeText, exact: c ? c.toFractionString() : null, previous: previous ? previous.toFixed(DISPLAY_PLACES) : null, improved: award.improved },
      servedPersons: input.servedPersons,
      bonus: {
        kind: award.kind,
        perPerson: award.perPerson,
        beforeCap: {
          amount: fenString(fromFen(award.bonusFen)),
          trace: { rule: `p4p.bonus.${award.kind}`, source: `${SOURCE}: bonus`, inputs: { composite: compositeText, previousComposite: previous ? previous.toFixed(DISPLAY_PLACES) : null, perPerson: award.perPerson, servedPersons: input.servedPersons } },
        },
        cap: { cap: cap.cap, totalBeforeCap: cap.totalBeforeCap, scaled: cap.scaled },
        amount: {
          amount: fenString(fromFen(afterCap)),
          trace: { rule: 'p4p.bonus.capped', source: `${SOURCE}: cap; policy.p4p.budgetShareOfCapitation`, inputs: { beforeCap: fenString(fromFen(award.bonusFen)), cap: cap.cap, totalBeforeCap: cap.totalBeforeCap, scaled: cap.scaled } },
        },
      },
      deduction: {
        applies: award.deduction.applies,
        share: award.deduction.share,
        waived: award.deduction.waived,
        appeal: input.appeal ?? null,
        amount: {
          amount: fenString(fromFen(award.deduction.fen)),
          trace: {
            rule: award.deduction.applies ? (award.deduction.waived ? 'p4p.deduction.waived' : 'p4p.deduction') : 'p4p.deduction.none',
            source: `${SOURCE}: deduction`,
            inputs: { composite: compositeText, improved: award.improved, share: award.deduction.share, capitationPayment: fenString(parseMoney(input.capitationPayment)), appeal: input.appeal?.statementId ?? null },
          },
        },
      },
      ranking: rank,
    };
  });
}

/**
 * Re-issue an institution's inputs with an accepted appeal attached, after checking it was filed
 * within the appeal window of the statement it supersedes. Re-run {@link issueP4PStatements}
 * with the result (the cap and ranking are over all institutions).
 */
export function withAcceptedAppeal(input: P4PInstitutionInput, previous: P4PStatement, appeal: Omit<AcceptedAppeal, 'statementId'>, policy: P4PPolicy, holidays: readonly string[] = []): P4PInstitutionInput {
  if (previous.institutionId !== input.institutionId) throw new P4PError('APPEAL_NOT_ACCEPTED', `statement ${previous.statementId} is not for institution ${input.institutionId}`);
  if (!isWithinAppealWindow(previous.issuedOn, appeal.filedOn, policy.appealWorkingDays, holidays))
    throw new P4PError('APPEAL_LATE', `appeal filed ${appeal.filedOn} is outside the window ${previous.issuedOn} to ${previous.appealDeadline}`);
  return { ...input, appeal: { ...appeal, statementId: previous.statementId } };
}

/** The P4P lines of the capitation settlement statement. */
export function toSettlementLines(statement: P4PStatement): P4PSettlementLines {
  return {
    p4pStatementId: statement.statementId,
    bonus: statement.bonus.amount.amount,
    deduction: statement.deduction.amount.amount,
    nextYearCoefficient: statement.ranking.nextYearCoefficient,
  };
}
