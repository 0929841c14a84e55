-- Every score given, with the model versions and a fingerprint of its inputs, so any answer can
-- be explained and reproduced later; the latest score per member feeds the clinics' lists; and
-- whole-population scoring jobs that resume after a crash from their cursor.

CREATE TABLE score_result (
  score_id          bigserial PRIMARY KEY,
  member_id         text NOT NULL,
  as_of             date NOT NULL,
  institution_id    text,
  risk_class        text NOT NULL,
  class_row         smallint NOT NULL,
  readmission_p     double precision,
  onset_hypertension_p double precision,
  onset_diabetes_p  double precision,
  onset_chd_p       double precision,
  model_versions    jsonb NOT NULL,
  input_fingerprint text NOT NULL,
  result            jsonb NOT NULL,
  job_id            text,
  scored_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX score_result_member ON score_result (member_id, scored_at DESC);
CREATE INDEX score_result_job ON score_result (job_id) WHERE job_id IS NOT NULL;

-- One row per member: the clinic list reads this, ranked, without touching score history.
CREATE TABLE member_latest_score (
  member_id       text PRIMARY KEY,
  score_id        bigint NOT NULL REFERENCES score_result (score_id),
  institution_id  text,
  risk_class      text NOT NULL,
  class_rank      smallint NOT NULL,
  max_risk        double precision NOT NULL,
  readmission_p   double precision,
  onset_hypertension_p double precision,
  onset_diabetes_p double precision,
  onset_chd_p     double precision,
  as_of           date NOT NULL,
  -- What the clinic list shows (reasons, care gaps, next due, top factors), kept small.
  summary         jsonb NOT NULL
);
CREATE INDEX member_latest_score_list ON member_latest_score (institution_id, class_rank DESC, max_risk DESC, member_id);

CREATE TABLE score_job (
  job_id        text PRIMARY KEY,
  status        text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  as_of         date NOT NULL,
  institution_id text,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  cursor_member text NOT NULL DEFAULT '',
  total         integer NOT NULL DEFAULT 0,
  done          integer NOT NULL DEFAULT 0,
  failed        integer NOT NULL DEFAULT 0,
  error         text
);

CREATE TABLE score_job_problem (
  job_id    text NOT NULL REFERENCES score_job (job_id),
  member_id text NOT NULL,
  code      text NOT NULL,
  message   text NOT NULL
);
