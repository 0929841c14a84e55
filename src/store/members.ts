/**
 * Reading members' records out of the store as contract records (MemberRecord), for features
 * in training and serving alike. Dates and instants are rendered by SQL into the contracts'
 * text forms so no driver's Date parsing (or local time zone) touches them.
 */
import { contractColumns, PRIMARY_KEY, type EntityName } from '../../data-contracts/v1/index.ts';
import type { MemberRecord } from '../features/member-record.ts';
import type { Queryable } from './database.ts';

const MEMBER_TABLES = {
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

const selectLists = new WeakMap<Queryable, Map<EntityName, string>>();

/** The SELECT list rendering each column of an entity in its contract form. */
async function selectList(db: Queryable, entity: EntityName): Promise<string> {
  let perDb = selectLists.get(db);
  if (!perDb) selectLists.set(db, (perDb = new Map()));
  const cached = perDb.get(entity);
  if (cached) return cached;
  const types = await db.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()`,
    [entity],
  );
  const typeOf = new Map(types.rows.map((r) => [r.column_name, r.data_type]));
  const list = contractColumns(entity)
    .map(({ name }) => {
      const t = typeOf.get(name);
      if (t === 'date') return `to_char(${name}, 'YYYY-MM-DD') AS ${name}`;
      if (t === 'timestamp with time zone') return `to_char(${name} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS ${name}`;
      if (t === 'numeric') return `${name}::text AS ${name}`;
      return name;
    })
    .join(', ');
  perDb.set(entity, list);
  return list;
}

/** Every stored record of the given members, keyed by member id; unknown ids are absent. */
export async function fetchMemberRecords(db: Queryable, memberIds: readonly string[]): Promise<Map<string, MemberRecord>> {
  const out = new Map<string, MemberRecord>();
  if (memberIds.length === 0) return out;
  const members = await db.query<MemberRecord['member']>(`SELECT ${await selectList(db, 'member')} FROM member WHERE member_id = ANY($1::text[])`, [memberIds]);
  for (const member of members.rows)
    out.set(member.member_id, { member, signups: [], conditions: [], encounters: [], observations: [], procedures: [], serviceRequests: [], medications: [], claims: [], lifestyle: [] });
  if (out.size === 0) return out;
  const ids = [...out.keys()];
  for (const [field, table] of Object.entries(MEMBER_TABLES) as [keyof typeof MEMBER_TABLES, EntityName][]) {
    const rows = await db.query<Record<string, unknown> & { member_id: string }>(
      // Ordered by key so a member's record (and its fingerprint) is the same on every read.
      `SELECT ${await selectList(db, table)} FROM ${table} WHERE member_id = ANY($1::text[]) ORDER BY ${PRIMARY_KEY[table]}`,
      [ids],
    );
    for (const row of rows.rows) (out.get(row.member_id)![field] as unknown[]).push(row);
  }
  for (const r of out.values()) {
    r.encounters.sort((a, b) => (a.start_time < b.start_time ? -1 : a.start_time > b.start_time ? 1 : 0));
    r.observations.sort((a, b) => (a.effective_time < b.effective_time ? -1 : a.effective_time > b.effective_time ? 1 : 0));
  }
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
