-- otklik schema v1. Times are timestamptz (UTC); statuses are text + CHECK. Runs on PostgreSQL 15+ and PGlite.

CREATE TABLE municipalities (
  id          text PRIMARY KEY,
  region      text NOT NULL,
  name        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('okrug', 'district', 'city', 'other')),
  center      text,
  oktmo       text
);

CREATE TABLE officials (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  position        text,
  telegram_id     text UNIQUE,
  role            text NOT NULL CHECK (role IN ('official', 'supervisor', 'press', 'governor_office', 'admin')),
  municipality_id text REFERENCES municipalities (id),
  topics          text[],
  supervisor_id   text,
  duty            boolean NOT NULL DEFAULT false,
  away            boolean NOT NULL DEFAULT false,
  bot_started_at  timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- municipality × topic → official; '*' means any. Rebuilt by import as a whole, keyed naturally.
CREATE TABLE routing_rules (
  municipality_id text NOT NULL,
  topic           text NOT NULL,
  official_id     text NOT NULL REFERENCES officials (id) ON DELETE CASCADE,
  PRIMARY KEY (municipality_id, topic, official_id)
);

CREATE TABLE sources (
  id              text PRIMARY KEY,
  platform        text NOT NULL CHECK (platform IN ('vk', 'telegram', 'web')),
  kind            text NOT NULL,
  external_id     text NOT NULL,
  name            text,
  municipality_id text REFERENCES municipalities (id),
  settings        jsonb NOT NULL DEFAULT '{}',
  cursor          jsonb,
  enabled         boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (platform, kind, external_id)
);

CREATE TABLE authors (
  id           bigserial PRIMARY KEY,
  display_name text,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- One person's identities: a platform account, or a hashed phone/e-mail from a public comment.
CREATE TABLE author_identities (
  kind        text NOT NULL CHECK (kind IN ('account', 'contact')),
  platform    text NOT NULL,
  key         text NOT NULL,
  author_id   bigint NOT NULL REFERENCES authors (id),
  profile_url text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, platform, key)
);

CREATE TABLE messages (
  id                  bigserial PRIMARY KEY,
  platform            text NOT NULL CHECK (platform IN ('vk', 'telegram', 'web')),
  external_id         text NOT NULL,
  source_id           text REFERENCES sources (id),
  author_platform_id  text NOT NULL,
  author_name         text,
  author_url          text,
  author_contact_hash text,
  author_id           bigint REFERENCES authors (id),
  text                text NOT NULL,
  published_at        timestamptz NOT NULL,
  received_at         timestamptz NOT NULL,
  edited_at           timestamptz,
  permalink           text,
  parent_external_id  text,
  thread_external_id  text,
  attachments         jsonb NOT NULL DEFAULT '[]',
  hints               jsonb NOT NULL DEFAULT '{}',
  reply_target        jsonb,
  status              text NOT NULL DEFAULT 'received'
                      CHECK (status IN ('received', 'not_complaint', 'complaint', 'incident', 'attached')),
  complaint_score     real,
  analysis            jsonb,
  detected_at         timestamptz,
  deduped_at          timestamptz,
  incident_id         bigint,
  UNIQUE (platform, external_id)
);
CREATE INDEX messages_status_idx ON messages (status, received_at);
CREATE INDEX messages_author_idx ON messages (author_id);
CREATE INDEX messages_fts_idx ON messages USING gin (to_tsvector('russian', text));

CREATE TABLE incidents (
  id                 bigserial PRIMARY KEY,
  status             text NOT NULL DEFAULT 'new'
                     CHECK (status IN ('new', 'needs_review', 'classified', 'assigned', 'in_progress',
                                       'answered', 'resolved', 'closed')),
  primary_message_id bigint NOT NULL UNIQUE REFERENCES messages (id),
  author_id          bigint REFERENCES authors (id),
  topic              text,
  subtopic           text,
  municipality_id    text REFERENCES municipalities (id),
  priority           text NOT NULL DEFAULT 'normal' CHECK (priority IN ('high', 'normal')),
  analysis           jsonb,
  official_id        text REFERENCES officials (id),
  opened_at          timestamptz NOT NULL,  -- publication of the citizen's post: the clock starts here
  detected_at        timestamptz NOT NULL,
  classified_at      timestamptz,
  assigned_at        timestamptz,
  taken_at           timestamptz,
  acknowledged_at    timestamptz,           -- an acknowledgement reply was published
  first_response_at  timestamptz,           -- the first reply published under the post: the response time
  resolved_at        timestamptz,
  closed_at          timestamptz,
  escalated_at       timestamptz,
  response_due_at    timestamptz,
  resolution_due_at  timestamptz,
  authors_count      integer NOT NULL DEFAULT 1,
  messages_count     integer NOT NULL DEFAULT 1,
  resonant           boolean NOT NULL DEFAULT false,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX incidents_status_idx ON incidents (status, updated_at);
CREATE INDEX incidents_official_idx ON incidents (official_id, status);
CREATE INDEX incidents_municipality_idx ON incidents (municipality_id, opened_at);
CREATE INDEX incidents_author_idx ON incidents (author_id, status);

-- Which messages an incident holds (its first one included); a message belongs to one incident.
CREATE TABLE incident_messages (
  message_id  bigint PRIMARY KEY REFERENCES messages (id),
  incident_id bigint NOT NULL REFERENCES incidents (id),
  reason      text NOT NULL,
  attached_at timestamptz NOT NULL
);
CREATE INDEX incident_messages_incident_idx ON incident_messages (incident_id);

CREATE TABLE assignments (
  id            bigserial PRIMARY KEY,
  incident_id   bigint NOT NULL REFERENCES incidents (id),
  official_id   text NOT NULL REFERENCES officials (id),
  reason        text NOT NULL,
  actor         text NOT NULL,
  assigned_at   timestamptz NOT NULL,
  ended_at      timestamptz
);
CREATE INDEX assignments_incident_idx ON assignments (incident_id);

CREATE TABLE replies (
  id           bigserial PRIMARY KEY,
  incident_id  bigint NOT NULL REFERENCES incidents (id),
  template_id  text,
  stage        text,
  text         text NOT NULL,
  status       text NOT NULL CHECK (status IN ('draft', 'approved', 'published', 'failed', 'cancelled')),
  drafted_by   text NOT NULL,
  approved_by  text,
  created_at   timestamptz NOT NULL,
  approved_at  timestamptz,
  published_at timestamptz,
  external_id  text,
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text
);
CREATE INDEX replies_incident_idx ON replies (incident_id);

CREATE TABLE promises (
  id          bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  official_id text REFERENCES officials (id),
  text        text NOT NULL,
  due_at      timestamptz NOT NULL,
  created_at  timestamptz NOT NULL,
  kept_at     timestamptz,
  broken_at   timestamptz
);

-- The audit trail: every state change with its actor ('system', 'official:<id>', …) and time.
CREATE TABLE incident_events (
  id          bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  kind        text NOT NULL,
  actor       text NOT NULL,
  at          timestamptz NOT NULL,
  data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, at);

-- What was sent to whom: a card or a reminder is sent once per (incident, official, kind).
CREATE TABLE notifications (
  incident_id bigint NOT NULL REFERENCES incidents (id),
  official_id text NOT NULL REFERENCES officials (id),
  kind        text NOT NULL,
  chat_id     text,
  message_id  text,
  status      text NOT NULL CHECK (status IN ('sent', 'undeliverable')),
  detail      text,
  sent_at     timestamptz NOT NULL,
  PRIMARY KEY (incident_id, official_id, kind)
);
