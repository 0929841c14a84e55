/**
 * The loader's fast paths give the same store as the plain ones: rows staged straight from their
 * CSV text hold what zod decodes, staging threads stage what the main thread would, and a first
 * load swapped into an empty table equals one copied in (the copy is kept where a swap would
 * lose something, such as a view).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { contractColumns, ENTITY_NAMES, PRIMARY_KEY, type EntityName } from '../../data-contracts/v1/index.ts';
import { csvField, parseCsvRecord } from '../../src/ingest/csv.ts';
import { decodeRecord, headerIndex } from '../../src/ingest/decode.ts';
import { loadPopulation, type LoadOptions } from '../../src/ingest/loader.ts';
import type { Database } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import { VALID } from '../contracts/fixtures.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { EXPECTED_REJECTS, writeFixturePopulation } from './fixture.ts';

/** Every published row of every entity, lineage included except the load id, in key order. */
async function storeContents(db: Database): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const entity of ENTITY_NAMES) {
    const cols = [...contractColumns(entity).map((c) => c.name), 'source_file', 'source_line'];
    out[entity] = (await db.query(`SELECT ${cols.join(', ')} FROM ${entity} ORDER BY ${PRIMARY_KEY[entity]}`)).rows;
  }
  out.load_reject = (await db.query(`SELECT entity, source_line, record_id, field, rule, message, raw FROM load_reject ORDER BY entity, source_line, field, rule`)).rows;
  return out;
}

/** Members and observations spelt every way a valid file may spell them. */
async function writeOddPopulation(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stratum-odd-'));
  // Columns in another order, the nullable deceased_date left out, awkward text in region.
  const memberColumns = ['region', 'member_id', 'sex', 'birth_date', 'insurance_scheme', 'enrolled_to', 'enrolled_from'];
  const regions = ['Hexi, north', 'say "hi"', 'back\\slash', 'tab\there', 'two\nlines', ' padded '];
  const members = regions.map((region, i) => memberColumns.map((c) => (c === 'region' ? region : c === 'member_id' ? `M${i + 1}` : String(VALID.member[c] ?? ''))));
  const memberLines = members.map((r) => r.map((f) => csvField(f)).join(','));
  // A quoted empty field is still an empty field: null.
  memberLines.push(memberColumns.map((c) => (c === 'member_id' ? '"M7"' : c === 'enrolled_to' ? '""' : csvField(String(VALID.member[c] ?? '')))).join(','));
  await writeFile(path.join(dir, 'member.csv'), [memberColumns.join(','), ...memberLines].join('\n') + '\n');

  const obsColumns = contractColumns('observation').map((c) => c.name);
  const values: [string, string, string][] = [
    ['7.2', '%', '4548-4'],
    [' 7.3', '%', '4548-4'],
    ['+7.4', '%', '4548-4'],
    ['7.50', '%', '4548-4'],
    ['7.6e0', '%', '4548-4'],
    ['53', 'mmol/mol', '4548-4'],
    ['128', 'mm[Hg]', '8480-6'],
  ];
  const obsLines = values.map(([value, unit, code], i) => {
    const row: Record<string, unknown> = { ...VALID.observation, observation_id: `O${i + 1}`, member_id: `M${(i % 7) + 1}`, value, unit, code };
    return obsColumns.map((c) => (i === 3 ? `"${String(row[c] ?? '')}"`.replace(/^""$/, '') : csvField(row[c] as string | null))).join(',');
  });
  await writeFile(path.join(dir, 'observation.csv'), [obsColumns.join(','), ...obsLines].join('\n') + '\n');
  return dir;
}

describeEachEngine('loader paths', (getDb, ctx) => {
  beforeEach(async () => {
    await ctx.reset();
    await migrate(getDb());
  });

  it('stores every row as the full decoder reads it: odd spellings, quotes, reordered and missing columns', async () => {
    const db = getDb();
    const dir = await writeOddPopulation();
    const summary = await loadPopulation(db, { from: dir });
    expect(summary.rejectsByRule).toEqual({});
    for (const entity of ['member', 'observation'] as EntityName[]) {
      const text = await readFile(path.join(dir, `${entity}.csv`), 'utf8');
      // Records may span lines (a quoted line break); split the file as the reader does.
      const records: string[] = [];
      for (const line of text.trimEnd().split('\n')) {
        const open = records.length && (records[records.length - 1]!.match(/"/g)?.length ?? 0) % 2 === 1;
        if (open) records[records.length - 1] += '\n' + line;
        else records.push(line);
      }
      const header = parseCsvRecord(records[0]!);
      const index = headerIndex(entity, header, `${entity}.csv`);
      const expected = records.slice(1).map((r, i) => {
        const decoded = decodeRecord(entity, parseCsvRecord(r), index, `line ${i + 2}`);
        if (!decoded.ok) throw new Error(`fixture row ${i + 2} of ${entity} is invalid`);
        return decoded.record;
      });
      const names = contractColumns(entity).map((c) => c.name);
      const stored = await db.query<Record<string, unknown>>(`SELECT ${names.join(', ')} FROM ${entity} ORDER BY source_line`);
      // A date-time comes back as the instant it names.
      const instant = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
      expect(stored.rows.map((r) => Object.fromEntries(names.map((n) => [n, instant(r[n])])))).toEqual(
        expected.map((r, i) => Object.fromEntries(names.map((n) => [n, stored.rows[i]?.[n] instanceof Date ? new Date(String(r[n])).toISOString() : (r[n] ?? null)]))),
      );
    }
    const hba1c = await db.query<{ value: number; unit: string }>(`SELECT value, unit FROM observation WHERE observation_id = 'O6'`);
    expect(hba1c.rows[0]!.unit).toBe('%');
    expect(hba1c.rows[0]!.value).toBeCloseTo(7, 1);
  });

  it('staging threads publish the same rows and rejects as the main thread, and resume the same', async () => {
    const db = getDb();
    const dir = await writeFixturePopulation();
    const load = (options: Partial<LoadOptions> = {}) => loadPopulation(db, { from: dir, chunkRows: 2, ...options });
    const inThread = await load({ threadMinBytes: Infinity });
    const expected = await storeContents(db);
    expect(inThread.entities.find((e) => e.entity === 'observation')).toMatchObject({ read: 13, published: 5 });

    await ctx.reset();
    await migrate(db);
    const threaded = await load({ threadMinBytes: 0 });
    expect(await storeContents(db)).toEqual(expected);
    expect(threaded.entities).toEqual(inThread.entities);

    // Killed midway with every file in a thread, then resumed: the same store, rejects counted once.
    await ctx.reset();
    await migrate(db);
    let chunks = 0;
    await expect(
      load({
        threadMinBytes: 0,
        onChunk: () => {
          if (++chunks === 5) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    expect((await db.query('SELECT * FROM observation')).rows).toEqual([]);
    const resumed = await load({ threadMinBytes: 0 });
    expect(resumed.resumed).toBe(true);
    expect(await storeContents(db)).toEqual(expected);
    expect(resumed.entities).toEqual(inThread.entities);
    expect(Object.values(resumed.rejectsByRule).reduce((s, n) => s + n, 0)).toBe(Object.keys(EXPECTED_REJECTS).length);
  });

  it('swaps a first load into its empty tables, keys and indexes intact, and copies where a view depends on the table', async () => {
    const db = getDb();
    const dir = await writeFixturePopulation();
    const logs: string[] = [];
    await loadPopulation(db, { from: dir, log: (m) => logs.push(m) });
    expect(logs).toContain(logs.find((m) => /^publish: observation swapped in/.test(m)));
    // A file's prepare logs each of its checks' time, beside its index builds'.
    for (const step of ['analysed', 'checked duplicates on', 'checked blood-pressure pairs on', 'checked members on', 'built observation_pkey on'])
      expect(logs.filter((m) => m.startsWith(`${step} staged observation in `))).toHaveLength(1);
    const swapped = await storeContents(db);
    const indexes = await db.query<{ tablename: string; indexname: string; keys: string }>(
      `SELECT tablename, indexname, substring(indexdef FROM '\\((.*)\\)$') AS keys FROM pg_indexes
        WHERE schemaname = current_schema() AND tablename IN ('observation', 'staging_observation') ORDER BY 1, 2`,
    );
    // Built on the staged rows as migrations define them (014: the member index on member_id alone).
    expect(indexes.rows).toEqual([
      { tablename: 'observation', indexname: 'observation_member', keys: 'member_id' },
      { tablename: 'observation', indexname: 'observation_pkey', keys: 'observation_id' },
    ]);
    await expect(db.query(`INSERT INTO observation SELECT * FROM observation LIMIT 1`)).rejects.toMatchObject({ sqlState: '23505' });
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM staging_observation')).rows[0]!.n).toBe(0);
    // The staging table made anew after the swap keeps the ids' "C" collation (migration 011), or the next first load could not be swapped in.
    const stagedCollations = await db.query(
      `SELECT attrelid::regclass::text AS table_name, collname FROM pg_attribute JOIN pg_collation c ON c.oid = attcollation
        WHERE attrelid IN ('observation'::regclass, 'staging_observation'::regclass) AND attname = 'member_id' ORDER BY 1`,
    );
    expect(stagedCollations.rows).toEqual([
      { table_name: 'observation', collname: 'C' },
      { table_name: 'staging_observation', collname: 'C' },
    ]);

    await ctx.reset();
    await migrate(db);
    await db.exec('CREATE VIEW observation_ids AS SELECT observation_id FROM observation');
    logs.length = 0;
    await loadPopulation(db, { from: dir, log: (m) => logs.push(m) });
    expect(logs.some((m) => /^publish: observation inserted/.test(m))).toBe(true);
    expect(logs.some((m) => /^publish: member swapped in/.test(m))).toBe(true);
    expect(await storeContents(db)).toEqual(swapped);
    expect((await db.query('SELECT observation_id FROM observation_ids ORDER BY 1')).rows).toEqual(swapped.observation!.map((r) => ({ observation_id: (r as { observation_id: string }).observation_id })));
    expect((await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'staging_observation' AND schemaname = current_schema()`)).rows).toEqual([]);
  });
});
