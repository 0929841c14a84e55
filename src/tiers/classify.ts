/**
 * The risk class of a member as of a date, by the decision table in DOMAIN.md ("The class
 * decision table"): the first matching row wins, and the row that decided is returned with the
 * facts that made it match, so a clinic can see why.
 *
 * Pure: the caller summarises the member's record as of the date (diagnoses, admissions, control
 * from the shared control module, model risks) into ClassInputs.
 */
import type { Policy, RiskClass } from '../config/policy.ts';
import { countedComplications, type ChronicCondition, type Complication } from '../clinical/conditions.ts';

export type ControlStatus = 'controlled' | 'uncontrolled' | 'unknown';

export interface LatestReadings {
  systolic?: number | null;
  diastolic?: number | null;
  hba1cPct?: number | null;
  fastingGlucoseMmol?: number | null;
  bmi?: number | null;
}

export interface ClassInputs {
  age: number;
  chronic: ReadonlySet<ChronicCondition>;
  complications: ReadonlySet<Complication>;
  /** Inpatient stays in the admission look-back window before the as-of date. */
  admissions: number;
  /** Predicted 30-day readmission risk at the last discharge, if there was one and a model scored it. */
  readmissionRiskAtLastDischarge?: number | null;
  /** Control at the latest reading of the look-back window, from the shared control module. */
  glycaemicControl: ControlStatus;
  bloodPressureControl: ControlStatus;
  /** Latest readings (any setting) for the high-risk markers. */
  latest: LatestReadings;
  /** Predicted 3-year onset risks. */
  onsetRisk?: Partial<Record<'hypertension' | 'diabetes' | 'chd', number | null>>;
  smoker?: boolean | null;
  familyHistory?: boolean | null;
}

export interface ClassDecision {
  class: RiskClass;
  /** Row of the decision table that matched (1 = severe ... 5 = healthy). */
  row: 1 | 2 | 3 | 4 | 5;
  /** The facts that made the row match, in words a clinician reads. */
  reasons: string[];
  /** Readings the table wanted but did not have: reported as care gaps, never raising the class. */
  unknownControl: ('glycaemic' | 'blood-pressure')[];
}

type ClassPolicy = Pick<Policy, 'classTable'>;

/**
 * Whether a reading falls in a band written the clinical way, with an inclusive upper bound at the
 * band's own precision ("130-139", "24-27.9"): the band runs up to, not including, the next value
 * at that precision (140, 28), so a reading of 139.5 or 27.95 is not lost between bands.
 */
const inRange = (v: number | null | undefined, r: { min: number; max: number }) => {
  if (v == null || v < r.min) return false;
  const decimals = (String(r.max).split('.')[1] ?? '').length;
  return v < r.max + 10 ** -decimals - 1e-9;
};

export function classify(input: ClassInputs, policy: ClassPolicy): ClassDecision {
  const t = policy.classTable;
  const complications = countedComplications(input.chronic, input.complications);
  const unknownControl: ClassDecision['unknownControl'] = [];
  const hasDiabetes = input.chronic.has('diabetes');
  const hasHypertension = input.chronic.has('hypertension');
  if (hasDiabetes && input.glycaemicControl === 'unknown') unknownControl.push('glycaemic');
  if (hasHypertension && input.bloodPressureControl === 'unknown') unknownControl.push('blood-pressure');
  const decide = (cls: RiskClass, row: ClassDecision['row'], reasons: string[]): ClassDecision => ({ class: cls, row, reasons, unknownControl });

  if (input.chronic.size > 0) {
    const chronicText = `chronic: ${[...input.chronic].join(', ')}`;
    // Row 1, severe: 2+ complications, or 1+ complication and 1+ admission, or 2+ admissions, or high readmission risk.
    const severe: string[] = [];
    if (complications.length >= 2) severe.push(`${complications.length} complications: ${complications.join(', ')}`);
    else if (complications.length >= 1 && input.admissions >= 1) severe.push(`complication (${complications.join(', ')}) and ${input.admissions} admission(s) in ${t.admissionLookbackMonths} months`);
    if (input.admissions >= 2 && severe.length === 0) severe.push(`${input.admissions} admissions in ${t.admissionLookbackMonths} months`);
    const readmit = input.readmissionRiskAtLastDischarge;
    if (readmit != null && readmit >= t.severeReadmissionRisk) severe.push(`predicted 30-day readmission risk ${readmit.toFixed(2)} at last discharge (>= ${t.severeReadmissionRisk})`);
    if (severe.length) return decide('severe', 1, [chronicText, ...severe]);

    // Row 2, moderate: 1 complication, or 1 admission, or uncontrolled at the latest reading.
    // A missing reading never raises the class: "unknown" is treated as controlled here.
    const moderate: string[] = [];
    if (complications.length === 1) moderate.push(`complication: ${complications[0]}`);
    if (input.admissions === 1) moderate.push(`1 admission in ${t.admissionLookbackMonths} months`);
    if (input.glycaemicControl === 'uncontrolled') moderate.push('glycaemia uncontrolled at the latest HbA1c');
    if (input.bloodPressureControl === 'uncontrolled') moderate.push('blood pressure uncontrolled at the latest reading');
    if (moderate.length) return decide('moderate', 2, [chronicText, ...moderate]);

    // Row 3, mild: any other member with a chronic condition.
    return decide('mild', 3, [chronicText, 'controlled (or control unknown), no complication, no admission']);
  }

  // Row 4, high-risk: a single strong marker, a high predicted onset risk, or enough minor markers.
  const hr = t.highRisk;
  const l = input.latest;
  const markers: string[] = [];
  if (inRange(l.systolic, hr.systolic) || inRange(l.diastolic, hr.diastolic)) markers.push(`elevated blood pressure ${l.systolic ?? '?'}/${l.diastolic ?? '?'} mmHg`);
  if (inRange(l.hba1cPct, hr.hba1cPct)) markers.push(`HbA1c ${l.hba1cPct}% (pre-diabetes range)`);
  if (inRange(l.fastingGlucoseMmol, hr.fastingGlucoseMmol)) markers.push(`fasting glucose ${l.fastingGlucoseMmol} mmol/L (impaired)`);
  if (l.bmi != null && l.bmi >= hr.bmiObese) markers.push(`BMI ${l.bmi} (>= ${hr.bmiObese})`);
  for (const [condition, risk] of Object.entries(input.onsetRisk ?? {}))
    if (risk != null && risk >= hr.onsetRisk) markers.push(`predicted 3-year ${condition} onset risk ${risk.toFixed(2)} (>= ${hr.onsetRisk})`);
  const minor: string[] = [];
  if (input.smoker) minor.push('smoker');
  if (input.familyHistory) minor.push('family history');
  if (inRange(l.bmi, hr.overweightBmi)) minor.push(`overweight (BMI ${l.bmi})`);
  if (input.age >= hr.olderAge) minor.push(`age ${input.age} (>= ${hr.olderAge})`);
  if (minor.length >= hr.markersNeeded) markers.push(`${minor.length} risk factors: ${minor.join(', ')}`);
  if (markers.length) return decide('high-risk', 4, markers);

  return decide('healthy', 5, ['no chronic condition and no high-risk marker']);
}
