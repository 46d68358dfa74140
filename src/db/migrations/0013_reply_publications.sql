-- A reply to a resonant incident goes under every author's post (or the press service's chosen subset): one row
-- per target message, published once each (the publish stage skips the published ones on a retry).
-- Runs on PostgreSQL 15+ and PGlite.
CREATE TABLE reply_publications (
  reply_id     bigint NOT NULL REFERENCES replies (id),
  message_id   bigint NOT NULL REFERENCES messages (id),
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published')),
  external_id  text,
  published_at timestamptz,
  PRIMARY KEY (reply_id, message_id)
);
