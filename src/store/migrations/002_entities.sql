-- Contract v1 entities (data-contracts/v1/entities.ts): one table per entity, columns named as the
-- contract's fields, plus lineage (which load and which source line brought the row). A staging
-- twin per entity receives a load in chunks; publishing copies a whole load across in one
-- transaction, so readers see all of a load or none of it.

CREATE TABLE institution (
  institution_id text PRIMARY KEY,
  name text NOT NULL,
  level text NOT NULL,
  region text NOT NULL
);

CREATE TABLE practitioner (
  practitioner_id text PRIMARY KEY,
  institution_id text NOT NULL,
  department text NOT NULL
);

CREATE TABLE member (
  member_id text PRIMARY KEY,
  birth_date date NOT NULL,
  sex text NOT NULL,
  region text NOT NULL,
  insurance_scheme text NOT NULL,
  enrolled_from date NOT NULL,
  enrolled_to date,
  deceased_date date
);

CREATE TABLE signup (
  signup_id text PRIMARY KEY,
  member_id text NOT NULL,
  practitioner_id text NOT NULL,
  institution_id text NOT NULL,
  from_date date NOT NULL,
  to_date date
);

CREATE TABLE encounter (
  encounter_id text PRIMARY KEY,
  member_id text NOT NULL,
  class text NOT NULL,
  type_system text NOT NULL,
  type_code text NOT NULL,
  status text NOT NULL,
  start_time timestamptz NOT NULL,
  end_time timestamptz,
  institution_id text,
  facility_level text,
  practitioner_id text,
  primary_dx_system text,
  primary_dx_code text,
  discharge_disposition text,
  planned boolean NOT NULL DEFAULT false
);

CREATE TABLE condition (
  condition_id text PRIMARY KEY,
  member_id text NOT NULL,
  code_system text NOT NULL,
  code text NOT NULL,
  onset_date date NOT NULL,
  abatement_date date,
  verification_status text,
  clinical_status text,
  source text NOT NULL,
  encounter_id text,
  recorded_date date
);

CREATE TABLE observation (
  observation_id text PRIMARY KEY,
  member_id text NOT NULL,
  code_system text NOT NULL,
  code text NOT NULL,
  value double precision,
  unit text,
  value_code_system text,
  value_code text,
  effective_time timestamptz NOT NULL,
  effective_start timestamptz,
  status text NOT NULL,
  setting text NOT NULL,
  encounter_id text,
  panel_id text
);

CREATE TABLE procedure (
  procedure_id text PRIMARY KEY,
  member_id text NOT NULL,
  code_system text NOT NULL,
  code text NOT NULL,
  performed_start timestamptz NOT NULL,
  performed_end timestamptz,
  status text NOT NULL,
  encounter_id text
);

CREATE TABLE service_request (
  request_id text PRIMARY KEY,
  member_id text NOT NULL,
  code_system text NOT NULL,
  code text NOT NULL,
  authored_time timestamptz NOT NULL,
  status text NOT NULL,
  intent text NOT NULL,
  kind text NOT NULL DEFAULT 'service'
);

CREATE TABLE medication (
  medication_id text PRIMARY KEY,
  member_id text NOT NULL,
  code_system text NOT NULL,
  code text NOT NULL,
  start_date date NOT NULL,
  days_supplied integer NOT NULL,
  prescriber_id text,
  status text NOT NULL
);

CREATE TABLE claim_cost (
  claim_id text PRIMARY KEY,
  member_id text NOT NULL,
  month text NOT NULL,
  category text NOT NULL,
  institution_id text,
  amount numeric(17, 2) NOT NULL
);

CREATE TABLE lifestyle (
  lifestyle_id text PRIMARY KEY,
  member_id text NOT NULL,
  recorded_date date NOT NULL,
  smoking text,
  family_history_hypertension boolean,
  family_history_diabetes boolean,
  family_history_chd boolean,
  physical_activity text
);

-- Lineage on every published row, and the staging twins.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['institution','practitioner','member','signup','encounter','condition',
                           'observation','procedure','service_request','medication','claim_cost','lifestyle']
  LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN load_id text NOT NULL, ADD COLUMN source_file text, ADD COLUMN source_line integer', t);
    -- Staging has no keys: duplicates are found and reported at publish, by SQL, over the whole load.
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', 'staging_' || t, t);
    EXECUTE format('CREATE INDEX %I ON %I (load_id)', 'staging_' || t || '_load', 'staging_' || t);
  END LOOP;
END $$;

-- Each source file's progress within a load: rows_done lines are staged (committed with them),
-- so a crashed load resumes after the last committed chunk.
CREATE TABLE load_file (
  load_id text NOT NULL REFERENCES loads (load_id),
  entity text NOT NULL,
  source_file text NOT NULL,
  rows_done bigint NOT NULL DEFAULT 0,
  rows_accepted bigint NOT NULL DEFAULT 0,
  rows_rejected bigint NOT NULL DEFAULT 0,
  rows_converted bigint NOT NULL DEFAULT 0,
  finished boolean NOT NULL DEFAULT false,
  PRIMARY KEY (load_id, entity)
);

-- Every rejected row with its reason: nothing is silently dropped. The reject file is written from here.
CREATE TABLE load_reject (
  load_id text NOT NULL REFERENCES loads (load_id),
  entity text NOT NULL,
  source_line integer,
  record_id text,
  field text NOT NULL,
  rule text NOT NULL,
  message text NOT NULL,
  raw text
);
CREATE INDEX load_reject_load ON load_reject (load_id, entity);

CREATE INDEX encounter_member ON encounter (member_id, start_time);
CREATE INDEX condition_member ON condition (member_id);
CREATE INDEX observation_member ON observation (member_id, code, effective_time);
CREATE INDEX procedure_member ON procedure (member_id);
CREATE INDEX service_request_member ON service_request (member_id);
CREATE INDEX medication_member ON medication (member_id);
CREATE INDEX claim_cost_member ON claim_cost (member_id, month);
CREATE INDEX lifestyle_member ON lifestyle (member_id);
CREATE INDEX signup_institution ON signup (institution_id, member_id);
CREATE INDEX signup_member ON signup (member_id);
CREATE INDEX practitioner_institution ON practitioner (institution_id);
