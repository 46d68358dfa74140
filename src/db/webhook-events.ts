/** Webhook deliveries already handled (VK Callback `event_id`), so a redelivery is acknowledged without work. */
import type { Platform } from '../domain/types';
import type { Sql } from './sql';

/** Queries on `webhook_events`. */
export const webhookEventQueries = (sql: Sql) => ({
  /** True when this event was handled before. */
  async seen(platform: Platform, eventId: string): Promise<boolean> {
    const r = await sql.query('SELECT 1 FROM webhook_events WHERE platform = $1 AND event_id = $2', [platform, eventId]);
    return r.rows.length > 0;
  },

  /** Records a handled event; false when it was already recorded (a concurrent redelivery). */
  async remember(platform: Platform, eventId: string, at: Date): Promise<boolean> {
    const r = await sql.query(
      `INSERT INTO webhook_events (platform, event_id, received_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [platform, eventId, at],
    );
    return r.rows.length > 0;
  },

  /** Deletes records older than `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    const r = await sql.query('DELETE FROM webhook_events WHERE received_at < $1 RETURNING 1', [before]);
    return r.rows.length;
  },
});
