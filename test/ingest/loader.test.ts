import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { loadPopulation } from '../../src/ingest/loader.ts';
import { migrate } from '../../src/store/migrate.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { EXPECTED_REJECTS, writeFixturePopulation } from './fixture.ts';

describeEachEngine('loader', (getDb, ctx) => {
  beforeEach(async () => {
    await ctx.reset();
    await migrate(getDb());
  });

  it('publishes valid rows, converts labelled units and rejects every defect class with its rule', async () => {
    const db = getDb();
    const dir = await writeFixturePopulation();
    const summary = await loadPopulation(db, { from: dir, chunkRows: 3 });

    const members = await db.query<{ member_id: string }>('SELECT member_id FROM member ORDER BY member_id');
    expect(members.rows.map((r) => r.member_id)).toEqual(['M1', 'M2']);
    const obs = await db.query<{ observation_id: string; value: number; unit: string; load_id: string; source_line: number }>(
      'SELECT observation_id, value, unit, load_id, source_line FROM observation ORDER BY observation_id',
    );
    expect(obs.rows.map((r) => r.observation_id)).toEqual(['O_BP_D', 'O_BP_S', 'O_CONV', 'O_DUP', 'O_OK']);
    const conv = obs.rows.find((r) => r.observation_id === 'O_CONV')!;
    expect([conv.value, conv.unit]).toEqual([7, '%']);
    expect(conv.load_id).toBe(summary.loadId);
    expect(conv.source_line).toBe(3);

    const rejects = (await readFile(summary.rejectsFile, 'utf8')).trim().split('\n');
    expect(rejects[0]).toBe('entity,source_file,line,record_id,field,rule,message,raw');
    const byId = new Map(rejects.slice(1).map((l) => [l.split(',')[3], l.split(',')[5]]));
    for (const [id, rule] of Object.entries(EXPECTED_REJECTS)) expect(byId.get(id), id).toBe(rule);
    expect(rejects.length - 1).toBe(Object.keys(EXPECTED_REJECTS).length);
    expect(summary.entities.find((e) => e.entity === 'observation')).toMatchObject({ read: 13, converted: 1, published: 5 });
  });

  it('resumes a load killed midway and publishes it once', async () => {
    const db = getDb();
    const dir = await writeFixturePopulation();
    let chunks = 0;
    await expect(
      loadPopulation(db, {
        from: dir,
        chunkRows: 2,
        onChunk: () => {
          if (++chunks === 4) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    // Nothing is visible to readers before the publish.
    expect((await db.query('SELECT * FROM observation')).rows).toEqual([]);

    const resumed = await loadPopulation(db, { from: dir, chunkRows: 2 });
    expect(resumed.resumed).toBe(true);
    const count = await db.query<{ n: string }>('SELECT count(*)::int AS n FROM observation');
    expect(Number(count.rows[0]!.n)).toBe(5);
    const loads = await db.query<{ status: string }>('SELECT status FROM loads');
    expect(loads.rows.map((r) => r.status)).toEqual(['published']);
    const rejects = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM load_reject');
    expect(rejects.rows[0]!.n).toBe(Object.keys(EXPECTED_REJECTS).length);
  });

  it('a second load of changed rows updates them in place and leaves staging empty', async () => {
    const db = getDb();
    const dir = await writeFixturePopulation();
    await loadPopulation(db, { from: dir });
    const file = path.join(dir, 'observation.csv');
    await writeFile(file, (await readFile(file, 'utf8')).replace('O_OK,M1,LOINC,4548-4,7.2,', 'O_OK,M1,LOINC,4548-4,6.1,'));
    const second = await loadPopulation(db, { from: dir });
    expect(second.resumed).toBe(false);
    const ok = await db.query<{ value: number; load_id: string }>(`SELECT value, load_id FROM observation WHERE observation_id = 'O_OK'`);
    expect(ok.rows).toEqual([{ value: 6.1, load_id: second.loadId }]);
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM observation')).rows[0]!.n).toBe(5);
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM staging_observation')).rows[0]!.n).toBe(0);
  });

  it('refuses a file whose header misses a required column, naming it', async () => {
    const dir = await writeFixturePopulation();
    const file = path.join(dir, 'member.csv');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('birth_date,', 'birthdate,'));
    await expect(loadPopulation(getDb(), { from: dir })).rejects.toThrow(/missing column\(s\): birth_date.*unknown column\(s\): birthdate/);
  });
});
