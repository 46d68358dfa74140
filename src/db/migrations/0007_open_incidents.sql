-- Deduplication (issue 8, growth): a new complaint is compared with the OPEN incidents of its topic × place, and of
-- its author, within a window. With a million stored incidents nearly all are closed; indexes on the open ones
-- only keep that read as small as the open set. Queries must name the statuses as literals (not a parameter
-- array) for the planner to use them.
-- The key is the dedupe stage's own `topic|municipality` ('-' for none), so one equality finds it.
CREATE INDEX incidents_open_key_idx
  ON incidents ((coalesce(analysis ->> 'topic', '-') || '|' || coalesce(analysis ->> 'municipality', '-')), opened_at)
  WHERE status IN ('new', 'needs_review', 'classified', 'assigned', 'in_progress', 'answered');
CREATE INDEX incidents_open_author_idx ON incidents (author_id, opened_at)
  WHERE status IN ('new', 'needs_review', 'classified', 'assigned', 'in_progress', 'answered');
-- Reconcile's "assigned but no card" check reads the open, assigned incidents by assignment time.
CREATE INDEX incidents_open_assigned_idx ON incidents (assigned_at)
  WHERE official_id IS NOT NULL AND status IN ('new', 'needs_review', 'classified', 'assigned', 'in_progress', 'answered');
