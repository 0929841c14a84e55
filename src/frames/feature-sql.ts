/**
 * Builds the SQL for per-member feature tables from the observation table: readings before an
 * as-of date, grouped by member, aggregated (latest value, counts, mean/min/max in a window),
 * joined to the member's age and sex. Pure: text in, text out; `Frames` runs it.
 */
import { FramesError } from './errors.ts';

/** Aggregates over a member's readings that fall in the window. */
export type ObservationAggregate = 'latest' | 'count' | 'mean' | 'min' | 'max';

/** One feature column computed from observations. */
export interface ObservationFeature {
  /** Column name in the feature matrix: lower-case letters, digits and underscores. */
  name: string;
  aggregate: ObservationAggregate;
  /** The reading's code; required except for `count`, where omitting it counts every numeric reading. */
  code?: string;
  /** The code's system (default LOINC, the system the observation catalog uses). */
  system?: string;
  /** Only readings in the `windowMonths` months before the as-of date; all history before it when omitted. */
  windowMonths?: number;
}

/** Demographic columns taken from the member table. */
export type DemographicFeature = 'age' | 'sex_male';

/** What to compute for every member, as of a date. */
export interface MemberFeatureSpec {
  /**
   * YYYY-MM-DD. Only readings strictly before 00:00 UTC of this day count: DOMAIN.md's class
   * table is "evaluated as of a date, from data recorded before it".
   */
  asOf: string;
  demographics?: readonly DemographicFeature[];
  observations: readonly ObservationFeature[];
  /**
   * Observation statuses that count as results (default final, amended, corrected: FHIR R4
   * ObservationStatus, where the others are not results or were withdrawn).
   */
  statuses?: readonly string[];
}

/** Default result statuses (FHIR R4 ObservationStatus values that carry a usable result). */
export const RESULT_STATUSES: readonly string[] = ['final', 'amended', 'corrected'];

const NAME = /^[a-z][a-z0-9_]{0,62}$/;

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Parse YYYY-MM-DD strictly (a real calendar day), or throw INVALID_SPEC. */
export function parseIsoDay(day: string): { year: number; month: number; date: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match) {
    const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const check = new Date(Date.UTC(year, month - 1, date));
    if (check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === date) return { year, month, date };
  }
  throw new FramesError('INVALID_SPEC', `asOf must be a calendar day YYYY-MM-DD, got ${JSON.stringify(day)}`);
}

/**
 * The first day of a window of `months` months ending at `asOf` (exclusive): the same day of
 * the month `months` earlier, clamped to that month's last day (2024-03-31 minus 1 month is
 * 2024-02-29).
 */
export function windowStart(asOf: string, months: number): string {
  const { year, month, date } = parseIsoDay(asOf);
  const monthIndex = year * 12 + (month - 1) - months;
  const y = Math.floor(monthIndex / 12);
  const m = monthIndex - y * 12;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = Math.min(date, lastDay);
  return `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function validate(spec: MemberFeatureSpec): void {
  parseIsoDay(spec.asOf);
  const names = new Set<string>(['member_id', ...(spec.demographics ?? [])]);
  for (const feature of spec.observations) {
    if (!NAME.test(feature.name)) throw new FramesError('INVALID_SPEC', `feature name ${JSON.stringify(feature.name)} must match ${NAME}`);
    if (names.has(feature.name)) throw new FramesError('INVALID_SPEC', `feature name ${feature.name} is used twice`);
    names.add(feature.name);
    if (feature.code === undefined && feature.aggregate !== 'count') {
      throw new FramesError('INVALID_SPEC', `feature ${feature.name}: aggregate ${feature.aggregate} needs a code`);
    }
    if (feature.windowMonths !== undefined && !(Number.isInteger(feature.windowMonths) && feature.windowMonths > 0)) {
      throw new FramesError('INVALID_SPEC', `feature ${feature.name}: windowMonths must be a positive integer, got ${feature.windowMonths}`);
    }
  }
  if (spec.observations.length === 0 && (spec.demographics ?? []).length === 0) {
    throw new FramesError('INVALID_SPEC', 'a feature spec needs at least one feature');
  }
}

function aggregateExpression(feature: ObservationFeature, asOf: string): string {
  const conditions: string[] = [];
  if (feature.code !== undefined) conditions.push(`code_system = ${literal(feature.system ?? 'LOINC')} AND code = ${literal(feature.code)}`);
  if (feature.windowMonths !== undefined) conditions.push(`effective_time >= TIMESTAMPTZ ${literal(`${windowStart(asOf, feature.windowMonths)} 00:00:00+00`)}`);
  const filter = conditions.length > 0 ? ` FILTER (WHERE ${conditions.join(' AND ')})` : '';
  switch (feature.aggregate) {
    // Latest = greatest effective_time; equal times fall to the greater observation_id, so the
    // answer never depends on file or thread order.
    case 'latest':
      return `arg_max(value, (effective_time, observation_id))${filter}`;
    case 'count':
      return `count(*)${filter}`;
    case 'mean':
      return `avg(value)${filter}`;
    case 'min':
      return `min(value)${filter}`;
    case 'max':
      return `max(value)${filter}`;
  }
}

/**
 * SQL giving one row per member (every member, ordered by member_id) with `member_id` and one
 * DOUBLE-compatible column per feature: NULL where a member has no qualifying reading, 0 for
 * counts. Needs tables `member` and (when observation features are asked for) `observation`.
 */
export function memberFeatureSql(spec: MemberFeatureSpec): string {
  validate(spec);
  const asOfInstant = literal(`${spec.asOf} 00:00:00+00`);
  const statuses = (spec.statuses ?? RESULT_STATUSES).map(literal).join(', ');
  const select: string[] = ['m.member_id'];
  for (const demographic of spec.demographics ?? []) {
    // Age in completed years on the as-of day.
    if (demographic === 'age') select.push(`date_sub('year', m.birth_date, DATE ${literal(spec.asOf)}) AS age`);
    else select.push(`CASE m.sex WHEN 'M' THEN 1 WHEN 'F' THEN 0 END AS sex_male`);
  }
  if (spec.observations.length === 0) return `SELECT ${select.join(', ')} FROM member m ORDER BY m.member_id`;

  const aggregates = spec.observations.map((f) => `${aggregateExpression(f, spec.asOf)} AS "${f.name}"`);
  for (const f of spec.observations) select.push(f.aggregate === 'count' ? `coalesce(a."${f.name}", 0) AS "${f.name}"` : `a."${f.name}"`);
  // Only the codes asked for are kept before grouping, unless a count takes every reading.
  const everyCode = spec.observations.some((f) => f.code === undefined);
  const codes = [...new Set(spec.observations.map((f) => f.code).filter((c): c is string => c !== undefined))];
  const codeFilter = everyCode ? '' : ` AND code IN (${codes.map(literal).join(', ')})`;
  return [
    'WITH readings AS (',
    '  SELECT member_id, code_system, code, value, effective_time, observation_id FROM observation',
    `  WHERE value IS NOT NULL AND status IN (${statuses}) AND effective_time < TIMESTAMPTZ ${asOfInstant}${codeFilter}`,
    '), a AS (',
    `  SELECT member_id, ${aggregates.join(', ')} FROM readings GROUP BY member_id`,
    ')',
    `SELECT ${select.join(', ')} FROM member m LEFT JOIN a ON a.member_id = m.member_id ORDER BY m.member_id`,
  ].join('\n');
}
