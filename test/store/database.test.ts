import fc from 'fast-check';
import { expect, it } from 'vitest';
import { DatabaseError, StoreError, TransactionClosedError, TransactionMisuseError } from '../../src/store/errors.ts';
import type { Queryable } from '../../src/store/database.ts';
import { describeEachEngine } from '../helpers/engines.ts';

class DomainRuleError extends Error {
  readonly code = 'DOMAIN_RULE';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachEngine('database', (getDb, { engine }) => {
  it('reports which engine it runs on', () => {
    expect(getDb().engine).toBe(engine);
  });

  it('binds $n parameters and reports row counts', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE params_demo (id int PRIMARY KEY, label text NOT NULL)');
    const inserted = await db.query('INSERT INTO params_demo (id, label) VALUES ($1, $2), ($3, $4)', [1, "O'Brien", 2, 'b']);
    expect(inserted.rowCount).toBe(2);
    const updated = await db.query('UPDATE params_demo SET label = $1 WHERE id >= $2', ['x', 2]);
    expect(updated.rowCount).toBe(1);
    const { rows, rowCount } = await db.query<{ id: number; label: string }>(
      'SELECT id, label FROM params_demo WHERE label = $1 OR id = $2 ORDER BY id',
      ["O'Brien", 2],
    );
    expect(rows).toEqual([
      { id: 1, label: "O'Brien" },
      { id: 2, label: 'x' },
    ]);
    expect(rowCount).toBe(2);
  });

  it('runs a prepared statement again and again, on the pool and in transactions, after its table changes', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE prepared_demo (id int PRIMARY KEY, day date NOT NULL)');
    const insert = 'INSERT INTO prepared_demo (id, day) SELECT i, $2::date FROM unnest($1::int[]) AS t(i)';
    const read = 'SELECT id, day FROM prepared_demo WHERE id = ANY($1::int[]) ORDER BY id';
    // More runs than PostgreSQL's five custom plans before it weighs a generic one.
    for (let i = 0; i < 8; i++) await db.query(insert, [[i * 2, i * 2 + 1], '2026-01-02'], { prepare: true });
    for (let i = 0; i < 8; i++) expect((await db.query<{ id: number }>(read, [[i, 100]], { prepare: true })).rows).toEqual([{ id: i, day: '2026-01-02' }]);
    await db.transaction(async (tx) => {
      expect((await tx.query(read, [[3, 4]], { prepare: true })).rows).toEqual([
        { id: 3, day: '2026-01-02' },
        { id: 4, day: '2026-01-02' },
      ]);
    });
    // A column added under the prepared statement: it is planned again, not broken.
    await db.exec('ALTER TABLE prepared_demo ADD COLUMN note text');
    expect((await db.query(read, [[5]], { prepare: true })).rows).toEqual([{ id: 5, day: '2026-01-02' }]);
    await expect(db.query(read, [['not a number']], { prepare: true })).rejects.toThrow();
  });

  it('parses types identically on both engines (int8 number, date string, numeric string)', async () => {
    const { rows } = await getDb().query(
      `SELECT count(*) AS n, 9007199254740991::int8 AS max_safe, '2024-02-29'::date AS d,
              ARRAY['2024-01-01'::date] AS ds, 12.50::numeric(8,2) AS amount, ARRAY[1,2]::int8[] AS ids,
              '{"a":[1]}'::jsonb AS j, ARRAY['E11','I10'] AS codes, true AS flag,
              '2024-01-01T08:00:00+08:00'::timestamptz AS at, $1::jsonb AS pj
         FROM (VALUES (1), (2), (3)) v(x)`,
      [JSON.stringify({ k: 'v' })],
    );
    expect(rows[0]).toEqual({
      n: 3,
      max_safe: 9007199254740991,
      d: '2024-02-29',
      ds: ['2024-01-01'],
      amount: '12.50',
      ids: [1, 2],
      j: { a: [1] },
      codes: ['E11', 'I10'],
      flag: true,
      at: new Date('2024-01-01T00:00:00Z'),
      pj: { k: 'v' },
    });
  });

  it('wraps a unique violation into DatabaseError with SQLSTATE 23505 and keeps values out of the message', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE unique_demo (member_id text PRIMARY KEY)');
    await db.query('INSERT INTO unique_demo VALUES ($1)', ['M-SECRET-1']);
    const error = await db.query('INSERT INTO unique_demo VALUES ($1)', ['M-SECRET-1']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    const dbError = error as DatabaseError;
    expect(dbError.code).toBe('DATABASE_ERROR');
    expect(dbError.sqlState).toBe('23505');
    expect(dbError.isUniqueViolation).toBe(true);
    expect(dbError.constraint).toBe('unique_demo_pkey');
    expect(dbError.message).not.toContain('M-SECRET-1');
    expect(dbError.detail).toContain('M-SECRET-1');
  });

  it('wraps a syntax error with SQLSTATE 42601', async () => {
    await expect(getDb().query('SELEC 1')).rejects.toMatchObject({ sqlState: '42601', code: 'DATABASE_ERROR' });
    await expect(getDb().exec('SELECT 1; SELEC 2')).rejects.toMatchObject({ sqlState: '42601' });
  });

  it('runs a multi-statement script with exec', async () => {
    const db = getDb();
    await db.exec(`CREATE TABLE exec_demo (n int); INSERT INTO exec_demo VALUES (1); INSERT INTO exec_demo VALUES (2);`);
    expect((await db.query('SELECT sum(n)::int AS s FROM exec_demo')).rows).toEqual([{ s: 3 }]);
  });

  it('commits a transaction and returns its value', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE tx_commit (n int)');
    const value = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_commit VALUES ($1)', [1]);
      await tx.query('INSERT INTO tx_commit VALUES ($1)', [2]);
      return 'done';
    });
    expect(value).toBe('done');
    expect((await db.query('SELECT count(*) AS n FROM tx_commit')).rows).toEqual([{ n: 2 }]);
  });

  it('rolls back everything when the callback throws, rethrowing the error unchanged', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE tx_rollback (n int)');
    const thrown = new DomainRuleError('refused by rule');
    const error = await db
      .transaction(async (tx) => {
        await tx.query('INSERT INTO tx_rollback VALUES (1)');
        await tx.copyFrom('tx_rollback', ['n'], [[2], [3]]);
        throw thrown;
      })
      .catch((e: unknown) => e);
    expect(error).toBe(thrown);
    expect((await db.query('SELECT count(*) AS n FROM tx_rollback')).rows).toEqual([{ n: 0 }]);
  });

  it('rolls back when a statement fails inside, surfacing the typed error', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE tx_stmt_fail (n int NOT NULL)');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_stmt_fail VALUES (1)');
        await tx.query('INSERT INTO tx_stmt_fail VALUES (NULL)');
      }),
    ).rejects.toMatchObject({ sqlState: '23502' });
    expect((await db.query('SELECT count(*) AS n FROM tx_stmt_fail')).rows).toEqual([{ n: 0 }]);
  });

  it('refuses to report success when a swallowed statement error aborted the transaction', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE tx_swallow (n int NOT NULL)');
    const error = await db
      .transaction(async (tx) => {
        await tx.query('INSERT INTO tx_swallow VALUES (1)');
        await tx.query('INSERT INTO tx_swallow VALUES (NULL)').catch(() => undefined);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((await db.query('SELECT count(*) AS n FROM tx_swallow')).rows).toEqual([{ n: 0 }]);
  });

  it('refuses use of the database handle inside its own transaction callback', async () => {
    const db = getDb();
    await expect(db.transaction(() => db.query('SELECT 1'))).rejects.toBeInstanceOf(TransactionMisuseError);
    await expect(db.transaction(() => db.transaction(async () => 1))).rejects.toBeInstanceOf(TransactionMisuseError);
  });

  it('refuses a transaction handle used after the transaction ended', async () => {
    let leaked: Queryable | undefined;
    await getDb().transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked?.query('SELECT 1')).rejects.toBeInstanceOf(TransactionClosedError);
  });

  if (engine === 'pglite') {
    it('queues concurrent transactions on the single PGlite connection instead of interleaving them', async () => {
      const db = getDb();
      await db.exec('CREATE TABLE counter (id int PRIMARY KEY, value int NOT NULL); INSERT INTO counter VALUES (1, 0);');
      const events: string[] = [];
      // Read-modify-write with a pause in the middle: interleaved transactions would lose updates.
      const increment = (i: number) =>
        db.transaction(async (tx) => {
          events.push(`begin ${i}`);
          const { rows } = await tx.query<{ value: number }>('SELECT value FROM counter WHERE id = 1');
          await sleep(2);
          await tx.query('UPDATE counter SET value = $1 WHERE id = 1', [(rows[0]?.value ?? 0) + 1]);
          events.push(`end ${i}`);
        });
      const outsideReads = [];
      const work = [];
      for (let i = 0; i < 8; i++) {
        work.push(increment(i));
        // A plain query issued meanwhile waits for the running transaction rather than landing inside it.
        outsideReads.push(db.query<{ value: number }>('SELECT value FROM counter WHERE id = 1'));
      }
      await Promise.all(work);
      const reads = await Promise.all(outsideReads);
      expect((await db.query('SELECT value FROM counter WHERE id = 1')).rows).toEqual([{ value: 8 }]);
      for (let i = 0; i < events.length; i += 2) {
        expect(events[i + 1]).toBe(events[i]?.replace('begin', 'end'));
      }
      expect(reads.map((r) => r.rows[0]?.value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });
  } else {
    it('runs concurrent transactions on separate pooled connections', async () => {
      const db = getDb();
      await db.exec('CREATE TABLE concurrent_rows (n int PRIMARY KEY)');
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO concurrent_rows VALUES ($1)', [i]);
            await sleep(2);
          }),
        ),
      );
      expect((await db.query('SELECT count(*) AS n FROM concurrent_rows')).rows).toEqual([{ n: 8 }]);
    });
  }

  it('bulk-loads 10,000 rows with copyFrom, round-tripping awkward values exactly', async () => {
    const db = getDb();
    await db.exec(`CREATE TABLE copy_demo (
      id int8 PRIMARY KEY, member_id text, note text, born date, amount numeric(10,2),
      score float8, active boolean, codes text[], detail jsonb, seen_at timestamptz)`);
    const awkward = 'tab\there\nnew line\\back "quoted" 中文';
    const rows = Array.from({ length: 10_000 }, (_, i) => [
      i,
      `M${String(i).padStart(6, '0')}`,
      i === 7 ? awkward : i % 3 === 0 ? null : `note ${i}`,
      `19${String(50 + (i % 50))}-0${1 + (i % 9)}-15`,
      (i % 1000) / 4,
      i / 3,
      i % 2 === 0,
      i === 7 ? ['a"b', 'c\\d', 'e,f', 'g}h', null] : ['E11', 'I10'],
      { i, tag: i === 7 ? awkward : 'x' },
      new Date(Date.UTC(2024, 0, 1) + i * 60_000),
    ]);
    const columns = ['id', 'member_id', 'note', 'born', 'amount', 'score', 'active', 'codes', 'detail', 'seen_at'];
    expect(await db.copyFrom('copy_demo', columns, rows)).toBe(10_000);
    // sum(int8) is numeric, which both engines return as an exact string.
    expect((await db.query('SELECT count(*) AS n, sum(id) AS s FROM copy_demo')).rows).toEqual([
      { n: 10_000, s: String((9_999 * 10_000) / 2) },
    ]);
    const { rows: back } = await db.query('SELECT * FROM copy_demo WHERE id IN (3, 7) ORDER BY id');
    expect(back[0]).toMatchObject({ id: 3, note: null, born: '1953-04-15', amount: '0.75', active: false });
    expect(back[1]).toEqual({
      id: 7,
      member_id: 'M000007',
      note: awkward,
      born: '1957-08-15',
      amount: '1.75',
      score: 7 / 3,
      active: false,
      codes: ['a"b', 'c\\d', 'e,f', 'g}h', null],
      detail: { i: 7, tag: awkward },
      seen_at: new Date(Date.UTC(2024, 0, 1) + 7 * 60_000),
    });
  });

  it('bulk-loads from an async iterable and leaves nothing when a row fails (atomic across chunks)', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE copy_atomic (n int NOT NULL)');
    async function* good(count: number) {
      for (let i = 0; i < count; i++) yield [i];
    }
    expect(await db.copyFrom('copy_atomic', ['n'], good(25_000))).toBe(25_000);
    await db.exec('TRUNCATE copy_atomic');
    async function* badLate() {
      // The NULL arrives after the first chunk, so an early chunk could already have landed.
      for (let i = 0; i < 30_000; i++) yield [i === 29_000 ? null : i];
    }
    await expect(db.copyFrom('copy_atomic', ['n'], badLate())).rejects.toMatchObject({ sqlState: '23502' });
    expect((await db.query('SELECT count(*) AS n FROM copy_atomic')).rows).toEqual([{ n: 0 }]);
    // The handle remains usable after a failed COPY.
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('copyFrom inside a transaction is undone by its rollback', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE copy_in_tx (n int)');
    await expect(
      db.transaction(async (tx) => {
        expect(await tx.copyFrom('copy_in_tx', ['n'], [[1], [2], [3]])).toBe(3);
        expect((await tx.query('SELECT count(*) AS n FROM copy_in_tx')).rows).toEqual([{ n: 3 }]);
        throw new DomainRuleError('abandon load');
      }),
    ).rejects.toBeInstanceOf(DomainRuleError);
    expect((await db.query('SELECT count(*) AS n FROM copy_in_tx')).rows).toEqual([{ n: 0 }]);
  });

  it('round-trips arbitrary text and text arrays through copyFrom unchanged (property)', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE copy_property (k int, t text, a text[])');
    // PostgreSQL text cannot hold NUL, so the generator leaves it out.
    const text = fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replace(/\0/g, ''));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.option(text), fc.array(fc.option(text), { maxLength: 3 })), { maxLength: 20 }), async (pairs) => {
        await db.exec('TRUNCATE copy_property');
        const rows = pairs.map(([t, a], k) => [k, t, a]);
        expect(await db.copyFrom('copy_property', ['k', 't', 'a'], rows)).toBe(rows.length);
        const { rows: back } = await db.query<{ t: string | null; a: (string | null)[] }>('SELECT t, a FROM copy_property ORDER BY k');
        expect(back).toEqual(pairs.map(([t, a]) => ({ t, a })));
      }),
      { numRuns: 25, seed: 20240601 },
    );
  });

  it('copyText loads pre-encoded text and CSV, pieces split anywhere, and is undone by a rollback', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE copy_text_demo (k int, t text, n float8, b boolean)');
    // Text format: \N is NULL, backslash escapes; the pieces split a line in two.
    expect(await db.copyText('copy_text_demo', ['k', 't', 'n', 'b'], ['1\ta\\\\b\t1.5\tt\n2\t\\N\t', '\\N\tf\n'])).toBe(2);
    // CSV: an unquoted empty field is NULL, a quoted one is text; quotes carry commas and line breaks.
    expect(await db.copyText('copy_text_demo', ['k', 't', 'n', 'b'], ['3,"x, ""y""\nz",7.25,true\n4,"",,\n5,,-0.5,false\n'], { format: 'csv' })).toBe(3);
    const { rows } = await db.query('SELECT k, t, n, b FROM copy_text_demo ORDER BY k');
    expect(rows).toEqual([
      { k: 1, t: 'a\\b', n: 1.5, b: true },
      { k: 2, t: null, n: null, b: false },
      { k: 3, t: 'x, "y"\nz', n: 7.25, b: true },
      { k: 4, t: '', n: null, b: null },
      { k: 5, t: null, n: -0.5, b: false },
    ]);
    await expect(
      db.transaction(async (tx) => {
        expect(await tx.copyText('copy_text_demo', ['k'], ['6\n7\n'], { format: 'csv' })).toBe(2);
        throw new DomainRuleError('abandon load');
      }),
    ).rejects.toBeInstanceOf(DomainRuleError);
    expect((await db.query('SELECT count(*) AS n FROM copy_text_demo')).rows).toEqual([{ n: 5 }]);
    await expect(db.copyText('copy_text_demo', ['k'], ['8\nnot a number\n'], { format: 'csv' })).rejects.toMatchObject({ sqlState: '22P02' });
    expect((await db.query('SELECT count(*) AS n FROM copy_text_demo')).rows).toEqual([{ n: 5 }]);
  });

  it('copyText reads UTF-8 bytes beside strings, a character split between two pieces', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE copy_bytes_demo (k int, t text)');
    const bytes = new TextEncoder().encode('2,Zoë\n3,"a, b"\n');
    // 'ë' is two bytes in UTF-8: the first piece ends after its first byte.
    const cut = bytes.indexOf(0xc3) + 1;
    expect(await db.copyText('copy_bytes_demo', ['k', 't'], ['1,plain\n', bytes.subarray(0, cut), bytes.subarray(cut)], { format: 'csv' })).toBe(3);
    const { rows } = await db.query('SELECT k, t FROM copy_bytes_demo ORDER BY k');
    expect(rows).toEqual([
      { k: 1, t: 'plain' },
      { k: 2, t: 'Zoë' },
      { k: 3, t: 'a, b' },
    ]);
  });

  it('a copyFrom failing mid-stream inside a transaction rolls it back and leaves the database usable', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE copy_tx_fail (n int)');
    async function* breaksAfterOneChunk() {
      for (let i = 0; i < 21_000; i++) yield [i];
      yield [1, 2];
    }
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO copy_tx_fail VALUES (-1)');
        await tx.copyFrom('copy_tx_fail', ['n'], breaksAfterOneChunk());
      }),
    ).rejects.toMatchObject({ code: 'COPY_VALUE_INVALID' });
    expect((await db.query('SELECT count(*) AS n FROM copy_tx_fail')).rows).toEqual([{ n: 0 }]);
  });

  it('refuses a row whose width does not match the columns', async () => {
    const db = getDb();
    await db.exec('CREATE TABLE copy_width (a int, b int)');
    await expect(db.copyFrom('copy_width', ['a', 'b'], [[1, 2], [3]])).rejects.toMatchObject({ code: 'COPY_VALUE_INVALID' });
    expect((await db.query('SELECT count(*) AS n FROM copy_width')).rows).toEqual([{ n: 0 }]);
  });
});
