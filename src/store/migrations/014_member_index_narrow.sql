-- 014_member_index_narrow: the observation and encounter member indexes key on member_id alone.
--
-- Every read of these tables by member takes all of a member's rows (a record is read whole, see
-- src/store/members.ts); nothing looks rows up by code or time within a member. The extra key
-- columns only made the indexes dearer to build and larger: on a 1,000,000-member load (one
-- core, 2 GB maintenance_work_mem) observation's index took 21.4 s and 685 MB, and takes 9.6 s
-- and 134 MB on member_id alone (a b-tree stores a member's ~18 row pointers in one posting
-- list); encounter's 6.5 s and 210 MB against 4.1 s and 67 MB. The load builds both on its
-- critical path. claim_cost keeps (member_id, month): settlement reads a member's claims by month.
--
-- A populated store rebuilds the two indexes once here.
DROP INDEX observation_member;
CREATE INDEX observation_member ON observation (member_id);
DROP INDEX encounter_member;
CREATE INDEX encounter_member ON encounter (member_id);
