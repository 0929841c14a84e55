-- 008_performance_quarters: performance runs of a quarter as well as a year (Stratum issue 6:
-- measures run "for a period that is a year or a quarter (rolling twelve months ending at the
-- quarter's end, for monitoring; money is yearly)"). The period becomes its text label: '2026'
-- for a year, '2026Q2' for a quarter; runs stored as an integer year keep it, as text, and read
-- back as before. Changing the column's type rewrites the table without firing the append-only
-- row triggers of 006 (they guard UPDATE and DELETE), so the history stays as it was.
ALTER TABLE performance_run ALTER COLUMN period TYPE text USING period::text;
ALTER TABLE performance_run ADD CONSTRAINT performance_run_period_label CHECK (period ~ '^[0-9]{4}(Q[1-4])?$');
