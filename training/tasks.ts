/**
 * The prediction tasks: which events are index points, and what the label is. Labels look
 * forward from the index (that is their job); features never do (src/features cuts the record).
 * Pure functions over a member's record.
 */
import type { Encounter } from '../data-contracts/v1/index.ts';
import { groupsOf } from '../src/clinical/conditions.ts';
import type { DischargeIndex, OnsetCondition, OnsetIndex } from '../src/features/definitions.ts';
import { ageOn, type MemberRecord } from '../src/features/member-record.ts';
import { addDays } from '../src/lib/dates.ts';


export interface LabelledIndex<I> {
  index: I;
  label: 0 | 1;
}

export interface ReadmissionTaskOptions {
  /** Readmission window after discharge, days (default 30). */
  windowDays?: number;
  /** Last day of follow-up in the data: discharges whose window runs past it are censored out. */
  dataEnd: string;
  /** Only discharges on or after this day (e.g. to leave a year of history for features). */
  from?: string;
}

/**
 * 30-day unplanned readmission, one row per inpatient discharge: finished stays, excluding deaths
 * in hospital and transfers to another acute hospital (the stay continues there), the usual
 * CMS-style index rules. Positive when an unplanned inpatient stay starts within the window.
 */
export function readmissionIndexes(record: MemberRecord, options: ReadmissionTaskOptions): LabelledIndex<DischargeIndex>[] {
  const window = options.windowDays ?? 30;
  const stays = record.encounters.filter((e): e is Encounter & { end_time: string } => e.class === 'inpatient' && e.status === 'finished' && e.end_time !== null);
  const out: LabelledIndex<DischargeIndex>[] = [];
  for (const stay of stays) {
    if (stay.discharge_disposition === 'expired' || stay.discharge_disposition === 'transfer-acute') continue;
    const discharge = stay.end_time.slice(0, 10);
    if (options.from && discharge < options.from) continue;
    if (addDays(discharge, window) > options.dataEnd) continue;
    const readmitted = stays.some((other) => {
      if (other === stay || other.planned) return false;
      const start = other.start_time.slice(0, 10);
      return other.start_time > stay.end_time && start <= addDays(discharge, window);
    });
    out.push({ index: { encounter: stay }, label: readmitted ? 1 : 0 });
  }
  return out;
}

export interface OnsetTaskOptions {
  indexDay: string;
  horizonYears: number;
  minAge?: number;
}

/** First onset day of a condition from diagnoses (any source, refuted ones ignored). */
export function firstOnset(record: MemberRecord, condition: OnsetCondition): string | null {
  let first: string | null = null;
  for (const c of record.conditions) {
    if (c.verification_status === 'refuted' || c.verification_status === 'entered-in-error') continue;
    if (!groupsOf(c.code_system, c.code).includes(condition)) continue;
    if (first === null || c.onset_date < first) first = c.onset_date;
  }
  return first;
}

/**
 * Onset within the horizon among members free of the condition at the index day, adult, enrolled
 * on the index day and alive. Members who leave or die before the horizon ends without onset are
 * still counted negative: the population is insured members, whose records we see in full while
 * enrolled (documented simplification; a survival model would censor them).
 */
export function onsetIndex(record: MemberRecord, condition: OnsetCondition, options: OnsetTaskOptions): LabelledIndex<OnsetIndex> | null {
  const m = record.member;
  if (ageOn(m.birth_date, options.indexDay) < (options.minAge ?? 18)) return null;
  if (m.enrolled_from > options.indexDay || (m.enrolled_to !== null && m.enrolled_to < options.indexDay)) return null;
  if (m.deceased_date !== null && m.deceased_date < options.indexDay) return null;
  const onset = firstOnset(record, condition);
  if (onset !== null && onset < options.indexDay) return null;
  const horizonEnd = `${Number(options.indexDay.slice(0, 4)) + options.horizonYears}${options.indexDay.slice(4)}`;
  return { index: { indexDay: options.indexDay }, label: onset !== null && onset < horizonEnd ? 1 : 0 };
}
