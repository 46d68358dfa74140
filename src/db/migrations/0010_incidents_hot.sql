-- Throughput (issue 8): every repeat attached to an open incident updates its counts and `updated_at`. With
-- `updated_at` in an index, each such update wrote a new entry into every index of incidents (a dozen, the
-- expression indexes recomputed). Indexed by status and opening time instead — what the incident list filtered by
-- status reads (newest first); reconcile's few incidents in a passing status are read by status alone — the count
-- update is a HOT update (same page, no index writes), and fillfactor leaves it room on the page.
DROP INDEX incidents_status_idx;
CREATE INDEX incidents_status_idx ON incidents (status, opened_at);
ALTER TABLE incidents SET (fillfactor = 85);
