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
  },
  { migrate: false },
);
