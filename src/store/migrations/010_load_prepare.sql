-- The loader checks and indexes each staged file as soon as it is staged, while other files are
-- still being read (src/ingest/loader.ts), and publishes a first load into an empty table by
-- swapping the staged table in rather than copying every row a second time.
--
-- - The staging tables lose their load_id index: it made each staged row ~40% dearer for
--   PostgreSQL (measured on the 100k-member population), and a staging table nearly always holds
--   a single load, which a sequential scan reads just as fast.
-- - load_file records each file's checks: rows_dropped (duplicates, swapped blood-pressure halves
--   and rows naming unknown members, removed from staging with a reject row each) and prepared
--   (checked, and indexed when it is to be swapped in), committed together so a resumed load
--   neither repeats nor loses them.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['institution','practitioner','member','signup','encounter','condition',
                           'observation','procedure','service_request','medication','claim_cost','lifestyle']
  LOOP
    EXECUTE format('DROP INDEX %I', 'staging_' || t || '_load');
  END LOOP;
END $$;

ALTER TABLE load_file
  ADD COLUMN rows_dropped bigint NOT NULL DEFAULT 0,
  ADD COLUMN prepared boolean NOT NULL DEFAULT false;
