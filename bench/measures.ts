/**
 * CMS122 + CMS165 over synthetic patients already in memory as contract records (Stratum issue 6:
 * both measures over 1,000,000 members in < 10 s), and separately the time to read members'
 * records out of PostgreSQL with the store's own code (memberIdPages + fetchMemberRecords, as the
 * performance runs read them).
 *
 * In memory: patients are built from a few hundred templates (diabetic/hypertensive, perturbed
 * readings, some exclusions) that share their record arrays; each patient has its own Member
 * (perturbed birth date), so age logic runs per patient. Records are object literals with every
 * contract field (one hidden class per entity; see `encounter`). Value sets are a toy lookup shaped
 * like the decks' (same OIDs). Timed after one untimed warm-up pass over the first 20,000
 * patients, so the figure is the steady state a long run sees, not the JIT's first seconds.
 *
 * PostgreSQL: loading 1,000,000 members takes about a quarter of an hour, so a generated population
 * of 50,000 members (10,000 when quick; reused from /tmp/loadperf-pop-<N> when bench/load.ts left
 * one) is loaded into a throw-away schema of STRATUM_TEST_PG_URL (default the local `test`
 * database), read back page by page, and the 1,000,000-member time extrapolated linearly. Skipped
 * with a message when PostgreSQL is unreachable. The load average is noted beside both figures.
 */
import { loadavg } from 'node:os';
import type { Encounter, Member, Observation } from '../data-contracts/v1/index.ts';
import { defaultPolicy } from '../src/config/policy.ts';
import { Rng } from '../src/lib/random.ts';
import { cms122Evaluator, cms165Evaluator, SHARED_VALUE_SETS } from '../src/performance/measures/index.ts';
import type { PatientRecords } from '../src/performance/measures/index.ts';
import { loadPopulation } from '../src/ingest/loader.ts';
import type { Database } from '../src/store/database.ts';
import { postgresUnreachable, redactedUrl } from '../src/store/database.ts';
import { fetchMemberRecords, memberIdPages } from '../src/store/members.ts';
import { migrate } from '../src/store/migrate.ts';
import { benchPopulation, benchPostgresUrl, withThrowawaySchema } from './postgres-fixture.ts';
import type { BenchResult, BenchRun } from './types.ts';

const OIDS_122 = [
  '2.16.840.1.113883.3.464.1003.101.12.1001', '2.16.840.1.113883.3.526.3.1240', '2.16.840.1.113883.3.464.1003.101.12.1025', '2.16.840.1.113883.3.464.1003.101.12.1023',
  '2.16.840.1.113883.3.464.1003.101.12.1016', '2.16.840.1.113883.3.464.1003.1006', '2.16.840.1.113883.3.464.1003.101.12.1080', '2.16.840.1.113883.3.464.1003.198.12.1013',
  '2.16.840.1.113883.3.464.1003.103.12.1001', '2.16.840.1.113883.3.464.1003.101.12.1089', '2.16.840.1.113883.3.464.1003.104.12.1011', '2.16.840.1.113883.3.526.3.378',
  '2.16.840.1.113883.3.526.3.353', '2.16.840.1.113883.3.464.1003.109.12.1029', '2.16.840.1.113883.3.526.3.1002', '2.16.840.1.113883.3.464.1003.109.12.1012',
  '2.16.840.1.113883.3.464.1003.109.12.1013', '2.16.840.1.113883.3.464.1003.109.12.1014', '2.16.840.1.113883.3.464.1003.101.12.1010',
];

function valueSets(): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const oid of [...OIDS_122, ...Object.values(SHARED_VALUE_SETS).map(([o]) => o)]) m.set(oid, new Set<string>());
  m.get('2.16.840.1.113883.3.464.1003.101.12.1001')!.add('CPT|99213');
  m.get('2.16.840.1.113883.3.464.1003.198.12.1013')!.add('LOINC|4548-4');
  m.get('2.16.840.1.113883.3.464.1003.103.12.1001')!.add('ICD-10-CM|E11.9');
  m.get('2.16.840.1.113883.3.464.1003.104.12.1011')!.add('ICD-10-CM|I10');
  m.get(SHARED_VALUE_SETS.hospiceCareAmbulatory[0])!.add('SNOMED-CT|385763009');
  m.get(SHARED_VALUE_SETS.frailtyEncounter[0])!.add('CPT|99504');
  m.get(SHARED_VALUE_SETS.advancedIllness[0])!.add('ICD-10-CM|C71.9');
  m.get(SHARED_VALUE_SETS.encounterInpatient[0])!.add('SNOMED-CT|183452005');
  return m;
}

const iso = (day: string, hour: number) => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;
const dayIn2026 = (rng: Rng) => new Date(Date.UTC(2026, 0, 1) + Math.floor(rng.next() * 365) * 86_400_000).toISOString().slice(0, 10);

/**
 * An encounter / observation as one object literal with every contract field, in contract order:
 * every record of an entity then shares one hidden class, as records read from the store do
 * (src/store/members.ts). Building them by spreading a shared base object (`{ ...base, id }`), as
 * this bench first did, gives every object its own hidden class in V8 (Node 20), which turns
 * every field read in the measures into a megamorphic lookup (measured: about 2x slower over
 * 1,000,000 patients); no reader of real records builds them that way.
 */
function encounter(memberId: string, id: string, cls: Encounter['class'], typeSystem: Encounter['type_system'], typeCode: string, start: string, end: string): Encounter {
  return {
    encounter_id: id,
    member_id: memberId,
    class: cls,
    type_system: typeSystem,
    type_code: typeCode,
    status: 'finished',
    start_time: start,
    end_time: end,
    institution_id: null,
    facility_level: null,
    practitioner_id: null,
    primary_dx_system: null,
    primary_dx_code: null,
    discharge_disposition: null,
    planned: false,
  };
}

function observation(memberId: string, id: string, code: string, value: number, unit: string, time: string, panelId: string | null): Observation {
  return {
    observation_id: id,
    member_id: memberId,
    code_system: 'LOINC',
    code,
    value,
    unit,
    value_code_system: null,
    value_code: null,
    effective_time: time,
    effective_start: null,
    status: 'final',
    setting: 'clinic',
    encounter_id: null,
    panel_id: panelId,
  };
}

function template(rng: Rng, t: number): Omit<PatientRecords, 'member'> {
  const id = `t${t}`;
  const encounters: Encounter[] = [];
  const observations: Observation[] = [];
  // The random draws stay in the order the first version of this bench made them (same patients).
  for (let k = 0; k < 1 + Math.floor(rng.next() * 3); k++) {
    const d = dayIn2026(rng);
    encounters.push(encounter(id, `${id}e${k}`, 'outpatient', 'CPT', rng.next() < 0.05 ? '99504' : '99213', iso(d, 9), iso(d, 10)));
  }
  if (rng.next() < 0.1) {
    const d = dayIn2026(rng);
    encounters.push(encounter(id, `${id}ip`, 'inpatient', 'SNOMED-CT', '183452005', iso(d, 0), iso(d, 23)));
  }
  for (let k = 0; k < Math.floor(rng.next() * 4); k++) {
    const value = 5.5 + rng.next() * 6;
    observations.push(observation(id, `${id}a${k}`, '4548-4', value, '%', iso(dayIn2026(rng), 8), null));
  }
  for (let k = 0; k < Math.floor(rng.next() * 5); k++) {
    const t0 = iso(dayIn2026(rng), 11);
    observations.push(observation(id, `${id}s${k}`, '8480-6', 110 + Math.floor(rng.next() * 60), 'mm[Hg]', t0, `${id}bp${k}`));
    observations.push(observation(id, `${id}d${k}`, '8462-4', 65 + Math.floor(rng.next() * 35), 'mm[Hg]', t0, `${id}bp${k}`));
  }
  const cond = (code: string, onset: string, n: number) => ({ condition_id: `${id}c${n}`, member_id: id, code_system: 'ICD-10-CM' as const, code, onset_date: onset, abatement_date: null, verification_status: null, clinical_status: 'active' as const, source: 'encounter' as const, encounter_id: `${id}e0`, recorded_date: null });
  const conditions = [];
  if (rng.next() < 0.7) conditions.push(cond('E11.9', '2018-03-01', 0));
  if (rng.next() < 0.7) conditions.push(cond('I10', '2019-03-01', 1));
  if (rng.next() < 0.05) conditions.push(cond('C71.9', '2025-06-01', 2));
  const procedures =
    rng.next() < 0.03 ? [{ procedure_id: `${id}p`, member_id: id, code_system: 'SNOMED-CT' as const, code: '385763009', performed_start: iso(dayIn2026(rng), 8), performed_end: null, status: 'completed' as const, encounter_id: null }] : [];
  return { encounters, conditions, observations, procedures, serviceRequests: [], medications: [] };
}

function population(n: number): PatientRecords[] {
  const rng = new Rng(20260101);
  const templates = Array.from({ length: 500 }, (_, t) => template(rng, t));
  const out: PatientRecords[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const birthYear = 1935 + (i % 75);
    const member: Member = {
      member_id: `m${i}`, birth_date: `${birthYear}-${String(1 + (i % 12)).padStart(2, '0')}-15`, sex: i % 2 ? 'M' : 'F', region: 'r1', insurance_scheme: 'URRBMI',
      enrolled_from: '2020-01-01', enrolled_to: null, deceased_date: null,
    };
    out[i] = { member, ...templates[i % templates.length]! };
  }
  return out;
}

const FULL_MEMBERS = 1_000_000;
const TARGET_SECONDS = 10;
const WARM_UP = 20_000;
const loadAverage = () => loadavg()[0]!.toFixed(1);

/** Both measures over `n` in-memory patients: the target and the throughput. */
function inMemory(n: number, quick: boolean): BenchResult[] {
  const patients = population(n);
  const vs = valueSets();
  const cms122 = cms122Evaluator(vs, 2026, defaultPolicy().control);
  const cms165 = cms165Evaluator(vs, 2026);
  for (let i = 0; i < Math.min(WARM_UP, n); i++) {
    cms122(patients[i]!);
    cms165(patients[i]!);
  }
  const loadBefore = loadAverage();
  const t0 = performance.now();
  let numer = 0;
  for (const p of patients) numer += cms122(p).populations.numerator + cms165(p).populations.numerator;
  const seconds = (performance.now() - t0) / 1000;
  const label = `CMS122 + CMS165 over ${n.toLocaleString('en-US')} in-memory patients`;
  const perSecond = n / seconds;
  return [
    {
      name: label,
      value: seconds,
      unit: 's',
      target: quick ? undefined : TARGET_SECONDS,
      higherIsBetter: false,
      note: `numerator hits ${numer}; load average ${loadBefore} before, ${loadAverage()} after`,
    },
    {
      name: `${label}: throughput`,
      value: perSecond,
      unit: 'patients/s',
      // The target as a rate: 1,000,000 patients in 10 s.
      target: FULL_MEMBERS / TARGET_SECONDS,
      higherIsBetter: true,
      baseline: { label: 'reference CQL engine (fqm-execution)', value: 15 },
      note: quick ? `1,000,000 extrapolated: ${(FULL_MEMBERS / perSecond).toFixed(1)} s` : undefined,
    },
  ];
}

/** Read every member's records back with the store's code: seconds, members, rows. */
async function readAll(db: Database): Promise<{ seconds: number; members: number; rows: number }> {
  let members = 0;
  let rows = 0;
  const t0 = performance.now();
  for await (const ids of memberIdPages(db, 2000)) {
    const page = await fetchMemberRecords(db, ids);
    for (const r of page.values()) {
      members++;
      // What the measures take (PatientRecords): the member and its clinical lists.
      rows += 1 + r.encounters.length + r.conditions.length + r.observations.length + r.procedures.length + r.serviceRequests.length + r.medications.length;
    }
  }
  return { seconds: (performance.now() - t0) / 1000, members, rows };
}

/** Members' records read from PostgreSQL, timed apart from the measures. */
async function fromPostgres(quick: boolean): Promise<BenchResult[]> {
  const url = benchPostgresUrl();
  const shownUrl = redactedUrl(url);
  const why = await postgresUnreachable(url);
  if (why !== undefined) {
    console.log(`[measures] PostgreSQL read skipped: PostgreSQL at ${shownUrl} is unreachable (${why})`);
    return [];
  }
  const members = quick ? 10_000 : 50_000;
  const population = await benchPopulation(members, 'measures');
  try {
    return await withThrowawaySchema(url, 'measures', async (db, rejectsFile) => {
      await migrate(db);
      await loadPopulation(db, { from: population.dir, rejectsFile });
      const loadBefore = loadAverage();
      const read = await readAll(db);
      const perSecond = read.members / read.seconds;
      return [
        {
          name: `read ${read.members.toLocaleString('en-US')} members' records from PostgreSQL (memberIdPages + fetchMemberRecords, 2,000 a page)`,
          value: read.seconds,
          unit: 's',
          higherIsBetter: false,
          note: `${read.rows.toLocaleString('en-US')} rows; measured on ${read.members.toLocaleString('en-US')} loaded members, 1,000,000 extrapolated linearly: ${(FULL_MEMBERS / perSecond).toFixed(0)} s; load average ${loadBefore} before, ${loadAverage()} after`,
        },
        { name: 'read members from PostgreSQL: throughput', value: perSecond, unit: 'patients/s', higherIsBetter: true },
      ];
    });
  } finally {
    await population.dispose();
  }
}

export const run: BenchRun = async ({ quick }) => {
  const results = inMemory(quick ? 50_000 : FULL_MEMBERS, quick);
  return [...results, ...(await fromPostgres(quick))];
};
