/**
 * The settlement engine's calls (issue 5): risk adjustments of an institution's panel for a
 * payment year, and capitation settlement statements (preview, issue, read, supersede, verify).
 * Bureau roles only (`settlement`, and `admin`): clinics and analysts get 403.
 *
 * POST /v1/risk-adjustments
 *   Prices every member of the request (or the institution's whole panel) with the bureau risk
 *   model and stores the request, the member-level inputs used (pricing age, sex, diagnoses,
 *   enrolled months, risk class and the stored score it came from) and the outputs in one
 *   transaction (migration 005). Choices, documented here:
 *   - Panel: members whose family-doctor sign-up in force on 1 January of the period is at the
 *     institution (src/capitation/panel-inputs.ts attributedInstitution), ordered by member id.
 *   - Risk class: as of 1 January of the period, taken only from a stored score with that as-of
 *     (score_result, migration 004; the latest if several). A member without one is reported as a
 *     RISK_CLASS_MISSING problem (score them first: POST /v1/jobs with as_of = period-01-01). It
 *     is never computed here: scoring needs the served prediction models, and a stored score is
 *     what makes the class reproducible and explainable later.
 *   - Model: the bureau model version on disk (`<riskModelsDir>/<version>/`, read with
 *     readRiskModelVersion, which refuses a tables file that does not match its manifest); the
 *     default is the version named in `<riskModelsDir>/champion`, else the highest version.
 *   - Per-member problems (not found, not attributed, not enrolled, no class, a sex the model
 *     has no cell for) are reported beside the lines and do not sink the batch (STYLE.md item 5).
 *   - `Idempotency-Key` (per caller): the same key and the same body return the stored result
 *     (200); the same key with a different body is 409. A new result answers 201.
 *   - Streaming: up to 100,000 members. Lines are computed into objects, stored in chunks, and
 *     the answer is written as JSON line by line in ~64 KB writes honouring back-pressure, so no
 *     string of the whole answer is ever built; GET pages the lines out of the store the same way.
 *
 * POST /v1/settlements/preview and POST /v1/settlements
 *   Build the statement of src/settlement for the institution-year of a stored risk adjustment:
 *   medical budget from its lines, actual claims of those members in the year (claim_cost),
 *   severe-patient overspend from their stored classes, bands, savings split, the fund's risk
 *   reserve (computed on this statement alone: held = reserve share of its medical budget plus
 *   package), P4P lines if given. Management packages are paid on delivery: a member without a
 *   delivery record in the body gets no package (counted in membersWithoutDelivery).
 *   The preview is not stored; POST /v1/settlements seals the statement into the hash chain and
 *   stores it immutably (409 when the institution-year already has one: supersede it instead).
 *   POST /v1/settlements/:id/supersede issues the next revision after an accepted appeal, with
 *   the reason; fields not given are taken from the superseded statement's inputs. Both stay on
 *   record. GET /v1/settlement-chain/verification recomputes every hash and link.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Response } from 'express';
import type { z } from 'zod';
import {
  ChainVerification,
  MAX_RISK_ADJUSTMENT_MEMBERS,
  ResultIdParams,
  RiskAdjustmentRequest,
  RiskAdjustmentResult,
  SettlementIdParams,
  SettlementPreview,
  SettlementRequest,
  StoredSettlement,
  SupersedeRequest,
  type RiskAdjustmentProblem,
} from '../../../data-contracts/v1/api/settlement.ts';
import { CapitationError, PanelTotalsAccumulator, riskAdjustmentLine, type PanelTotals, type RiskAdjustmentLine, type RiskAdjustmentMemberInput } from '../../capitation/risk-adjustment.ts';
import { attributedInstitution, enrolledMonthsInYear, pricingAge, pricingDiagnoses, yearStart, type DiagnosisRow, type EnrolmentFacts, type SignupRow } from '../../capitation/panel-inputs.ts';
import type { Policy, RiskClass } from '../../config/policy.ts';
import { RISK_CLASSES } from '../../config/policy.ts';
import { fenString, parseMoney } from '../../lib/money.ts';
import { RiskScorer } from '../../riskadjust/score.ts';
import type { RiskModelTables } from '../../riskadjust/model-tables.ts';
import { settleRiskReserve, type StatementWithReserve } from '../../settlement/risk-reserve.ts';
import { settleInstitution, type P4PSettlementLines } from '../../settlement/statement.ts';
import { canonicalJson, sealStatement, sha256Hex, verifyStatementChain, type SealedStatement } from '../../settlement/statement-chain.ts';
import type { MemberSettlementInput } from '../../settlement/member-lines.ts';
import type { Database, Queryable } from '../../store/database.ts';
import { DatabaseError } from '../../store/errors.ts';
import { listVersions, readRiskModelVersion, ModelVersionError } from '../../riskadjust/model-version.ts';
import { BadRequestError, ConflictError, NotFoundError, ServiceUnavailableError, UnprocessableError } from '../errors.ts';
import { defineOperation } from '../operations.ts';
import { Reply, type RouteModule } from '../routes.ts';

/** What the settlement routes need, built once at start-up. */
export interface SettlementDeps {
  policy: Policy;
  /** Folder of bureau risk-model versions, e.g. `<project>/models/risk-adjustment`. */
  riskModelsDir: string;
  /** Members fetched, rows inserted and lines read back per statement (default 5,000). */
  pageSize?: number;
  /**
   * Scores members as of a day with the served models and stores the scores (the service wires
   * the scoring service in). A panel member with no stored score as of 1 January is scored this
   * way before pricing, so the class paid for is a stored, reproducible score; per-member
   * failures come back as messages. Without it such members are reported, not priced.
   */
  scoreClasses?: ClassScorer;
}

/** What `SettlementDeps.scoreClasses` does: score and store; members it could not score, with why. */
export type ClassScorer = (memberIds: readonly string[], asOf: string) => Promise<Map<string, string>>;

const SETTLEMENT_ROLES = ['settlement', 'admin'] as const;

export const createRiskAdjustmentOperation = defineOperation({
  operationId: 'createRiskAdjustment',
  method: 'post',
  path: '/v1/risk-adjustments',
  summary: `Price an institution's panel for a payment year (up to ${MAX_RISK_ADJUSTMENT_MEMBERS.toLocaleString('en-US')} members, streamed): payment scores, classes, months, medical capitation and package amounts, stored`,
  description: 'Send an Idempotency-Key header to make retries safe: the same key and body return the stored result (200); the same key with another body is 409.',
  tags: ['settlement'],
  roles: SETTLEMENT_ROLES,
  bodyLimit: '8mb',
  request: { body: RiskAdjustmentRequest },
  responses: {
    200: { description: 'the stored result of an earlier request with the same Idempotency-Key and body', schema: RiskAdjustmentResult },
    201: { description: 'the new result (stored)', schema: RiskAdjustmentResult },
    409: { description: 'the Idempotency-Key was used with a different body' },
    422: { description: 'the requested model version does not exist' },
    503: { description: 'no usable bureau model version on disk' },
  },
});

export const getRiskAdjustmentOperation = defineOperation({
  operationId: 'getRiskAdjustment',
  method: 'get',
  path: '/v1/risk-adjustments/:resultId',
  summary: 'A stored risk adjustment, with the same numbers as when it was made (streamed)',
  tags: ['settlement'],
  roles: SETTLEMENT_ROLES,
  request: { params: ResultIdParams },
  responses: { 200: { description: 'the result', schema: RiskAdjustmentResult }, 404: { description: 'no such result' } },
});

export const previewSettlementOperation = defineOperation({
  operationId: 'previewSettlement',
  method: 'post',
  path: '/v1/settlements/preview',
  summary: "An institution-year's capitation settlement statement from a stored risk adjustment and the year's claims (not stored)",
  tags: ['settlement'],
  roles: SETTLEMENT_ROLES,
  bodyLimit: '8mb',
  request: { body: SettlementRequest },
  responses: { 200: { description: 'the statement', schema: SettlementPreview }, 404: { description: 'no such risk adjustment' }, 422: { description: 'a delivery names a member outside the risk adjustment' } },
});

export const createSettlementOperation = defineOperation({
  operationId: 'createSettlement',
  method: 'post',
  path: '/v1/settlements',
  summary: 'Issue the statement of record for an institution-year: sealed into the hash chain and stored immutably',
  tags: ['settlement'],
  roles: SETTLEMENT_ROLES,
  bodyLimit: '8mb',
  request: { body: SettlementRequest },
  responses: {
    201: { description: 'the stored statement', schema: StoredSettlement },
    404: { description: 'no such risk adjustment' },
    409: { description: 'the institution-year already has a statement of record (supersede it)' },
  },
});

export const getSettlementOperation = defineOperation({
  operationId: 'getSettlement',
  method: 'get',
  path: '/v1/settlements/:settlementId',
  summary: 'A stored statement, with its chain links and whether it was superseded',
  tags: ['settlement'],
  roles: SETTLEMENT_ROLES,
  request: { params: SettlementIdParams },
  responses: { 200: { description: 'the statement', schema: StoredSettlement }, 404: { description: 'no such statement' } },
});

export const supersedeSettlementOperation = defineOperation({
  operationId: 'supersedeSettlement',
  method: 'post',
  path: '/v1/settlements/:settlementId/supersede',
  summary: 'Issue the next revision after an accepted appeal; the superseded statement stays on record',
  tags: ['settlement'],
  roles: SETTLEMENT_ROLES,
  bodyLimit: '8mb',
  request: { params: SettlementIdParams, body: SupersedeRequest },
  responses: {
    201: { description: 'the superseding statement', schema: StoredSettlement },
    404: { description: 'no such statement or risk adjustment' },
    409: { description: 'the statement was already superseded' },
    422: { description: 'the risk adjustment is for another institution or year' },
  },
});

export const verifySettlementChainOperation = defineOperation({
  operationId: 'verifySettlementChain',
  method: 'get',
  path: '/v1/settlement-chain/verification',
  summary: 'Recompute every stored statement’s hash and link: detects any change, reordering or removal',
  tags: ['settlement'],
  roles: SETTLEMENT_ROLES,
  responses: { 200: { description: 'the verdict', schema: ChainVerification } },
});

export const SETTLEMENT_OPERATIONS = [
  createRiskAdjustmentOperation,
  getRiskAdjustmentOperation,
  previewSettlementOperation,
  createSettlementOperation,
  getSettlementOperation,
  supersedeSettlementOperation,
  verifySettlementChainOperation,
] as const;

// ---------------------------------------------------------------------------------------------
// The bureau model on disk.

/** A loaded model version and a scorer compiled from it. */
export interface LoadedRiskModel {
  version: number;
  tables: RiskModelTables;
  tablesSha256: string;
  categoriesFile: string;
  segment: string;
  scorer: RiskScorer;
}

/** The version `champion` means: `<dir>/champion` when present, else the highest version. */
export async function championVersion(dir: string): Promise<number | null> {
  const pointer = path.join(dir, 'champion');
  if (existsSync(pointer)) {
    const version = Number((await readFile(pointer, 'utf8')).trim());
    if (Number.isInteger(version) && version > 0) return version;
  }
  return (await listVersions(dir)).at(-1) ?? null;
}

/** Loads (and caches, by version and checksum) bureau model versions from one folder. */
export class RiskModelStore {
  readonly #cache = new Map<number, LoadedRiskModel>();
  constructor(readonly dir: string) {}

  /**
   * @throws UnprocessableError for an explicit version that is not on disk;
   * ServiceUnavailableError when there is no version at all or its files are damaged.
   */
  async load(which: 'champion' | number): Promise<LoadedRiskModel> {
    const version = which === 'champion' ? await championVersion(this.dir) : which;
    if (version === null) throw new ServiceUnavailableError('risk_model_not_found', 'no bureau risk-adjustment model version on disk (train one: stratum train-risk-adjustment)');
    if (!existsSync(path.join(this.dir, String(version), 'manifest.json'))) {
      if (which === 'champion') throw new ServiceUnavailableError('risk_model_not_found', `the champion bureau model version ${version} is not on disk`);
      throw new UnprocessableError('no such bureau model version', [{ location: 'body', path: 'model', rule: 'not_found', message: `bureau model version ${version} is not on disk` }]);
    }
    let read: Awaited<ReturnType<typeof readRiskModelVersion>>;
    try {
      read = await readRiskModelVersion(path.join(this.dir, String(version)));
    } catch (error) {
      if (error instanceof ModelVersionError) throw new ServiceUnavailableError('risk_model_invalid', `bureau model version ${version} cannot be used: ${error.code}`);
      throw error;
    }
    const cached = this.#cache.get(version);
    if (cached && cached.tablesSha256 === read.manifest.tablesSha256) return cached;
    const segment = read.manifest.featureSchema?.segment ?? Object.keys(read.tables.segments)[0] ?? '';
    const loaded: LoadedRiskModel = {
      version,
      tables: read.tables,
      tablesSha256: read.manifest.tablesSha256,
      categoriesFile: read.manifest.featureSchema?.categoriesFile ?? '',
      segment,
      scorer: RiskScorer.fromTables(read.tables),
    };
    this.#cache.set(version, loaded);
    return loaded;
  }
}

// ---------------------------------------------------------------------------------------------
// Risk adjustments: compute, store, read back.

type RiskAdjustmentBody = z.output<typeof RiskAdjustmentRequest>;
type ResultHeader = Omit<z.output<typeof RiskAdjustmentResult>, 'lines'>;
type Problem = z.output<typeof RiskAdjustmentProblem>;

/** A priced member with the inputs it was priced from and the stored score behind its class. */
interface PricedMember {
  input: RiskAdjustmentMemberInput;
  classScoreId: string;
  line: RiskAdjustmentLine;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

function idempotencyKeyOf(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !IDEMPOTENCY_KEY.test(value)) throw new BadRequestError('Idempotency-Key must be 1-128 characters of letters, digits and . _ : -');
  return value;
}

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** Members with a sign-up at the institution in force on the day (candidates; attribution decides). */
async function panelCandidates(db: Queryable, institutionId: string, day: string): Promise<string[]> {
  const rows = await db.query<{ member_id: string }>(
    `SELECT DISTINCT member_id FROM signup WHERE institution_id = $1 AND from_date <= $2::date AND (to_date IS NULL OR to_date >= $2::date) ORDER BY member_id`,
    [institutionId, day],
  );
  return rows.rows.map((r) => r.member_id);
}

/** Everything pricing reads about a page of members, by member id. */
async function memberFacts(db: Queryable, ids: readonly string[], day: string) {
  const members = await db.query<EnrolmentFacts & { member_id: string }>(
    `SELECT member_id, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, sex, to_char(enrolled_from, 'YYYY-MM-DD') AS enrolled_from,
            to_char(enrolled_to, 'YYYY-MM-DD') AS enrolled_to, to_char(deceased_date, 'YYYY-MM-DD') AS deceased_date
       FROM member WHERE member_id = ANY($1::text[])`,
    [ids],
  );
  const conditions = await db.query<DiagnosisRow & { member_id: string }>(
    `SELECT member_id, code_system, code, to_char(onset_date, 'YYYY-MM-DD') AS onset_date, to_char(abatement_date, 'YYYY-MM-DD') AS abatement_date,
            verification_status, to_char(recorded_date, 'YYYY-MM-DD') AS recorded_date
       FROM condition WHERE member_id = ANY($1::text[])`,
    [ids],
  );
  const signups = await db.query<SignupRow & { member_id: string }>(
    `SELECT member_id, signup_id, institution_id, to_char(from_date, 'YYYY-MM-DD') AS from_date, to_char(to_date, 'YYYY-MM-DD') AS to_date
       FROM signup WHERE member_id = ANY($1::text[])`,
    [ids],
  );
  const group = <R extends { member_id: string }>(rows: R[]) => {
    const map = new Map<string, R[]>();
    for (const r of rows) (map.get(r.member_id) ?? map.set(r.member_id, []).get(r.member_id)!).push(r);
    return map;
  };
  return {
    members: new Map(members.rows.map((m) => [m.member_id, m])),
    conditions: group(conditions.rows),
    signups: group(signups.rows),
    scores: await storedClasses(db, ids, day),
  };
}

/** Each member's latest stored score as of `day`: the class a risk adjustment pays for. */
async function storedClasses(db: Queryable, ids: readonly string[], day: string): Promise<Map<string, { member_id: string; score_id: string; risk_class: string }>> {
  const scores = await db.query<{ member_id: string; score_id: string; risk_class: string }>(
    `SELECT DISTINCT ON (member_id) member_id, score_id::text AS score_id, risk_class
       FROM score_result WHERE member_id = ANY($1::text[]) AND as_of = $2::date
      ORDER BY member_id, score_id DESC`,
    [ids, day],
  );
  return new Map(scores.rows.map((s) => [s.member_id, s]));
}

/** Price the request's members; per-member problems are collected, not thrown. */
async function priceMembers(
  db: Queryable,
  body: RiskAdjustmentBody,
  model: LoadedRiskModel,
  policy: Policy,
  pageSize: number,
  scoreClasses: ClassScorer | undefined,
): Promise<{ priced: PricedMember[]; problems: Problem[] }> {
  const day = yearStart(body.period);
  const explicit = body.member_ids !== undefined;
  const ids = explicit ? [...new Set(body.member_ids)] : await panelCandidates(db, body.institution_id, day);
  const terms = { baseStandard: body.base_standard, packageRates: policy.packageRates, settlement: policy.settlement };
  const priced: PricedMember[] = [];
  const problems: Problem[] = [];
  const problem = (memberId: string, code: Problem['code'], message: string) => problems.push({ memberId, code, message });
  for (const page of chunks(ids, pageSize)) {
    const facts = await memberFacts(db, page, day);
    // Classes as of 1 January that were never scored: score and store them now, then read them
    // back as any stored score is read, so the line cites a stored score either way.
    const unscored = page.filter((id) => facts.members.has(id) && !facts.scores.has(id));
    let scoringFailures = new Map<string, string>();
    if (unscored.length > 0 && scoreClasses) {
      scoringFailures = await scoreClasses(unscored, day);
      for (const [id, score] of await storedClasses(db, unscored, day)) facts.scores.set(id, score);
    }
    for (const id of page) {
      const member = facts.members.get(id);
      if (!member) {
        problem(id, 'MEMBER_NOT_FOUND', 'no member with this id');
        continue;
      }
      if (attributedInstitution(facts.signups.get(id) ?? [], body.period) !== body.institution_id) {
        // A panel candidate attributed elsewhere belongs to that institution's panel: not a problem here.
        if (explicit) problem(id, 'NOT_ATTRIBUTED', `not attributed to the institution on ${day} (no family-doctor sign-up there in force that day, or a later one elsewhere)`);
        continue;
      }
      const months = enrolledMonthsInYear(member, body.period);
      const score = facts.scores.get(id);
      if (months > 0 && !score) {
        const failure = scoringFailures.get(id);
        problem(
          id,
          'RISK_CLASS_MISSING',
          failure !== undefined
            ? `no stored score as of ${day}, and scoring the member as of that date failed: ${failure}`
            : `no stored score as of ${day}; score the member as of that date first (POST /v1/jobs with as_of ${day})`,
        );
        continue;
      }
      const riskClass = (score?.risk_class ?? 'healthy') as RiskClass;
      if (!RISK_CLASSES.includes(riskClass)) {
        problem(id, 'RISK_CLASS_MISSING', `the stored score as of ${day} has an unknown class`);
        continue;
      }
      const input: RiskAdjustmentMemberInput = {
        memberId: id,
        age: pricingAge(member.birth_date, body.period),
        sex: member.sex,
        dx: pricingDiagnoses(facts.conditions.get(id) ?? [], body.period),
        enrolledMonths: months,
        riskClass,
      };
      try {
        priced.push({ input, classScoreId: score!.score_id, line: riskAdjustmentLine(input, model.scorer, model.segment, terms) });
      } catch (error) {
        if (error instanceof CapitationError) problem(id, error.code, error.message);
        else throw error;
      }
    }
  }
  return { priced, problems };
}

/** Store a result in one transaction; returns its created_at as sent. */
async function storeRiskAdjustment(
  db: Database,
  header: Omit<ResultHeader, 'createdAt'>,
  meta: { request: RiskAdjustmentBody; requestHash: string; principalId: string; idempotencyKey: string | null },
  priced: readonly PricedMember[],
  pageSize: number,
): Promise<string> {
  return db.transaction(async (tx) => {
    const inserted = await tx.query<{ created_at: string }>(
      `INSERT INTO risk_adjustment (result_id, institution_id, period, base_standard, class_as_of, request, request_hash, principal_id, idempotency_key,
                                    model, payment_score_decimals, package_rates, member_count, member_months, medical_total, package_total)
       VALUES ($1, $2, $3, $4::numeric, $5::date, $6::jsonb, $7, $8, $9, $10::jsonb, $11, $12::jsonb, $13, $14, $15::numeric, $16::numeric)
       RETURNING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`,
      [
        header.resultId,
        header.institutionId,
        header.period,
        header.baseStandard,
        header.classAsOf,
        JSON.stringify(meta.request),
        meta.requestHash,
        meta.principalId,
        meta.idempotencyKey,
        JSON.stringify(header.model),
        header.paymentScoreDecimals,
        JSON.stringify(header.packageRates),
        header.totals.members,
        header.totals.memberMonths,
        header.totals.medicalCapitation,
        header.totals.packageAmount,
      ],
    );
    let lineNo = 0;
    for (const page of chunks(priced, pageSize)) {
      const col = <T>(f: (p: PricedMember) => T) => page.map(f);
      const first = lineNo;
      lineNo += page.length;
      await tx.query(
        `INSERT INTO risk_adjustment_line (result_id, line_no, member_id, age, sex, dx, enrolled_months, risk_class, class_score_id, raw_score, payment_score, medical, package, package_rate, contributions)
         SELECT $1, $2::int + o::int - 1, m, a, s, ARRAY(SELECT jsonb_array_elements_text(d::jsonb)), e, c, cs::bigint, r, p, med::numeric, pk::numeric, pr, con::jsonb
           FROM unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[], $10::float8[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
                WITH ORDINALITY AS t(m, a, s, d, e, c, cs, r, p, med, pk, pr, con, o)`,
        [
          header.resultId,
          first,
          col((p) => p.input.memberId),
          col((p) => p.input.age),
          col((p) => p.input.sex),
          col((p) => JSON.stringify(p.input.dx)),
          col((p) => p.input.enrolledMonths),
          col((p) => p.input.riskClass),
          col((p) => p.classScoreId),
          col((p) => p.line.rawScore),
          col((p) => p.line.paymentScore),
          col((p) => p.line.medicalCapitation),
          col((p) => p.line.packageAmount),
          col((p) => p.line.packageRate),
          col((p) => JSON.stringify(p.line.contributions)),
        ],
      );
    }
    for (const [start, page] of chunks(header.problems, pageSize).map((p, i) => [i * pageSize, p] as const)) {
      await tx.query(
        `INSERT INTO risk_adjustment_problem (result_id, problem_no, member_id, code, message)
         SELECT $1, $2::int + o::int - 1, m, c, msg FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(m, c, msg, o)`,
        [header.resultId, start, page.map((p) => p.memberId), page.map((p) => p.code), page.map((p) => p.message)],
      );
    }
    return inserted.rows[0]!.created_at;
  });
}

interface StoredLineRow {
  member_id: string;
  risk_class: string;
  age: number;
  sex: string;
  dx: string[];
  enrolled_months: number;
  raw_score: number;
  payment_score: string;
  medical: string;
  package: string;
  package_rate: string;
  contributions: RiskAdjustmentLine['contributions'];
}

/** A line as sent, keys in the order the POST answer writes them. */
function lineFromRow(r: StoredLineRow): RiskAdjustmentLine {
  return {
    memberId: r.member_id,
    riskClass: r.risk_class as RiskClass,
    age: Number(r.age),
    sex: r.sex,
    enrolledMonths: Number(r.enrolled_months),
    rawScore: Number(r.raw_score),
    paymentScore: r.payment_score,
    medicalCapitation: r.medical,
    packageAmount: r.package,
    packageRate: r.package_rate,
    contributions: r.contributions.map((c) => ({ coefficient: c.coefficient, kind: c.kind, value: c.value, categories: c.categories, dx: c.dx })),
  };
}

const LINE_COLUMNS = `member_id, risk_class, age, sex, dx, enrolled_months, raw_score, payment_score, medical::text AS medical, package::text AS package, package_rate, contributions`;

/** The stored member-level inputs and lines of a result, in line order, a page at a time. */
export async function* storedRiskAdjustmentLines(db: Queryable, resultId: string, pageSize = 5000): AsyncGenerator<RiskAdjustmentLine & { dx: string[] }> {
  let after = -1;
  for (;;) {
    const page = await db.query<StoredLineRow & { line_no: number }>(
      `SELECT line_no, ${LINE_COLUMNS} FROM risk_adjustment_line WHERE result_id = $1 AND line_no > $2 ORDER BY line_no LIMIT $3`,
      [resultId, after, pageSize],
    );
    for (const row of page.rows) yield { ...lineFromRow(row), dx: row.dx };
    if (page.rows.length < pageSize) return;
    after = Number(page.rows[page.rows.length - 1]!.line_no);
  }
}

/** The stored header of a result (everything but the lines), or null. */
export async function storedRiskAdjustmentHeader(db: Queryable, resultId: string): Promise<ResultHeader | null> {
  const found = await db.query<{
    institution_id: string;
    period: number;
    base_standard: string;
    class_as_of: string;
    model: ResultHeader['model'];
    payment_score_decimals: number;
    package_rates: Record<string, number>;
    created_at: string;
    member_count: number;
    member_months: number;
    medical_total: string;
    package_total: string;
  }>(
    `SELECT institution_id, period, base_standard::text AS base_standard, to_char(class_as_of, 'YYYY-MM-DD') AS class_as_of, model, payment_score_decimals, package_rates,
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at, member_count, member_months,
            medical_total::text AS medical_total, package_total::text AS package_total
       FROM risk_adjustment WHERE result_id = $1`,
    [resultId],
  );
  const r = found.rows[0];
  if (!r) return null;
  const problems = await db.query<Problem>(`SELECT member_id AS "memberId", code, message FROM risk_adjustment_problem WHERE result_id = $1 ORDER BY problem_no`, [resultId]);
  const medical = parseMoney(r.medical_total);
  const pkg = parseMoney(r.package_total);
  return {
    resultId,
    period: Number(r.period),
    institutionId: r.institution_id,
    baseStandard: r.base_standard,
    classAsOf: r.class_as_of,
    model: { name: r.model.name, version: r.model.version, tablesId: r.model.tablesId, tablesSha256: r.model.tablesSha256, categoriesFile: r.model.categoriesFile, segment: r.model.segment },
    paymentScoreDecimals: Number(r.payment_score_decimals),
    packageRates: ratesInClassOrder(r.package_rates),
    createdAt: r.created_at,
    totals: { members: Number(r.member_count), memberMonths: Number(r.member_months), medicalCapitation: r.medical_total, packageAmount: r.package_total, total: fenString(medical.plus(pkg)) },
    problems: problems.rows.map((p) => ({ memberId: p.memberId, code: p.code, message: p.message })),
  };
}

/**
 * Package rates keyed in class order: jsonb keeps its own key order, so both the first answer
 * and a stored one read back use this one, and a retry answers byte for byte the same.
 */
function ratesInClassOrder(rates: Readonly<Record<string, number>>): Record<string, number> {
  const ordered: Record<string, number> = {};
  for (const c of RISK_CLASSES) if (rates[c] !== undefined) ordered[c] = rates[c];
  for (const [c, rate] of Object.entries(rates)) if (!(c in ordered)) ordered[c] = rate;
  return ordered;
}

/** Write `text`, waiting for the socket to drain when its buffer is full (back-pressure). */
function writeChunk(res: Response, text: string): Promise<void> {
  if (res.write(text)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
    };
    const onDrain = () => (done(), resolve());
    const onClose = () => (done(), reject(new Error('client closed the connection during a streamed answer')));
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

const STREAM_CHUNK_BYTES = 64 * 1024;

/**
 * Stream `{...header, "lines": [...]}` as JSON. The lines are serialised one by one and written
 * in ~64 KB pieces: the whole answer never exists as one string.
 */
async function streamResult(res: Response, status: number, header: ResultHeader, lines: AsyncIterable<RiskAdjustmentLine> | Iterable<RiskAdjustmentLine>): Promise<void> {
  res.status(status).setHeader('Content-Type', 'application/json; charset=utf-8');
  const head = JSON.stringify(header);
  let buffer = `${head.slice(0, -1)},"lines":[`;
  let first = true;
  for await (const line of lines) {
    const { memberId, riskClass, age, sex, enrolledMonths, rawScore, paymentScore, medicalCapitation, packageAmount, packageRate, contributions } = line;
    buffer += (first ? '' : ',') + JSON.stringify({ memberId, riskClass, age, sex, enrolledMonths, rawScore, paymentScore, medicalCapitation, packageAmount, packageRate, contributions });
    first = false;
    if (buffer.length >= STREAM_CHUNK_BYTES) {
      await writeChunk(res, buffer);
      buffer = '';
    }
  }
  await writeChunk(res, buffer + ']}');
  res.end();
}

async function findByIdempotencyKey(db: Queryable, principalId: string, key: string): Promise<{ result_id: string; request_hash: string } | undefined> {
  const found = await db.query<{ result_id: string; request_hash: string }>(`SELECT result_id, request_hash FROM risk_adjustment WHERE principal_id = $1 AND idempotency_key = $2`, [principalId, key]);
  return found.rows[0];
}

// ---------------------------------------------------------------------------------------------
// Settlement statements.

type SettlementFields = Omit<z.output<typeof SettlementRequest>, 'risk_adjustment_id'>;

/** The inputs a statement is built from (stored with it, so a superseding one can start from them). */
interface StatementInputs extends SettlementFields {
  risk_adjustment_id: string;
}

/** What the chain seals for each statement. */
interface SealedRecord {
  settlementId: string;
  riskAdjustmentId: string;
  reason: string | null;
  membersWithoutDelivery: number;
  statement: StatementWithReserve;
}

/** Build the statement of an institution-year from a stored risk adjustment and the year's claims. */
async function buildStatement(
  db: Queryable,
  inputs: StatementInputs,
  policy: Policy,
  pageSize: number,
  revision: { revision: number; supersedes: string | null },
): Promise<{ statement: StatementWithReserve; membersWithoutDelivery: number; header: ResultHeader }> {
  const header = await storedRiskAdjustmentHeader(db, inputs.risk_adjustment_id);
  if (!header) throw new NotFoundError('no such risk adjustment');
  const lines: (RiskAdjustmentLine & { dx: string[] })[] = [];
  for await (const line of storedRiskAdjustmentLines(db, inputs.risk_adjustment_id, pageSize)) lines.push(line);
  const inPanel = new Set(lines.map((l) => l.memberId));
  const deliveries = new Map<string, { required: number; delivered: number }>();
  const issues: { location: 'body'; path: string; rule: string; message: string }[] = [];
  (inputs.deliveries ?? []).forEach((d, i) => {
    if (!inPanel.has(d.member_id)) issues.push({ location: 'body', path: `deliveries.${i}.member_id`, rule: 'not_in_risk_adjustment', message: 'the member has no line in the risk adjustment' });
    deliveries.set(d.member_id, { required: d.required_services, delivered: d.delivered_services });
  });
  if (issues.length > 0) throw new UnprocessableError('deliveries name members outside the risk adjustment', issues.slice(0, 100));

  // Actual = the members' medical claims in the year, wherever incurred (DOMAIN.md).
  const claims = new Map<string, string>();
  const period = header.period;
  for (const page of chunks([...inPanel], pageSize)) {
    const rows = await db.query<{ member_id: string; amount: string }>(
      `SELECT member_id, sum(amount)::text AS amount FROM claim_cost WHERE member_id = ANY($1::text[]) AND month >= $2 AND month <= $3 GROUP BY member_id`,
      [page, `${period}-01`, `${period}-12`],
    );
    for (const r of rows.rows) claims.set(r.member_id, r.amount);
  }
  let membersWithoutDelivery = 0;
  const members: MemberSettlementInput[] = lines.map((l) => {
    const delivery = deliveries.get(l.memberId);
    if (!delivery) membersWithoutDelivery++;
    return {
      memberId: l.memberId,
      riskClass: l.riskClass,
      baseStandard: header.baseStandard,
      paymentScore: l.paymentScore,
      enrolledMonths: l.enrolledMonths,
      actualClaims: claims.get(l.memberId) ?? '0',
      // Paid on delivery: no delivery record means nothing delivered of the package.
      managementPackage: { rate: l.packageRate, requiredServices: delivery?.required ?? 1, deliveredServices: delivery?.delivered ?? 0 },
    };
  });
  const p4p: P4PSettlementLines | undefined = inputs.p4p
    ? { p4pStatementId: inputs.p4p.p4p_statement_id, bonus: inputs.p4p.bonus, deduction: inputs.p4p.deduction, nextYearCoefficient: inputs.p4p.next_year_coefficient }
    : undefined;
  const { statement } = settleInstitution(
    members,
    { institutionId: header.institutionId, year: period, overspendJustified: inputs.overspend_justified ?? false, ...(p4p ? { p4p } : {}), revision: revision.revision, supersedes: revision.supersedes },
    policy.settlement,
  );
  const withReserve = settleRiskReserve([statement], policy.settlement).statements[0]!;
  return { statement: withReserve, membersWithoutDelivery, header };
}

/** Any 64-bit constant shared by every process issuing statements: "STLCHAIN". */
const CHAIN_LOCK_KEY = 0x53544c434841494en;

interface StoredStatementRow {
  seq: string;
  settlement_id: string;
  statement_id: string;
  institution_id: string;
  period: number;
  revision: number;
  risk_adjustment_id: string;
  inputs: StatementInputs;
  supersedes_settlement_id: string | null;
  superseded_by: string | null;
  reason: string | null;
  sealed: string;
  previous_hash: string | null;
  supersedes_hash: string | null;
  hash: string;
  created_at: string;
}

const STATEMENT_COLUMNS = `s.seq::text AS seq, s.settlement_id, s.statement_id, s.institution_id, s.period, s.revision, s.risk_adjustment_id, s.inputs, s.supersedes_settlement_id,
  (SELECT n.settlement_id FROM settlement_statement n WHERE n.supersedes_settlement_id = s.settlement_id) AS superseded_by, s.reason, s.sealed,
  s.previous_hash, s.supersedes_hash, s.hash, to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`;

async function statementRow(db: Queryable, settlementId: string): Promise<StoredStatementRow | undefined> {
  const found = await db.query<StoredStatementRow>(`SELECT ${STATEMENT_COLUMNS} FROM settlement_statement s WHERE s.settlement_id = $1`, [settlementId]);
  return found.rows[0];
}

function storedSettlementBody(row: StoredStatementRow): z.output<typeof StoredSettlement> {
  const sealed = JSON.parse(row.sealed) as SealedRecord;
  return {
    settlementId: row.settlement_id,
    statementId: row.statement_id,
    riskAdjustmentId: row.risk_adjustment_id,
    supersedesSettlementId: row.supersedes_settlement_id,
    supersededBySettlementId: row.superseded_by,
    reason: row.reason,
    hash: row.hash,
    previousHash: row.previous_hash,
    supersedesHash: row.supersedes_hash,
    createdAt: row.created_at,
    membersWithoutDelivery: sealed.membersWithoutDelivery,
    statement: statementBody(sealed.statement),
  };
}

/** The statement as the contract describes it (its traces are plain records). */
function statementBody(statement: StatementWithReserve): z.output<typeof StoredSettlement>['statement'] {
  return statement as unknown as z.output<typeof StoredSettlement>['statement'];
}

function sealedOf(row: Pick<StoredStatementRow, 'sealed' | 'previous_hash' | 'supersedes_hash' | 'hash'>): SealedStatement<SealedRecord> {
  return { statement: JSON.parse(row.sealed) as SealedRecord, previousHash: row.previous_hash, supersedesHash: row.supersedes_hash, hash: row.hash };
}

/**
 * Seal and store a statement at the end of the chain. The chain lock serialises issuers, so each
 * new record links to the true last one; `check` runs under the lock (e.g. "not yet issued").
 */
async function issueStatement(
  db: Database,
  build: (tx: Queryable) => Promise<{ statement: StatementWithReserve; membersWithoutDelivery: number; inputs: StatementInputs; supersedes: StoredStatementRow | null; reason: string | null }>,
  createdBy: string,
): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [CHAIN_LOCK_KEY.toString()]);
    const built = await build(tx);
    const last = await tx.query<Pick<StoredStatementRow, 'sealed' | 'previous_hash' | 'supersedes_hash' | 'hash'>>(
      `SELECT sealed, previous_hash, supersedes_hash, hash FROM settlement_statement ORDER BY seq DESC LIMIT 1`,
    );
    const chain = last.rows.map(sealedOf);
    const settlementId = `stl-${randomUUID()}`;
    const record: SealedRecord = { settlementId, riskAdjustmentId: built.inputs.risk_adjustment_id, reason: built.reason, membersWithoutDelivery: built.membersWithoutDelivery, statement: built.statement };
    const sealed = sealStatement(chain, record, built.supersedes ? sealedOf(built.supersedes) : undefined);
    await tx.query(
      `INSERT INTO settlement_statement (settlement_id, statement_id, institution_id, period, revision, risk_adjustment_id, inputs, supersedes_settlement_id, reason,
                                         sealed, previous_hash, supersedes_hash, hash, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14)`,
      [
        settlementId,
        built.statement.statementId,
        built.statement.institutionId,
        built.statement.year,
        built.statement.revision,
        built.inputs.risk_adjustment_id,
        JSON.stringify(built.inputs),
        built.supersedes?.settlement_id ?? null,
        built.reason,
        canonicalJson(sealed.statement),
        sealed.previousHash,
        sealed.supersedesHash,
        sealed.hash,
        createdBy,
      ],
    );
    return settlementId;
  });
}

// ---------------------------------------------------------------------------------------------

/** The settlement engine's routes; wire with `routes: [..., settlementRoutes({ policy, riskModelsDir })]`. */
export function settlementRoutes(deps: SettlementDeps): RouteModule {
  const pageSize = deps.pageSize ?? 5000;
  const models = new RiskModelStore(deps.riskModelsDir);
  return {
    name: 'settlement',
    register(routes, { db }) {
      routes.add(createRiskAdjustmentOperation, async ({ body, principal, req, res, audit }) => {
        const key = idempotencyKeyOf(req.headers['idempotency-key']);
        const requestHash = sha256Hex(canonicalJson(body));
        const replay = async (existing: { result_id: string; request_hash: string }) => {
          if (existing.request_hash !== requestHash) throw new ConflictError('this Idempotency-Key was used with a different request body');
          const header = (await storedRiskAdjustmentHeader(db, existing.result_id))!;
          await audit({ action: 'risk-adjustment.replay', resource: `risk-adjustments/${existing.result_id}`, detail: { members: header.totals.members } });
          await streamResult(res, 200, header, storedRiskAdjustmentLines(db, existing.result_id, pageSize));
        };
        if (key !== null) {
          const existing = await findByIdempotencyKey(db, principal.id, key);
          if (existing) return replay(existing);
        }
        const model = await models.load(body.model ?? 'champion');
        const { priced, problems } = await priceMembers(db, body, model, deps.policy, pageSize, deps.scoreClasses);
        const totals: PanelTotals = (() => {
          const acc = new PanelTotalsAccumulator();
          for (const p of priced) acc.add(p.line);
          return acc.totals();
        })();
        const header: Omit<ResultHeader, 'createdAt'> = {
          resultId: `ra-${randomUUID()}`,
          period: body.period,
          institutionId: body.institution_id,
          baseStandard: fenString(parseMoney(body.base_standard)),
          classAsOf: yearStart(body.period),
          model: { name: 'risk-adjustment', version: model.version, tablesId: model.tables.id, tablesSha256: model.tablesSha256, categoriesFile: model.categoriesFile, segment: model.segment },
          paymentScoreDecimals: deps.policy.settlement.paymentScoreDecimals,
          packageRates: ratesInClassOrder(deps.policy.packageRates),
          totals,
          problems,
        };
        let createdAt: string;
        try {
          createdAt = await storeRiskAdjustment(db, header, { request: body, requestHash, principalId: principal.id, idempotencyKey: key }, priced, pageSize);
        } catch (error) {
          // A concurrent retry with the same key won the race: answer as a retry.
          if (key !== null && error instanceof DatabaseError && error.isUniqueViolation) {
            const existing = await findByIdempotencyKey(db, principal.id, key);
            if (existing) return replay(existing);
          }
          throw error;
        }
        await audit({ action: 'risk-adjustment.create', resource: `risk-adjustments/${header.resultId}`, memberIds: priced.map((p) => p.input.memberId), detail: { institutionId: body.institution_id, period: body.period, members: totals.members, problems: problems.length } });
        const { resultId, period, institutionId, baseStandard, classAsOf, model: m, paymentScoreDecimals, packageRates } = header;
        // Same key order as a stored result read back, so a retry answers byte for byte the same.
        await streamResult(res, 201, { resultId, period, institutionId, baseStandard, classAsOf, model: m, paymentScoreDecimals, packageRates, createdAt, totals, problems }, priced.map((p) => p.line));
      });

      routes.add(getRiskAdjustmentOperation, async ({ params, res, audit }) => {
        const header = await storedRiskAdjustmentHeader(db, params.resultId);
        if (!header) throw new NotFoundError('no such risk adjustment');
        await audit({ action: 'risk-adjustment.read', resource: `risk-adjustments/${params.resultId}`, detail: { members: header.totals.members } });
        await streamResult(res, 200, header, storedRiskAdjustmentLines(db, params.resultId, pageSize));
      });

      routes.add(previewSettlementOperation, async ({ body, audit }) => {
        const { statement, membersWithoutDelivery } = await buildStatement(db, body, deps.policy, pageSize, { revision: 1, supersedes: null });
        await audit({ action: 'settlement.preview', resource: `risk-adjustments/${body.risk_adjustment_id}`, detail: { institutionId: statement.institutionId, year: statement.year } });
        return { preview: true as const, riskAdjustmentId: body.risk_adjustment_id, membersWithoutDelivery, statement: statementBody(statement) };
      });

      routes.add(createSettlementOperation, async ({ body, principal, audit }) => {
        const settlementId = await issueStatement(
          db,
          async (tx) => {
            const built = await buildStatement(tx, body, deps.policy, pageSize, { revision: 1, supersedes: null });
            const existing = await tx.query<{ settlement_id: string }>(`SELECT settlement_id FROM settlement_statement WHERE institution_id = $1 AND period = $2 LIMIT 1`, [built.header.institutionId, built.header.period]);
            if (existing.rows[0]) throw new ConflictError(`the institution-year already has a statement of record (${existing.rows[0].settlement_id}); supersede it after an accepted appeal`);
            return { ...built, inputs: body, supersedes: null, reason: null };
          },
          principal.id,
        );
        const row = (await statementRow(db, settlementId))!;
        await audit({ action: 'settlement.issue', resource: `settlements/${settlementId}`, detail: { statementId: row.statement_id } });
        return new Reply(201, storedSettlementBody(row));
      });

      routes.add(getSettlementOperation, async ({ params, audit }) => {
        const row = await statementRow(db, params.settlementId);
        if (!row) throw new NotFoundError('no such statement');
        await audit({ action: 'settlement.read', resource: `settlements/${params.settlementId}` });
        return storedSettlementBody(row);
      });

      routes.add(supersedeSettlementOperation, async ({ params, body, principal, audit }) => {
        const { reason, ...changes } = body;
        const settlementId = await issueStatement(
          db,
          async (tx) => {
            const old = await statementRow(tx, params.settlementId);
            if (!old) throw new NotFoundError('no such statement');
            if (old.superseded_by !== null) throw new ConflictError(`this statement was already superseded by ${old.superseded_by}; supersede the current one`);
            const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
            const inputs: StatementInputs = { ...old.inputs, ...defined };
            const built = await buildStatement(tx, inputs, deps.policy, pageSize, { revision: Number(old.revision) + 1, supersedes: old.statement_id });
            if (built.header.institutionId !== old.institution_id || built.header.period !== Number(old.period))
              throw new UnprocessableError('the risk adjustment is for another institution or year', [{ location: 'body', path: 'risk_adjustment_id', rule: 'same_institution_year', message: 'must be a risk adjustment of the superseded statement’s institution and year' }]);
            return { ...built, inputs, supersedes: old, reason };
          },
          principal.id,
        );
        const row = (await statementRow(db, settlementId))!;
        await audit({ action: 'settlement.supersede', resource: `settlements/${settlementId}`, detail: { supersedes: params.settlementId, statementId: row.statement_id } });
        return new Reply(201, storedSettlementBody(row));
      });

      routes.add(verifySettlementChainOperation, async () => {
        const chain: SealedStatement<SealedRecord>[] = [];
        const ids: (string | null)[] = [];
        let after = '0';
        for (;;) {
          const page = await db.query<Pick<StoredStatementRow, 'seq' | 'settlement_id' | 'sealed' | 'previous_hash' | 'supersedes_hash' | 'hash'>>(
            `SELECT seq::text AS seq, settlement_id, sealed, previous_hash, supersedes_hash, hash FROM settlement_statement WHERE seq > $1::bigint ORDER BY seq LIMIT $2`,
            [after, pageSize],
          );
          for (const row of page.rows) {
            let record: SealedStatement<SealedRecord>;
            try {
              record = sealedOf(row);
            } catch {
              // Unparseable sealed text is a changed record: keep it in the chain so the hash check flags it.
              record = { statement: { settlementId: row.settlement_id } as SealedRecord, previousHash: row.previous_hash, supersedesHash: row.supersedes_hash, hash: row.hash };
            }
            chain.push(record);
            ids.push(row.settlement_id);
            after = row.seq;
          }
          if (page.rows.length < pageSize) break;
        }
        const verdict = verifyStatementChain(chain, { idOf: (s) => s.statement?.statementId ?? '', supersedesIdOf: (s) => s.statement?.supersedes ?? null });
        // A sealed record must also say it is the row it is stored as.
        chain.forEach((record, index) => {
          if (record.statement.settlementId !== ids[index]) verdict.problems.push({ index, code: 'HASH_MISMATCH', message: `record ${index} is stored under another settlement id than it was sealed with` });
        });
        return {
          valid: verdict.problems.length === 0,
          length: chain.length,
          problems: verdict.problems.map((p) => ({ index: p.index, settlementId: ids[p.index] ?? null, code: p.code, message: p.message })),
        };
      });
    },
  };
}
