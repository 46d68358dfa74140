/** What was sent to officials (cards, reminders, escalations): each (incident, official, kind) once. */
import type { Sql } from './sql';

export interface Notification {
  incidentId: string;
  officialId: string;
  kind: string;
  chatId: string | null;
  messageId: string | null;
  status: 'sent' | 'undeliverable';
  detail: string | null;
  sentAt: Date;
}

const COLUMNS = 'incident_id::text, official_id, kind, chat_id, message_id, status, detail, sent_at';
const toNotification = (x: Record<string, unknown>): Notification => ({
  incidentId: x.incident_id as string,
  officialId: x.official_id as string,
  kind: x.kind as string,
  chatId: (x.chat_id as string) ?? null,
  messageId: (x.message_id as string) ?? null,
  status: x.status as Notification['status'],
  detail: (x.detail as string) ?? null,
  sentAt: x.sent_at as Date,
});

/** Queries on `notifications`. */
export const notificationQueries = (sql: Sql) => ({
  /** The record of one notification, or null if it was never sent. */
  async get(incidentId: string, officialId: string, kind: string): Promise<Notification | null> {
    const r = await sql.query<Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM notifications
       WHERE incident_id = $1 AND official_id = $2 AND kind = $3`,
      [incidentId, officialId, kind],
    );
    const x = r.rows[0];
    return x ? toNotification(x) : null;
  },

  /** Records a notification and its incident event; false when it was already recorded (the first wins). */
  async record(n: Notification, event?: { kind: string; data: Record<string, unknown> }): Promise<boolean> {
    const r = await sql.query(
      `WITH n AS (
         INSERT INTO notifications (incident_id, official_id, kind, chat_id, message_id, status, detail, sent_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING RETURNING incident_id),
       e AS (INSERT INTO incident_events (incident_id, kind, actor, at, data)
             SELECT incident_id, $9, 'system', $8, $10 FROM n WHERE $9::text IS NOT NULL)
       SELECT 1 FROM n`,
      [n.incidentId, n.officialId, n.kind, n.chatId, n.messageId, n.status, n.detail, n.sentAt, event?.kind ?? null, JSON.stringify(event?.data ?? {})],
    );
    return r.rows.length > 0;
  },

  /** Cards and escalation messages of an incident that were delivered (to edit them in place). */
  async delivered(incidentId: string): Promise<Notification[]> {
    const r = await sql.query<Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM notifications
       WHERE incident_id = $1 AND kind IN ('card', 'escalation') AND status = 'sent' AND message_id IS NOT NULL ORDER BY sent_at`,
      [incidentId],
    );
    return r.rows.map(toNotification);
  },

  /** All notifications of an incident, oldest first. */
  async forIncident(incidentId: string): Promise<Notification[]> {
    const r = await sql.query<Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM notifications
       WHERE incident_id = $1 ORDER BY sent_at`,
      [incidentId],
    );
    return r.rows.map(toNotification);
  },
});
