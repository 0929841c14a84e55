import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.ts';
import { databaseOptionsFromEnv, openDatabase, quoteIdentifier } from '../../src/store/database.ts';
import { DatabaseClosedError } from '../../src/store/errors.ts';
import { TEST_PG_URL } from '../helpers/engines.ts';

describe('openDatabase', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('keeps PGlite files under <dataDir>/pglite and finds the data again after reopening', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'stratum-open-'));
    dirs.push(dataDir);
    const first = await openDatabase({ dataDir });
    expect(first.engine).toBe('pglite');
    await first.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here');");
    await first.close();
    expect(await readdir(join(dataDir, 'pglite'))).toContain('PG_VERSION');

    const second = await openDatabase({ dataDir });
    expect((await second.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
    await second.close();
    await expect(second.query('SELECT 1')).rejects.toBeInstanceOf(DatabaseClosedError);
  });

  it('chooses PostgreSQL when a database URL is given, without connecting until first use', async () => {
    const db = await openDatabase({ databaseUrl: TEST_PG_URL });
    expect(db.engine).toBe('postgres');
    await db.close();
  });

  it('refuses a search path that could smuggle other startup options', async () => {
    await expect(openDatabase({ databaseUrl: TEST_PG_URL, searchPath: 'x -c work_mem=1' })).rejects.toBeInstanceOf(RangeError);
  });

  it('takes DATABASE_URL and STRATUM_DATA_DIR from the environment', () => {
    expect(databaseOptionsFromEnv(loadEnv({}))).toEqual({ databaseUrl: undefined, dataDir: './var' });
    expect(databaseOptionsFromEnv(loadEnv({ DATABASE_URL: 'postgres://u@h:5432/d', STRATUM_DATA_DIR: '/srv/stratum' }))).toEqual({
      databaseUrl: 'postgres://u@h:5432/d',
      dataDir: '/srv/stratum',
    });
  });

  it('quotes identifiers, keeping one schema qualifier', () => {
    expect(quoteIdentifier('loads')).toBe('"loads"');
    expect(quoteIdentifier('stage.members')).toBe('"stage"."members"');
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
  });
});
