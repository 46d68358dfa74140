-- Author deduplication by name (issue 4): a name-only similarity is a SUGGESTION a person confirms or rejects,
-- never an automatic merge. The once-a-minute sweep fills the keys and the suggestions, off the hot path.
-- Runs on PostgreSQL 15+ and PGlite.

-- Blocking keys of an author's display name (src/domain/author-names.ts): one per pair of name words.
-- Candidates for a new author are the authors sharing one of its keys: an index lookup, not a scan.
CREATE TABLE author_name_keys (
  key       text NOT NULL,
  author_id bigint NOT NULL REFERENCES authors (id),
  PRIMARY KEY (key, author_id)
);
CREATE INDEX author_name_keys_author_idx ON author_name_keys (author_id);

-- A confirmed merge keeps the first author; the second stays as a tombstone pointing at it.
ALTER TABLE authors ADD COLUMN merged_into bigint REFERENCES authors (id);
ALTER TABLE authors ADD COLUMN merged_at timestamptz;
CREATE INDEX authors_merged_idx ON authors (merged_at) WHERE merged_into IS NOT NULL;

-- An author's accounts (the suggestions page shows their platforms; a merge re-points them).
CREATE INDEX author_identities_author_idx ON author_identities (author_id);

-- A pair of authors that may be one person. author_a < author_b; one row per pair whatever its status, so a
-- rejected pair is never suggested again. reason is a code ("name:reordered+transliterated").
CREATE TABLE author_suggestions (
  id         bigserial PRIMARY KEY,
  author_a   bigint NOT NULL REFERENCES authors (id),
  author_b   bigint NOT NULL REFERENCES authors (id),
  score      real NOT NULL CHECK (score >= 0 AND score <= 1),
  reason     text NOT NULL,
  status     text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'rejected')),
  decided_by text,
  decided_at timestamptz,
  created_at timestamptz NOT NULL,
  CHECK (author_a < author_b),
  UNIQUE (author_a, author_b)
);
CREATE INDEX author_suggestions_pending_idx ON author_suggestions (score DESC, id) WHERE status = 'pending';
CREATE INDEX author_suggestions_b_idx ON author_suggestions (author_b);

-- How far the sweep has read new authors (by id). One row; a sweep holds it (FOR UPDATE) while it works.
CREATE TABLE author_suggestion_cursor (
  id             boolean PRIMARY KEY DEFAULT true CHECK (id),
  last_author_id bigint NOT NULL DEFAULT 0,
  updated_at     timestamptz
);
INSERT INTO author_suggestion_cursor (id) VALUES (true);
