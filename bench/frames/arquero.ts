/**
 * Candidate: arquero 7 (in-memory column tables with a verb API). Loads whole CSV files with
 * `loadCSV` (the file becomes one string, so a file past V8's ~512 MB string limit cannot load
 * this way), then filter / groupby / orderby / pivot / rollup / join.
 */
import { join } from 'node:path';
import * as aq from 'arquero';
import { LOINC } from '../../data-contracts/v1/codes.ts';
import type { FeatureMatrix } from '../../src/models/risk-model.ts';
import { AS_OF, FEATURE_NAMES, WINDOW_START } from './spec.ts';

type Table = ReturnType<typeof aq.table>;
const { op } = aq;

/** Row shapes for the verb callbacks (arquero compiles them from source; the types are for tsc). */
interface ObsRow {
  value: number | null;
  status: string;
  effective_time: string;
  code_system: string;
  code: string;
  sbp12: number | null;
}
interface MemberRow {
  birth_date: string;
  sex: string;
}
interface Params {
  asOf: string;
  start: string;
  a1c: string;
  sbp: string;
}

export interface ArqueroTables {
  member: Table;
  observation: Table;
}

/** Load both files; dates stay text (ISO text sorts as time) so parsing is not measured twice. */
export async function loadArquero(dir: string): Promise<ArqueroTables> {
  const member = await aq.loadCSV(join(dir, 'member.csv'), { autoType: false });
  const observation = await aq.loadCSV(join(dir, 'observation.csv'), { autoType: false, parse: { value: (s: string) => (s === '' ? null : Number(s)) } });
  return { member, observation };
}

/** The feature query as arquero verbs; rows ordered by member_id. */
export function queryArquero(t: ArqueroTables): Table {
  const params = { asOf: `${AS_OF}T00:00:00Z`, start: `${WINDOW_START}T00:00:00Z`, a1c: LOINC.hba1c, sbp: LOINC.systolic };
  const readings = t.observation
    .params(params)
    .filter((d: ObsRow, $: Params) => d.value != null && (d.status === 'final' || d.status === 'amended' || d.status === 'corrected') && d.effective_time < $.asOf && d.code_system === 'LOINC');
  const latest = readings
    .params(params)
    .filter((d: ObsRow, $: Params) => d.code === $.a1c || d.code === $.sbp)
    .groupby('member_id', 'code')
    .orderby(aq.desc('effective_time'), aq.desc('observation_id'))
    .filter(() => op.row_number() === 1)
    .ungroup()
    .params(params)
    .derive({ feature: (d: ObsRow, $: Params) => (d.code === $.a1c ? 'hba1c_latest' : 'systolic_latest') })
    .groupby('member_id')
    .pivot('feature', 'value');
  const windowed = readings
    .params(params)
    .filter((d: ObsRow, $: Params) => d.effective_time >= $.start)
    .derive({ sbp12: (d: ObsRow, $: Params) => (d.code === $.sbp ? d.value : null) })
    .groupby('member_id')
    .rollup({ readings_12m: () => op.count(), systolic_mean_12m: (d: ObsRow) => op.mean(d.sbp12) });
  return t.member
    .derive({
      // Completed years on 2025-01-01: a birthday on 01-01 has passed, any other has not.
      age: (d: MemberRow) => 2025 - op.parse_int(op.substring(d.birth_date, 0, 4), 10) - (op.substring(d.birth_date, 5, 10) > '01-01' ? 1 : 0),
      sex_male: (d: MemberRow) => (d.sex === 'M' ? 1 : 0),
    })
    .select('member_id', 'age', 'sex_male')
    .join_left(latest, 'member_id')
    .join_left(windowed, 'member_id')
    .orderby('member_id');
}

/** Copy the table's feature columns into a row-major Float64Array (null -> NaN, count null -> 0). */
export function matrixArquero(table: Table): { ids: string[]; matrix: FeatureMatrix } {
  const rows = table.numRows();
  const cols = FEATURE_NAMES.length;
  const values = new Float64Array(rows * cols);
  FEATURE_NAMES.forEach((name, j) => {
    const column = table.array(name) as ArrayLike<number | null | undefined>;
    for (let i = 0; i < rows; i++) {
      const v = column[i];
      values[i * cols + j] = v == null ? (name === 'readings_12m' ? 0 : Number.NaN) : v;
    }
  });
  return { ids: Array.from(table.array('member_id') as ArrayLike<string>), matrix: { rows, cols, values, featureNames: FEATURE_NAMES } };
}
