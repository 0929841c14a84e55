/**
 * Settlement benchmark: 40 institutions sharing 1,000,000 members (100,000 with `quick`), member
 * inputs prepared in memory as integer columns; timed from columns to the 40 statements of
 * record plus the risk-reserve allocation. Target < 5 s. The decimal.js reference path is timed on
 * a sample and extrapolated, as the baseline the integer-fen path replaces.
 */
import { performance } from 'node:perf_hooks';
import { defaultPolicy, RISK_CLASSES } from '../src/config/policy.ts';
import { Rng } from '../src/lib/random.ts';
import { aggregateColumns } from '../src/settlement/fen-path.ts';
import type { PreparedMemberColumns } from '../src/settlement/fen-path.ts';
import type { MemberSettlementInput } from '../src/settlement/member-lines.ts';
import { settleInstitution, settlementStatementFromAggregates } from '../src/settlement/statement.ts';
import { settleRiskReserve } from '../src/settlement/risk-reserve.ts';
import type { BenchRun } from './types.ts';

const INSTITUTIONS = 40;
const CLASS_WEIGHTS = [0.45, 0.25, 0.15, 0.1, 0.05];

function prepare(count: number, rng: Rng): PreparedMemberColumns {
  const policy = defaultPolicy();
  const columns: PreparedMemberColumns = {
    count,
    memberIds: Array.from({ length: count }, (_, i) => `M${i}`),
    severe: new Uint8Array(count),
    baseFen: new Float64Array(count),
    scoreScaled: new Float64Array(count),
    scoreDecimals: policy.settlement.paymentScoreDecimals,
    enrolledMonths: new Uint8Array(count),
    actualFen: new Float64Array(count),
    packageRateFen: new Float64Array(count),
    requiredServices: new Uint32Array(count),
    deliveredServices: new Uint32Array(count),
  };
  for (let i = 0; i < count; i++) {
    const cls = rng.weighted(RISK_CLASSES, CLASS_WEIGHTS);
    const months = rng.bernoulli(0.85) ? 12 : rng.int(1, 11);
    const scoreMilli = Math.max(50, Math.round(1000 * Math.exp(rng.normal(0, 0.6))));
    const budgetFen = (180_000 * scoreMilli * months) / 12_000;
    columns.severe[i] = cls === 'severe' ? 1 : 0;
    columns.baseFen[i] = 180_000; // 1,800.00 CNY per member-year
    columns.scoreScaled[i] = scoreMilli;
    columns.enrolledMonths[i] = months;
    columns.actualFen[i] = Math.max(0, Math.round(budgetFen * Math.exp(rng.normal(0, 0.5)) * 0.9));
    columns.packageRateFen[i] = policy.packageRates[cls] * 100;
    columns.requiredServices[i] = cls === 'healthy' ? 1 : 4;
    columns.deliveredServices[i] = rng.int(0, 5);
  }
  return columns;
}

function sampleInputs(columns: PreparedMemberColumns, count: number): MemberSettlementInput[] {
  return Array.from({ length: count }, (_, i) => ({
    memberId: columns.memberIds[i]!,
    riskClass: columns.severe[i] ? 'severe' : 'mild',
    baseStandard: (columns.baseFen[i]! / 100).toFixed(2),
    paymentScore: (columns.scoreScaled[i]! / 1000).toFixed(3),
    enrolledMonths: columns.enrolledMonths[i]!,
    actualClaims: (columns.actualFen[i]! / 100).toFixed(2),
    managementPackage: { rate: (columns.packageRateFen[i]! / 100).toFixed(2), requiredServices: columns.requiredServices[i]!, deliveredServices: columns.deliveredServices[i]! },
  }));
}

export const run: BenchRun = async ({ quick }) => {
  const members = quick ? 100_000 : 1_000_000;
  const policy = defaultPolicy().settlement;
  const columns = prepare(members, new Rng('bench-settlement'));

  const start = performance.now();
  const per = Math.ceil(members / INSTITUTIONS);
  const statements = Array.from({ length: INSTITUTIONS }, (_, k) => {
    const aggregates = aggregateColumns(columns, k * per, Math.min(members, (k + 1) * per));
    return settlementStatementFromAggregates(aggregates, { institutionId: `INST-${String(k).padStart(2, '0')}`, year: 2025, overspendJustified: k % 10 === 0 }, policy);
  });
  const reserve = settleRiskReserve(statements, policy);
  const seconds = (performance.now() - start) / 1000;

  const sample = quick ? 5_000 : 20_000;
  const inputs = sampleInputs(columns, sample);
  const decimalStart = performance.now();
  settleInstitution(inputs, { institutionId: 'SAMPLE', year: 2025 }, policy);
  const decimalSeconds = ((performance.now() - decimalStart) / 1000) * (members / sample);

  const overspending = statements.filter((s) => s.outcome === 'overspend').length;
  return [
    {
      name: `settle ${INSTITUTIONS} institutions x ${members.toLocaleString('en-US')} members (integer-fen path)`,
      value: Number(seconds.toFixed(3)),
      unit: 's',
      target: 5,
      higherIsBetter: false,
      baseline: { label: `decimal.js path, extrapolated from ${sample.toLocaleString('en-US')} members`, value: Number(decimalSeconds.toFixed(3)) },
      note: `${overspending} institutions overspent; risk reserve used ${reserve.allocation.used.amount} of ${reserve.allocation.held.amount}`,
    },
  ];
};
