-- 001_core: infrastructure tables only (entity tables arrive in 002_* and later).
-- schema_migrations is created by the migration runner itself (src/store/migrate.ts).
-- Must run unchanged on PostgreSQL 15 and PGlite (PostgreSQL 18).

-- One row per bulk load of a source directory. A load is written into staging and only becomes
-- visible when published, so readers never see half a load.
CREATE TABLE loads (
  load_id     text PRIMARY KEY,
  source_dir  text NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  status      text NOT NULL DEFAULT 'staging'
              CONSTRAINT loads_status_known CHECK (status IN ('staging', 'published', 'failed')),
  counts      jsonb NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT loads_finished_when_done CHECK ((status = 'staging') = (finished_at IS NULL))
);

-- Who did what to which members, and when. Append-only: a record of access to personal health
-- data must not be editable afterwards, so UPDATE, DELETE and TRUNCATE raise an error.
CREATE TABLE audit_log (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor      text NOT NULL,
  role       text NOT NULL,
  action     text NOT NULL,
  resource   text NOT NULL,
  member_ids text[] NOT NULL DEFAULT '{}',
  detail     jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_member_ids ON audit_log USING gin (member_ids);

CREATE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- SQLSTATE 42501 insufficient_privilege: the store maps it to a typed error like any other.
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = '42501';
END;
$$;

CREATE TRIGGER audit_log_no_update_delete
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
