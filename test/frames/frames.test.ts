import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOINC } from '../../data-contracts/v1/codes.ts';
import { FramesError, openFrames, type Frames, type MemberFeatureSpec } from '../../src/frames/index.ts';

const TINY = join(import.meta.dirname, 'fixtures', 'tiny');

const SPEC: MemberFeatureSpec = {
  asOf: '2025-01-01',
  demographics: ['age', 'sex_male'],
  observations: [
    { name: 'hba1c_latest', aggregate: 'latest', code: LOINC.hba1c },
    { name: 'systolic_latest', aggregate: 'latest', code: LOINC.systolic },
    { name: 'readings_12m', aggregate: 'count', windowMonths: 12 },
    { name: 'systolic_mean_12m', aggregate: 'mean', code: LOINC.systolic, windowMonths: 12 },
  ],
};

function rowsOf(values: Float64Array, cols: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < values.length; i += cols) rows.push(Array.from(values.subarray(i, i + cols)));
  return rows;
}

async function expectFramesError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(FramesError);
  await expect(promise).rejects.toMatchObject({ code });
}

describe('openFrames on the tiny population', () => {
  let frames: Frames;
  beforeAll(async () => {
    frames = await openFrames(TINY, { threads: 1 });
  });
  afterAll(() => frames.close());

  it('loads every entity file present, typed by the contract', async () => {
    expect(frames.entities).toEqual(['member', 'observation']);
    expect(await frames.rowCount('member')).toBe(3);
    expect(await frames.rowCount('observation')).toBe(14);
    const [row] = await frames.query(`SELECT typeof(effective_time) AS t, typeof(value) AS v FROM observation LIMIT 1`);
    expect(row).toEqual({ t: 'TIMESTAMP WITH TIME ZONE', v: 'DOUBLE' });
  });

  it('reads empty fields as NULL and offsets as instants', async () => {
    const nulls = await frames.query(`SELECT count(*) AS n FROM observation WHERE value IS NULL`);
    expect(nulls).toEqual([{ n: 1 }]);
    const [o09] = await frames.query(`SELECT strftime(effective_time, '%Y-%m-%dT%H:%M:%S') AS t FROM observation WHERE observation_id = 'O09'`);
    expect(o09).toEqual({ t: '2024-12-31T23:00:00' });
  });

  it('computes the worked example: one row per member, ordered by member_id', async () => {
    const { ids, matrix } = await frames.memberFeatures(SPEC);
    expect(ids).toEqual(['M1', 'M2', 'M3']);
    expect(matrix.featureNames).toEqual(['age', 'sex_male', 'hba1c_latest', 'systolic_latest', 'readings_12m', 'systolic_mean_12m']);
    expect(matrix.rows).toBe(3);
    expect(matrix.cols).toBe(6);
    const [m1, m2, m3] = rowsOf(matrix.values, matrix.cols);
    // M1: birthday on the as-of day counts (65); latest HbA1c is the tie at 23:59:59 broken to O002
    // (8.1), never the reading at the as-of instant (9.9); latest systolic is O09, recorded
    // 07:00+08:00 on 2025-01-01 = 23:00Z the day before; 7 numeric final readings in 2024
    // (the cancelled one, the NULL one and O06 at 2023-12-31T23:00Z are out); mean of 150, 140, 200.
    expect(m1!.slice(0, 5)).toEqual([65, 1, 8.1, 200, 7]);
    expect(m1![5]).toBeCloseTo((150 + 140 + 200) / 3, 12);
    // M2: birthday tomorrow (64); amended and corrected results count; the 2023 HbA1c is still the latest.
    expect(m2).toEqual([64, 0, 6.5, 128, 1, 128]);
    // M3: no readings: latest and mean missing (NaN), count 0.
    expect(m3!.slice(0, 2)).toEqual([34, 0]);
    expect(m3![4]).toBe(0);
    expect([m3![2], m3![3], m3![5]].every(Number.isNaN)).toBe(true);
  });

  it('computes min, max and coded counts over all history before the as-of date', async () => {
    const { matrix } = await frames.memberFeatures({
      asOf: '2025-01-01',
      observations: [
        { name: 'systolic_min', aggregate: 'min', code: LOINC.systolic },
        { name: 'systolic_max', aggregate: 'max', code: LOINC.systolic },
        { name: 'systolic_count', aggregate: 'count', code: LOINC.systolic },
        { name: 'hba1c_latest_12m', aggregate: 'latest', code: LOINC.hba1c, windowMonths: 12 },
      ],
    });
    const [m1, m2] = rowsOf(matrix.values, matrix.cols);
    expect(m1).toEqual([130, 200, 4, 8.1]);
    expect(m2!.slice(0, 3)).toEqual([125, 128, 2]);
    // DOMAIN.md's "latest reading of the last 12 months": M2's only HbA1c is older, so missing.
    expect(Number.isNaN(m2![3])).toBe(true);
  });

  it('gives the same matrix with one thread or two', async () => {
    const two = await openFrames(TINY, { threads: 2 });
    try {
      const a = await frames.memberFeatures(SPEC);
      const b = await two.memberFeatures(SPEC);
      expect(b.ids).toEqual(a.ids);
      expect(Array.from(b.matrix.values)).toEqual(Array.from(a.matrix.values));
    } finally {
      two.close();
    }
  });

  it('turns any numeric query into a matrix and refuses text columns and repeated ids', async () => {
    const { ids, matrix } = await frames.toFeatureMatrix(`SELECT member_id, count(*) AS n, bool_or(status = 'cancelled') AS any_cancelled FROM observation GROUP BY member_id`, 'member_id');
    expect(ids).toEqual(['M1', 'M2']);
    expect(Array.from(matrix.values)).toEqual([11, 1, 3, 0]);
    await expectFramesError(frames.toFeatureMatrix(`SELECT member_id, sex FROM member`, 'member_id'), 'NOT_NUMERIC');
    await expectFramesError(frames.toFeatureMatrix(`SELECT member_id, value FROM observation`, 'member_id'), 'DUPLICATE_ID');
    await expectFramesError(frames.toFeatureMatrix(`SELECT 1 AS x`, 'member_id'), 'INVALID_SPEC');
  });
});

describe('openFrames refusals', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'frames-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a header that repeats a column', async () => {
    writeFileSync(join(dir, 'member.csv'), 'member_id,birth_date,sex,sex,region,insurance_scheme,enrolled_from,enrolled_to,deceased_date\nM1,1960-01-01,M,M,R1,UEBMI,2018-01-01,,\n');
    await expectFramesError(openFrames(dir, { entities: ['member'] }), 'HEADER_MISMATCH');
  });

  it('loads a file without a nullable contract field as NULL, and refuses a missing required or unknown column', async () => {
    const older = mkdtempSync(join(tmpdir(), 'frames-older-'));
    try {
      writeFileSync(join(older, 'member.csv'), 'member_id,birth_date,sex,region,insurance_scheme,enrolled_from,enrolled_to\nM1,1960-01-01,M,R1,UEBMI,2018-01-01,\n');
      const frames = await openFrames(older);
      expect(await frames.query('SELECT member_id, deceased_date FROM member')).toEqual([{ member_id: 'M1', deceased_date: null }]);
      frames.close();
      writeFileSync(join(older, 'member.csv'), 'member_id,sex,region,insurance_scheme,enrolled_from,enrolled_to\nM1,M,R1,UEBMI,2018-01-01,\n');
      await expectFramesError(openFrames(older), 'HEADER_MISMATCH');
      writeFileSync(join(older, 'member.csv'), 'member_id,birth_date,sex,region,insurance_scheme,enrolled_from,enrolled_to,national_id\nM1,1960-01-01,M,R1,UEBMI,2018-01-01,,x\n');
      await expectFramesError(openFrames(older), 'HEADER_MISMATCH');
    } finally {
      rmSync(older, { recursive: true, force: true });
    }
  });

  it('refuses an entity whose file is missing', async () => {
    await expectFramesError(openFrames(dir, { entities: ['observation'] }), 'MISSING_TABLE');
  });

  it('reports a value that does not fit the contract type as LOAD_FAILED', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'frames-bad-'));
    try {
      writeFileSync(join(bad, 'member.csv'), 'member_id,birth_date,sex,region,insurance_scheme,enrolled_from,enrolled_to,deceased_date\nM1,not-a-date,M,R1,UEBMI,2018-01-01,,\n');
      await expectFramesError(openFrames(bad), 'LOAD_FAILED');
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('refuses work after close', async () => {
    const frames = await openFrames(TINY, { entities: ['member'] });
    frames.close();
    frames.close();
    await expectFramesError(frames.rowCount('member'), 'CLOSED');
  });
});
