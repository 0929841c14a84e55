import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it, vi } from 'vitest';
import { contractColumns, PRIMARY_KEY, type EntityName } from '../../data-contracts/v1/index.ts';
import type { MemberRecord } from '../../src/features/member-record.ts';
import { DEFAULT_POPULATION_OPTIONS } from '../../src/generator/population.ts';
import { writePopulation } from '../../src/generator/population-files.ts';
import { loadPopulation } from '../../src/ingest/loader.ts';
import type { Queryable } from '../../src/store/database.ts';
import { fetchMemberRecords, MEMBER_TABLES, memberIdPages } from '../../src/store/members.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { writeFixturePopulation } from '../ingest/fixture.ts';

const LISTS = MEMBER_TABLES;

/**
 * The plain way to read records: one query per table, rows in key order, each column rendered
 * in its contract form by SQL, then encounters and observations stably sorted by time. What the
 * one-statement reader must reproduce exactly (key order of every object included), since
 * fingerprints and tie-breaks depend on it.
 */
async function referenceRecords(db: Queryable, ids: readonly string[]): Promise<Map<string, MemberRecord>> {
  const select = async (entity: EntityName) => {
    const types = await db.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()`,
      [entity],
    );
    const typeOf = new Map(types.rows.map((r) => [r.column_name, r.data_type]));
    return contractColumns(entity)
      .map(({ name }) => {
        const t = typeOf.get(name);
        if (t === 'date') return `to_char(${name}, 'YYYY-MM-DD') AS ${name}`;
        if (t === 'timestamp with time zone') return `to_char(${name} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS ${name}`;
        if (t === 'numeric') return `${name}::text AS ${name}`;
        return name;
      })
      .join(', ');
  };
  const out = new Map<string, MemberRecord>();
  const members = await db.query<MemberRecord['member']>(`SELECT ${await select('member')} FROM member WHERE member_id = ANY($1::text[]) ORDER BY member_id`, [ids]);
  for (const member of members.rows) out.set(member.member_id, { member, signups: [], conditions: [], encounters: [], observations: [], procedures: [], serviceRequests: [], medications: [], claims: [], lifestyle: [] });
  for (const [field, table] of Object.entries(LISTS) as [keyof typeof LISTS, EntityName][]) {
    const rows = await db.query<{ member_id: string }>(`SELECT ${await select(table)} FROM ${table} WHERE member_id = ANY($1::text[]) ORDER BY ${PRIMARY_KEY[table]}`, [ids]);
    for (const row of rows.rows) (out.get(row.member_id)?.[field] as unknown[] | undefined)?.push(row);
  }
  const byTime = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  for (const r of out.values()) {
    r.encounters.sort((a, b) => byTime(a.start_time, b.start_time));
    r.observations.sort((a, b) => byTime(a.effective_time, b.effective_time));
  }
  return out;
}

describeEachEngine('member records from the store', (getDb) => {
  beforeAll(async () => {
    await loadPopulation(getDb(), { from: await writeFixturePopulation() });
  });

  it('returns contract records with dates and instants in their text forms', async () => {
    const records = await fetchMemberRecords(getDb(), ['M1', 'M404']);
    expect([...records.keys()]).toEqual(['M1']);
    const r = records.get('M1')!;
    expect(r.member).toMatchObject({ member_id: 'M1', birth_date: '1958-04-02', enrolled_to: null });
    expect(r.observations.map((o) => o.observation_id)).toEqual(expect.arrayContaining(['O_OK', 'O_CONV', 'O_DUP']));
    const conv = r.observations.find((o) => o.observation_id === 'O_CONV')!;
    expect(conv).toMatchObject({ value: 7, unit: '%', effective_time: '2025-06-01T01:00:00Z' });
    expect(r.conditions[0]).toMatchObject({ condition_id: 'C_OK', onset_date: '2019-05-01', abatement_date: null });
  });

  it('pages through every member in id order', async () => {
    const pages: string[][] = [];
    for await (const p of memberIdPages(getDb(), 1)) pages.push(p);
    expect(pages).toEqual([['M1'], ['M2']]);
  });
});

describeEachEngine('member records of a generated population', (getDb) => {
  let ids: string[] = [];

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'stratum-members-'));
    await writePopulation({ ...DEFAULT_POPULATION_OPTIONS, members: 60, seed: 11 }, dir);
    await loadPopulation(getDb(), { from: dir });
    ids = (await getDb().query<{ member_id: string }>(`SELECT member_id FROM member ORDER BY member_id`)).rows.map((r) => r.member_id);
  }, 120_000);

  it('reads records exactly as one query per table in key order would, field order included', async () => {
    expect(ids.length).toBeGreaterThan(40);
    const expected = await referenceRecords(getDb(), ids);
    const got = await fetchMemberRecords(getDb(), ids);
    expect(got.size).toBe(expected.size);
    for (const id of ids) expect(JSON.stringify(got.get(id))).toBe(JSON.stringify(expected.get(id)));
    // The generated records have history in every list that scoring reads.
    const all = [...got.values()];
    for (const field of ['signups', 'conditions', 'encounters', 'observations', 'medications', 'claims', 'lifestyle'] as const) expect(all.some((r) => r[field].length > 0)).toBe(true);
  });

  it('reads any number of members with one statement', async () => {
    const db = getDb();
    await fetchMemberRecords(db, [ids[0]!]); // the statement is built once per connection
    const spy = vi.spyOn(db, 'query');
    try {
      await fetchMemberRecords(db, [ids[0]!]);
      expect(spy).toHaveBeenCalledTimes(1);
      const asked = [...ids].reverse().concat(['NOPE-1', ids[0]!]);
      const records = await fetchMemberRecords(db, asked);
      expect(spy).toHaveBeenCalledTimes(2);
      expect([...records.keys()].sort()).toEqual([...ids].sort());
    } finally {
      spy.mockRestore();
    }
  });
});
