/**
 * The ONE definition of glycaemic and blood-pressure control (DOMAIN.md "Control means the same
 * thing here and in the performance measures: one definition, shared"). CMS122, CMS165, the bureau's
 * O1/O2 indicators and the risk-class table all call these functions; they differ only in the
 * window and the target they pass.
 *
 * Which readings count, and which one represents the patient (CMS122FHIR / CMS165FHIR v0.5.000):
 * - a result counts when its status is final, amended or corrected (Status library);
 * - its date is the date of `effective.latest()` (the contract's `effective_time`, UTC day);
 * - the representative reading is on the most recent day with a reading; on that day the LOWEST
 *   value wins (CMS122 "Lowest Glycemic Status Assessment Reading on Most Recent Day"; CMS165
 *   lowest systolic and lowest diastolic, possibly from different readings). CQL sorts nulls
 *   first, so a same-day reading without a numeric result is what represents the day.
 *
 * Pure: no I/O. Times are ISO instants; days are `YYYY-MM-DD` strings compared lexically.
 */
import type { Observation } from '../../data-contracts/v1/index.ts';
import { LOINC } from '../../data-contracts/v1/index.ts';
import type { Policy } from '../config/policy.ts';
import { addDays, addMonths } from '../lib/dates.ts';

export type ControlStatus = 'controlled' | 'uncontrolled' | 'unknown';

/** Inclusive day window; null bound = unbounded (CMS165 computable mode has no date bound). */
export interface DayWindow {
  fromDay: string | null;
  toDay: string | null;
}

/** Result statuses that count as a performed result (QI-Core Status library). */
export const isCountedResult = (status: Observation['status']): boolean => status === 'final' || status === 'amended' || status === 'corrected';

/** The UTC day of an ISO instant. Fast path for the importer's normalised `...Z` form. */
export function dayOf(instant: string): string {
  if (instant.endsWith('Z')) return instant.slice(0, 10);
  return new Date(instant).toISOString().slice(0, 10);
}

/**
 * `dayOf(instant) >= day` without building the day string: an instant in the `...Z` form starts
 * with its UTC day, so it sorts at or after `day` exactly when its day does.
 */
export function dayOnOrAfter(instant: string, day: string): boolean {
  return instant.endsWith('Z') ? instant >= day : dayOf(instant) >= day;
}

/** `dayOf(instant) <= day` without building the day string (see dayOnOrAfter). */
export function dayOnOrBefore(instant: string, day: string): boolean {
  return instant.endsWith('Z') ? instant < day || instant.startsWith(day) : dayOf(instant) <= day;
}

function inWindow(day: string, w: DayWindow): boolean {
  return (w.fromDay === null || day >= w.fromDay) && (w.toDay === null || day <= w.toDay);
}

/** A glycaemic target: controlled iff value < limit, or value <= limit when `controlledAtLimit`. */
export interface GlycaemicTarget {
  limit: number;
  controlledAtLimit: boolean;
}

/** Judge one representative value against a target; null (no numeric result) is unknown. */
export function classifyGlycaemicValue(value: number | null, target: GlycaemicTarget): ControlStatus {
  if (value === null) return 'unknown';
  return value < target.limit || (target.controlledAtLimit && value === target.limit) ? 'controlled' : 'uncontrolled';
}

/** How the representative reading's result looks: CMS122 treats `no-result` as poor control, `non-numeric` (a coded result) as neither. */
export type ResultKind = 'numeric' | 'no-result' | 'non-numeric';

export interface GlycaemicStatus {
  status: ControlStatus;
  /** The representative value in % (HbA1c/GMI; IFCC mmol/mol converted), null unless numeric. */
  value: number | null;
  resultKind: ResultKind | 'none';
  /** Day of the representative reading; null when no reading counts. */
  date: string | null;
  /** The representative reading, then the other readings of that day. */
  readingIds: string[];
}

/** LOINC codes of HbA1c (HbA1c Laboratory Test value set 2.16.840.1.113883.3.464.1003.198.12.1013) and GMI. */
export const DEFAULT_GLYCAEMIC_LOINC: ReadonlySet<string> = new Set(['4548-4', '4549-2', '17855-8', '17856-6', '96595-4', LOINC.gmi]);

/** Default test matcher when no value set is given: LOINC HbA1c or GMI. */
export function isDefaultGlycaemicTest(o: Observation): boolean {
  return o.code_system === 'LOINC' && DEFAULT_GLYCAEMIC_LOINC.has(o.code);
}

/** HbA1c in %: IFCC mmol/mol results are converted with the NGSP/IFCC master equation (% = 0.09148 x mmol/mol + 2.152). */
function glycaemicPercent(o: Observation): number | null {
  if (o.value === null) return null;
  if (o.unit !== null && o.unit.toLowerCase() === 'mmol/mol') return 0.09148 * o.value + 2.152;
  return o.value;
}

function resultKindOf(o: Observation): ResultKind {
  if (o.value !== null) return 'numeric';
  return o.value_code === null ? 'no-result' : 'non-numeric';
}

/**
 * Glycaemic status from the readings in `window`: most recent day, lowest value that day
 * (nulls first, as CQL sorts), judged against `target`. No reading -> status unknown, kind none.
 */
export function glycaemicStatus(
  observations: readonly Observation[],
  window: DayWindow,
  target: GlycaemicTarget,
  isGlycaemicTest: (o: Observation) => boolean = isDefaultGlycaemicTest,
): GlycaemicStatus {
  let bestDay: string | null = null;
  let dayReadings: Observation[] = [];
  for (const o of observations) {
    if (!isCountedResult(o.status) || !isGlycaemicTest(o)) continue;
    const day = dayOf(o.effective_time);
    if (!inWindow(day, window)) continue;
    if (bestDay === null || day > bestDay) {
      bestDay = day;
      dayReadings = [o];
    } else if (day === bestDay) dayReadings.push(o);
  }
  if (bestDay === null) return { status: 'unknown', value: null, resultKind: 'none', date: null, readingIds: [] };
  // Lowest value on the day wins; a reading without a numeric value sorts first (CQL null ordering).
  let best = dayReadings[0]!;
  let bestValue = glycaemicPercent(best);
  for (let i = 1; i < dayReadings.length && bestValue !== null; i++) {
    const v = glycaemicPercent(dayReadings[i]!);
    if (v === null || v < bestValue) {
      best = dayReadings[i]!;
      bestValue = v;
    }
  }
  const readingIds = [best.observation_id];
  for (const o of dayReadings) if (o !== best) readingIds.push(o.observation_id);
  const kind = resultKindOf(best);
  const status = classifyGlycaemicValue(bestValue, target);
  return { status, value: bestValue, resultKind: kind, date: bestDay, readingIds };
}

/** A blood-pressure target: controlled iff systolic < systolicLimit and diastolic < diastolicLimit. */
export interface BloodPressureTarget {
  systolicLimit: number;
  diastolicLimit: number;
}

export interface BloodPressureStatus {
  status: ControlStatus;
  systolic: number | null;
  diastolic: number | null;
  /** Most recent day present among both systolic and diastolic readings. */
  date: string | null;
  /** The readings of that day (systolic and diastolic halves). */
  readingIds: string[];
}

/**
 * Blood-pressure status: qualifying readings are counted-status systolic (8480-6) and diastolic
 * (8462-4) results in `window` not refused by `excludeReading` (CMS165: inpatient/ED). The most
 * recent BP day is the latest day present in BOTH sets; on it the lowest systolic and the lowest
 * diastolic are taken, possibly from different readings (CMS165 "Lowest ... on Most Recent Blood
 * Pressure Day"). A same-day reading without a value sorts first, leaving the day unknown.
 */
export function bloodPressureStatus(
  observations: readonly Observation[],
  window: DayWindow,
  target: BloodPressureTarget,
  excludeReading?: (o: Observation) => boolean,
): BloodPressureStatus {
  // Qualifying readings in input order (parallel arrays: no per-reading object), and the latest
  // systolic and latest diastolic day.
  const readings: Observation[] = [];
  const days: string[] = [];
  let latestSystolic: string | null = null;
  let latestDiastolic: string | null = null;
  for (const o of observations) {
    const systolic = o.code === LOINC.systolic;
    if ((!systolic && o.code !== LOINC.diastolic) || o.code_system !== 'LOINC') continue;
    if (!isCountedResult(o.status)) continue;
    const day = dayOf(o.effective_time);
    if (!inWindow(day, window)) continue;
    if (excludeReading && excludeReading(o)) continue;
    readings.push(o);
    days.push(day);
    if (systolic) {
      if (latestSystolic === null || day > latestSystolic) latestSystolic = day;
    } else if (latestDiastolic === null || day > latestDiastolic) latestDiastolic = day;
  }
  // The most recent day present in BOTH sets. When the latest systolic and diastolic days agree
  // (paired readings, the usual case) that is the day; otherwise search the intersection.
  let date: string | null = null;
  if (latestSystolic !== null && latestDiastolic !== null) {
    if (latestSystolic === latestDiastolic) date = latestSystolic;
    else {
      const diastolicDays = new Set<string>();
      for (let i = 0; i < readings.length; i++) if (readings[i]!.code !== LOINC.systolic) diastolicDays.add(days[i]!);
      for (let i = 0; i < readings.length; i++) {
        const d = days[i]!;
        if (readings[i]!.code === LOINC.systolic && diastolicDays.has(d) && (date === null || d > date)) date = d;
      }
    }
  }
  if (date === null) return { status: 'unknown', systolic: null, diastolic: null, date: null, readingIds: [] };
  let sys: number | null | undefined;
  let dia: number | null | undefined;
  const readingIds: string[] = [];
  for (let i = 0; i < readings.length; i++) {
    if (days[i] !== date) continue;
    const o = readings[i]!;
    readingIds.push(o.observation_id);
    const v = o.value;
    if (o.code === LOINC.systolic) sys = sys === undefined ? v : sys === null || v === null ? null : Math.min(sys, v);
    else dia = dia === undefined ? v : dia === null || v === null ? null : Math.min(dia, v);
  }
  const systolic = sys ?? null;
  const diastolic = dia ?? null;
  const status: ControlStatus =
    systolic === null || diastolic === null ? 'unknown' : systolic < target.systolicLimit && diastolic < target.diastolicLimit ? 'controlled' : 'uncontrolled';
  return { status, systolic, diastolic, date, readingIds };
}

/** Re-exported: measures and attribution import it from here. */
export { addMonths };

/** The policy's look-back window as of a day: readings recorded before `asOf`, at most `lookbackMonths` back (DOMAIN.md class table). */
export function policyWindow(asOf: string, control: Policy['control']): DayWindow {
  return { fromDay: addMonths(asOf, -control.lookbackMonths), toDay: addDays(asOf, -1) };
}

/** The bureau's glycaemic target (DOMAIN.md: HbA1c >= 7.0% is uncontrolled). */
export function policyGlycaemicTarget(control: Policy['control']): GlycaemicTarget {
  return { limit: control.hba1cUncontrolledPct, controlledAtLimit: false };
}

/** The bureau's BP target (DOMAIN.md: systolic >= 140 or diastolic >= 90 is uncontrolled). */
export function policyBloodPressureTarget(control: Policy['control']): BloodPressureTarget {
  return { systolicLimit: control.systolicUncontrolled, diastolicLimit: control.diastolicUncontrolled };
}

/** Glycaemic status as of a day under the policy (risk classes, care gaps). */
export function glycaemicStatusAsOf(observations: readonly Observation[], asOf: string, control: Policy['control']): GlycaemicStatus {
  return glycaemicStatus(observations, policyWindow(asOf, control), policyGlycaemicTarget(control));
}

/** BP status as of a day under the policy; readings taken inpatient or in the ED never count (same rule as CMS165). */
export function bloodPressureStatusAsOf(observations: readonly Observation[], asOf: string, control: Policy['control']): BloodPressureStatus {
  return bloodPressureStatus(observations, policyWindow(asOf, control), policyBloodPressureTarget(control), (o) => o.setting === 'inpatient' || o.setting === 'ed');
}
