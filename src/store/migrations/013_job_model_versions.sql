-- 013_job_model_versions: a scoring job scores every member with the same models.
--
-- A job runs for minutes and resumes after a restart; meanwhile a data scientist may promote a
-- new champion. Each score already stores its model versions, so every number stays
-- reproducible, but a population scored half by one model and half by another ranks clinics'
-- members on two scales. The versions a job starts with are kept here (null until it starts),
-- and a resumed job loads those versions again, whatever the registry's champion is by then.
ALTER TABLE score_job ADD COLUMN model_versions jsonb;
