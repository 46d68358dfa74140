-- Issue 15, the web: internal notes on an incident (staff only, never published) and the press service's claim
-- of an incident («Взять»: one officer answers it; a claim lapses at expires_at). Runs on PostgreSQL 15+ and PGlite.
CREATE TABLE incident_notes (
  id          bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  official_id text NOT NULL REFERENCES officials (id),
  text        text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
  created_at  timestamptz NOT NULL
);
CREATE INDEX incident_notes_incident_idx ON incident_notes (incident_id, created_at);

CREATE TABLE press_claims (
  incident_id bigint PRIMARY KEY REFERENCES incidents (id),
  official_id text NOT NULL REFERENCES officials (id),
  claimed_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
