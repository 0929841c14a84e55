-- The clinic list (Stratum issue 4: a 5,000-member list in under 50 ms) copies each member's
-- stored summary into its answer as text. Kept as jsonb, every read rendered it back to text
-- (jsonb_out was most of the list's database time); json keeps the text exactly as written.
-- Nothing queries inside the summary, so jsonb's indexing and operators are not missed.
ALTER TABLE member_latest_score ALTER COLUMN summary TYPE json USING summary::json;
