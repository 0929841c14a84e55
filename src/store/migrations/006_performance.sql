-- 006_performance: stored performance runs of a period (Stratum issue 6): the institutions'
-- O1/O2/P1/P2 figures with risk adjustment and their P4P statements, as computed by
-- `stratum performance` or POST /v1/performance/:period/compute (src/performance/report/).
-- Readers take the latest run of a period. Append-only like the settlement tables: a new
-- computation is a new run, never an edit, so UPDATE, DELETE and TRUNCATE raise an error.

CREATE TABLE performance_run (
  run_id             text PRIMARY KEY,
  period             integer NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  created_by         text NOT NULL,
  -- SHA-256 over the member records read (in member id order), the policy slices, the
  -- computation options and the money inputs: equal fingerprints mean equal inputs.
  inputs_fingerprint text NOT NULL,
  member_count       integer NOT NULL,
  -- PerformanceRunResult without `institutions` (overall rates, case-mix models, unattributed).
  summary            jsonb NOT NULL,
  -- StoredInstitutionResult[]: figures, money inputs and the P4P statement of each institution.
  institutions       jsonb NOT NULL
);
CREATE INDEX performance_run_period ON performance_run (period, created_at DESC);

-- The drill-down: each member in each indicator's denominator, in or out of the numerator, why.
CREATE TABLE performance_run_member (
  run_id         text NOT NULL REFERENCES performance_run (run_id),
  institution_id text NOT NULL,
  member_id      text NOT NULL,
  indicator      text NOT NULL,
  in_numerator   boolean NOT NULL,
  explanation    text NOT NULL,
  PRIMARY KEY (run_id, institution_id, indicator, member_id)
);

CREATE FUNCTION performance_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = '42501';
END;
$$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['performance_run', 'performance_run_member']
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION performance_append_only()', t || '_no_update_delete', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION performance_append_only()', t || '_no_truncate', t);
  END LOOP;
END $$;
