-- 005_settlement: the settlement engine's calls (issue 5). Risk adjustments of an institution's
-- panel for a payment year, stored with the request, the member-level inputs used (demographics,
-- diagnoses, months, class) and the outputs, so any answer can be returned again and recomputed;
-- and the capitation settlement statements of record, sealed in a hash chain (src/settlement/
-- statement-chain.ts). Both are append-only: a correction is a new row (a superseding statement),
-- never an edit, so UPDATE, DELETE and TRUNCATE raise an error.
-- Money is numeric(17, 2) (exact; read back with ::text), never floating point.

CREATE TABLE risk_adjustment (
  result_id        text PRIMARY KEY,
  institution_id   text NOT NULL,
  period           integer NOT NULL,
  base_standard    numeric(17, 2) NOT NULL,
  class_as_of      date NOT NULL,
  -- The request as validated, its SHA-256 (canonical JSON), and the caller's Idempotency-Key.
  request          jsonb NOT NULL,
  request_hash     text NOT NULL,
  principal_id     text NOT NULL,
  idempotency_key  text,
  -- {name, version, tablesId, tablesSha256, categoriesFile, segment}
  model            jsonb NOT NULL,
  payment_score_decimals smallint NOT NULL,
  package_rates    jsonb NOT NULL,
  member_count     integer NOT NULL,
  member_months    integer NOT NULL,
  medical_total    numeric(17, 2) NOT NULL,
  package_total    numeric(17, 2) NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT risk_adjustment_idempotency UNIQUE (principal_id, idempotency_key)
);
CREATE INDEX risk_adjustment_institution ON risk_adjustment (institution_id, period);

-- One row per priced member, in response order (line_no).
CREATE TABLE risk_adjustment_line (
  result_id        text NOT NULL REFERENCES risk_adjustment (result_id),
  line_no          integer NOT NULL,
  member_id        text NOT NULL,
  -- Inputs.
  age              smallint NOT NULL,
  sex              text NOT NULL,
  dx               text[] NOT NULL,
  enrolled_months  smallint NOT NULL CHECK (enrolled_months BETWEEN 0 AND 12),
  risk_class       text NOT NULL,
  -- The stored score the class came from (score_result, migration 004).
  class_score_id   bigint,
  -- Outputs.
  raw_score        double precision NOT NULL,
  payment_score    text NOT NULL,
  medical          numeric(17, 2) NOT NULL,
  package          numeric(17, 2) NOT NULL,
  package_rate     text NOT NULL,
  contributions    jsonb NOT NULL,
  PRIMARY KEY (result_id, line_no)
);
CREATE INDEX risk_adjustment_line_member ON risk_adjustment_line (result_id, member_id);

CREATE TABLE risk_adjustment_problem (
  result_id  text NOT NULL REFERENCES risk_adjustment (result_id),
  problem_no integer NOT NULL,
  member_id  text NOT NULL,
  code       text NOT NULL,
  message    text NOT NULL,
  PRIMARY KEY (result_id, problem_no)
);

-- Statements of record, one hash chain over all of them in seq order. `sealed` is the exact
-- canonical JSON that was hashed; a superseding statement names the one it replaces (both stay).
CREATE TABLE settlement_statement (
  seq                      bigserial PRIMARY KEY,
  settlement_id            text NOT NULL UNIQUE,
  statement_id             text NOT NULL UNIQUE,
  institution_id           text NOT NULL,
  period                   integer NOT NULL,
  revision                 integer NOT NULL,
  risk_adjustment_id       text NOT NULL REFERENCES risk_adjustment (result_id),
  inputs                   jsonb NOT NULL,
  supersedes_settlement_id text UNIQUE REFERENCES settlement_statement (settlement_id),
  reason                   text,
  sealed                   text NOT NULL,
  previous_hash            text,
  supersedes_hash          text,
  hash                     text NOT NULL UNIQUE,
  created_by               text NOT NULL,
  created_at               timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT settlement_statement_reason CHECK ((supersedes_settlement_id IS NULL) = (reason IS NULL))
);
CREATE INDEX settlement_statement_institution ON settlement_statement (institution_id, period, revision);

CREATE FUNCTION settlement_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = '42501';
END;
$$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['risk_adjustment', 'risk_adjustment_line', 'risk_adjustment_problem', 'settlement_statement']
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION settlement_append_only()', t || '_no_update_delete', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION settlement_append_only()', t || '_no_truncate', t);
  END LOOP;
END $$;
