/**
 * One input line of `stratum risk-score` (JSON lines on stdin): a member as the CMS-HCC
 * CMS-compatible mode scores it (shared/data/cms-hcc/SPEC.md 2.1).
 */
import { z } from 'zod';

/** The nine CMS-HCC segments (SPEC.md 2.5). */
export const RISK_SCORE_SEGMENTS = ['CNA', 'CND', 'CFA', 'CFD', 'CPA', 'CPD', 'INS', 'NE', 'SNPNE'] as const;

export const RiskScoreInputSchema = z.object({
  /** Caller's member identifier, echoed on the output line. */
  id: z.union([z.string().min(1), z.number()]),
  /** Whole years on February 1 of the payment year (SPEC.md 2.2). */
  age: z.number().int().min(0).max(130),
  sex: z.enum(['M', 'F']),
  /** Segment; CMS assigns it from dual status, institutional status and enrolment history. */
  elig: z.enum(RISK_SCORE_SEGMENTS),
  /** Original reason for entitlement: 0 old age, 1 disability, 2 ESRD, 3 disability and ESRD. */
  orec: z.enum(['0', '1', '2', '3']),
  medicaid: z.boolean(),
  /** ICD-10-CM codes, dots optional. */
  dx: z.array(z.string().max(16)).max(1000),
});

export type RiskScoreInput = z.infer<typeof RiskScoreInputSchema>;
