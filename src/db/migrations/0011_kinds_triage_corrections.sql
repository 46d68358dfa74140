-- Message kinds, triage and corrections (issue 14). Runs on PostgreSQL 15+ and PGlite.

-- What an incident is to the authorities: a problem report, a question or a proposal (all with the same clock).
ALTER TABLE incidents ADD COLUMN kind text NOT NULL DEFAULT 'complaint' CHECK (kind IN ('complaint', 'question', 'proposal'));

-- 'dismissed': the duty officer's triage found it is not an appeal at all (kept for the audit trail, left out of
-- the statistics and of every open list).
ALTER TABLE incidents DROP CONSTRAINT incidents_status_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_status_check
  CHECK (status IN ('new', 'needs_review', 'classified', 'assigned', 'in_progress', 'answered', 'resolved', 'closed', 'dismissed'));

-- 'gratitude': thanks, no clock; `incident_id` then points at the incident it thanks (when one was found), which
-- does not make the message one of that incident's (incident_messages holds those).
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
  CHECK (status IN ('received', 'not_complaint', 'complaint', 'incident', 'attached', 'gratitude'));

-- Every change a person makes to what the analysis decided: a labelled example for the region's model. A
-- confirmation in triage is stored too (old and new value agree): a label a person has checked.
CREATE TABLE corrections (
  id          bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  message_id  bigint NOT NULL REFERENCES messages (id),   -- the text the label belongs to
  field       text NOT NULL CHECK (field IN ('kind', 'topic', 'municipality', 'priority', 'duplicate')),
  old_value   text,
  new_value   text,
  official_id text REFERENCES officials (id),            -- who (null: an account since removed)
  created_at  timestamptz NOT NULL
);
CREATE INDEX corrections_message_idx ON corrections (message_id, field, created_at);
CREATE INDEX corrections_incident_idx ON corrections (incident_id);

-- The duty officer's triage list (oldest post first: its clock has run longest).
CREATE INDEX incidents_triage_idx ON incidents (opened_at) WHERE status = 'needs_review';
