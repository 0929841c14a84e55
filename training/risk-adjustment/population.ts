/**
 * Reads a generated (or loaded) population's CSVs (`member.csv`, `condition.csv`,
 * `claim_cost.csv`, `signup.csv`; headers = contract field names, data-contracts/v1/entities.ts)
 * and turns them into the prospective fit rows of the bureau risk model: per member and feature
 * year Y, age band and sex at the start of Y, the diagnoses active in Y, and the claims of Y+1.
 * Also fingerprints the input (SHA-256 per file, then over the list) for the model manifest.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { readCsvBatches } from '../../src/ingest/csv.ts';
import type { CostRow } from '../../src/riskadjust/fit/predictive-ratios.ts';

/** The files a fit reads, in fingerprint order. */
export const POPULATION_FILES = ['member.csv', 'condition.csv', 'claim_cost.csv', 'signup.csv'] as const;

/** A file lacks a column the reader needs. */
export class PopulationFileError extends Error {
  readonly code = 'POPULATION_FILE';
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'PopulationFileError';
  }
}

interface MemberFacts {
  readonly birthDate: string;
  readonly sex: 'M' | 'F';
  readonly enrolledFrom: string;
  /** Last enrolled day: the earlier of enrolled_to and deceased_date; null while enrolled. */
  readonly enrolledUntil: string | null;
}

interface DiagnosisFact {
  readonly code: string;
  readonly onset: string;
  readonly abatement: string | null;
}

interface SignupFact {
  readonly institution: string;
  readonly from: string;
  readonly to: string | null;
}

/** What the fit needs of a population, held in memory (a few hundred bytes per member). */
export interface Population {
  readonly members: ReadonlyMap<string, MemberFacts>;
  readonly diagnoses: ReadonlyMap<string, readonly DiagnosisFact[]>;
  /** member -> year -> total claim amount (CNY). */
  readonly costs: ReadonlyMap<string, ReadonlyMap<number, number>>;
  readonly signups: ReadonlyMap<string, readonly SignupFact[]>;
}

/** Code systems whose codes the bureau categories are written in (DOMAIN.md "Data rules"). */
const DIAGNOSIS_SYSTEMS = new Set(['ICD-10-CN', 'ICD-10-CM']);
/** FHIR verification statuses that mean "this diagnosis does not hold". */
const NOT_A_DIAGNOSIS = new Set(['refuted', 'entered-in-error']);

/**
 * Calls `onRow` with the fields of each data record of `file` and the positions of `needed` among
 * them (a missing trailing field reads as undefined). Records come a read buffer at a time
 * (`readCsvBatches`) and are handed over as the parser's field arrays: at a million members the
 * fit reads ~11 million records, and an async step and an object per record cost ~40% of the
 * read time.
 */
async function eachRecord(dir: string, file: string, needed: readonly string[], onRow: (fields: readonly string[], at: readonly number[]) => void): Promise<void> {
  let at: number[] | undefined;
  for await (const batch of readCsvBatches(join(dir, file))) {
    if ('header' in batch) {
      at = needed.map((name) => {
        const i = batch.header.indexOf(name);
        if (i < 0) throw new PopulationFileError(file, `no column ${name}`);
        return i;
      });
      continue;
    }
    for (const row of batch) onRow(row.fields, at!);
  }
}

/** Reads the four files of `dir`; `onProgress` is told each file as it starts. */
export async function readPopulation(dir: string, onProgress?: (file: string) => void): Promise<Population> {
  const members = new Map<string, MemberFacts>();
  onProgress?.('member.csv');
  await eachRecord(dir, 'member.csv', ['member_id', 'birth_date', 'sex', 'enrolled_from', 'enrolled_to', 'deceased_date'], (f, at) => {
    const sex = f[at[2]!] ?? '';
    if (sex !== 'M' && sex !== 'F') return;
    const to = f[at[4]!] ?? '';
    const deceased = f[at[5]!] ?? '';
    // The earlier of the two end dates that are there (ISO dates compare as strings).
    const enrolledUntil = to && deceased ? (deceased < to ? deceased : to) : to || deceased || null;
    members.set(f[at[0]!] ?? '', { birthDate: f[at[1]!] ?? '', sex, enrolledFrom: f[at[3]!] ?? '', enrolledUntil });
  });
  const diagnoses = new Map<string, DiagnosisFact[]>();
  onProgress?.('condition.csv');
  await eachRecord(dir, 'condition.csv', ['member_id', 'code_system', 'code', 'onset_date', 'abatement_date', 'verification_status'], (f, at) => {
    if (!DIAGNOSIS_SYSTEMS.has(f[at[1]!] ?? '') || NOT_A_DIAGNOSIS.has(f[at[5]!] ?? '')) return;
    const id = f[at[0]!] ?? '';
    let list = diagnoses.get(id);
    if (!list) diagnoses.set(id, (list = []));
    list.push({ code: f[at[2]!] ?? '', onset: f[at[3]!] ?? '', abatement: f[at[4]!] || null });
  });
  const costs = new Map<string, Map<number, number>>();
  onProgress?.('claim_cost.csv');
  // A member's claims are usually consecutive: keep the last member's map at hand.
  let lastId: string | undefined;
  let lastByYear: Map<number, number> | undefined;
  await eachRecord(dir, 'claim_cost.csv', ['member_id', 'month', 'amount'], (f, at) => {
    const amount = Number(f[at[2]!] ?? '');
    if (!Number.isFinite(amount)) return;
    const id = f[at[0]!] ?? '';
    const year = Number((f[at[1]!] ?? '').slice(0, 4));
    let byYear = id === lastId ? lastByYear : costs.get(id);
    if (!byYear) costs.set(id, (byYear = new Map<number, number>()));
    lastId = id;
    lastByYear = byYear;
    byYear.set(year, (byYear.get(year) ?? 0) + amount);
  });
  const signups = new Map<string, SignupFact[]>();
  onProgress?.('signup.csv');
  await eachRecord(dir, 'signup.csv', ['member_id', 'institution_id', 'from_date', 'to_date'], (f, at) => {
    const id = f[at[0]!] ?? '';
    let list = signups.get(id);
    if (!list) signups.set(id, (list = []));
    list.push({ institution: f[at[1]!] ?? '', from: f[at[2]!] ?? '', to: f[at[3]!] || null });
  });
  return { members, diagnoses, costs, signups };
}

/** SHA-256 of each input file and one fingerprint over them (name and hash per line). */
export async function fingerprintPopulation(dir: string): Promise<{ fingerprint: string; files: Record<string, string> }> {
  const files: Record<string, string> = {};
  for (const file of POPULATION_FILES) {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(join(dir, file))) hash.update(chunk as Buffer);
    files[file] = hash.digest('hex');
  }
  const fingerprint = createHash('sha256')
    .update(POPULATION_FILES.map((f) => `${f} ${files[f]}\n`).join(''))
    .digest('hex');
  return { fingerprint, files };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Whole years from `birth` to `day` (both ISO dates). */
export function ageOn(birth: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(birth.slice(0, 4));
  return day.slice(5) < birth.slice(5) ? years - 1 : years;
}

/** First and last day of each month of a year (ISO dates), made once per year rather than 24 strings and 12 Dates per member-year. */
const monthBounds = new Map<number, readonly (readonly [string, string])[]>();
function monthsOf(year: number): readonly (readonly [string, string])[] {
  let bounds = monthBounds.get(year);
  if (!bounds) {
    bounds = Array.from({ length: 12 }, (_, k) => [`${year}-${pad(k + 1)}-01`, `${year}-${pad(k + 1)}-${pad(new Date(Date.UTC(year, k + 1, 0)).getUTCDate())}`] as const);
    monthBounds.set(year, bounds);
  }
  return bounds;
}

/**
 * Months of `year` the member is enrolled in. DOMAIN.md "Settlement": proration is by whole
 * enrolled months; a month counts when the enrolment covers any day of it.
 */
export function enrolledMonths(member: MemberFacts, year: number): number {
  let months = 0;
  for (const [first, last] of monthsOf(year)) if (member.enrolledFrom <= last && (member.enrolledUntil === null || member.enrolledUntil >= first)) months++;
  return months;
}

/**
 * Prospective rows for feature year `year`: members enrolled by the end of `year` and for at
 * least one month of `year + 1`; age at 1 January of `year`; diagnoses with onset on or before
 * 31 December of `year` not abated before 1 January of `year`; cost = claims of `year + 1`;
 * exposure = enrolled months of `year + 1` / 12; group = the institution of the family-doctor
 * sign-up in force on 1 January of `year + 1` (the latest one if several), none otherwise.
 */
export function memberYears(population: Population, year: number): CostRow[] {
  const yearStart = `${year}-01-01`;
  const yearEnd = `${year}-12-31`;
  const paymentStart = `${year + 1}-01-01`;
  const rows: CostRow[] = [];
  for (const [id, member] of population.members) {
    if (member.enrolledFrom > yearEnd) continue;
    const months = enrolledMonths(member, year + 1);
    if (months === 0) continue;
    const dx: string[] = [];
    for (const d of population.diagnoses.get(id) ?? []) if (d.onset <= yearEnd && (d.abatement === null || d.abatement >= yearStart) && !dx.includes(d.code)) dx.push(d.code);
    let institution: string | undefined;
    let since = '';
    for (const s of population.signups.get(id) ?? [])
      if (s.from <= paymentStart && (s.to === null || s.to >= paymentStart) && s.from >= since) {
        institution = s.institution;
        since = s.from;
      }
    rows.push({
      age: ageOn(member.birthDate, yearStart),
      sex: member.sex,
      dx,
      nextYearCost: population.costs.get(id)?.get(year + 1) ?? 0,
      exposure: months / 12,
      ...(institution !== undefined ? { group: institution } : {}),
    });
  }
  return rows;
}
