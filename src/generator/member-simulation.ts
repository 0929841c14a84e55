/**
 * One synthetic member's five years, simulated from that member's own seeded random stream and
 * written straight into CSV text. Pure: no I/O, no shared mutable state beyond the output
 * buffers and the institution case-mix tallies, so members are independent and generation is
 * streamable and deterministic. Rows are built by string concatenation in contract column order
 * (no per-row objects, no zod) because this is the hot path: tens of millions of rows.
 *
 * The causal story (what the models downstream should rediscover):
 * - chronic prevalence at the window start from age, BMI, family history, sex (DOMAIN.md
 *   baselines: hypertension ~27%, diabetes ~11% of adults);
 * - onset of hypertension, diabetes and CHD as constant hazards from age, BMI, family history,
 *   smoking, usual SBP and fasting glucose, so the true 3-year probability is exact;
 * - case mix that shows in the record (generator 1.3): a latent severity, centred on the home
 *   institution's case-mix shift, lengthens the years since diagnosis of hypertension and
 *   diabetes and raises the odds of every complication (diagnosed after the disease it
 *   complicates), of insulin, and the level of the readings; so institutions sent sicker
 *   patients have visibly more complications, longer-standing disease and higher readings;
 * - control at each reading on the log-odds scale: the institution's true quality effect (in
 *   every year), the patient's adherence, the complications on the problem list and the years of
 *   disease, a small unrecorded part of severity, a lasting own term and a year-to-year drift;
 *   readings in the first weeks after diagnosis are those of untreated disease. Last year's
 *   reading thus carries the institution's quality (it acts every year) and the patient's
 *   severity (in its level), as a real prior-year value does;
 * - admissions year by year from age, chronic conditions and complications (no latent term, no
 *   institution or calendar effect); 30-day readmission from age, comorbidity count, prior
 *   admissions, length of stay, discharge disposition and control status, plus a small latent
 *   frailty term;
 * - risk factors observable as primary care records them: a health record (lifestyle row) in the
 *   window's first year or at enrolment, and a yearly health check (BP, BMI, fasting glucose)
 *   drawn around the member's usual values.
 */
import { ENTITY_NAMES, LOINC, type EntityName } from '../../data-contracts/v1/index.ts';
import { hashString, Rng } from '../lib/random.ts';
import { dayOf, isoDate, isoDateTime, isoMonth, monthIndexOf, nextQuarterStart, quarterStartOf, TIME_SLOTS, yearOf } from './calendar.ts';
import { contractColumns } from './csv.ts';
import type { InstitutionPlan } from './institutions.ts';
import { ACUTE_DX, AGE_BANDS, ANTIHYPERTENSIVES, ATC, DX, PROCEDURE, REGIONS, VISIT } from './reference.ts';
import { FILE_INDEX as F, type DefectClass, type RowBuffers } from './rows.ts';

/** Settings shared by every member of one run. */
export interface SimulationSettings {
  seed: number;
  /** Share of rows given an injected defect (0 = clean). */
  defectRate: number;
  startDay: number;
  endDay: number;
  /** Index date of the onset outcomes: the start of the window's second year. */
  onsetIndexDay: number;
  /** End (exclusive) of the 3-year onset horizon. */
  onsetHorizonEndDay: number;
  institutions: InstitutionPlan[];
  /** Institution indices per region. */
  regionInstitutions: number[][];
  /** Share of HbA1c results reported (correctly) in mmol/mol. */
  hba1cMmolShare: number;
  /** First calendar year of the window. */
  firstYear: number;
  /** Day number of 1 January of each window year, and of the year after the window. */
  yearStarts: number[];
  /** `YYYY-MM` of each month of the window (index 0 = the start month). */
  monthLabels: string[];
}

/** Running case-mix tallies per institution, for the ground truth. */
export interface CaseMixTally {
  members: number;
  ageSum: number;
  chronic: number;
  severitySum: number;
  rural: number;
}

/** Build the run-wide settings for a window of calendar years. */
export function simulationSettings(seed: number, defectRate: number, startYear: number, endYear: number, institutions: InstitutionPlan[]): SimulationSettings {
  const regionInstitutions: number[][] = REGIONS.map(() => []);
  for (const inst of institutions) regionInstitutions[inst.regionIndex]!.push(inst.index);
  return {
    seed,
    defectRate,
    startDay: dayOf(startYear, 1, 1),
    endDay: dayOf(endYear, 12, 31),
    onsetIndexDay: dayOf(startYear + 1, 1, 1),
    onsetHorizonEndDay: dayOf(startYear + 4, 1, 1),
    institutions,
    regionInstitutions,
    hba1cMmolShare: 0.04,
    firstYear: startYear,
    yearStarts: Array.from({ length: endYear - startYear + 2 }, (_, i) => dayOf(startYear + i, 1, 1)),
    monthLabels: Array.from({ length: (endYear - startYear + 1) * 12 }, (_, i) => isoMonth(monthIndexOf(dayOf(startYear, 1, 1)) + i)),
  };
}

/** The member's own random stream: derived from the seed and member number alone. */
export function memberRng(seed: number, memberNumber: number, stream = 'member'): Rng {
  return new Rng((hashString(`${stream}:${seed}:${memberNumber}`) ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);
const r1 = (x: number) => Math.round(x * 10) / 10;
/** A whole number of fen as yuan with two decimals (non-negative amounts only). */
const fenText = (fen: number) => {
  const yuan = Math.floor(fen / 100);
  const cents = fen - yuan * 100;
  return yuan + (cents < 10 ? '.0' : '.') + cents;
};
/** Yuan rounded half-up to the fen, as text (DOMAIN.md "Money and rounding"). */
const money = (x: number) => fenText(Math.round(x * 100));
const DAYS_PER_YEAR = 365.25;
/** Decades of disease the severity and control terms are centred on (`diseaseDecades`). */
const TYPICAL_DISEASE_DECADES = 0.8;
/** Months of background need one background episode bundles (see `backgroundClaims`). */
const BACKGROUND_EPISODE_MONTHS = 3;

// Condition slots.
const HTN = 0, DM = 1, CHD = 2, STROKE = 3, HF = 4, CKD = 5, COPD = 6, RETINO = 7, NEURO = 8, PAD = 9;
const CONDITION_CODES = [DX.hypertension, DX.diabetes, DX.chd, DX.stroke, DX.heartFailure, DX.ckd3, DX.copd, DX.diabetesRetinopathy, DX.diabetesNeuropathy, DX.pad];
const CHRONIC_SLOTS = [HTN, DM, CHD, STROKE, HF, CKD, COPD];
const COMPLICATION_SLOTS = [RETINO, NEURO, PAD, CKD];
/** Target-organ damage that makes BP and glucose harder to control (`htnControlOn`, `dmControlOn`). */
const ORGAN_DAMAGE_SLOTS = [RETINO, NEURO, PAD, CKD, CHD, STROKE, HF];
const NEVER = Number.POSITIVE_INFINITY;
/**
 * Case mix (generator 1.3): how a patient's latent severity shows in the record, and what it does
 * to control. Severity lengthens the years since diagnosis (shape of the duration draw: years =
 * cap x u^(DURATION_SHAPE x exp(-DURATION_SEVERITY x severity))), raises the odds of every
 * complication and of insulin, and raises the readings; control falls with each complication on
 * the problem list and with the years of disease, and a smaller part of severity acts beyond
 * them. So an institution sent sicker patients has visibly more complications, longer-standing
 * disease and higher readings, its raw control rate understates its care, and a case-mix model
 * of recorded history (age, sex, duration, comorbidities, prior-year value, scheme) can find the
 * difference. Under generator 1.2 severity barely reached the record (complications at +0.3-0.5
 * log-odds per SD, duration independent of it) and the adjustment had almost nothing to find.
 */
const MAX_DISEASE_YEARS = 20;
const DURATION_SHAPE = 1.6;
const DURATION_SEVERITY = 0.6;
/** Log-odds of control lost per complication (target-organ damage) on the problem list. */
const CONTROL_PER_COMPLICATION = 0.45;
/** Log-odds of control lost per decade of disease (HbA1c far more than BP: beta-cell decline). */
const HTN_CONTROL_PER_DECADE = 0.3;
const DM_CONTROL_PER_DECADE = 0.5;
/**
 * Log-odds of control lost per SD of severity beyond complications and duration. Hypertension's
 * shows in the level of the readings themselves (its grade: `bpValues`), so last year's BP
 * measures it; diabetes' shows mostly in complications and years of disease.
 */
const HTN_CONTROL_SEVERITY = 0.3;
const DM_CONTROL_SEVERITY = 0.2;
/** Intercepts of the lasting control propensities (calibrated to DOMAIN.md's control baselines). */
const HTN_CONTROL_BASE = -0.62;
const DM_CONTROL_BASE = 0;
/** SD of a patient's lasting own control propensity beyond adherence and severity. */
const CONTROL_PATIENT_SD = 0.45;
/**
 * Year-to-year drift of a patient's control (stationary SD, lag-one correlation): adherence, diet
 * and life events change, so last year's reading predicts this year's only in part.
 */
const CONTROL_YEAR_SD = 0.5;
const CONTROL_YEAR_RHO = 0.5;
const CONTROL_YEAR_INNOVATION = Math.sqrt(1 - CONTROL_YEAR_RHO ** 2);
/** Days after diagnosis during which readings are still those of untreated disease. */
const UNTREATED_DAYS = 60;
/** Share of members given a health record (a lifestyle row) in the window's first year or at enrolment. */
const HEALTH_RECORD_SHARE = 0.95;
/** Added to a year's health-check attendance in the window's first year (the health-record year). */
const HEALTH_RECORD_YEAR_BOOST = 0.72;
const HEALTH_CHECK_MAX_ATTENDANCE = 0.95;

// Claim categories in ClaimCategory order.
const C_INPATIENT = 0, C_OUTPATIENT = 1, C_ED = 2, C_PHARMACY = 3, C_PRIMARY = 4, C_OTHER = 5;
const CLAIM_CATEGORIES = ['inpatient', 'outpatient', 'ed', 'pharmacy', 'primary-care', 'other'];

/** Daily cost (CNY) of each drug, for pharmacy claims. */
const DAILY_COST: Record<string, number> = {
  [ATC.losartan]: 2.5, [ATC.enalapril]: 0.8, [ATC.amlodipine]: 1.5, [ATC.hydrochlorothiazide]: 0.3, [ATC.metoprolol]: 1.0,
  [ATC.metformin]: 1.2, [ATC.glimepiride]: 1.5, [ATC.insulinGlargine]: 8, [ATC.atorvastatin]: 2, [ATC.aspirin]: 0.3, [ATC.amoxicillin]: 3,
};

/**
 * Inpatient stays: log-normal length of stay, cost ~ days^0.85 with log-normal noise. The spreads
 * are kept moderate so that 1,000 members' mean yearly cost is stable to a few percent (Stratum
 * issue 5: per-institution predicted / actual within 0.95-1.05).
 */
const LOS_LOG_MEAN = 1.75;
const LOS_PER_CHRONIC = 0.1;
const LOS_LOG_SD = 0.35;
const STAY_COST_PER_DAY = 400;
/**
 * Log of the yearly admission rate of a 55-year-old without chronic disease. Admissions are
 * frequent and stays cheap (China's county-hospital pattern: a high admission rate, short
 * inexpensive stays), which keeps inpatient cost from dominating the spread of yearly cost.
 */
const ADMISSION_LOG_RATE = -2.9;
const STAY_COST_LOS_POWER = 0.85;
const STAY_COST_SD = 0.25;
/**
 * Log-odds of 30-day readmission per SD of frailty: small, because frailty is latent and the
 * readmission truth should be driven by the recorded factors issue 3 names.
 */
const READMISSION_FRAILTY = 0.08;

const DISPOSITIONS = ['home', 'home-health', 'skilled-nursing', 'rehab', 'transfer-acute', 'left-against-advice', 'other'] as const;
const DISPOSITION_WEIGHTS = [0.8, 0.05, 0.04, 0.03, 0.02, 0.03, 0.03];
/** Log-odds added to readmission risk by where the patient went. */
const DISPOSITION_READMIT: Record<string, number> = { home: 0, 'home-health': 0.3, 'skilled-nursing': 0.5, rehab: 0.2, 'transfer-acute': 0.2, 'left-against-advice': 0.8, other: 0.1 };

const ageBandWeights = (rurality: number) => AGE_BANDS.map((b) => b.share * (b.lo >= 50 ? 1 + 0.25 * rurality : b.lo < 40 ? 1 - 0.2 * rurality : 1));
const AGE_WEIGHTS_BY_REGION = REGIONS.map((r) => ageBandWeights(r.rurality));
const REGION_WEIGHTS = REGIONS.map((r) => r.weight);

/**
 * The column order the row builders below write, per file. Checked against the contracts when a
 * run starts (`assertColumnsMatchContracts`), so a contract change fails loudly instead of
 * shifting values into the wrong columns.
 */
export const SIMULATION_COLUMNS: Record<EntityName, string> = {
  institution: 'institution_id,name,level,region',
  practitioner: 'practitioner_id,institution_id,department',
  member: 'member_id,birth_date,sex,region,insurance_scheme,enrolled_from,enrolled_to,deceased_date',
  signup: 'signup_id,member_id,practitioner_id,institution_id,from_date,to_date',
  encounter: 'encounter_id,member_id,class,type_system,type_code,status,start_time,end_time,institution_id,facility_level,practitioner_id,primary_dx_system,primary_dx_code,discharge_disposition,planned',
  condition: 'condition_id,member_id,code_system,code,onset_date,abatement_date,verification_status,clinical_status,source,encounter_id,recorded_date',
  observation: 'observation_id,member_id,code_system,code,value,unit,value_code_system,value_code,effective_time,effective_start,status,setting,encounter_id,panel_id',
  procedure: 'procedure_id,member_id,code_system,code,performed_start,performed_end,status,encounter_id',
  service_request: 'request_id,member_id,code_system,code,authored_time,status,intent,kind',
  medication: 'medication_id,member_id,code_system,code,start_date,days_supplied,prescriber_id,status',
  claim_cost: 'claim_id,member_id,month,category,institution_id,amount',
  lifestyle: 'lifestyle_id,member_id,recorded_date,smoking,family_history_hypertension,family_history_diabetes,family_history_chd,physical_activity',
};

/** Thrown when the data contracts' columns differ from what the simulation writes. */
export class ContractDriftError extends Error {
  readonly code = 'CONTRACT_DRIFT';
  constructor(message: string) {
    super(message);
    this.name = 'ContractDriftError';
  }
}

/** Refuse to run when any contract's columns differ from the simulation's row builders. */
export function assertColumnsMatchContracts(): void {
  for (const entity of ENTITY_NAMES) {
    const contract = contractColumns(entity).join(',');
    if (contract !== SIMULATION_COLUMNS[entity])
      throw new ContractDriftError(`the ${entity} contract has columns ${contract} but the generator writes ${SIMULATION_COLUMNS[entity]}; update src/generator/member-simulation.ts`);
  }
}

/** Simulate member number `n` (1-based) and append every row it produces to `out`. */
export function simulateMember(s: SimulationSettings, n: number, out: RowBuffers, tallies: CaseMixTally[]): void {
  new MemberSimulation(s, n, out).run(tallies);
}

/** Clinic visits remembered per member for drawing labs (`labDay`; bits of one 32-bit mask). */
const MAX_LAB_VISITS = 30;

/** Per-thread accumulators (members are simulated one at a time): claims, control drift, visits. */
let scratch = {
  amounts: new Float64Array(0),
  institutions: new Int16Array(0),
  controlYear: new Float64Array(0),
  visitDays: new Int32Array(MAX_LAB_VISITS),
  visitInstitutions: new Int32Array(MAX_LAB_VISITS),
};

class MemberSimulation {
  private readonly rng: Rng;
  private readonly drng: Rng | null;
  private readonly id: string;
  private seq = 0;
  // demographics
  private birthDay = 0;
  private age = 0;
  private male = false;
  private rurality = 0;
  private home!: InstitutionPlan;
  private hospital!: InstitutionPlan;
  private activeStart = 0;
  private activeEnd = 0;
  private deathDay = NEVER;
  // risk factors
  private bmi = 0;
  private smoking: 'never' | 'former' | 'current' = 'never';
  private fhHtn = false;
  private fhDm = false;
  private fhChd = false;
  private usualSbp = 0;
  private usualDbp = 0;
  private usualFpg = 0;
  private severity = 0;
  /**
   * The member's own deviation from the institution's case-mix severity: the small latent term of
   * the readmission truth. Cost pathways use no latent severity at all: the institution's case-mix
   * shift must reach cost only through what is recorded (complications on the problem list), or
   * risk adjustment by age, sex and diagnoses could not price an institution (Stratum issue 5).
   */
  private frailty = 0;
  private adherence = 0;
  /** Lasting part of the log-odds of a controlled BP reading (see `htnControlOn`). */
  private htnControl = 0;
  /** Lasting part of the log-odds of a controlled HbA1c (see `dmControlOn`). */
  private dmControl = 0;
  /** The patient's drift of control, per window year (see `conditions`; per-thread scratch). */
  private controlYear!: Float64Array;
  private readonly onset: number[] = new Array<number>(10).fill(NEVER);
  private signedInstitution: InstitutionPlan | null = null;
  private signedPractitioner = '';
  private signupDay = NEVER;
  private hasHealthRecord = false;
  /** Clinic visits recorded in `scratch.visitDays` so far, and the lab visits used this year. */
  private visitCount = 0;
  private labUsed = 0;
  // claims accumulation: month x category
  private monthBase = 0;
  private claimAmounts!: Float64Array;
  private claimInstitution!: Int16Array;
  private expectedByYear!: Float64Array;

  constructor(
    private readonly s: SimulationSettings,
    private readonly n: number,
    private readonly out: RowBuffers,
  ) {
    this.rng = memberRng(s.seed, n);
    this.drng = s.defectRate > 0 ? memberRng(s.seed, n, 'defect') : null;
    this.id = `M${n}`;
  }

  run(tallies: CaseMixTally[]): void {
    this.demographics();
    this.riskFactors();
    this.conditions();
    this.enrolmentAndDeath();
    const months = monthIndexOf(this.s.endDay) - monthIndexOf(this.s.startDay) + 1;
    this.monthBase = monthIndexOf(this.s.startDay);
    // Scratch arrays are reused member after member: allocating them per member costs more than
    // clearing them.
    if (scratch.amounts.length !== months * 6) scratch = { ...scratch, amounts: new Float64Array(months * 6), institutions: new Int16Array(months * 6) };
    scratch.amounts.fill(0);
    scratch.institutions.fill(0);
    this.claimAmounts = scratch.amounts;
    this.claimInstitution = scratch.institutions;
    this.expectedByYear = new Float64Array(this.s.yearStarts.length - 1);
    this.writeMember();
    if (this.activeStart <= this.activeEnd) {
      this.signup();
      this.problemList();
      this.onsetOutcomes();
      this.screeningAndAcute();
      this.chronicCare();
      this.hospitalCare();
      this.backgroundClaims();
      this.writeClaims();
    }
    const t = tallies[this.home.index]!;
    t.members++;
    t.ageSum += this.age;
    t.rural += this.rurality;
    if (this.isChronicBy(this.s.endDay)) {
      t.chronic++;
      t.severitySum += this.severity;
    }
  }

  // ---------------------------------------------------------------- member
  private demographics(): void {
    const r = this.rng;
    const regionIndex = REGIONS.indexOf(r.weighted(REGIONS, REGION_WEIGHTS));
    this.rurality = REGIONS[regionIndex]!.rurality;
    const band = r.weighted(AGE_BANDS, AGE_WEIGHTS_BY_REGION[regionIndex]!);
    this.age = band.lo + r.next() * (band.lo === 18 ? 2 : band.lo >= 90 ? 8 : 5);
    this.birthDay = this.s.startDay - Math.floor(this.age * DAYS_PER_YEAR) - 1;
    this.male = r.bernoulli(0.515 - 0.004 * Math.max(0, this.age - 60));
    const insts = this.s.regionInstitutions[regionIndex]!;
    this.hospital = this.s.institutions[insts[0]!]!;
    // Most people's usual source of care is a primary institution; some use the county hospital.
    const homeIndex = r.bernoulli(0.15) ? insts[0]! : insts[1 + r.int(0, insts.length - 2)]!;
    this.home = this.s.institutions[homeIndex]!;
  }

  private riskFactors(): void {
    const r = this.rng;
    this.bmi = clamp(r.normal(23.4 + 0.03 * (this.age - 45) - 0.4 * this.rurality, 3.4), 15, 45);
    const u = r.next();
    this.smoking = this.male ? (u < 0.46 ? 'current' : u < 0.58 ? 'former' : 'never') : u < 0.025 ? 'current' : u < 0.035 ? 'former' : 'never';
    this.fhHtn = r.bernoulli(0.3);
    this.fhDm = r.bernoulli(0.14);
    this.fhChd = r.bernoulli(0.11);
    this.usualSbp = clamp(r.normal(114 + 0.3 * (this.age - 40) + 0.9 * (this.bmi - 23.4) + (this.male ? 3 : 0), 8), 95, 139);
    this.usualDbp = clamp(0.5 * this.usualSbp + r.normal(14, 5), 55, 89);
    this.usualFpg = clamp(r.normal(5.0 + 0.008 * (this.age - 40) + 0.07 * (this.bmi - 23.4), 0.45), 3.9, 6.9);
    // severity: standard normal around the institution's case mix; adherence skewed high.
    this.severity = r.normal(this.home.severityShift, 1);
    this.frailty = this.severity - this.home.severityShift;
    this.adherence = Math.pow(r.next(), 0.7);
  }

  private conditions(): void {
    const r = this.rng;
    const a = this.age - 55;
    const smoke = this.smoking === 'current' ? 1 : 0;
    const sev = this.severity;
    const htn = r.bernoulli(sigmoid(-1.2 + 0.07 * a + 0.1 * (this.bmi - 23.4) + 0.5 * (this.fhHtn ? 1 : 0) + (this.male ? 0.15 : 0)));
    if (htn) this.onset[HTN] = this.diseaseOnset();
    const dm = r.bernoulli(sigmoid(-2.6 + 0.045 * a + 0.11 * (this.bmi - 23.4) + 0.7 * (this.fhDm ? 1 : 0) + 0.5 * (htn ? 1 : 0)));
    if (dm) this.onset[DM] = this.diseaseOnset();
    const h = htn ? 1 : 0, d = dm ? 1 : 0;
    // Decades of disease beyond the typical 8 years, for the complications below.
    const hDecades = htn ? this.diseaseDecades(HTN, this.s.startDay) : 0;
    const dDecades = dm ? this.diseaseDecades(DM, this.s.startDay) : 0;
    // Complications and cardiovascular disease: the recorded face of severity (target-organ
    // damage), more likely the more severe the patient and the longer the disease has run.
    if (r.bernoulli(sigmoid(-4.5 + 0.07 * a + 0.9 * h + 0.7 * d + 0.5 * smoke + 0.5 * (this.fhChd ? 1 : 0) + 0.7 * sev))) this.onset[CHD] = this.prevalentOnset();
    if (r.bernoulli(sigmoid(-4.95 + 0.07 * a + 1.0 * h + 0.5 * d + 0.7 * sev))) this.onset[STROKE] = this.prevalentOnset();
    const chd = this.onset[CHD]! < NEVER ? 1 : 0;
    if (r.bernoulli(sigmoid(-5.95 + 0.08 * a + 0.8 * h + 1.2 * chd + 0.7 * sev))) this.onset[HF] = this.prevalentOnset();
    if (r.bernoulli(sigmoid(-5.5 + 0.06 * a + 0.8 * h + 1.2 * d + 1.0 * sev + 0.5 * (hDecades + dDecades))))
      this.onset[CKD] = htn || dm ? this.complicationOnset(Math.min(this.onset[HTN]!, this.onset[DM]!)) : this.prevalentOnset();
    if (r.bernoulli(sigmoid(-4.4 + 0.06 * a + 1.3 * smoke))) this.onset[COPD] = this.prevalentOnset();
    if (dm && r.bernoulli(sigmoid(-2.05 + 1.05 * sev + 0.02 * a + 1.0 * dDecades))) this.onset[RETINO] = this.complicationOnset(this.onset[DM]!);
    if (dm && r.bernoulli(sigmoid(-2.25 + 1.05 * sev + 0.02 * a + 0.8 * dDecades))) this.onset[NEURO] = this.complicationOnset(this.onset[DM]!);
    if (r.bernoulli(sigmoid(-4.85 + 0.05 * a + 0.8 * d + 0.6 * smoke + 0.65 * sev))) this.onset[PAD] = dm ? this.complicationOnset(this.onset[DM]!) : this.prevalentOnset();
    // Incident hypertension, diabetes, CHD: constant hazards from the window start.
    const window = (this.s.endDay - this.s.startDay) / DAYS_PER_YEAR;
    for (const slot of [HTN, DM, CHD]) {
      if (this.onset[slot]! < NEVER) continue;
      const rate = this.onsetHazard(slot);
      const t = -Math.log(1 - r.next()) / rate;
      if (t < window) this.onset[slot] = this.s.startDay + Math.floor(t * DAYS_PER_YEAR);
    }
    // Control propensities (log-odds of a controlled reading), their lasting part: the patient's
    // adherence and unrecorded severity, and the institution's true quality. What the record
    // shows (complications, years of disease) and the patient's year are added per reading
    // (`htnControlOn`, `dmControlOn`).
    const q = this.home.qualityEffect;
    this.htnControl = HTN_CONTROL_BASE + q + 1.3 * (this.adherence - 0.6) - HTN_CONTROL_SEVERITY * sev + r.normal(0, CONTROL_PATIENT_SD);
    this.dmControl = DM_CONTROL_BASE + q + 1.3 * (this.adherence - 0.6) - DM_CONTROL_SEVERITY * sev + r.normal(0, CONTROL_PATIENT_SD);
    // The patient's year: adherence, diet, life events drift from year to year (AR(1) around 0).
    // Drawn only for those with a disease to control (nothing else reads it).
    const years = this.s.yearStarts.length - 1;
    if (scratch.controlYear.length !== years) scratch.controlYear = new Float64Array(years);
    this.controlYear = scratch.controlYear;
    if (this.onset[HTN]! > this.s.endDay && this.onset[DM]! > this.s.endDay) return;
    let drift = r.normal(0, CONTROL_YEAR_SD);
    for (let y = 0; y < years; y++) {
      if (y > 0) drift = CONTROL_YEAR_RHO * drift + CONTROL_YEAR_INNOVATION * r.normal(0, CONTROL_YEAR_SD);
      this.controlYear[y] = drift;
    }
  }

  /** Onset of a condition present at the window start: up to 10 years before it (not before adulthood). */
  private prevalentOnset(): number {
    return this.s.startDay - 30 - Math.floor(this.rng.next() * Math.min(3650, Math.max(60, (this.age - 18) * DAYS_PER_YEAR)));
  }

  /**
   * Onset of hypertension or diabetes present at the window start. Disease of long standing has
   * progressed further: the years since diagnosis are drawn longer for a more severe patient (up
   * to 20 years, not before adulthood), so severity shows in the recorded onset date. At the
   * average severity the median is ~6.5 years (mean ~7.7), as in Chinese primary-care registers.
   */
  private diseaseOnset(): number {
    const cap = Math.min(MAX_DISEASE_YEARS, Math.max(0.2, this.age - 18));
    const years = cap * Math.pow(this.rng.next(), DURATION_SHAPE * Math.exp(-DURATION_SEVERITY * this.severity));
    return this.s.startDay - 30 - Math.floor(years * DAYS_PER_YEAR);
  }

  /** Onset of a complication present at the window start: after the disease it complicates (onset `parent`). */
  private complicationOnset(parent: number): number {
    return parent + Math.floor(this.rng.next() * Math.max(0, this.s.startDay - 30 - parent));
  }

  /** Complications (target-organ damage) on the problem list by `day`, as they bear on control. */
  private organDamageOn(day: number): number {
    return this.onsetCount(ORGAN_DAMAGE_SLOTS, day);
  }

  /** How many of `slots` have begun by `day`. */
  private onsetCount(slots: readonly number[], day: number): number {
    let count = 0;
    for (const slot of slots) if (this.onset[slot]! <= day) count++;
    return count;
  }

  /**
   * Decades the condition in `slot` has lasted by `day`, less the TYPICAL_DISEASE_DECADES the
   * severity and control terms are centred on (so a typical duration moves nothing).
   */
  private diseaseDecades(slot: number, day: number): number {
    return (day - this.onset[slot]!) / DAYS_PER_YEAR / 10 - TYPICAL_DISEASE_DECADES;
  }

  /** Index of `day`'s calendar year in the window (clamped to it). */
  private windowYear(day: number): number {
    const y = yearOf(day) - this.s.firstYear;
    return y < 0 ? 0 : y >= this.controlYear.length ? this.controlYear.length - 1 : y;
  }

  /**
   * Log-odds that a hypertensive's BP reading on `day` is controlled: the lasting propensity, the
   * year's drift, and what the record shows: target-organ damage (CKD above all makes
   * hypertension resistant) and the years since diagnosis.
   */
  private htnControlOn(day: number): number {
    return this.controlOn(HTN, this.htnControl, HTN_CONTROL_PER_DECADE, day);
  }

  /** As `htnControlOn` for HbA1c: diabetes gets harder to control as beta-cell function declines. */
  private dmControlOn(day: number): number {
    return this.controlOn(DM, this.dmControl, DM_CONTROL_PER_DECADE, day);
  }

  private controlOn(slot: number, lasting: number, perDecade: number, day: number): number {
    return lasting + this.controlYear[this.windowYear(day)]! - CONTROL_PER_COMPLICATION * this.organDamageOn(day) - perDecade * this.diseaseDecades(slot, day);
  }

  /**
   * Yearly onset hazard, from the risk factors DOMAIN.md names for onset prediction (age, BMI,
   * family history, smoking, SBP, fasting glucose) as of the window start.
   */
  private onsetHazard(slot: number): number {
    const smoke = this.smoking === 'current' ? 1 : 0;
    if (slot === HTN)
      return Math.exp(-4.55 + 0.035 * (this.age - 45) + 0.07 * (this.bmi - 23.4) + 0.45 * (this.fhHtn ? 1 : 0) + 0.15 * smoke + 0.05 * (this.usualSbp - 120));
    if (slot === DM)
      return Math.exp(-5.65 + 0.03 * (this.age - 45) + 0.1 * (this.bmi - 23.4) + 0.6 * (this.fhDm ? 1 : 0) + 1.3 * (this.usualFpg - 5.2));
    const htn = this.onset[HTN]! < this.s.startDay ? 1 : 0;
    const dm = this.onset[DM]! < this.s.startDay ? 1 : 0;
    return Math.exp(-6.5 + 0.06 * (this.age - 55) + 0.6 * htn + 0.5 * dm + 0.5 * smoke + 0.4 * (this.fhChd ? 1 : 0) + 0.02 * (this.usualSbp - 120));
  }

  private enrolmentAndDeath(): void {
    const r = this.rng;
    const adultDay = this.birthDay + Math.ceil(18 * DAYS_PER_YEAR);
    const span = this.s.endDay - this.s.startDay;
    let enrolFrom: number;
    if (r.bernoulli(0.9)) enrolFrom = Math.max(adultDay, this.s.startDay - r.int(1, 15 * 365));
    else enrolFrom = this.s.startDay + r.int(0, span - 30);
    let enrolTo = r.bernoulli(0.07) ? Math.max(enrolFrom, this.s.startDay) + r.int(30, span) : NEVER;
    if (enrolTo > this.s.endDay) enrolTo = NEVER;
    // Death: yearly Gompertz hazard, raised by chronic disease.
    let chronic = 0;
    for (const slot of CHRONIC_SLOTS) if (this.onset[slot]! < this.s.startDay) chronic++;
    for (let y = yearOf(this.s.startDay); y <= yearOf(this.s.endDay); y++) {
      const age = this.age + (y - yearOf(this.s.startDay));
      const hazard = Math.exp(-10.3 + 0.087 * age + 0.25 * chronic);
      if (r.bernoulli(hazard)) {
        this.deathDay = dayOf(y, 1, 1) + r.int(0, 364);
        break;
      }
    }
    if (this.deathDay < enrolFrom || this.deathDay > this.s.endDay) this.deathDay = NEVER;
    if (this.deathDay < enrolTo) enrolTo = this.deathDay;
    this.activeStart = Math.max(enrolFrom, this.s.startDay);
    this.activeEnd = Math.min(enrolTo, this.s.endDay);
    this.enrolFrom = enrolFrom;
    this.enrolTo = enrolTo;
  }
  private enrolFrom = 0;
  private enrolTo = NEVER;

  private writeMember(): void {
    const region = REGIONS[this.home.regionIndex]!.name;
    const scheme = this.rng.bernoulli(clamp(0.58 - 0.5 * this.rurality - (this.age > 70 ? 0.1 : 0), 0.05, 0.9)) ? 'UEBMI' : 'URRBMI';
    this.put(F.member, this.id,
      this.id + ',' + isoDate(this.birthDay) + ',' + (this.male ? 'M' : 'F') + ',' + region + ',' + scheme + ',' + isoDate(this.enrolFrom) + ',' +
        (this.enrolTo < NEVER ? isoDate(this.enrolTo) : '') + ',' + (this.deathDay < NEVER ? isoDate(this.deathDay) : '') + '\n', false);
  }

  /** Complications on the problem list by `day` (DOMAIN.md: retinopathy, neuropathy, PAD, CKD). */
  private complicationsOn(day: number): number {
    return this.onsetCount(COMPLICATION_SLOTS, day);
  }

  /** Chronic conditions on the problem list by `day`. */
  private chronicCountOn(day: number): number {
    return this.onsetCount(CHRONIC_SLOTS, day);
  }

  private isChronicBy(day: number): boolean {
    for (const slot of CHRONIC_SLOTS) if (this.onset[slot]! <= day) return true;
    return false;
  }

  private chronicStart(): number {
    let first = NEVER;
    for (const slot of CHRONIC_SLOTS) if (this.onset[slot]! < first) first = this.onset[slot]!;
    return first;
  }

  // ---------------------------------------------------------------- sign-up and problem list
  private signup(): void {
    const r = this.rng;
    const chronicStart = this.chronicStart();
    const chronic = chronicStart <= this.activeEnd;
    if (!r.bernoulli(chronic ? 0.86 : this.age >= 65 ? 0.6 : 0.32)) return;
    let from: number;
    if (chronic && chronicStart > this.s.startDay) from = chronicStart + r.int(0, 120);
    else from = Math.max(this.enrolFrom, this.s.startDay - 3 * 365) + r.int(0, chronic ? 900 : 1400);
    from = Math.max(from, this.enrolFrom);
    if (from > this.activeEnd) return;
    const inst = this.home;
    const doctor = inst.practitioners[inst.familyDoctors[r.int(0, inst.familyDoctors.length - 1)]!]!;
    this.signedInstitution = inst;
    this.signedPractitioner = doctor.id;
    this.signupDay = from;
    const to = this.enrolTo < NEVER ? isoDate(this.enrolTo) : '';
    const id = `S${this.n}-1`;
    this.put(F.signup, id, id + ',' + this.id + ',' + doctor.id + ',' + inst.id + ',' + isoDate(from) + ',' + to + '\n');
  }

  private problemList(): void {
    for (let slot = 0; slot < CONDITION_CODES.length; slot++) {
      const onset = this.onset[slot]!;
      if (onset > this.activeEnd) continue;
      this.problem(CONDITION_CODES[slot]!, onset);
      if (slot === CKD && this.onset[DM]! <= this.activeEnd) this.problem(DX.diabetesNephropathy, onset);
    }
    if (this.onset[DM]! > this.activeEnd && this.usualFpg >= 6.1 && this.rng.bernoulli(0.35)) this.problem(DX.prediabetes, this.activeStart + this.rng.int(0, Math.max(0, this.activeEnd - this.activeStart)));
    if (this.onset[HTN]! > this.activeEnd && this.usualSbp >= 130 && this.rng.bernoulli(0.25)) this.problem(DX.elevatedBp, this.activeStart + this.rng.int(0, Math.max(0, this.activeEnd - this.activeStart)));
  }

  private problem(code: string, onset: number): void {
    const id = `C${this.n}-${++this.seq}`;
    const recorded = Math.max(onset, this.activeStart);
    this.put(F.condition, id, id + ',' + this.id + ',ICD-10-CN,' + code + ',' + isoDate(onset) + ',,confirmed,active,problem-list,,' + isoDate(recorded) + '\n');
  }

  private encounterDx(code: string, day: number, encounterId: string): void {
    const id = `C${this.n}-${++this.seq}`;
    this.put(F.condition, id, id + ',' + this.id + ',ICD-10-CN,' + code + ',' + isoDate(day) + ',,confirmed,active,encounter,' + encounterId + ',' + isoDate(day) + '\n');
  }

  private lifestyle(day: number): void {
    const r = this.rng;
    const id = `L${this.n}-${++this.seq}`;
    const activity = r.bernoulli(0.1) ? '' : this.age > 65 || this.bmi > 28 ? (r.bernoulli(0.5) ? 'low' : 'moderate') : r.pick(['low', 'moderate', 'moderate', 'high']);
    this.put(F.lifestyle, id, id + ',' + this.id + ',' + isoDate(day) + ',' + this.smoking + ',' + this.fhHtn + ',' + this.fhDm + ',' + this.fhChd + ',' + activity + '\n');
  }

  // ---------------------------------------------------------------- ground truth: onset
  private onsetOutcomes(): void {
    const index = this.s.onsetIndexDay;
    if (this.activeStart > index || this.activeEnd < index) return;
    const horizon = this.s.onsetHorizonEndDay - index;
    const censored = this.activeEnd < this.s.onsetHorizonEndDay - 1 ? 1 : 0;
    const names = ['onset-hypertension', 'onset-diabetes', 'onset-chd'];
    [HTN, DM, CHD].forEach((slot, k) => {
      if (this.onset[slot]! < index) return;
      const p = 1 - Math.exp(-this.onsetHazard(slot) * (horizon / DAYS_PER_YEAR));
      const realised = this.onset[slot]! < this.s.onsetHorizonEndDay && this.onset[slot]! <= this.activeEnd ? 1 : 0;
      this.out.add(F.outcomes, this.id + ',' + names[k] + ',,' + isoDate(index) + ',' + horizon + ',' + p.toFixed(5) + ',' + realised + ',' + censored + '\n');
    });
  }

  // ---------------------------------------------------------------- encounters and readings
  private encounter(cls: string, typeSystem: string, typeCode: string, day: number, endDay: number, inst: InstitutionPlan | null, practitioner: string, dx: string, disposition: string, planned = false): string {
    const id = `E${this.n}-${++this.seq}`;
    const slot = this.rng.int(0, TIME_SLOTS - 1);
    const start = isoDateTime(day, slot);
    const end = endDay === day ? isoDateTime(day, Math.min(TIME_SLOTS - 1, slot + 2)) : isoDateTime(endDay, this.rng.int(0, TIME_SLOTS - 1));
    const level = inst ? inst.level : 'tertiary';
    this.put(F.encounter, id,
      id + ',' + this.id + ',' + cls + ',' + typeSystem + ',' + typeCode + ',finished,' + start + ',' + end + ',' + (inst ? inst.id : '') + ',' + level + ',' + practitioner + ',' +
        (dx ? 'ICD-10-CN,' + dx : ',') + ',' + disposition + ',' + planned + '\n');
    return id;
  }

  private doctorAt(inst: InstitutionPlan): string {
    if (this.signedInstitution === inst && this.rng.bernoulli(0.8)) return this.signedPractitioner;
    return inst.practitioners[this.rng.int(0, inst.practitioners.length - 1)]!.id;
  }

  /** One observation row. `kind` selects which defect classes can apply. */
  private obs(code: string, value: number, unit: string, day: number, setting: string, encounterId: string, kind: 'hba1c' | 'bmi' | 'plain' = 'plain'): void {
    const id = `O${this.n}-${++this.seq}`;
    const time = isoDateTime(day, this.rng.int(0, TIME_SLOTS - 1));
    // Drawn before any defect decision so the clean population does not depend on the defect rate.
    const inMmol = kind === 'hba1c' && this.rng.next() < this.s.hba1cMmolShare;
    if (this.drng && this.drng.next() < this.s.defectRate) {
      const u = this.drng.next();
      if (kind === 'hba1c' && u < 0.4) {
        // mmol/mol value under a "%" label: 53 "%" is implausible and must be rejected.
        const mmol = Math.round((value - 2.152) / 0.09148);
        this.defect(F.observation, 'observation', id, 'hba1c-unit-mislabel');
        this.out.add(F.observation, id + ',' + this.id + ',LOINC,' + code + ',' + mmol + ',%,,,' + time + ',,final,' + setting + ',' + encounterId + ',\n');
        return;
      }
      if (kind === 'bmi' && u < 0.4) {
        this.defect(F.observation, 'observation', id, 'out-of-range');
        this.out.add(F.observation, id + ',' + this.id + ',LOINC,' + code + ',' + r1(2 + 4 * this.drng.next()) + ',' + unit + ',,,' + time + ',,final,' + setting + ',' + encounterId + ',\n');
        return;
      }
      this.genericDefect(F.observation, 'observation', id, id + ',' + this.id + ',LOINC,' + code + ',' + value + ',' + unit + ',,,' + time + ',,final,' + setting + ',' + encounterId + ',\n');
      return;
    }
    let v = value;
    let u = unit;
    if (inMmol) {
      v = Math.round((value - 2.152) / 0.09148);
      u = 'mmol/mol';
      this.out.hba1cMmolPerMolRows++;
    }
    this.out.add(F.observation, id + ',' + this.id + ',LOINC,' + code + ',' + v + ',' + u + ',,,' + time + ',,final,' + setting + ',' + encounterId + ',\n');
  }

  /** A blood pressure reading: systolic and diastolic rows sharing a panel id. */
  private bp(sbp: number, dbp: number, day: number, setting: string, encounterId: string): void {
    const sid = `O${this.n}-${++this.seq}`;
    const did = `O${this.n}-${++this.seq}`;
    const panel = `BP${this.n}-${this.seq}`;
    const time = isoDateTime(day, this.rng.int(0, TIME_SLOTS - 1));
    const tail = ',,,' + time + ',,final,' + setting + ',' + encounterId + ',' + panel + '\n';
    let sv = Math.round(sbp);
    let dv = Math.round(dbp);
    if (this.drng && this.drng.next() < this.s.defectRate) {
      const u = this.drng.next();
      if (u < 0.3) {
        [sv, dv] = [dv, sv];
        this.defect(F.observation, 'observation', sid, 'bp-swapped');
        this.defect(F.observation, 'observation', did, 'bp-swapped');
      } else if (u < 0.55) {
        sv = 310 + this.drng.int(0, 110);
        this.defect(F.observation, 'observation', sid, 'out-of-range');
      } else {
        this.genericDefect(F.observation, 'observation', sid, sid + ',' + this.id + ',LOINC,' + LOINC.systolic + ',' + sv + ',mm[Hg]' + tail);
        this.plainRow(F.observation, did + ',' + this.id + ',LOINC,' + LOINC.diastolic + ',' + dv + ',mm[Hg]' + tail);
        return;
      }
    }
    this.out.add(F.observation, sid + ',' + this.id + ',LOINC,' + LOINC.systolic + ',' + sv + ',mm[Hg]' + tail + did + ',' + this.id + ',LOINC,' + LOINC.diastolic + ',' + dv + ',mm[Hg]' + tail, 2);
  }

  /** A reading for this member on `day`: hypertensive control model after onset, usual BP before. */
  private bpValues(day: number): [number, number] {
    const r = this.rng;
    if (this.onset[HTN]! <= day) {
      // The diagnosis reading and those before treatment takes hold are high by definition.
      if (day - this.onset[HTN]! < UNTREATED_DAYS) return [clamp(r.normal(150 + 8 * this.severity, 10), 140, 220), clamp(r.normal(92, 8), 60, 125)];
      // Severity sets the level: a severe hypertensive sits higher, controlled or not.
      if (r.bernoulli(sigmoid(this.htnControlOn(day)))) return [clamp(r.normal(125 + 5 * this.severity, 7), 100, 139), clamp(r.normal(78, 6), 55, 89)];
      if (r.bernoulli(0.8)) return [clamp(r.normal(146 + 10 * this.severity, 10), 140, 220), clamp(r.normal(88, 8), 60, 125)];
      return [clamp(r.normal(134, 4), 115, 139), clamp(r.normal(93, 3), 90, 110)];
    }
    return [clamp(this.usualSbp + r.normal(0, 4), 90, 139), clamp(this.usualDbp + r.normal(0, 3), 50, 89)];
  }

  private hba1cValue(day: number): number {
    const r = this.rng;
    if (this.onset[DM]! <= day) {
      // HbA1c >= 6.5% is a diagnostic criterion: untreated at diagnosis, often above 7%.
      if (day - this.onset[DM]! < UNTREATED_DAYS) return r1(clamp(6.5 - Math.log(1 - r.next()) * 1.6, 6.5, 14.5));
      if (r.bernoulli(sigmoid(this.dmControlOn(day)))) return r1(clamp(r.normal(6.35 + 0.12 * this.severity, 0.35), 5.5, 6.9));
      return r1(clamp(7.0 - Math.log(1 - r.next()) * (0.95 + 0.35 * Math.max(0, this.severity + 1)), 7.0, 14.5));
    }
    return r1(clamp(4.3 + 0.25 * this.usualFpg + r.normal(0, 0.2), 4.0, 6.4));
  }

  private fpgValue(day: number): number {
    if (this.onset[DM]! <= day) return r1(clamp(this.rng.normal(8.2 + 0.6 * this.severity, 1.6), 5.5, 25));
    return r1(clamp(this.usualFpg + this.rng.normal(0, 0.2), 3.9, 6.9));
  }

  /**
   * Probability of attending the year's health check: highest for the 65+ (a free yearly check
   * under the basic public-health services), raised by a family-doctor sign-up and by chronic
   * disease, and for most adults in the window's first year, when health records are made.
   * Adults under 65 without chronic disease have no free yearly check at the primary institution:
   * the check-ups employers buy are done at hospital check-up centres and do not reach the
   * primary-care record, so few of theirs appear after the record year.
   */
  private checkAttendance(age: number, signed: boolean, chronic: boolean, firstYear: boolean): number {
    const base = age >= 65 ? 0.5 : chronic || firstYear ? (age >= 40 ? 0.25 : 0.12) : age >= 40 ? 0.15 : 0.06;
    const p = base + (signed ? 0.12 : 0) + (chronic ? 0.1 : 0) + (firstYear ? HEALTH_RECORD_YEAR_BOOST : 0);
    return Math.min(HEALTH_CHECK_MAX_ATTENDANCE, p);
  }

  // ---------------------------------------------------------------- non-chronic care
  private screeningAndAcute(): void {
    const r = this.rng;
    const y0 = yearOf(this.s.startDay);
    for (let y = y0; y <= yearOf(this.s.endDay); y++) {
      const from = Math.max(this.activeStart, this.s.yearStarts[y - y0]!);
      const to = Math.min(this.activeEnd, this.s.yearStarts[y - y0 + 1]! - 1);
      if (from > to) continue;
      const frac = (to - from + 1) / 365;
      const age = this.age + (y - y0);
      // Annual health check (健康体检 of the national basic public-health services; DOMAIN.md
      // healthy package: BP, glucose, lipids for 40+). Attendance is highest for the 65+ (a free
      // yearly check), signed-up members and chronic patients. The window's first year is the
      // year the health records are (re)established, with a check for most adults.
      // Chronic patients under care have theirs at a follow-up visit (`chronicCare`).
      const chronicNow = this.isChronicBy(from);
      let checkDay = NEVER;
      if (!chronicNow && r.bernoulli(this.checkAttendance(age, this.signupDay <= to, false, y === y0) * frac)) {
        checkDay = from + r.int(0, to - from);
        const code = age >= 65 ? VISIT.preventive65plus : age >= 40 ? VISIT.preventive40to64 : VISIT.preventive18to39;
        const enc = this.encounter('outpatient', 'CPT', code, checkDay, checkDay, this.home, this.doctorAt(this.home), 'Z00.0', '');
        // No claim: the check is a package service, paid on delivery and not settled against
        // claims (DOMAIN.md "Settlement of the budget").
        const [sbp, dbp] = this.bpValues(checkDay);
        this.bp(sbp, dbp, checkDay, 'clinic', enc);
        this.obs(LOINC.bmi, r1(this.bmi + r.normal(0, 0.3)), 'kg/m2', checkDay, 'clinic', enc, 'bmi');
        this.obs(LOINC.fastingGlucose, this.fpgValue(checkDay), 'mmol/L', checkDay, 'lab', enc);
        if (r.bernoulli(age >= 40 ? 0.15 : 0.06)) this.obs(LOINC.hba1c, this.hba1cValue(checkDay), '%', checkDay, 'lab', enc, 'hba1c');
        if (age >= 40 && r.bernoulli(0.3)) this.obs(LOINC.ldl, r1(clamp(r.normal(2.9, 0.7), 1, 6)), 'mmol/L', checkDay, 'lab', enc);
        if (y !== y0 && r.bernoulli(0.12)) this.lifestyle(checkDay);
      }
      // The health record (健康档案): a lifestyle row (smoking, family history, activity) made
      // in the window's first year, at that year's check when there was one, or at enrolment
      // for members who join later.
      if (y === y0 || (from === this.activeStart && this.activeStart > this.s.startDay)) {
        if (!this.hasHealthRecord && r.bernoulli(HEALTH_RECORD_SHARE)) {
          this.lifestyle(checkDay < NEVER ? checkDay : y === y0 ? from + r.int(0, to - from) : from);
          this.hasHealthRecord = true;
        }
      }
      // A member signing up with a family doctor without a health record has one made then.
      if (!this.hasHealthRecord && this.signupDay >= from && this.signupDay <= to && r.bernoulli(0.9)) {
        this.lifestyle(this.signupDay);
        this.hasHealthRecord = true;
      }
      // Acute primary-care visits.
      const acute = r.poisson((0.08 + 0.003 * Math.max(0, age - 30)) * frac);
      for (let k = 0; k < acute; k++) {
        const day = from + r.int(0, to - from);
        const atHospital = r.bernoulli(0.25);
        const inst = atHospital ? this.hospital : this.home;
        const dx = r.pick(ACUTE_DX);
        this.encounter('outpatient', 'CPT', VISIT.office, day, day, inst, this.doctorAt(inst), dx, '');
        this.addClaim(day, atHospital ? C_OUTPATIENT : C_PRIMARY, atHospital ? 220 : 80, inst);
        if (dx.startsWith('J') && r.bernoulli(0.4)) this.medication(ATC.amoxicillin, day, 7, inst, 'completed');
      }
    }
  }

  // ---------------------------------------------------------------- chronic management
  private chronicCare(): void {
    const r = this.rng;
    const start = Math.max(this.chronicStart(), this.activeStart);
    if (start > this.activeEnd) return;
    const htn = this.onset[HTN]! <= this.activeEnd;
    const dm = this.onset[DM]! <= this.activeEnd;
    // Regimen (ATC): antihypertensives by count, metformin first line, insulin for the severe.
    const bpDrugs = htn ? ANTIHYPERTENSIVES.slice(0, 1 + (r.bernoulli(0.45 + 0.15 * Math.min(2, this.complicationsOn(this.activeEnd))) ? 1 : 0) + (r.bernoulli(0.15) ? 1 : 0)) : [];
    if (bpDrugs.length && r.bernoulli(0.4)) r.shuffle(bpDrugs as string[]);
    const dmDrugs: string[] = [];
    if (dm) {
      if (r.bernoulli(0.85)) dmDrugs.push(ATC.metformin);
      if (r.bernoulli(0.25)) dmDrugs.push(ATC.glimepiride);
      // Insulin when the disease has progressed: complications, and years of beta-cell decline.
      const dmDecades = this.diseaseDecades(DM, this.activeEnd);
      if (r.bernoulli(sigmoid(-1.7 + 0.6 * this.complicationsOn(this.activeEnd) + 0.8 * dmDecades))) dmDrugs.push(ATC.insulinGlargine);
    }
    const other: string[] = [];
    if (dm || this.onset[CHD]! <= this.activeEnd || (htn && this.age > 55)) if (r.bernoulli(0.45)) other.push(ATC.atorvastatin);
    if (this.onset[CHD]! <= this.activeEnd && r.bernoulli(0.6)) other.push(ATC.aspirin);
    const homeBp = htn && r.bernoulli(0.1);
    const homeGlucose = dm && r.bernoulli(dmDrugs.includes(ATC.insulinGlargine) ? 0.5 : 0.1);
    const signed = this.signedInstitution !== null;
    const q = this.home.qualityEffect;

    // Quarterly follow-up (DOMAIN.md packages): face-to-face, phone, or home visit; some missed.
    // Calendar quarters, with a partly enrolled quarter given its share of a visit: every
    // calendar year then holds the same follow-up, so no year's cost is inflated by the way the
    // window's days fall (a rolling 91-day step gave the window's last days a whole quarter's
    // visit and drugs: +6% cost in its final year).
    // The diagnosis visit of a condition found (or a member enrolled) inside the window always
    // happens; members already under care at the window start simply continue.
    const diagnosisVisit = start > this.s.startDay;
    // Clinic visits (day, institution), in date order: where the year's labs are drawn (`labDay`).
    this.visitCount = 0;
    let lastVisitYear = 0;
    for (let quarter = quarterStartOf(start); quarter <= this.activeEnd; quarter = nextQuarterStart(quarter)) {
      const t = Math.max(quarter, start);
      const quarterEnd = nextQuarterStart(quarter) - 1;
      const qEnd = Math.min(quarterEnd, this.activeEnd);
      const covered = (qEnd - t + 1) / (quarterEnd - quarter + 1);
      const managed = signed && t >= this.signupDay - 30;
      const pVisit = covered * (managed ? 0.72 : 0.6) * (0.6 + 0.4 * this.adherence);
      const forced = diagnosisVisit && t === start;
      const day = forced ? start : t + r.int(0, qEnd - t);
      const primaryDx = htn && this.onset[HTN]! <= day ? DX.hypertension : dm && this.onset[DM]! <= day ? DX.diabetes : this.firstChronicCode(day);
      if (forced || r.bernoulli(pVisit)) {
        const homeVisit = this.age >= 75 && r.bernoulli(0.15);
        const inst = homeVisit || !r.bernoulli(0.12) ? this.home : this.hospital;
        const enc = this.encounter(homeVisit ? 'home' : 'outpatient', 'CPT', homeVisit ? VISIT.home : this.severity > 1 ? VISIT.officeComplex : VISIT.office, day, day, inst, this.doctorAt(inst), primaryDx, '');
        this.addClaim(day, inst.level === 'primary' ? C_PRIMARY : C_OUTPATIENT, homeVisit ? 120 : 90, inst);
        if (!homeVisit && this.visitCount < MAX_LAB_VISITS) {
          scratch.visitDays[this.visitCount] = day;
          scratch.visitInstitutions[this.visitCount++] = inst.index;
        }
        if (htn ? this.onset[HTN]! <= day : r.bernoulli(0.7)) {
          const [sbp, dbp] = this.bpValues(day);
          this.bp(sbp, dbp, day, homeVisit ? 'other' : 'clinic', enc);
        }
        // The year's health check, done at its first follow-up visit: BMI and fasting glucose
        // beside the visit's BP.
        const visitYear = yearOf(day);
        if (visitYear !== lastVisitYear) {
          lastVisitYear = visitYear;
          if (r.bernoulli(this.checkAttendance(this.age + (visitYear - this.s.firstYear), managed, true, visitYear === this.s.firstYear))) {
            this.obs(LOINC.bmi, r1(this.bmi + r.normal(0, 0.3)), 'kg/m2', day, 'clinic', enc, 'bmi');
            this.obs(LOINC.fastingGlucose, this.fpgValue(day), 'mmol/L', day, 'lab', enc);
          }
        }
        // A second diagnosis on a quarter of the visits: another of the member's conditions (the
        // visit's own diagnosis is on the encounter already; repeating it would add nothing).
        if (r.bernoulli(0.25)) {
          const second = this.otherConditionCode(day, primaryDx);
          if (second !== null) this.encounterDx(second, day, enc);
        }
        const fillP = 0.4 + 0.4 * this.adherence;
        for (const drug of bpDrugs) if (this.onset[HTN]! <= day && r.bernoulli(fillP)) this.medication(drug, day, r.bernoulli(0.8) ? 90 : 30, inst);
        for (const drug of dmDrugs) if (this.onset[DM]! <= day && r.bernoulli(fillP)) this.medication(drug, day, drug === ATC.insulinGlargine ? 30 * r.int(1, 3) : r.bernoulli(0.8) ? 90 : 60, inst);
        for (const drug of other) if (r.bernoulli(fillP * 0.6)) this.medication(drug, day, 90, inst);
      } else if (managed && r.bernoulli(0.45 * covered)) {
        // No claim: follow-up calls are management-package services (DOMAIN.md risk classes).
        this.encounter('phone', 'CPT', VISIT.phone, day, day, this.home, this.signedPractitioner, primaryDx, '');
      }
      // Home devices: BP uploads, capillary glucose in runs of consecutive days.
      if (homeBp && this.onset[HTN]! <= day) {
        const k = r.bernoulli(covered) ? r.int(0, 1) : 0;
        for (let j = 0; j < k; j++) {
          const d = t + r.int(0, qEnd - t);
          const [sbp, dbp] = this.bpValues(d);
          this.bp(sbp + r.normal(-3, 3), dbp, d, 'home-device', '');
        }
      }
      if (homeGlucose && this.onset[DM]! <= day && r.bernoulli(0.35 * covered)) {
        const first = t + r.int(0, Math.max(0, qEnd - t - 8));
        const controlled = r.bernoulli(sigmoid(this.dmControlOn(first)));
        const len = r.int(3, 5);
        for (let d = first; d < first + len && d <= this.activeEnd; d++) {
          const g = controlled ? r.normal(7.0, 1.1) : r.normal(10.8, 2.0);
          this.obs(LOINC.homeCapillaryGlucose, r1(clamp(g, 2.8, 30)), 'mmol/L', d, 'home-device', '');
        }
      }
    }

    // Yearly laboratory work and complication screening (blood drawn at a visit: `labDay`).
    const y0 = yearOf(this.s.startDay);
    for (let y = y0; y <= yearOf(this.s.endDay); y++) {
      const from = Math.max(start, this.s.yearStarts[y - y0]!);
      const to = Math.min(this.activeEnd, this.s.yearStarts[y - y0 + 1]! - 1);
      if (from > to) continue;
      const frac = (to - from + 1) / 365;
      if (frac < 0.15) continue;
      const span = to - from;
      const dmNow = this.onset[DM]! <= to;
      if (dmNow) {
        // HbA1c 1-4 times a year (DOMAIN.md), with missed tests; better institutions test more.
        const tests = Math.round(frac * r.weighted([0, 1, 2, 3, 4], [0.12 - 0.05 * q, 0.3, 0.33 + 0.05 * q, 0.16, 0.09]));
        this.labUsed = 0;
        for (let k = 0; k < tests; k++) {
          const d = this.labDay(Math.max(from, this.onset[DM]!), to, 40);
          if (r.bernoulli(0.5)) this.serviceRequest('LOINC', LOINC.hba1c, d - r.int(0, 3) < from ? d : d - r.int(0, 3));
          this.obs(LOINC.hba1c, this.hba1cValue(d), '%', d, 'lab', '', 'hba1c');
        }
        if (r.bernoulli(0.55)) this.obs(LOINC.urineAlbuminCreatinine, r1(Math.exp(r.normal(2.6 + 0.6 * this.severity + (this.onset[CKD]! <= to ? 1.5 : 0), 1))), 'mg/g', from + r.int(0, span), 'lab', '');
        // Complication screening: annual fundus and foot exams (DOMAIN.md P1/P2).
        if (r.bernoulli(sigmoid(0.15 + 0.9 * q + 0.6 * (this.adherence - 0.6)))) {
          const d = from + r.int(0, span);
          if (r.bernoulli(0.6)) this.serviceRequest('CPT', PROCEDURE.fundusPhoto, d);
          this.procedure(r.bernoulli(0.7) ? PROCEDURE.fundusPhoto : PROCEDURE.retinalExam, d);
          this.addClaim(d, C_OUTPATIENT, 150, this.hospital);
        }
        if (r.bernoulli(sigmoid(0.0 + 0.9 * q + 0.6 * (this.adherence - 0.6)))) this.procedure(PROCEDURE.footExam, from + r.int(0, span));
      }
      if (r.bernoulli(dmNow ? 0.45 : 0.25)) {
        this.labUsed = 0;
        const d = this.labDay(from, to, 80);
        this.obs(LOINC.ldl, r1(clamp(r.normal(2.9 - (other.includes(ATC.atorvastatin) ? 0.6 : 0), 0.8), 0.8, 7)), 'mmol/L', d, 'lab', '');
        this.obs(LOINC.egfr, Math.round(clamp(r.normal(this.onset[CKD]! <= d ? 45 : 100 - 0.6 * (this.age - 40), 12), 8, 140)), 'mL/min/1.73m2', d, 'lab', '');
      }
      if (dmNow && r.bernoulli(0.25)) {
        const d = from + r.int(0, span);
        this.obs(LOINC.fastingGlucose, this.fpgValue(d), 'mmol/L', d, 'lab', '');
      }
      if (r.bernoulli(0.1)) this.lifestyle(from + r.int(0, span));
      // Expected yearly management cost (visits + pharmacy) for the cost truth.
      const visits = 4 * (signed ? 0.72 : 0.6) * (0.6 + 0.4 * this.adherence);
      let daily = 0;
      for (const d of bpDrugs) daily += DAILY_COST[d]!;
      for (const d of dmDrugs) daily += DAILY_COST[d]!;
      for (const d of other) daily += DAILY_COST[d]! * 0.6;
      const fill = 0.4 + 0.4 * this.adherence;
      this.expectedByYear[y - y0]! += frac * (visits * 92 + visits * fill * daily * 80 + (dmNow ? 2 * 40 + 0.55 * 150 : 0) + (dmNow ? 0.45 : 0.25) * 80);
    }
  }

  /**
   * The day of a lab test due in [lo, hi], billed (`amount`). Blood is drawn at one of the
   * period's clinic visits when there was one (the family doctor orders the test, the medical
   * community's laboratory reports it) and billed with that visit; a patient seen at no visit
   * then has the test at the county hospital on a day of its own. `labUsed` keeps two tests of
   * one kind in a year off the same visit.
   */
  private labDay(lo: number, hi: number, amount: number): number {
    const days = scratch.visitDays;
    let first = -1;
    let count = 0;
    for (let k = 0; k < this.visitCount; k++) {
      if (days[k]! >= lo && days[k]! <= hi && (this.labUsed & (1 << k)) === 0) {
        if (first < 0) first = k;
        count++;
      }
    }
    if (count === 0) {
      const d = lo + this.rng.int(0, Math.max(0, hi - lo));
      this.addClaim(d, C_OUTPATIENT, amount, this.hospital);
      return d;
    }
    let pick = this.rng.int(0, count - 1);
    let k = first;
    for (; ; k++) if (days[k]! >= lo && days[k]! <= hi && (this.labUsed & (1 << k)) === 0 && pick-- === 0) break;
    this.labUsed |= 1 << k;
    const inst = this.s.institutions[scratch.visitInstitutions[k]!]!;
    this.addClaim(days[k]!, inst.level === 'primary' ? C_PRIMARY : C_OUTPATIENT, amount, inst);
    return days[k]!;
  }

  /**
   * A condition of the member's other than `primary` on the problem list by `day` (hypertension
   * and diabetes first, then the others in slot order); null when there is none.
   */
  private otherConditionCode(day: number, primary: string): string | null {
    for (let slot = 0; slot < CONDITION_CODES.length; slot++) if (this.onset[slot]! <= day && CONDITION_CODES[slot] !== primary) return CONDITION_CODES[slot]!;
    return null;
  }

  private firstChronicCode(day: number): string {
    for (const slot of CHRONIC_SLOTS) if (this.onset[slot]! <= day) return CONDITION_CODES[slot]!;
    return CONDITION_CODES[this.chronicSlotFirst()]!;
  }

  private chronicSlotFirst(): number {
    let best = HTN;
    for (const slot of CHRONIC_SLOTS) if (this.onset[slot]! < this.onset[best]!) best = slot;
    return best;
  }

  /**
   * A prescription dispensed at a visit. It is billed with that visit, at the dispensing
   * institution: primary institutions dispense essential medicines themselves (China's national
   * essential-medicines system), so the drug cost is part of the visit's outpatient settlement;
   * the `pharmacy` category is left to retail-pharmacy purchases (`backgroundClaims`).
   */
  private medication(code: string, day: number, days: number, dispensedAt: InstitutionPlan, status?: string): void {
    const id = `R${this.n}-${++this.seq}`;
    const st = status ?? (day + days > this.s.endDay ? 'active' : 'completed');
    this.put(F.medication, id, id + ',' + this.id + ',ATC,' + code + ',' + isoDate(day) + ',' + days + ',' + this.signedPractitionerOr(this.home) + ',' + st + '\n');
    this.addClaim(day, dispensedAt.level === 'primary' ? C_PRIMARY : C_OUTPATIENT, days * (DAILY_COST[code] ?? 1), dispensedAt);
  }

  private signedPractitionerOr(inst: InstitutionPlan): string {
    return this.signedPractitioner || inst.practitioners[0]!.id;
  }

  private procedure(code: string, day: number): void {
    const id = `X${this.n}-${++this.seq}`;
    const t = isoDateTime(day, this.rng.int(0, TIME_SLOTS - 3));
    this.put(F.procedure, id, id + ',' + this.id + ',CPT,' + code + ',' + t + ',' + t + ',completed,\n');
  }

  private serviceRequest(system: string, code: string, day: number): void {
    const id = `Q${this.n}-${++this.seq}`;
    this.put(F.service_request, id, id + ',' + this.id + ',' + system + ',' + code + ',' + isoDateTime(day, this.rng.int(0, TIME_SLOTS - 1)) + ',completed,order,service\n');
  }

  // ---------------------------------------------------------------- hospital care
  private hospitalCare(): void {
    const r = this.rng;
    // Admissions and ED visits year by year, from the age and the chronic conditions and
    // complications on the problem list at the start of each year, and nothing latent: yearly
    // cost is driven by age, conditions and admissions (Stratum issue 5). A latent term here
    // would carry the institutions' case-mix severity into cost unseen by risk adjustment.
    const admissions: number[] = [];
    let edVisits = 0;
    for (let y = 0; y < this.expectedByYear.length; y++) {
      const from = Math.max(this.activeStart, this.s.yearStarts[y]!);
      const to = Math.min(this.activeEnd, this.s.yearStarts[y + 1]! - 1);
      if (from > to) continue;
      const chronic = this.chronicCountOn(from);
      const age = this.age + (from - this.s.startDay) / DAYS_PER_YEAR;
      // Additive in the conditions (the shape of a CMS-HCC-style model, DOMAIN.md "Capitation
      // standard"): each condition adds to the rate, so multimorbid members are costly without
      // the runaway rates a multiplicative form gives six conditions.
      const admitRate = Math.exp(ADMISSION_LOG_RATE + 0.03 * (age - 55)) * (1 + 0.8 * chronic + 0.3 * this.complicationsOn(from));
      const edRate = 0.25 * admitRate + 0.03;
      const years = (to - from + 1) / DAYS_PER_YEAR;
      const n = r.poisson(admitRate * years);
      for (let k = 0; k < n; k++) admissions.push(from + r.int(0, to - from));
      edVisits += r.poisson(edRate * years);
      // Expected cost truth: admissions (with ~18% readmissions) and ED visits.
      const mu = LOS_LOG_MEAN + LOS_PER_CHRONIC * chronic;
      const expectedStay = STAY_COST_PER_DAY * Math.exp(STAY_COST_LOS_POWER * mu + (STAY_COST_LOS_POWER * LOS_LOG_SD) ** 2 / 2);
      this.expectedByYear[y]! += years * (admitRate * 1.15 * expectedStay + edRate * 900);
    }
    admissions.sort((a, b) => a - b);
    const discharges: number[] = [];
    let free = this.activeStart;
    const stay = (admitDay: number, readmission: boolean, chain: number): void => {
      if (admitDay < free) admitDay = free;
      if (admitDay > this.activeEnd) return;
      const chronicCount = this.chronicCountOn(admitDay);
      const los = Math.max(1, Math.round(Math.exp(r.normal(LOS_LOG_MEAN + LOS_PER_CHRONIC * chronicCount, LOS_LOG_SD))));
      const discharge = Math.min(admitDay + los, this.activeEnd);
      if (this.deathDay < NEVER && discharge >= this.deathDay) return;
      const disposition = r.weighted(DISPOSITIONS, DISPOSITION_WEIGHTS);
      const enc = this.admission(admitDay, discharge, disposition, readmission, chain);
      let prior = 0;
      for (const d of discharges) if (d >= admitDay - 365) prior++;
      discharges.push(discharge);
      free = discharge + 1;
      // 30-day readmission: age, comorbidity count, prior admissions, LOS, disposition, control.
      const ageAtAdmission = this.age + (admitDay - this.s.startDay) / DAYS_PER_YEAR;
      const p = sigmoid(-2.95 + 0.02 * (ageAtAdmission - 65) + 0.25 * chronicCount + 0.35 * Math.min(prior, 3) + 0.05 * (discharge - admitDay - 7) + DISPOSITION_READMIT[disposition]! + 0.4 * this.uncontrolledOn(admitDay) + READMISSION_FRAILTY * this.frailty);
      const happens = r.bernoulli(p) && chain < 4;
      const readmitDay = discharge + (happens ? 1 + Math.floor(29 * Math.pow(r.next(), 1.4)) : 0);
      const censored = discharge + 30 > this.activeEnd ? 1 : 0;
      const observed = happens && readmitDay <= this.activeEnd && !(this.deathDay < NEVER && readmitDay + 1 >= this.deathDay);
      this.out.add(F.outcomes, this.id + ',readmission-30d,' + enc + ',' + isoDate(discharge) + ',30,' + p.toFixed(5) + ',' + (observed ? 1 : 0) + ',' + censored + '\n');
      if (observed) stay(readmitDay, true, chain + 1);
    };
    for (const day of admissions) stay(day, false, 0);
    // ED visits.
    for (let k = 0; k < edVisits; k++) {
      const day = this.activeStart + r.int(0, this.activeEnd - this.activeStart);
      const dx = r.bernoulli(0.5) ? this.firstChronicCodeOr(day, 'R07.4') : r.pick(['R07.4', 'R55', 'S52.5', 'R10.4', 'J18.9']);
      const enc = this.encounter('ed', 'CPT', VISIT.ed, day, day, this.hospital, this.doctorAt(this.hospital), dx, 'home');
      this.addClaim(day, C_ED, 900 * Math.exp(r.normal(0, 0.4) - 0.08), this.hospital);
      const [sbp, dbp] = this.bpValues(day);
      this.bp(sbp + 5, dbp, day, 'ed', enc);
    }
    // Death in hospital for a share of deaths.
    if (this.deathDay <= this.activeEnd && r.bernoulli(0.35)) {
      const los = r.int(1, 10);
      const admit = Math.max(free, this.deathDay - los, this.activeStart);
      if (admit <= this.deathDay) this.admission(admit, this.deathDay, 'expired', false, 0);
    }
  }

  /** 1 when poorly controlled on `day`: the patient's propensity then (not one reading's chance). */
  private uncontrolledOn(day: number): number {
    return (this.onset[HTN]! <= day && this.htnControlOn(day) < 0) || (this.onset[DM]! <= day && this.dmControlOn(day) < 0) ? 1 : 0;
  }

  private firstChronicCodeOr(day: number, fallback: string): string {
    return this.isChronicBy(day) ? this.firstChronicCode(day) : fallback;
  }

  private admission(admit: number, discharge: number, disposition: string, readmission: boolean, chain: number): string {
    const r = this.rng;
    const inst = r.bernoulli(0.75) ? this.hospital : null;
    let dx: string;
    if (this.onset[HF]! <= admit && r.bernoulli(0.4)) dx = DX.heartFailure;
    else if (this.onset[CHD]! <= admit && r.bernoulli(0.5)) dx = r.bernoulli(0.5) ? DX.chd : DX.angina;
    else if (this.onset[STROKE]! <= admit && r.bernoulli(0.3)) dx = DX.stroke;
    else if (this.onset[COPD]! <= admit && r.bernoulli(0.5)) dx = DX.copd;
    else if (this.isChronicBy(admit) && r.bernoulli(0.4)) dx = this.firstChronicCode(admit);
    else dx = r.pick([DX.pneumonia, 'K80.2', 'K35.8', 'S72.0', 'N20.0', 'I48.9']);
    const planned = !readmission && chain === 0 && r.bernoulli(0.04);
    const practitioner = inst ? inst.practitioners[r.int(0, inst.practitioners.length - 1)]!.id : '';
    const enc = this.encounter('inpatient', 'SNOMED-CT', VISIT.inpatientSnomed, admit, discharge, inst, practitioner, dx, disposition, planned);
    // Secondary diagnoses: the member's chronic conditions, as encounter diagnoses.
    let k = 0;
    for (const slot of CHRONIC_SLOTS) if (this.onset[slot]! <= admit && CONDITION_CODES[slot] !== dx && k++ < 2) this.encounterDx(CONDITION_CODES[slot]!, admit, enc);
    const [sbp, dbp] = this.bpValues(admit);
    this.bp(sbp, dbp, admit, 'inpatient', enc);
    const los = discharge - admit;
    this.addClaim(discharge, C_INPATIENT, STAY_COST_PER_DAY * Math.pow(Math.max(1, los), STAY_COST_LOS_POWER) * Math.exp(r.normal(0, STAY_COST_SD) - STAY_COST_SD ** 2 / 2), inst);
    return enc;
  }

  // ---------------------------------------------------------------- claims
  private addClaim(day: number, category: number, amount: number, inst: InstitutionPlan | null): void {
    const m = monthIndexOf(day) - this.monthBase;
    const cell = m * 6 + category;
    if (m < 0 || cell >= this.claimAmounts.length) return;
    this.claimAmounts[cell]! += amount;
    if (inst && this.claimInstitution[cell] === 0) this.claimInstitution[cell] = inst.index + 1;
  }

  /**
   * Spend not tied to a simulated event: specialist outpatient episodes, retail-pharmacy purchases
   * and other care, by age and chronic burden. Each arrives as an episode billed in one month
   * (an episode's visits, tests and drugs settle together), so a member has a few larger
   * background claims a year rather than many small ones: health spending is concentrated, and
   * the claim file stays near the ~40 rows per member of Stratum issue 2.
   */
  private backgroundClaims(): void {
    const r = this.rng;
    const first = monthIndexOf(this.activeStart) - this.monthBase;
    const last = monthIndexOf(this.activeEnd) - this.monthBase;
    for (let m = first; m <= last; m++) {
      const day = this.s.startDay + Math.floor(m * 30.44) + 14;
      const age = this.age + m / 12;
      let chronic = 0;
      for (const slot of CHRONIC_SLOTS) if (this.onset[slot]! <= day) chronic++;
      const pOut = Math.min(0.4, 0.02 + 0.0012 * (age - 18) + 0.04 * chronic) / BACKGROUND_EPISODE_MONTHS;
      const pPharm = Math.min(0.3, 0.015 + 0.001 * (age - 18)) / BACKGROUND_EPISODE_MONTHS;
      const outMean = 300 * BACKGROUND_EPISODE_MONTHS;
      const pharmMean = 120 * BACKGROUND_EPISODE_MONTHS;
      const y = Math.floor(m / 12);
      if (y < this.expectedByYear.length) this.expectedByYear[y]! += pOut * outMean + pPharm * pharmMean + 0.01 * 400;
      if (r.bernoulli(pOut)) this.claimAmounts[m * 6 + C_OUTPATIENT]! += outMean * Math.exp(r.normal(0, 0.45) - 0.10125);
      if (r.bernoulli(pPharm)) this.claimAmounts[m * 6 + C_PHARMACY]! += pharmMean * Math.exp(r.normal(0, 0.5) - 0.125);
      if (r.bernoulli(0.01)) this.claimAmounts[m * 6 + C_OTHER]! += 400 * Math.exp(r.normal(0, 0.6) - 0.18);
    }
  }

  private writeClaims(): void {
    // Realised cost per year in whole fen: the sum of the rounded claim lines, exactly.
    const realisedFen = new Float64Array(this.expectedByYear.length);
    const amounts = this.claimAmounts;
    let k = 0;
    for (let cell = 0; cell < amounts.length; cell++) {
      const amount = amounts[cell]!;
      if (amount <= 0) continue;
      const m = Math.floor(cell / 6);
      const category = cell - m * 6;
      const inst = this.claimInstitution[cell]!;
      const fen = Math.round(amount * 100);
      realisedFen[Math.floor(m / 12)]! += fen;
      const id = 'B' + this.n + '-' + ++k;
      this.put(F.claim_cost, id, id + ',' + this.id + ',' + this.s.monthLabels[m] + ',' + CLAIM_CATEGORIES[category] + ',' + (inst ? this.s.institutions[inst - 1]!.id : '') + ',' + fenText(fen) + '\n');
    }
    const y0 = this.s.firstYear;
    for (let y = 0; y < realisedFen.length; y++) {
      if (Math.max(this.activeStart, this.s.yearStarts[y]!) > Math.min(this.activeEnd, this.s.yearStarts[y + 1]! - 1)) continue;
      this.out.add(F.costs, this.id + ',' + (y0 + y) + ',' + money(this.expectedByYear[y]!) + ',' + fenText(realisedFen[y]!) + '\n');
    }
  }

  // ---------------------------------------------------------------- output and defects
  /** Append a row, possibly with a generic defect (missing required value, exact duplicate). */
  private put(file: number, id: string, line: string, defectsAllowed = true): void {
    if (defectsAllowed && this.drng && this.drng.next() < this.s.defectRate) {
      this.genericDefect(file, ENTITY_OF_FILE[file]!, id, line);
      return;
    }
    this.out.add(file, line);
  }

  private plainRow(file: number, line: string): void {
    this.out.add(file, line);
  }

  private genericDefect(file: number, entity: string, id: string, line: string): void {
    if (this.drng!.next() < 0.5) {
      // Missing required value: the second column (member_id) is blanked.
      const first = line.indexOf(',');
      const second = line.indexOf(',', first + 1);
      this.plainRow(file, line.slice(0, first + 1) + line.slice(second));
      this.defect(file, entity, id, 'missing-required');
    } else {
      this.plainRow(file, line);
      this.plainRow(file, line);
      this.defect(file, entity, id, 'duplicate-row');
    }
  }

  private defect(_file: number, entity: string, id: string, cls: DefectClass): void {
    this.out.add(F.defects, entity + ',' + id + ',' + cls + '\n');
    this.out.defects[cls]++;
  }
}

const ENTITY_OF_FILE: string[] = Object.entries(F)
  .sort((a, b) => a[1] - b[1])
  .map(([name]) => name);
