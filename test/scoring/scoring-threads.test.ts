/**
 * Scoring on worker threads gives exactly what scoring on the event loop gives (the rows stored,
 * byte for byte), keeps a member's problem to that member, refuses a missing model for the whole
 * request, and survives a thread that dies.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/config/policy.ts';
import { DEFAULT_POPULATION_OPTIONS } from '../../src/generator/population.ts';
import { writePopulation } from '../../src/generator/population-files.ts';
import { loadPopulation } from '../../src/ingest/loader.ts';
import { ModelSet } from '../../src/scoring/model-set.ts';
import { ModelUnavailableError } from '../../src/scoring/score-member.ts';
import { ScoringThreads } from '../../src/scoring/scoring-threads.ts';
import { eventLoopScorer } from '../../src/scoring/service.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { fetchMemberRecordTexts, type RecordLayout, type RecordText } from '../../src/store/members.ts';
import { migrate } from '../../src/store/migrate.ts';

const AS_OF = '2026-06-30';
const policy = defaultPolicy();

describe('scoring threads', () => {
  let work: string;
  let db: Database;
  let models: ModelSet;
  let layout: RecordLayout;
  let records: RecordText[];
  const pool = new ScoringThreads(policy, 2);

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'stratum-scoring-threads-'));
    await writePopulation({ ...DEFAULT_POPULATION_OPTIONS, members: 150, seed: 5 }, path.join(work, 'population'));
    db = await openDatabase({});
    await migrate(db);
    await loadPopulation(db, { from: path.join(work, 'population') });
    // The committed default models, as `npm start` serves them.
    models = await ModelSet.load(db, path.resolve('models'));
    expect(models.unavailable.size).toBe(0);
    const ids = (await db.query<{ member_id: string }>(`SELECT member_id FROM member ORDER BY member_id`)).rows.map((r) => r.member_id);
    ({ layout, records } = await fetchMemberRecordTexts(db, ids));
  }, 120_000);

  afterAll(async () => {
    await pool.close();
    await db?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('stores the same rows, in the same order, as scoring on the event loop', async () => {
    const here = await eventLoopScorer(policy).score(layout, records, AS_OF, models);
    const there = await pool.score(layout, records, AS_OF, models);
    expect(here.length).toBe(records.length);
    expect(here.every((o) => o.ok)).toBe(true);
    expect(there).toEqual(here);
    // Classes vary across the population, so the comparison covers more than one decision path.
    expect(new Set(here.map((o) => (o.ok ? o.row.riskClass : '')).values()).size).toBeGreaterThan(1);
  });

  it("reports a record it cannot read as that member's problem and scores the rest", async () => {
    // Enough records to go to the threads.
    const broken = [...records.slice(0, 5), { memberId: 'M-BROKEN', text: '[["not a record"' }, ...records.slice(5, 10)];
    const outcomes = await pool.score(layout, broken, AS_OF, models);
    expect(outcomes.map((o) => o.ok)).toEqual([...Array(5).fill(true), false, ...Array(5).fill(true)]);
    expect(outcomes[5]).toMatchObject({ ok: false, memberId: 'M-BROKEN', message: expect.stringMatching(/JSON/) });
  });

  it('refuses the whole request when a model is missing, as the event loop does', async () => {
    const missing = new ModelSet(models.models, new Map([['readmission', 'no champion']]), models.championsAtLoad);
    await expect(pool.score(layout, records.slice(0, 3), AS_OF, missing)).rejects.toBeInstanceOf(ModelUnavailableError);
    await expect(eventLoopScorer(policy).score(layout, records.slice(0, 3), AS_OF, missing)).rejects.toBeInstanceOf(ModelUnavailableError);
  });

  it('will not load an artifact that changed since the service verified it', async () => {
    const descriptor = models.descriptor();
    const tampered = { ...descriptor, served: descriptor.served.map((m, i) => (i === 0 ? { ...m, checksum: 'sha256:other' } : m)) };
    await expect(ModelSet.fromDescriptor(tampered)).rejects.toThrow(/changed since the service loaded it/);
  });

  it('a thread that dies fails only the work it held, and is replaced', async () => {
    const dying = new ScoringThreads(policy, 1, new URL('./fixtures/dying-scoring-thread.mjs', import.meta.url));
    const texts = (text: string) => Array.from({ length: 8 }, (_, i) => ({ memberId: `M-${i}`, text }));
    try {
      await expect(dying.score(layout, texts('die'), AS_OF, models)).rejects.toThrow(/exited \(code 3\)/);
      const after = await dying.score(layout, texts('fine'), AS_OF, models);
      expect(after).toEqual(texts('fine').map((r) => ({ ok: false, memberId: r.memberId, message: 'echo fine' })));
    } finally {
      await dying.close();
    }
  });

  it('scores a few records (a single score) on the event loop, without a hop to a thread', async () => {
    const dying = new ScoringThreads(policy, 1, new URL('./fixtures/dying-scoring-thread.mjs', import.meta.url));
    try {
      // The stand-in thread would die on this text; scored in line, it is an unreadable record.
      const [outcome] = await dying.score(layout, [{ memberId: 'M-1', text: 'die' }], AS_OF, models);
      expect(outcome).toMatchObject({ ok: false, memberId: 'M-1', message: expect.stringMatching(/JSON/) });
      const [real] = await dying.score(layout, [records[0]!], AS_OF, models);
      expect(real).toEqual((await eventLoopScorer(policy).score(layout, [records[0]!], AS_OF, models))[0]);
    } finally {
      await dying.close();
    }
  });
});
