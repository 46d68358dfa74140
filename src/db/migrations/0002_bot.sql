-- Officials' bot and clocks: conversation state with a TTL, and every timer of an incident.
-- Runs on PostgreSQL 15+ and PGlite.

-- A multi-step bot dialogue (reply draft, promise date, reason) survives a restart; stale ones expire.
CREATE TABLE bot_sessions (
  telegram_id text PRIMARY KEY,
  state       jsonb NOT NULL,
  expires_at  timestamptz NOT NULL
);

-- Each timer of an incident (response reminders and breach, resolution, promise due dates). A delayed
-- job fires it; the cron sweep re-enqueues any that are due but not fired (e.g. Redis lost while down).
-- fired_at only stops the sweep: firing twice is harmless because every action is itself idempotent
-- (notifications primary key, guarded status updates).
CREATE TABLE incident_timers (
  incident_id bigint NOT NULL REFERENCES incidents (id),
  kind        text NOT NULL,
  ref         text NOT NULL DEFAULT '',
  due_at      timestamptz NOT NULL,
  fired_at    timestamptz,
  PRIMARY KEY (incident_id, kind, ref)
);
CREATE INDEX incident_timers_due_idx ON incident_timers (due_at) WHERE fired_at IS NULL;
