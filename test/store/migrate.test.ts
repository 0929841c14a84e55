import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { DatabaseError, MigrationChecksumError, MigrationFailedError, MigrationFileError } from '../../src/store/errors.ts';
import { migrate, readMigrations } from '../../src/store/migrate.ts';
import { describeEachEngine } from '../helpers/engines.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'stratum-migrate-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A migrations folder holding exactly `files`. */
async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(scratch, 'm-'));
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

it('reads migration files in version order with LF-normalised checksums', async () => {
  const dir = await migrationsDir({
    '010_later.sql': 'SELECT 10;\n',
    '002_second.sql': 'SELECT 2;\r\n',
    '001_first.sql': 'SELECT 1;\n',
    'README.md': 'not a migration',
  });
  const files = await readMigrations(dir);
  expect(files.map((f) => [f.version, f.name])).toEqual([
    [1, 'first'],
    [2, 'second'],
    [10, 'later'],
  ]);
  const lf = await readMigrations(await migrationsDir({ '002_second.sql': 'SELECT 2;\n' }));
  expect(files[1]?.checksum).toBe(lf[0]?.checksum);
  expect(files[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
});

it('refuses badly named files and duplicate versions', async () => {
  await expect(readMigrations(await migrationsDir({ '1_short.sql': '' }))).rejects.toBeInstanceOf(MigrationFileError);
  await expect(readMigrations(await migrationsDir({ '001_Mixed-Case.sql': '' }))).rejects.toMatchObject({
    code: 'MIGRATION_FILE_INVALID',
    file: '001_Mixed-Case.sql',
  });
  await expect(readMigrations(await migrationsDir({ '001_a.sql': '', '001_b.sql': '' }))).rejects.toThrow(/share version 1/);
});

describeEachEngine(
  'migrate',
  (getDb, { reset, openPeer }) => {
    beforeEach(async () => {
      await reset();
    });

    const appliedVersions = async () =>
      (await getDb().query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version')).rows;

    it("applies Stratum's migrations once; a second run is a no-op", async () => {
      const first = await migrate(getDb());
      expect(first.applied).toContain('001_core.sql');
      expect(first.alreadyApplied).toEqual([]);
      const recorded = await appliedVersions();
      expect(recorded[0]).toEqual({ version: 1, name: 'core' });

      const second = await migrate(getDb());
      expect(second.applied).toEqual([]);
      expect(second.alreadyApplied).toEqual(first.applied);
      expect(await appliedVersions()).toEqual(recorded);
    });

    it('applies each migration exactly once when two migrators run at the same time', async () => {
      const dir = await migrationsDir({
        '001_a.sql': 'CREATE TABLE race_a (n int);',
        // pg_sleep widens the window in which a second migrator could slip in without the lock.
        '002_b.sql': 'SELECT pg_sleep(0.05); CREATE TABLE race_b (n int); INSERT INTO race_b VALUES (1);',
        '003_c.sql': 'INSERT INTO race_b VALUES (2);',
      });
      const peer = openPeer ? await openPeer() : getDb();
      const [one, two] = await Promise.all([migrate(getDb(), { dir }), migrate(peer, { dir })]);
      expect([...one.applied, ...two.applied].sort()).toEqual(['001_a.sql', '002_b.sql', '003_c.sql']);
      expect(one.applied.length + one.alreadyApplied.length).toBe(3);
      expect(two.applied.length + two.alreadyApplied.length).toBe(3);
      expect((await appliedVersions()).map((r) => r.version)).toEqual([1, 2, 3]);
      expect((await getDb().query('SELECT n FROM race_b ORDER BY n')).rows).toEqual([{ n: 1 }, { n: 2 }]);
    });

    it('refuses to run when an applied migration changed, naming the file, and applies nothing', async () => {
      const dir = await migrationsDir({ '001_base.sql': 'CREATE TABLE base (n int);' });
      await migrate(getDb(), { dir });
      await writeFile(join(dir, '001_base.sql'), 'CREATE TABLE base (n bigint);');
      await writeFile(join(dir, '002_next.sql'), 'CREATE TABLE next_table (n int);');
      const error = await migrate(getDb(), { dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationChecksumError);
      expect(error).toMatchObject({ code: 'MIGRATION_CHECKSUM_MISMATCH', file: '001_base.sql', version: 1 });
      expect((error as Error).message).toContain('001_base.sql');
      expect((await appliedVersions()).map((r) => r.version)).toEqual([1]);
      expect((await getDb().query("SELECT to_regclass('next_table') AS t")).rows).toEqual([{ t: null }]);
    });

    it('rolls back a failing migration completely and stops there', async () => {
      const dir = await migrationsDir({
        '001_ok.sql': 'CREATE TABLE ok_table (n int);',
        '002_broken.sql': 'CREATE TABLE half_done (n int); INSERT INTO missing_table VALUES (1);',
        '003_after.sql': 'CREATE TABLE after_table (n int);',
      });
      const error = await migrate(getDb(), { dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationFailedError);
      expect(error).toMatchObject({ code: 'MIGRATION_FAILED', file: '002_broken.sql', sqlState: '42P01' });
      expect((await appliedVersions()).map((r) => r.version)).toEqual([1]);
      const { rows } = await getDb().query(
        "SELECT to_regclass('ok_table') IS NOT NULL AS ok, to_regclass('half_done') AS half, to_regclass('after_table') AS after",
      );
      expect(rows).toEqual([{ ok: true, half: null, after: null }]);
    });

    it('reports versions recorded in the database that this code does not know', async () => {
      const newer = await migrationsDir({ '001_a.sql': 'SELECT 1;', '002_b.sql': 'SELECT 2;' });
      await migrate(getDb(), { dir: newer });
      const older = await migrationsDir({ '001_a.sql': 'SELECT 1;' });
      const report = await migrate(getDb(), { dir: older });
      expect(report).toEqual({ applied: [], alreadyApplied: ['001_a.sql'], unknownVersions: [2] });
    });

    it('001_core: audit_log accepts inserts and refuses UPDATE, DELETE and TRUNCATE', async () => {
      const db = getDb();
      await migrate(db);
      const { rows } = await db.query<{ id: number }>(
        `INSERT INTO audit_log (actor, role, action, resource, member_ids, detail)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        ['analyst-7', 'analyst', 'read', 'members/risk', ['M1', 'M2'], JSON.stringify({ reason: 'review' })],
      );
      expect(rows[0]?.id).toBe(1);
      for (const statement of ["UPDATE audit_log SET actor = 'someone-else'", 'DELETE FROM audit_log', 'TRUNCATE audit_log']) {
        const error = await db.query(statement).catch((e: unknown) => e);
        expect(error, statement).toBeInstanceOf(DatabaseError);
        expect(error, statement).toMatchObject({ sqlState: '42501' });
        expect((error as Error).message, statement).toMatch(/audit_log is append-only/);
      }
      expect((await db.query('SELECT actor, member_ids, detail FROM audit_log')).rows).toEqual([
        { actor: 'analyst-7', member_ids: ['M1', 'M2'], detail: { reason: 'review' } },
      ]);
    });

    it('001_core: loads accepts only known statuses, with finished_at set exactly when done', async () => {
      const db = getDb();
      await migrate(db);
      await db.query("INSERT INTO loads (load_id, source_dir) VALUES ('L1', '/data/2024')");
      expect((await db.query("SELECT status, counts, finished_at FROM loads WHERE load_id = 'L1'")).rows).toEqual([
        { status: 'staging', counts: {}, finished_at: null },
      ]);
      await db.query("UPDATE loads SET status = 'published', finished_at = now(), counts = $1 WHERE load_id = 'L1'", [
        JSON.stringify({ members: 10 }),
      ]);
      await expect(db.query("INSERT INTO loads (load_id, source_dir, status, finished_at) VALUES ('L2', '/d', 'bogus', now())")).rejects.toMatchObject({
        sqlState: '23514',
        constraint: 'loads_status_known',
      });
      await expect(db.query("INSERT INTO loads (load_id, source_dir, status) VALUES ('L3', '/d', 'failed')")).rejects.toMatchObject({
        sqlState: '23514',
        constraint: 'loads_finished_when_done',
      });
    });

    it('011_identifier_collation: a populated store at 010 keeps its rows, ids compare under "C", staging twins match their tables', async () => {
      const db = getDb();
      const upTo010 = await migrationsDir(
        Object.fromEntries((await readMigrations()).filter((m) => m.version <= 10).map((m) => [m.file, m.sql])),
      );
      await migrate(db, { dir: upTo010 });
      // A published load, another half staged, and rows behind every kind of dependency the
      // migration must carry: foreign keys, a self-reference, CHECK constraints, a GIN index on an
      // id array and append-only triggers.
      await db.exec(`
        INSERT INTO loads (load_id, source_dir, status, finished_at) VALUES ('L1', '/d', 'published', now());
        INSERT INTO loads (load_id, source_dir) VALUES ('L2', '/d');
        INSERT INTO load_file (load_id, entity, source_file) VALUES ('L2', 'member', '/d/member.csv');
        INSERT INTO member (member_id, birth_date, sex, region, insurance_scheme, enrolled_from, load_id)
          VALUES ('M10', '1960-01-01', 'F', 'r', 's', '2020-01-01', 'L1'), ('M2', '1970-01-01', 'M', 'r', 's', '2020-01-01', 'L1');
        INSERT INTO staging_member (member_id, birth_date, sex, region, insurance_scheme, enrolled_from, load_id)
          VALUES ('M3', '1980-01-01', 'F', 'r', 's', '2020-01-01', 'L2');
        INSERT INTO audit_log (actor, role, action, resource, member_ids) VALUES ('a', 'analyst', 'read', 'members', ARRAY['M10', 'M2']);
        INSERT INTO risk_adjustment (result_id, institution_id, period, base_standard, class_as_of, request, request_hash, principal_id, model,
                                     payment_score_decimals, package_rates, member_count, member_months, medical_total, package_total)
          VALUES ('RA1', 'I1', 2026, 100, '2026-01-01', '{}', 'h', 'p', '{}', 2, '{}', 1, 12, 1, 1);
        INSERT INTO settlement_statement (settlement_id, statement_id, institution_id, period, revision, risk_adjustment_id, inputs, sealed, hash, created_by)
          VALUES ('S1', 'T1', 'I1', 2026, 1, 'RA1', '{}', '{}', 'h1', 'a');
        INSERT INTO settlement_statement (settlement_id, statement_id, institution_id, period, revision, risk_adjustment_id, inputs,
                                          supersedes_settlement_id, reason, sealed, previous_hash, supersedes_hash, hash, created_by)
          VALUES ('S2', 'T2', 'I1', 2026, 2, 'RA1', '{}', 'S1', 'fix', '{}', 'h1', 'h1', 'h2', 'a');
        INSERT INTO performance_run (run_id, period, created_by, inputs_fingerprint, member_count, summary, institutions)
          VALUES ('R1', '2026Q2', 'a', 'f', 1, '{}', '[]');
        INSERT INTO performance_run_member (run_id, institution_id, member_id, indicator, in_numerator, explanation)
          VALUES ('R1', 'I1', 'M2', 'CMS122', true, 'e');`);
      const snapshot = async () => ({
        member: (await db.query('SELECT member_id, load_id FROM member ORDER BY member_id')).rows,
        staged: (await db.query('SELECT member_id, load_id FROM staging_member')).rows,
        audit: (await db.query('SELECT member_ids FROM audit_log')).rows,
        statements: (await db.query('SELECT settlement_id, supersedes_settlement_id, previous_hash, hash FROM settlement_statement ORDER BY seq')).rows,
        runMembers: (await db.query('SELECT run_id, member_id, indicator FROM performance_run_member')).rows,
      });
      const before = await snapshot();

      expect((await migrate(db)).applied[0]).toBe('011_identifier_collation.sql');

      expect(await snapshot()).toEqual(before);
      // Every identifier column, in every table, compares byte by byte: none is left to mix with another collation.
      const notC = await db.query(
        `SELECT c.relname || '.' || a.attname AS col
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
            AND a.atttypid IN ('text'::regtype, 'text[]'::regtype) AND (a.attname LIKE '%\\_id' OR a.attname = 'member_ids')
            AND a.attcollation <> (SELECT oid FROM pg_collation WHERE collname = 'C' AND collnamespace = 'pg_catalog'::regnamespace)
          ORDER BY 1`,
      );
      expect(notC.rows).toEqual([]);
      // The loader swaps a staging table in for its table only when their columns agree, collation included.
      const twinsDiffer = await db.query(
        `SELECT t.relname || '.' || a.attname AS col
           FROM pg_class t JOIN pg_attribute a ON a.attrelid = t.oid
           JOIN pg_attribute b ON b.attrelid = format('%I.%I', current_schema(), 'staging_' || t.relname)::regclass AND b.attname = a.attname
          WHERE t.relnamespace = current_schema()::regnamespace AND t.relkind = 'r' AND t.relname NOT LIKE 'staging\\_%' AND a.attnum > 0
            AND to_regclass(format('%I.%I', current_schema(), 'staging_' || t.relname)) IS NOT NULL
            AND a.attcollation <> b.attcollation`,
      );
      expect(twinsDiffer.rows).toEqual([]);
      const collations = await db.query<{ code: string; name: string }>(
        `SELECT (SELECT collname FROM pg_collation WHERE oid = (SELECT attcollation FROM pg_attribute WHERE attrelid = 'observation'::regclass AND attname = 'code')) AS code,
                (SELECT collname FROM pg_collation WHERE oid = (SELECT attcollation FROM pg_attribute WHERE attrelid = 'institution'::regclass AND attname = 'name')) AS name`,
      );
      // Codes are keys too; names are text for people and keep the database's collation.
      expect(collations.rows).toEqual([{ code: 'C', name: 'default' }]);

      // Parameters and literals (default collation) still meet the columns in joins and lookups.
      const known = await db.query(
        `SELECT id FROM unnest($1::text[]) AS id
          WHERE EXISTS (SELECT 1 FROM member m WHERE m.member_id = id)
             OR EXISTS (SELECT 1 FROM staging_member s WHERE s.member_id = id AND s.load_id = 'L2')
          ORDER BY id`,
        [['M2', 'M3', 'M4']],
      );
      expect(known.rows).toEqual([{ id: 'M2' }, { id: 'M3' }]);
      expect((await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE member_ids @> ARRAY['M2']`)).rows).toEqual([{ n: 1 }]);
      await expect(db.query("INSERT INTO settlement_statement (settlement_id, statement_id, institution_id, period, revision, risk_adjustment_id, inputs, sealed, hash, created_by) VALUES ('S3', 'T3', 'I1', 2026, 3, 'RA9', '{}', '{}', 'h3', 'a')")).rejects.toMatchObject({ sqlState: '23503' });
      await expect(db.query("UPDATE settlement_statement SET reason = 'x'")).rejects.toMatchObject({ sqlState: '42501' });
    });

    it('012_list_item: each listed score gets its clinic-list item from its summary, and the summary column goes', async () => {
      const db = getDb();
      const upTo011 = await migrationsDir(
        Object.fromEntries((await readMigrations()).filter((m) => m.version <= 11).map((m) => [m.file, m.sql])),
      );
      await migrate(db, { dir: upTo011 });
      const summaries = {
        'M-1': { reasons: ['chronic: hypertension', 'quote " and tab\t kept'], careGaps: [], nextDue: { label: 'follow-up', dueDate: '2026-07-01', status: 'due' }, topFactors: ['readmission: age 71'] },
        'M-2': { reasons: [], careGaps: ['no HbA1c in 12 months'], nextDue: null, topFactors: [] },
      };
      await db.query(
        `WITH s AS (INSERT INTO score_result (member_id, as_of, institution_id, risk_class, class_row, model_versions, input_fingerprint, result)
                    SELECT m, '2026-06-30', 'I1', 'severe', 1, '{}', 'f', '{}' FROM unnest(ARRAY['M-1', 'M-2']) AS m RETURNING score_id, member_id)
         INSERT INTO member_latest_score (member_id, score_id, institution_id, risk_class, class_rank, max_risk, as_of, summary)
         SELECT s.member_id, s.score_id, 'I1', 'severe', 5, 0.25, '2026-06-30', (json_object_agg(k, v::json) ->> s.member_id)::jsonb
           FROM s, unnest($1::text[], $2::text[]) AS t(k, v) GROUP BY s.member_id, s.score_id`,
        [Object.keys(summaries), Object.values(summaries).map((v) => JSON.stringify(v))],
      );

      expect((await migrate(db)).applied[0]).toBe('012_list_item.sql');

      const rows = await db.query<{ member_id: string; list_item: string }>('SELECT member_id, list_item FROM member_latest_score ORDER BY member_id');
      expect(rows.rows.map((r) => [r.member_id, JSON.parse(`{${r.list_item}}`)])).toEqual(
        Object.entries(summaries).map(([memberId, summary]) => [memberId, { memberId, riskClass: 'severe', ...summary, asOf: '2026-06-30' }]),
      );
      const columns = await db.query<{ column_name: string; is_nullable: string }>(
        `SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'member_latest_score' AND column_name IN ('summary', 'list_item')`,
      );
      expect(columns.rows).toEqual([{ column_name: 'list_item', is_nullable: 'NO' }]);
    });
  },
  { migrate: false },
);
