-- Dashboard sign-in: password accounts of officials, server-side sessions, the cookie signing key;
-- indexes the response-time statistics need (measured with scripts/bench-stats.ts at 1M incidents).

-- One password account per official. `login` defaults to the official's id; `demo` marks the account
-- made in demo mode, which a non-demo start deletes.
CREATE TABLE user_accounts (
  official_id   text PRIMARY KEY REFERENCES officials (id) ON DELETE CASCADE,
  login         text NOT NULL UNIQUE,
  password_hash text NOT NULL,             -- scrypt$N$r$p$salt$hash (node:crypto), never the password
  demo          boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  last_login_at timestamptz
);

-- A session is stored by the SHA-256 of its token: a copy of this table signs nobody in.
CREATE TABLE user_sessions (
  token_hash  text PRIMARY KEY,
  official_id text NOT NULL REFERENCES officials (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX user_sessions_official_idx ON user_sessions (official_id);
CREATE INDEX user_sessions_expires_idx ON user_sessions (expires_at);

-- Small secrets shared by every process on this database (the session HMAC key when SESSION_SECRET is unset).
CREATE TABLE app_secrets (
  name       text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Statistics by period: the range scan on opened_at carries every column the aggregates read, so
-- PostgreSQL answers from the index alone (index-only scan) once the table is vacuumed.
CREATE INDEX incidents_opened_stats_idx ON incidents (opened_at)
  INCLUDE (municipality_id, topic, official_id, first_response_at, response_due_at, escalated_at, resolved_at,
           resonant, status);
-- "Overdue now": the few open incidents still without a first response, by deadline.
CREATE INDEX incidents_unanswered_due_idx ON incidents (response_due_at) WHERE first_response_at IS NULL;
CREATE INDEX promises_incident_idx ON promises (incident_id);
