/**
 * Reading members' records out of the store as contract records (MemberRecord), for features
 * in training and serving alike. Dates and instants are rendered by SQL into the contracts'
 * text forms so no driver's Date parsing (or local time zone) touches them.
 */
import { contractColumns, PRIMARY_KEY, type EntityName } from '../../data-contracts/v1/index.ts';
import type { MemberRecord } from '../features/member-record.ts';
import type { Queryable } from './database.ts';

/** Where each list of a member record is stored. */
export const MEMBER_TABLES = {
  signups: 'signup',
  conditions: 'condition',
  encounters: 'encounter',
  observations: 'observation',
  procedures: 'procedure',
  serviceRequests: 'service_request',
  medications: 'medication',
  claims: 'claim_cost',
  lifestyle: 'lifestyle',
} as const satisfies Record<Exclude<keyof MemberRecord, 'member'>, EntityName>;

/**
 * An entity's contract columns, each as the SQL expression that renders it (inside the record's
 * JSON) in its contract form, or close to it: `instants` marks the columns finished in JavaScript.
 */
export interface ColumnList {
  names: string[];
  expressions: string[];
  /** Positions of instants, which arrive as `YYYY-MM-DDTHH:MI:SS[.fff]` (UTC) without their `Z`. */
  instants: number[];
}

/**
 * An instant as the contracts write it: whole seconds, `Z`. (to_char wrote the same in SQL, at
 * several times the cost of PostgreSQL's JSON rendering of a UTC timestamp.)
 */
const contractInstant = (json: string) => `${json.slice(0, 19)}Z`;

/**
 * Read the column types once, to render dates, instants and money as the contracts' text. A date
 * goes into JSON as `YYYY-MM-DD` whatever the DateStyle, so it needs no to_char.
 */
async function columnList(db: Queryable, entity: EntityName, alias: string): Promise<ColumnList> {
  const types = await db.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()`,
    [entity],
  );
  const typeOf = new Map(types.rows.map((r) => [r.column_name, r.data_type]));
  const names = contractColumns(entity).map((c) => c.name);
  const instants: number[] = [];
  const expressions = names.map((name, i) => {
    const column = `${alias}.${name}`;
    const t = typeOf.get(name);
    if (t === 'timestamp with time zone') {
      instants.push(i);
      return `(${column} AT TIME ZONE 'UTC')`;
    }
    if (t === 'numeric') return `${column}::text`;
    return column;
  });
  return { names, expressions, instants };
}

/**
 * How a record text from the store is laid out: the contract column names of the member row and
 * of each list, in the order the record query writes them. Plain data, so a scoring thread can
 * parse record texts read on the main thread.
 */
export interface RecordLayout {
  member: ColumnList;
  lists: ColumnList[];
}

interface RecordQuery {
  sql: string;
  layout: RecordLayout;
}

const recordQueries = new WeakMap<Queryable, Promise<RecordQuery>>();
const LISTS = Object.entries(MEMBER_TABLES) as [keyof typeof MEMBER_TABLES, EntityName][];

/**
 * One statement that reads whole records: a row per member whose one text field is a JSON array
 * [member row, signups, conditions, ...], each row a positional array of its contract columns,
 * each list aggregated from its table through the member index. So a fixed number of statements
 * whatever the batch size, and one JSON.parse per member instead of decoding every field (PGlite
 * decodes fields one by one at several microseconds each). Positional arrays keep the JSON the
 * database has to write small. float8 values travel as PostgreSQL's shortest round-trip text, so
 * they parse to the numbers the driver gave.
 */
async function buildRecordQuery(db: Queryable): Promise<RecordQuery> {
  const member = await columnList(db, 'member', 'm');
  const lists: string[] = [];
  const listColumns: ColumnList[] = [];
  for (const [, table] of LISTS) {
    const columns = await columnList(db, table, 't');
    listColumns.push(columns);
    // Ordered by key so a member's record (and its fingerprint) is the same on every read.
    lists.push(`coalesce((SELECT json_agg(json_build_array(${columns.expressions.join(', ')}) ORDER BY t.${PRIMARY_KEY[table]}) FROM ${table} t WHERE t.member_id = m.member_id), '[]'::json)`);
  }
  return {
    sql: `SELECT m.member_id, json_build_array(json_build_array(${member.expressions.join(', ')}), ${lists.join(', ')})::text AS record
            FROM member m WHERE m.member_id = ANY($1::text[])`,
    layout: { member, lists: listColumns },
  };
}

function recordQuery(db: Queryable): Promise<RecordQuery> {
  let query = recordQueries.get(db);
  if (!query) {
    query = buildRecordQuery(db);
    recordQueries.set(db, query);
    // A failed build (store not migrated yet) is not remembered.
    query.catch(() => recordQueries.delete(db));
  }
  return query;
}

/** A positional row as an object with the contract's field names, in contract order. */
function rowObject(columns: ColumnList, values: unknown[]): Record<string, unknown> {
  for (const i of columns.instants) {
    const v = values[i];
    if (typeof v === 'string') values[i] = contractInstant(v);
  }
  const { names } = columns;
  const row: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
  return row;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A member's record as the store wrote it, not parsed yet (see parseMemberRecord). */
export interface RecordText {
  memberId: string;
  text: string;
}

/** A member's record from its stored text (pure; the same on every thread). */
export function parseMemberRecord(layout: RecordLayout, text: string): MemberRecord {
  const [member, ...lists] = JSON.parse(text) as [unknown[], ...unknown[][][]];
  const record = { member: rowObject(layout.member, member) } as Record<string, unknown>;
  LISTS.forEach(([field], i) => {
    const columns = layout.lists[i]!;
    record[field] = lists[i]!.map((values) => rowObject(columns, values));
  });
  const r = record as unknown as MemberRecord;
  // Stable sorts: rows with the same time keep their key order.
  r.encounters.sort((a, b) => byText(a.start_time, b.start_time));
  r.observations.sort((a, b) => byText(a.effective_time, b.effective_time));
  return r;
}

/**
 * The stored record texts of the given members, in the order the store returns them; unknown ids
 * are absent. One statement, whatever the number of members.
 */
export async function fetchMemberRecordTexts(db: Queryable, memberIds: readonly string[]): Promise<{ layout: RecordLayout; records: RecordText[] }> {
  const { sql, layout } = await recordQuery(db);
  if (memberIds.length === 0) return { layout, records: [] };
  // Prepared: planning its ten sub-selects costs more than reading a few members' records.
  const rows = await db.query<{ member_id: string; record: string }>(sql, [memberIds], { prepare: true });
  return { layout, records: rows.rows.map((r) => ({ memberId: r.member_id, text: r.record })) };
}

/**
 * Every stored record of the given members, keyed by member id (in the order the store returns
 * them, as before: training reads pages in that order); unknown ids are absent. One statement,
 * whatever the number of members.
 */
export async function fetchMemberRecords(db: Queryable, memberIds: readonly string[]): Promise<Map<string, MemberRecord>> {
  const out = new Map<string, MemberRecord>();
  if (memberIds.length === 0) return out;
  const { layout, records } = await fetchMemberRecordTexts(db, memberIds);
  for (const { memberId, text } of records) out.set(memberId, parseMemberRecord(layout, text));
  return out;
}

/** All member ids in a stable order, in pages (for whole-population jobs and training). */
export async function* memberIdPages(db: Queryable, pageSize = 5000, after = ''): AsyncGenerator<string[]> {
  let cursor = after;
  for (;;) {
    const page = await db.query<{ member_id: string }>(`SELECT member_id FROM member WHERE member_id > $1 ORDER BY member_id LIMIT $2`, [cursor, pageSize]);
    if (page.rows.length === 0) return;
    yield page.rows.map((r) => r.member_id);
    cursor = page.rows[page.rows.length - 1]!.member_id;
    if (page.rows.length < pageSize) return;
  }
}
