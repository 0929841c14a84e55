/**
 * Policy figures: every rate, threshold and sharing band the bureau can choose, with the
 * defaults from the domain brief (shared/DOMAIN.md). Validated once at load; domain code receives
 * the parsed object and never writes these numbers itself.
 */
import { z } from 'zod';

const share = z.number().min(0).max(1);
const money = z.number().nonnegative();
const range = (lo: number, hi: number) =>
  z.object({ min: z.number(), max: z.number() }).refine((r) => r.min <= r.max, 'min must not exceed max').default({ min: lo, max: hi });

export const RISK_CLASSES = ['healthy', 'high-risk', 'mild', 'moderate', 'severe'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

const ControlSchema = z.object({
  /** HbA1c at or above this (%) is uncontrolled for the class table and the bureau's O1 target. */
  hba1cUncontrolledPct: z.number().default(7.0),
  /** Systolic at or above this (mmHg) is uncontrolled. */
  systolicUncontrolled: z.number().default(140),
  /** Diastolic at or above this (mmHg) is uncontrolled. */
  diastolicUncontrolled: z.number().default(90),
  /** Only readings in this many months before the as-of date count for control. */
  lookbackMonths: z.number().int().positive().default(12),
});

const ClassTableSchema = z.object({
  /** Inpatient stays counted as "admissions" look back this many months. */
  admissionLookbackMonths: z.number().int().positive().default(12),
  /** Row 1: predicted 30-day readmission risk at the last discharge that makes a patient severe. */
  severeReadmissionRisk: share.default(0.3),
  /** Row 4: high-risk markers. */
  highRisk: z
    .object({
      systolic: range(130, 139),
      diastolic: range(85, 89),
      hba1cPct: range(5.7, 6.4),
      fastingGlucoseMmol: range(6.1, 6.9),
      bmiObese: z.number().default(28),
      onsetRisk: share.default(0.2),
      overweightBmi: range(24, 27.9),
      olderAge: z.number().int().default(55),
      /** How many of smoking, family history, overweight BMI and older age make a member high-risk. */
      markersNeeded: z.number().int().positive().default(2),
    })
    .prefault({}),
});

const RatesSchema = z
  .object({
    healthy: money.default(20),
    'high-risk': money.default(120),
    mild: money.default(300),
    moderate: money.default(500),
    severe: money.default(800),
  })
  .refine((r) => r.healthy >= 15 && r.healthy <= 30, { message: 'healthy rate must be 15-30 CNY', path: ['healthy'] })
  .refine((r) => r['high-risk'] >= 80 && r['high-risk'] <= 150, { message: 'high-risk rate must be 80-150 CNY', path: ['high-risk'] });

const BandSchema = z.object({
  /** Upper edge of the band as a share of budget; null = unbounded. */
  upTo: z.number().positive().nullable(),
  fundShare: share,
  /** Fund share applied instead when the bureau marks the overspend justified. */
  justifiedFundShare: share.optional(),
});

const SettlementSchema = z.object({
  savingsStaffShare: share.default(0.5),
  severeOverspendFundShare: share.default(0.7),
  overspendBands: z
    .array(BandSchema)
    .min(1)
    .default([
      { upTo: 0.1, fundShare: 0.7 },
      { upTo: 0.2, fundShare: 0.8 },
      { upTo: null, fundShare: 0, justifiedFundShare: 0.8 },
    ]),
  riskReserveShare: z.number().min(0.03).max(0.1).default(0.05),
  paymentScoreDecimals: z.number().int().min(0).max(6).default(3),
});

const IndicatorSchema = z.object({
  id: z.string(),
  lower: share,
  upper: share,
  weight: share,
  kind: z.enum(['outcome', 'process']),
});

const P4PSchema = z.object({
  indicators: z
    .array(IndicatorSchema)
    .min(1)
    .default([
      { id: 'O1', lower: 0.3, upper: 0.55, weight: 0.3, kind: 'outcome' },
      { id: 'O2', lower: 0.35, upper: 0.65, weight: 0.3, kind: 'outcome' },
      { id: 'P1', lower: 0.4, upper: 0.8, weight: 0.2, kind: 'process' },
      { id: 'P2', lower: 0.4, upper: 0.8, weight: 0.2, kind: 'process' },
    ]),
  minDenominator: z.number().int().positive().default(30),
  bonusCompositeThreshold: share.default(0.5),
  bonusMinPerPerson: money.default(50),
  bonusMaxPerPerson: money.default(200),
  improvementDelta: share.default(0.1),
  improvementBonusPerPerson: money.default(50),
  deductionCompositeThreshold: share.default(0.25),
  deductionShare: share.default(0.05),
  repeatDeductionShare: share.default(0.1),
  budgetShareOfCapitation: share.default(0.02),
  topsisWeights: z
    .object({ O1: share, O2: share, P1: share, P2: share, cost: share })
    .default({ O1: 0.3, O2: 0.3, P1: 0.1, P2: 0.1, cost: 0.2 }),
  topShare: share.default(0.2),
  topCoefficient: z.number().positive().default(1.05),
  bottomShare: share.default(0.1),
  bottomCoefficient: z.number().positive().default(0.97),
  appealWorkingDays: z.number().int().positive().default(5),
  appealAnswerWorkingDays: z.number().int().positive().default(10),
  minEnrolledMonths: z.number().int().min(0).max(12).default(6),
});

/**
 * How a service on an intervention list is recognised in a member's history: an encounter of a
 * class, or a coded procedure / observation / service request. Codes are `SYSTEM|code`.
 */
const ServiceMatchSchema = z.object({
  entity: z.enum(['encounter', 'procedure', 'observation', 'service_request']),
  encounterClasses: z.array(z.string()).optional(),
  codes: z.array(z.string().regex(/^[A-Za-z0-9-]+\|.+$/, 'codes are written SYSTEM|code')).optional(),
});

const ServiceSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  label: z.string(),
  /** Days between occurrences (a quarterly visit is 91; two phone calls a quarter is 45). */
  intervalDays: z.number().int().positive(),
  /** Only for members with one of these chronic conditions (empty = everyone in the class). */
  forConditions: z.array(z.string()).default([]),
  minAge: z.number().int().min(0).default(0),
  matches: z.array(ServiceMatchSchema).min(1),
});
export type ServiceDefinition = z.infer<typeof ServiceSchema>;

const visit = { entity: 'encounter' as const, encounterClasses: ['outpatient', 'home'] };
const phone = { entity: 'encounter' as const, encounterClasses: ['phone', 'virtual'] };
const fundus = { entity: 'procedure' as const, codes: ['CPT|92250', 'CPT|92227', 'CPT|92228', 'CPT|2022F', 'CPT|2023F', 'SNOMED-CT|252779009', 'LOCAL|fundus-exam'] };
const foot = { entity: 'procedure' as const, codes: ['CPT|2028F', 'SNOMED-CT|401191002', 'LOCAL|foot-exam'] };
const microalbumin = { entity: 'observation' as const, codes: ['LOINC|9318-7', 'LOINC|14959-1', 'LOINC|14957-5'] };
const bpReading = { entity: 'observation' as const, codes: ['LOINC|8480-6'] };
const glucoseTest = { entity: 'observation' as const, codes: ['LOINC|1558-6', 'LOINC|4548-4'] };
const lipidTest = { entity: 'observation' as const, codes: ['LOINC|13457-7'] };
const hba1cTest = { entity: 'observation' as const, codes: ['LOINC|4548-4', 'LOINC|97506-0'] };

const screening40: ServiceDefinitionInput[] = [
  { id: 'bp-screening', label: 'Blood-pressure screening', intervalDays: 365, minAge: 40, matches: [bpReading] },
  { id: 'glucose-screening', label: 'Glucose screening', intervalDays: 365, minAge: 40, matches: [glucoseTest] },
  { id: 'lipid-screening', label: 'Lipid screening', intervalDays: 365, minAge: 40, matches: [lipidTest] },
];
const quarterlyFollowUp: ServiceDefinitionInput[] = [
  { id: 'follow-up-visit', label: 'Face-to-face follow-up (quarterly)', intervalDays: 91, matches: [visit] },
  { id: 'follow-up-phone', label: 'Phone follow-up (2 a quarter)', intervalDays: 45, matches: [phone] },
];
const complicationScreening: ServiceDefinitionInput[] = [
  { id: 'fundus-exam', label: 'Fundus (eye) exam', intervalDays: 365, forConditions: ['diabetes'], matches: [fundus] },
  { id: 'foot-exam', label: 'Diabetic foot exam', intervalDays: 365, forConditions: ['diabetes'], matches: [foot] },
  { id: 'urine-microalbumin', label: 'Urine microalbumin', intervalDays: 365, forConditions: ['diabetes', 'hypertension'], matches: [microalbumin] },
  { id: 'hba1c-test', label: 'HbA1c test', intervalDays: 182, forConditions: ['diabetes'], matches: [hba1cTest] },
];
type ServiceDefinitionInput = z.input<typeof ServiceSchema>;

/** The services each class's management package pays for (DOMAIN.md, "Risk classes and management packages"). */
const PackagesSchema = z.object({
  /** A due service becomes overdue this many days after its due date. */
  graceDays: z.number().int().min(0).default(30),
  services: z
    .object({
      healthy: z.array(ServiceSchema),
      'high-risk': z.array(ServiceSchema),
      mild: z.array(ServiceSchema),
      moderate: z.array(ServiceSchema),
      severe: z.array(ServiceSchema),
    })
    .prefault({
      healthy: [...screening40],
      'high-risk': [
        ...quarterlyFollowUp,
        { id: 'urine-microalbumin', label: 'Urine microalbumin recheck', intervalDays: 365, matches: [microalbumin] },
        { id: 'carotid-ultrasound', label: 'Carotid ultrasound recheck', intervalDays: 365, matches: [{ entity: 'procedure', codes: ['CPT|93880', 'CPT|93882', 'LOCAL|carotid-ultrasound'] }] },
        ...screening40,
      ],
      mild: [...quarterlyFollowUp, ...complicationScreening],
      moderate: [
        { id: 'follow-up-visit', label: 'Face-to-face follow-up (every 2 months)', intervalDays: 61, matches: [visit] },
        { id: 'follow-up-phone', label: 'Phone follow-up (monthly)', intervalDays: 30, matches: [phone] },
        ...complicationScreening,
      ],
      severe: [
        { id: 'follow-up-visit', label: 'Face-to-face follow-up (monthly)', intervalDays: 30, matches: [visit] },
        { id: 'follow-up-phone', label: 'Phone follow-up (every 2 weeks)', intervalDays: 15, matches: [phone] },
        ...complicationScreening,
        { id: 'case-management-review', label: 'Case-management review / rehabilitation guidance', intervalDays: 91, matches: [{ entity: 'encounter', encounterClasses: ['home'] }] },
      ],
    }),
});

export const PolicySchema = z
  .object({
    control: ControlSchema.prefault({}),
    classTable: ClassTableSchema.prefault({}),
    packageRates: RatesSchema.prefault({}),
    settlement: SettlementSchema.prefault({}),
    p4p: P4PSchema.prefault({}),
    packages: PackagesSchema.prefault({}),
  })
  .superRefine((p, ctx) => {
    const weights = p.p4p.indicators.reduce((s, i) => s + i.weight, 0);
    if (Math.abs(weights - 1) > 1e-9) ctx.addIssue({ code: 'custom', path: ['p4p', 'indicators'], message: `indicator weights must sum to 1 (got ${weights})` });
    const outcome = p.p4p.indicators.filter((i) => i.kind === 'outcome').reduce((s, i) => s + i.weight, 0);
    if (outcome < 0.6 - 1e-9) ctx.addIssue({ code: 'custom', path: ['p4p', 'indicators'], message: 'outcome indicators must weigh at least 60% of the score' });
    for (const [k, i] of p.p4p.indicators.entries())
      if (i.lower >= i.upper) ctx.addIssue({ code: 'custom', path: ['p4p', 'indicators', k], message: 'lower must be below upper' });
    const bands = p.settlement.overspendBands;
    bands.forEach((b, k) => {
      const prev = k === 0 ? 0 : bands[k - 1]!.upTo;
      if (b.upTo === null && k !== bands.length - 1) ctx.addIssue({ code: 'custom', path: ['settlement', 'overspendBands', k], message: 'only the last band may be unbounded' });
      if (b.upTo !== null && prev !== null && b.upTo <= prev) ctx.addIssue({ code: 'custom', path: ['settlement', 'overspendBands', k], message: 'bands must be increasing' });
    });
  });

export type Policy = z.infer<typeof PolicySchema>;

/** The documented defaults. */
export function defaultPolicy(): Policy {
  return PolicySchema.parse({});
}

/** Parse overrides (e.g. from STRATUM_POLICY_FILE); errors name the field path and the rule. */
export function parsePolicy(input: unknown): Policy {
  const parsed = PolicySchema.safeParse(input ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid policy configuration: ${lines.join('; ')}`);
  }
  return parsed.data;
}
