-- Live incident cards: when each delivered card was last edited, and whether a change waits for its next edit.
-- Telegram allows about one edit per message per minute; the card clock (src/timers/cards.ts) reads these.
-- Runs on PostgreSQL 15+ and PGlite.
ALTER TABLE notifications ADD COLUMN edited_at timestamptz;
ALTER TABLE notifications ADD COLUMN refresh_wanted_at timestamptz;
