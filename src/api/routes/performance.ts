/**
 * /v1/performance: the institutions' O1/O2/P1/P2 figures and P4P statements of a period, read from
 * the latest stored performance run of the period (migrations 006, 008; `stratum performance` or
 * the compute route below store one). 404 when the period has no run.
 *
 * `:period` is a year (`2026`: rates and the P4P statements) or a quarter (`2026Q2`: the rolling
 * twelve months ending at the quarter's end, for monitoring: rates only, no statements, since P4P
 * money is yearly; each row's `notRankedReason` and the run's `statementsNote` say so). Any other
 * form is 400 naming `period` and the rule.
 *
 * GET /v1/performance/:period/institutions
 *   The ranked table. Bureau roles see every institution; a clinic sees only its own row.
 * GET /v1/performance/:period/institutions/:institutionId
 *   One institution's figures, money inputs and statement, and the member-level drill-down
 *   (each member in each indicator's denominator, in or out of the numerator, and why). A clinic
 *   may ask only for its own institution: another one is "not found" (404), never "forbidden",
 *   so existence does not leak (as src/api/routes/scoring.ts). The drill-down is audited.
 * POST /v1/performance/:period/compute
 *   Analysts and admins: computes a run from every member in the store and stores it. Computed
 *   synchronously (seconds for tens of thousands of members) and answered 200 with the run's
 *   ranked table; a background job with 202 is left for when populations make this too slow.
 */
import { z } from 'zod';
import { Id } from '../../../data-contracts/v1/common.ts';
import type { Policy } from '../../config/policy.ts';
import { parsePeriod, PERIOD_PATTERN, PERIOD_RULE } from '../../performance/attribution.ts';
import type { RankedRow } from '../../performance/report/performance-run.ts';
import { rankedRows } from '../../performance/report/performance-run.ts';
import type { StoredPerformanceRun } from '../../performance/report/run-store.ts';
import { computeAndStoreRun, latestRun, runMembers } from '../../performance/report/run-store.ts';
import type { InstitutionPerformanceOptions } from '../../performance/adjustment/institution-performance.ts';
import { scopeForPrincipal } from '../auth.ts';
import { NotFoundError } from '../errors.ts';
import { defineOperation } from '../operations.ts';
import type { RouteModule } from '../routes.ts';

export interface PerformanceDeps {
  policy: Policy;
  /** Today's date (YYYY-MM-DD), the statements' issue date; injectable for tests. */
  today: () => string;
  /** Risk-adjustment options of computed runs (bootstrap replicates, seed). */
  adjustment?: Omit<InstitutionPerformanceOptions, 'keepMemberDetail'>;
}

/** The period of a route: a calendar year `2026` or a quarter `2026Q2` (its rolling twelve months). */
const PeriodParams = z.object({ period: z.string().regex(PERIOD_PATTERN, PERIOD_RULE) });
const InstitutionParams = PeriodParams.extend({ institutionId: Id });

const RunHeader = z.object({
  runId: z.string(),
  /** The period's label, as in the path: `2026` or `2026Q2`. */
  period: z.string(),
  periodKind: z.enum(['year', 'quarter']),
  /** First and last day of the period (a quarter: its rolling twelve months). */
  periodStart: z.string(),
  periodEnd: z.string(),
  /** Null for a year; for a quarter, why there are no P4P statements (money is yearly). */
  statementsNote: z.string().nullable(),
  createdAt: z.string(),
  inputsFingerprint: z.string(),
  issuedOn: z.string(),
});
const Rate = z.number().nullable();
const RankedRowSchema = z.object({
  institutionId: z.string(),
  level: z.string(),
  rank: z.number().int().nullable(),
  of: z.number().int().nullable(),
  O1: z.object({ raw: Rate, riskStandardised: Rate, denominator: z.number().int() }),
  O2: z.object({ raw: Rate, riskStandardised: Rate, denominator: z.number().int() }),
  P1: z.object({ rate: Rate, denominator: z.number().int() }),
  P2: z.object({ rate: Rate, denominator: z.number().int() }),
  composite: z.string().nullable(),
  servedPersons: z.number().int(),
  bonus: z.string().nullable(),
  deduction: z.string().nullable(),
  coefficient: z.number().nullable(),
  notRankedReason: z.string().nullable(),
}) satisfies z.ZodType<RankedRow>;

const InstitutionList = RunHeader.extend({ overallRates: z.object({ O1: Rate, O2: Rate }), institutions: z.array(RankedRowSchema) });
const MemberRow = z.object({ memberId: z.string(), indicator: z.string(), inNumerator: z.boolean(), explanation: z.string() });
const InstitutionDetail = RunHeader.extend({
  row: RankedRowSchema,
  /** StoredInstitutionResult: figures, money inputs, statement (see src/performance/report/performance-run.ts). */
  figures: z.record(z.string(), z.unknown()),
  members: z.array(MemberRow),
});

export const listPerformanceOperation = defineOperation({
  operationId: 'listInstitutionPerformance',
  method: 'get',
  path: '/v1/performance/:period/institutions',
  summary:
    'The ranked table of a year (2026) or a quarter (2026Q2, monitoring: no money): O1/O2 raw and risk-standardised, P1, P2, and for a year composite, bonus, deduction, coefficient (a clinic sees its own row only)',
  tags: ['performance'],
  roles: ['clinic', 'analyst', 'admin', 'settlement'],
  request: { params: PeriodParams },
  responses: { 200: { description: 'the latest stored run of the period', schema: InstitutionList }, 404: { description: 'no run stored for the period' } },
});

export const getPerformanceOperation = defineOperation({
  operationId: 'getInstitutionPerformance',
  method: 'get',
  path: '/v1/performance/:period/institutions/:institutionId',
  summary: "One institution's figures and P4P statement (a year; none for a quarter), with the members in each denominator and numerator and why",
  tags: ['performance'],
  roles: ['clinic', 'analyst', 'admin', 'settlement'],
  request: { params: InstitutionParams },
  responses: { 200: { description: 'the institution in the latest run', schema: InstitutionDetail }, 404: { description: 'no run for the period, or no such institution for the caller' } },
});

export const computePerformanceOperation = defineOperation({
  operationId: 'computePerformance',
  method: 'post',
  path: '/v1/performance/:period/compute',
  summary: 'Compute and store a performance run of the year, or of the quarter for monitoring (no statements), from every member in the store (synchronous)',
  tags: ['performance'],
  roles: ['analyst', 'admin'],
  request: { params: PeriodParams },
  responses: { 200: { description: 'the stored run', schema: InstitutionList } },
});

export const PERFORMANCE_OPERATIONS = [listPerformanceOperation, getPerformanceOperation, computePerformanceOperation] as const;

const header = (run: StoredPerformanceRun) => ({
  runId: run.runId,
  period: run.period,
  periodKind: run.result.periodKind,
  periodStart: run.result.periodStart,
  periodEnd: run.result.periodEnd,
  statementsNote: run.result.statementsNote,
  createdAt: run.createdAt,
  inputsFingerprint: run.inputsFingerprint,
  issuedOn: run.result.issuedOn,
});

/** The performance routes; the service wires them with the policy in force. */
export function performanceRoutes(deps: PerformanceDeps): RouteModule {
  return {
    name: 'performance',
    register(routes, { db }) {
      const requireRun = async (period: string): Promise<StoredPerformanceRun> => {
        const run = await latestRun(db, period);
        if (!run) throw new NotFoundError('no performance run stored for this period');
        return run;
      };

      routes.add(listPerformanceOperation, async ({ params, principal }) => {
        const run = await requireRun(params.period);
        const scope = scopeForPrincipal(principal);
        const rows = rankedRows(run.result).filter((r) => scope.all || r.institutionId === scope.institutionId);
        return { ...header(run), overallRates: run.result.overallRates, institutions: rows };
      });

      routes.add(getPerformanceOperation, async ({ params, principal, audit }) => {
        const scope = scopeForPrincipal(principal);
        if (!scope.all && scope.institutionId !== params.institutionId) throw new NotFoundError('no such institution');
        const run = await requireRun(params.period);
        const figures = run.result.institutions.find((i) => i.institutionId === params.institutionId);
        const row = rankedRows({ institutions: figures ? [figures] : [] })[0];
        if (!figures || !row) throw new NotFoundError('no such institution');
        const members = (await runMembers(db, run.runId, params.institutionId)).map(({ institutionId: _i, ...m }) => m);
        await audit({
          action: 'performance.drill-down',
          resource: `performance/${params.period}/institutions/${params.institutionId}`,
          memberIds: [...new Set(members.map((m) => m.memberId))],
          detail: { runId: run.runId, rows: members.length },
        });
        return { ...header(run), row, figures: figures as unknown as Record<string, unknown>, members };
      });

      routes.add(computePerformanceOperation, async ({ params, principal, audit }) => {
        const run = await computeAndStoreRun(db, { period: parsePeriod(params.period), policy: deps.policy, issuedOn: deps.today(), createdBy: principal.id, adjustment: deps.adjustment });
        await audit({ action: 'performance.compute', resource: `performance/${params.period}`, detail: { runId: run.runId, members: run.memberCount, institutions: run.result.institutions.length } });
        return { ...header(run), overallRates: run.result.overallRates, institutions: rankedRows(run.result) };
      });
    },
  };
}
