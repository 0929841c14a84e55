-- Model registry (MLflow-style): integer versions that never change, named aliases (champion,
-- challenger) that point at one, and the history of every alias move for rollback and audit.

CREATE TABLE model_version (
  name        text NOT NULL,
  version     integer NOT NULL CHECK (version > 0),
  task        text NOT NULL,
  path        text NOT NULL,
  checksum    text NOT NULL,
  manifest    jsonb NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version)
);

CREATE TABLE model_alias (
  name        text NOT NULL,
  alias       text NOT NULL CHECK (alias ~ '^[a-z][a-z0-9-]*$'),
  version     integer NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL,
  PRIMARY KEY (name, alias),
  FOREIGN KEY (name, version) REFERENCES model_version (name, version)
);

CREATE TABLE model_alias_history (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL,
  alias       text NOT NULL,
  from_version integer,
  to_version  integer NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  reason      text
);
