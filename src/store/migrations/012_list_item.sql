-- 012_list_item: each listed score keeps its clinic-list item as JSON text, ready to send.
--
-- A 5,000-member clinic list must answer in under 50 ms (Stratum issue 4). Building each line
-- from the row's columns (float and date output, seven concatenations of a ~600-byte summary) was
-- half of the list query's time in PostgreSQL, and splitting and re-joining the lines in Node
-- another ~8 ms. The item's members that do not depend on how the list is ranked (member, class,
-- reasons, care gaps, next due, top factors, date) are now written once, when the score is
-- stored, as the text between an item's braces; the list query only puts the rank and the risk
-- it ranks by in front. member_id, risk_class and as_of stay columns: the list filters, orders
-- and audits by them.
--
-- Existing rows get the same members from their summary (key order may differ from what the
-- service writes; JSON readers do not care).

ALTER TABLE member_latest_score ADD COLUMN list_item text;

UPDATE member_latest_score
   SET list_item = substr(item, 2, length(item) - 2)
  FROM (SELECT member_id AS id,
               (jsonb_build_object('memberId', member_id, 'riskClass', risk_class)
                || summary::jsonb
                || jsonb_build_object('asOf', to_char(as_of, 'YYYY-MM-DD')))::text AS item
          FROM member_latest_score) AS built
 WHERE member_id = built.id;

ALTER TABLE member_latest_score ALTER COLUMN list_item SET NOT NULL;
ALTER TABLE member_latest_score DROP COLUMN summary;
