/** Requests and answers of the scoring API (/v1/score, /v1/score/batch, /v1/jobs, clinic lists). */
import { z } from 'zod';
import { Id, IsoDate } from '../common.ts';
import { ClaimCost, Condition, Encounter, Lifestyle, Medication, Member, Observation, Procedure, ServiceRequest, Signup } from '../entities.ts';

export const RISK_CLASS_VALUES = ['healthy', 'high-risk', 'mild', 'moderate', 'severe'] as const;
export const MODEL_NAMES = ['readmission', 'onset-hypertension', 'onset-diabetes', 'onset-chd'] as const;

/** A member's whole record sent inline (not stored): every part must be about that member. */
export const MemberRecordInput = z
  .object({
    member: Member,
    signups: z.array(Signup).max(1000).default([]),
    conditions: z.array(Condition).max(10000).default([]),
    encounters: z.array(Encounter).max(10000).default([]),
    observations: z.array(Observation).max(50000).default([]),
    procedures: z.array(Procedure).max(10000).default([]),
    serviceRequests: z.array(ServiceRequest).max(10000).default([]),
    medications: z.array(Medication).max(10000).default([]),
    claims: z.array(ClaimCost).max(10000).default([]),
    lifestyle: z.array(Lifestyle).max(1000).default([]),
  })
  .superRefine((r, ctx) => {
    for (const key of ['signups', 'conditions', 'encounters', 'observations', 'procedures', 'serviceRequests', 'medications', 'claims', 'lifestyle'] as const)
      r[key].forEach((row, i) => {
        if (row.member_id !== r.member.member_id) ctx.addIssue({ code: 'custom', path: [key, i, 'member_id'], message: 'must be the member_id of record.member' });
      });
  })
  .meta({ id: 'MemberRecordInput' });

export const ScoreRequest = z
  .object({
    member_id: Id.optional(),
    record: MemberRecordInput.optional(),
    /** Score as of this date (default: today). Data recorded on or after it is not used. */
    as_of: IsoDate.optional(),
  })
  .refine((b) => (b.member_id === undefined) !== (b.record === undefined), { message: 'give exactly one of member_id or record', path: ['member_id'] })
  .meta({ id: 'ScoreRequest' });

export const Factor = z.object({ feature: z.string(), text: z.string(), value: z.number().nullable(), contribution: z.number() }).meta({ id: 'Factor' });

export const Prediction = z
  .object({
    model: z.enum(MODEL_NAMES),
    version: z.number().int(),
    probability: z.number().min(0).max(1).nullable(),
    notApplicable: z.string().optional(),
    index: z.string().nullable(),
    topFactors: z.array(Factor),
  })
  .meta({ id: 'Prediction' });

export const Intervention = z
  .object({ id: z.string(), label: z.string(), status: z.enum(['done', 'due', 'overdue']), dueDate: IsoDate, lastDone: IsoDate.nullable() })
  .meta({ id: 'Intervention' });

export const MemberScore = z
  .object({
    memberId: z.string(),
    asOf: IsoDate,
    predictions: z.array(Prediction),
    riskClass: z.object({
      class: z.enum(RISK_CLASS_VALUES),
      row: z.number().int().min(1).max(5),
      reasons: z.array(z.string()),
      unknownControl: z.array(z.enum(['glycaemic', 'blood-pressure'])),
      careGaps: z.array(z.string()),
    }),
    package: z.object({ class: z.enum(RISK_CLASS_VALUES), annualRate: z.number() }),
    interventions: z.array(Intervention),
    nextDue: Intervention.nullable(),
    modelVersions: z.record(z.string(), z.number().int()),
    inputFingerprint: z.string(),
    policyFingerprint: z.string(),
  })
  .meta({ id: 'MemberScore' });

export const MAX_BATCH_MEMBERS = 10_000;

export const BatchScoreRequest = z
  .object({ member_ids: z.array(Id).min(1).max(MAX_BATCH_MEMBERS), as_of: IsoDate.optional() })
  .meta({ id: 'BatchScoreRequest' });

export const MemberProblem = z.object({ memberId: z.string(), code: z.enum(['MEMBER_NOT_FOUND', 'SCORING_FAILED']), message: z.string() }).meta({ id: 'MemberProblem' });

export const BatchScoreResponse = z.object({ results: z.array(MemberScore), problems: z.array(MemberProblem) }).meta({ id: 'BatchScoreResponse' });

export const JobRequest = z.object({ as_of: IsoDate.optional(), institution_id: Id.optional() }).meta({ id: 'JobRequest' });

export const Job = z
  .object({
    jobId: z.string(),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    asOf: IsoDate,
    institutionId: z.string().nullable(),
    total: z.number().int(),
    done: z.number().int(),
    failed: z.number().int(),
    progress: z.number().min(0).max(1),
    error: z.string().nullable(),
    /** The model version of each task the job scores with, fixed when it starts (null before). */
    modelVersions: z.record(z.string(), z.number().int()).nullable(),
    resultsUrl: z.string(),
  })
  .meta({ id: 'Job' });

export const HighRiskQuery = z.object({
  class: z.enum(RISK_CLASS_VALUES).optional(),
  /** Rank by one model's probability instead of class then highest risk. */
  model: z.enum(MODEL_NAMES).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
  cursor: z.string().max(200).optional(),
});

export const HighRiskPatient = z
  .object({
    rank: z.number().int(),
    memberId: z.string(),
    riskClass: z.enum(RISK_CLASS_VALUES),
    risk: z.number().nullable(),
    reasons: z.array(z.string()),
    careGaps: z.array(z.string()),
    nextDue: Intervention.nullable(),
    topFactors: z.array(z.string()),
    asOf: IsoDate,
  })
  .meta({ id: 'HighRiskPatient' });

export const HighRiskList = z.object({ institutionId: z.string(), items: z.array(HighRiskPatient), nextCursor: z.string().nullable() }).meta({ id: 'HighRiskList' });
