/**
 * What the risk adjustment of one payment year needs to know about a member, derived from the
 * member's record by the same rules the bureau model was fitted with
 * (training/risk-adjustment/population.ts `memberYears`), so a payment score means what the fit
 * meant. Pure: the caller fetches the rows.
 *
 * The model is prospective: the diagnoses active in the year before the payment year, and the age
 * on 1 January of that year, price the payment year (DOMAIN.md "Capitation standard": base + risk
 * adjustment; the class that sets a year's capitation is fixed as of the first day of the year).
 */

/** The member facts enrolment and demographics come from (contract field names, ISO dates). */
export interface EnrolmentFacts {
  birth_date: string;
  sex: string;
  enrolled_from: string;
  enrolled_to: string | null;
  deceased_date: string | null;
}

/** A stored diagnosis (contract `condition` fields the rule reads). */
export interface DiagnosisRow {
  code_system: string;
  code: string;
  onset_date: string;
  abatement_date: string | null;
  verification_status: string | null;
  recorded_date: string | null;
}

/** A family-doctor sign-up (contract `signup` fields the rule reads). */
export interface SignupRow {
  signup_id: string;
  institution_id: string;
  from_date: string;
  to_date: string | null;
}

/** Code systems the bureau categories are written in (DOMAIN.md "Data rules"). */
export const RISK_DIAGNOSIS_SYSTEMS: ReadonlySet<string> = new Set(['ICD-10-CN', 'ICD-10-CM']);
/** FHIR verification statuses meaning the diagnosis does not hold. */
const NOT_A_DIAGNOSIS: ReadonlySet<string> = new Set(['refuted', 'entered-in-error']);

const pad = (n: number) => String(n).padStart(2, '0');

/** The first day of a payment year: the as-of date of its risk class and attribution. */
export function yearStart(year: number): string {
  return `${year}-01-01`;
}

/** Whole years from `birth` to `day` (ISO dates). */
export function ageOn(birth: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(birth.slice(0, 4));
  return day.slice(5) < birth.slice(5) ? years - 1 : years;
}

/**
 * Whole months of `year` the member is enrolled in (0-12). DOMAIN.md "Settlement of the budget":
 * proration is by whole enrolled months; as in the fit, a month counts when the enrolment covers
 * any day of it. Enrolment ends at the earlier of enrolled_to and deceased_date.
 */
export function enrolledMonthsInYear(member: EnrolmentFacts, year: number): number {
  const ends = [member.enrolled_to, member.deceased_date].filter((d): d is string => !!d).sort();
  const until = ends[0] ?? null;
  let months = 0;
  for (let m = 1; m <= 12; m++) {
    const first = `${year}-${pad(m)}-01`;
    const last = `${year}-${pad(m)}-${pad(new Date(Date.UTC(year, m, 0)).getUTCDate())}`;
    if (member.enrolled_from <= last && (until === null || until >= first)) months++;
  }
  return months;
}

/**
 * The diagnosis codes that price payment year `year`: ICD-10 (national edition or CM) diagnoses
 * active in the year before (onset on or before its last day, not abated before its first day),
 * not refuted, and recorded before the payment year starts (DOMAIN.md class table: "evaluated as
 * of a date, from data recorded before it"). Distinct, sorted, as written.
 */
export function pricingDiagnoses(rows: readonly DiagnosisRow[], year: number): string[] {
  const from = `${year - 1}-01-01`;
  const to = `${year - 1}-12-31`;
  const asOf = yearStart(year);
  const codes = new Set<string>();
  for (const r of rows) {
    if (!RISK_DIAGNOSIS_SYSTEMS.has(r.code_system)) continue;
    if (r.verification_status !== null && NOT_A_DIAGNOSIS.has(r.verification_status)) continue;
    if (r.onset_date > to || (r.abatement_date !== null && r.abatement_date < from)) continue;
    if (r.recorded_date !== null && r.recorded_date >= asOf) continue;
    codes.add(r.code);
  }
  return [...codes].sort();
}

/** The age the bureau model prices payment year `year` with: whole years on 1 January of the year before. */
export function pricingAge(birthDate: string, year: number): number {
  return ageOn(birthDate, `${year - 1}-01-01`);
}

/**
 * The institution a member is attributed to for payment year `year`: the family-doctor sign-up
 * in force on 1 January of the year (from on or before it, not ended before it); of several, the
 * latest started, ties broken by the larger signup id. Null when none is in force.
 */
export function attributedInstitution(signups: readonly SignupRow[], year: number): string | null {
  const day = yearStart(year);
  let best: SignupRow | null = null;
  for (const s of signups) {
    if (s.from_date > day || (s.to_date !== null && s.to_date < day)) continue;
    if (!best || s.from_date > best.from_date || (s.from_date === best.from_date && s.signup_id > best.signup_id)) best = s;
  }
  return best?.institution_id ?? null;
}
