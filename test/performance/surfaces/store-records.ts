/**
 * Put hand-made member records into a store for tests: entity tables only, with a lineage load id
 * of `test-fixture` (the column is required) and no load bookkeeping.
 */
import { contractColumns, type EntityName } from '../../../data-contracts/v1/index.ts';
import type { MemberRecord } from '../../../src/features/member-record.ts';
import type { Queryable } from '../../../src/store/database.ts';
import { MEMBER_TABLES } from '../../../src/store/members.ts';

const TABLES = MEMBER_TABLES;

async function insert(db: Queryable, entity: EntityName, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = contractColumns(entity).map((c) => c.name);
  await db.copyFrom(
    entity,
    [...columns, 'load_id'],
    rows.map((r) => [...columns.map((c) => (r as Record<string, unknown>)[c] ?? null), 'test-fixture']),
  );
}

/** Insert every entity row of the records. */
export async function insertMemberRecords(db: Queryable, records: readonly MemberRecord[]): Promise<void> {
  await insert(
    db,
    'member',
    records.map((r) => r.member),
  );
  for (const [field, table] of Object.entries(TABLES) as [keyof typeof TABLES, EntityName][]) await insert(db, table, records.flatMap((r) => r[field] as object[]));
}
