-- The clinic list orders by class, risk and member id, all descending (keyset pagination); an
-- index in exactly that order lets it read rows in order instead of sorting every member of the
-- institution (measured: the sort spilled to disk for a 5,000-member list).
DROP INDEX member_latest_score_list;
CREATE INDEX member_latest_score_list ON member_latest_score (institution_id, class_rank DESC, max_risk DESC, member_id DESC);
