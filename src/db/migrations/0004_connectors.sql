-- Connectors (issue 3): VK Callback API deliveries already handled, so a redelivered event_id is answered
-- `ok` at once. Rows older than a few days are pruned by the webhook route (VK retries for minutes, not days).
CREATE TABLE webhook_events (
  platform    text NOT NULL CHECK (platform IN ('vk', 'telegram', 'web')),
  event_id    text NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (platform, event_id)
);
CREATE INDEX webhook_events_received_at ON webhook_events (received_at);
