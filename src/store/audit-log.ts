/**
 * The append-only `audit_log` (who read or wrote which members' data): the one column list every
 * writer inserts, so a column added to the table is added to every writer at once. The API's
 * audit trail inserts rows by VALUES, and scoring and the clinic list insert theirs inside the
 * statement whose data they account for.
 */
export const AUDIT_LOG_INSERT = 'INSERT INTO audit_log (actor, role, action, resource, member_ids, detail)';
