-- Throughput (issue 8): a message is updated twice on its way (detect's verdict, dedupe's incident). An index on
-- `status` made every such update write a new entry into every index of the table — the Russian full-text index
-- included, which recomputes the text's tsvector. Without it, detect's update (status, score, analysis) touches
-- no indexed column and is a HOT update (same page, no index writes): fillfactor leaves it room on the page.
-- Reconcile finds stuck messages by arrival time instead (messages.stuck: the last RECONCILE_LOOKBACK_DAYS).
DROP INDEX messages_status_idx;
CREATE INDEX messages_received_idx ON messages (received_at);
ALTER TABLE messages SET (fillfactor = 80);
