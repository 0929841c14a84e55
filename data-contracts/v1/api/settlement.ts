/**
 * Requests and answers of the settlement engine's calls: risk adjustments of an institution's
 * panel for a payment year (/v1/risk-adjustments) and capitation settlement statements
 * (/v1/settlements). Money travels as exact decimal strings, never as binary floating point
 * (DOMAIN.md "Settlement of the budget": money and rounding).
 */
import { z } from 'zod';
import { Id, MoneyString } from '../common.ts';
import { RISK_CLASS_VALUES } from './scoring.ts';

/** Largest panel one request prices (the answer is streamed; see docs in the route module). */
export const MAX_RISK_ADJUSTMENT_MEMBERS = 100_000;

/** A non-negative amount with at most two decimals ("3600", "3600.5", "3600.50"). */
export const AmountString = z.string().regex(/^\d{1,13}(\.\d{1,2})?$/, 'must be a non-negative decimal amount with at most 2 places, e.g. "3600.00"');

const PaymentYear = z.number().int('period must be a whole year').min(2000, 'period must be a year from 2000').max(2100, 'period must be a year up to 2100');

export const RiskAdjustmentRequest = z
  .strictObject({
    /** The payment year. */
    period: PaymentYear,
    institution_id: Id,
    /** Members to price; omitted = the whole panel attributed to the institution on 1 January. */
    member_ids: z.array(Id).min(1, 'give at least one member id, or omit member_ids for the whole panel').max(MAX_RISK_ADJUSTMENT_MEMBERS).optional(),
    /** Base standard, CNY per member-year. */
    base_standard: AmountString.refine((s) => Number(s) > 0, 'base_standard must be greater than 0'),
    /** Bureau model version (integer) or `champion` (default). */
    model: z.union([z.literal('champion'), z.number().int().positive('model version must be a positive integer')]).optional(),
  })
  .meta({ id: 'RiskAdjustmentRequest' });

export const ScoreContribution = z
  .object({
    coefficient: z.string(),
    kind: z.enum(['demographic', 'category', 'interaction', 'count']),
    value: z.number(),
    categories: z.array(z.number().int()),
    dx: z.array(z.string()),
  })
  .meta({ id: 'ScoreContribution' });

export const RiskAdjustmentLine = z
  .object({
    memberId: z.string(),
    riskClass: z.enum(RISK_CLASS_VALUES),
    age: z.number().int(),
    sex: z.string(),
    enrolledMonths: z.number().int().min(0).max(12),
    rawScore: z.number(),
    paymentScore: z.string(),
    medicalCapitation: MoneyString,
    packageAmount: MoneyString,
    packageRate: z.string(),
    contributions: z.array(ScoreContribution),
  })
  .meta({ id: 'RiskAdjustmentLine' });

export const RISK_ADJUSTMENT_PROBLEMS = ['MEMBER_NOT_FOUND', 'NOT_ATTRIBUTED', 'NOT_ENROLLED_IN_YEAR', 'RISK_CLASS_MISSING', 'SEX_NOT_PRICED'] as const;

export const RiskAdjustmentProblem = z
  .object({ memberId: z.string(), code: z.enum(RISK_ADJUSTMENT_PROBLEMS), message: z.string() })
  .meta({ id: 'RiskAdjustmentProblem' });

export const RiskAdjustmentModel = z
  .object({
    name: z.literal('risk-adjustment'),
    version: z.number().int(),
    /** The tables' id (e.g. bureau-risk-adjustment-v3). */
    tablesId: z.string(),
    /** SHA-256 of tables.json: the exact table version the scores came from. */
    tablesSha256: z.string(),
    categoriesFile: z.string(),
    segment: z.string(),
  })
  .meta({ id: 'RiskAdjustmentModel' });

export const PanelTotals = z
  .object({ members: z.number().int(), memberMonths: z.number().int(), medicalCapitation: MoneyString, packageAmount: MoneyString, total: MoneyString })
  .meta({ id: 'PanelTotals' });

export const RiskAdjustmentResult = z
  .object({
    resultId: z.string(),
    period: z.number().int(),
    institutionId: z.string(),
    baseStandard: MoneyString,
    /** The as-of date of the risk classes and the attribution: 1 January of the period. */
    classAsOf: z.string(),
    model: RiskAdjustmentModel,
    paymentScoreDecimals: z.number().int(),
    packageRates: z.record(z.string(), z.number()),
    createdAt: z.string(),
    totals: PanelTotals,
    problems: z.array(RiskAdjustmentProblem),
    lines: z.array(RiskAdjustmentLine),
  })
  .meta({ id: 'RiskAdjustmentResult' });

export const ResultIdParams = z.object({ resultId: z.string().regex(/^ra-[0-9a-f-]{36}$/, 'a risk-adjustment id looks like ra-<uuid>') });

const P4PLinesInput = z.strictObject({
  p4p_statement_id: Id,
  bonus: AmountString,
  deduction: AmountString,
  next_year_coefficient: z.number().positive(),
});

const DeliveryInput = z.strictObject({
  member_id: Id,
  required_services: z.number().int().min(0),
  delivered_services: z.number().int().min(0),
});

const SettlementFields = {
  /** Bureau marked this year's overspend justified (the last band is shared instead of borne). */
  overspend_justified: z.boolean().optional(),
  /** P4P lines from the institution's P4P statement. */
  p4p: P4PLinesInput.optional(),
  /** Management-package delivery per member; a member without one is paid no package (paid on delivery). */
  deliveries: z.array(DeliveryInput).max(MAX_RISK_ADJUSTMENT_MEMBERS).optional(),
};

export const SettlementRequest = z
  .strictObject({ risk_adjustment_id: ResultIdParams.shape.resultId, ...SettlementFields })
  .meta({ id: 'SettlementRequest' });

export const SupersedeRequest = z
  .strictObject({
    /** Why (the accepted appeal). */
    reason: z.string().trim().min(1, 'reason must not be empty').max(2000),
    /** A corrected risk adjustment; default: the superseded statement's. */
    risk_adjustment_id: ResultIdParams.shape.resultId.optional(),
    ...SettlementFields,
  })
  .meta({ id: 'SupersedeRequest' });

const Line = z.object({ amount: MoneyString, trace: z.record(z.string(), z.unknown()) });

/** The statement of src/settlement with the risk-reserve section; described loosely, every line carries its trace. */
export const SettlementStatementBody = z
  .looseObject({
    kind: z.literal('capitation-settlement'),
    statementId: z.string(),
    institutionId: z.string(),
    year: z.number().int(),
    revision: z.number().int(),
    supersedes: z.string().nullable(),
    memberCount: z.number().int(),
    medicalBudget: Line,
    managementPackage: Line,
    actualClaims: Line,
    outcome: z.enum(['savings', 'overspend', 'balanced']),
    netPayable: Line,
  })
  .meta({ id: 'SettlementStatement' });

export const SettlementPreview = z
  .object({
    preview: z.literal(true),
    riskAdjustmentId: z.string(),
    membersWithoutDelivery: z.number().int(),
    statement: SettlementStatementBody,
  })
  .meta({ id: 'SettlementPreview' });

export const StoredSettlement = z
  .object({
    settlementId: z.string(),
    statementId: z.string(),
    riskAdjustmentId: z.string(),
    supersedesSettlementId: z.string().nullable(),
    supersededBySettlementId: z.string().nullable(),
    reason: z.string().nullable(),
    hash: z.string(),
    previousHash: z.string().nullable(),
    supersedesHash: z.string().nullable(),
    createdAt: z.string(),
    membersWithoutDelivery: z.number().int(),
    statement: SettlementStatementBody,
  })
  .meta({ id: 'StoredSettlement' });

export const SettlementIdParams = z.object({ settlementId: z.string().regex(/^stl-[0-9a-f-]{36}$/, 'a settlement id looks like stl-<uuid>') });

export const ChainVerification = z
  .object({
    valid: z.boolean(),
    length: z.number().int(),
    problems: z.array(z.object({ index: z.number().int(), settlementId: z.string().nullable(), code: z.string(), message: z.string() })),
  })
  .meta({ id: 'SettlementChainVerification' });
