/** What was sent to officials (cards, reminders, escalations): each (incident, official, kind) once. */
import { batcher } from '../lib/batch';
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

type Key = { incidentId: string; officialId: string; kind: string };
const keyOf = (x: Key) => `${x.incidentId}|${x.officialId}|${x.kind}`;

/** Queries on `notifications`. */
export const notificationQueries = (sql: Sql) => {
  // The pipeline's check and record of one notification, coalesced across concurrent jobs (src/lib/batch.ts).
  const getBatched = batcher(async (keys: Key[]) => {
    const r = await sql.query<Record<string, unknown>>(
      `SELECT ${COLUMNS.split(', ').map((c) => `n.${c}`).join(', ')} FROM notifications n
       JOIN unnest($1::bigint[], $2::text[], $3::text[]) AS k(incident_id, official_id, kind)
         ON n.incident_id = k.incident_id AND n.official_id = k.official_id AND n.kind = k.kind`,
      [keys.map((k) => k.incidentId), keys.map((k) => k.officialId), keys.map((k) => k.kind)],
    );
    const found = new Map(r.rows.map((x) => { const n = toNotification(x); return [keyOf(n), n]; }));
    return keys.map((k) => found.get(keyOf(k)) ?? null);
  });
  const recordBatched = batcher(async (items: { n: Notification; event?: { kind: string; data: Record<string, unknown> } }[]) => {
    const r = await sql.query<Record<string, unknown>>(
      `WITH x AS (
         SELECT DISTINCT ON (incident_id, official_id, kind) *
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::timestamptz[], $9::text[], $10::text[]) WITH ORDINALITY
              AS x(incident_id, official_id, kind, chat_id, message_id, status, detail, sent_at, ev_kind, ev_data, ord)
         ORDER BY incident_id, official_id, kind, ord),
       n AS (
         INSERT INTO notifications (incident_id, official_id, kind, chat_id, message_id, status, detail, sent_at)
         SELECT incident_id, official_id, kind, chat_id, message_id, status, detail, sent_at FROM x
         ON CONFLICT DO NOTHING RETURNING incident_id, official_id, kind),
       e AS (INSERT INTO incident_events (incident_id, kind, actor, at, data)
             SELECT x.incident_id, x.ev_kind, 'system', x.sent_at, x.ev_data::jsonb
             FROM x JOIN n USING (incident_id, official_id, kind) WHERE x.ev_kind IS NOT NULL)
       SELECT incident_id::text, official_id, kind FROM n`,
      [
        items.map((x) => x.n.incidentId), items.map((x) => x.n.officialId), items.map((x) => x.n.kind),
        items.map((x) => x.n.chatId), items.map((x) => x.n.messageId), items.map((x) => x.n.status),
        items.map((x) => x.n.detail), items.map((x) => x.n.sentAt), items.map((x) => x.event?.kind ?? null),
        items.map((x) => JSON.stringify(x.event?.data ?? {})),
      ],
    );
    const recorded = new Set(r.rows.map((x) => keyOf({ incidentId: x.incident_id as string, officialId: x.official_id as string, kind: x.kind as string })));
    // A key twice in one batch: the first of them is the one recorded.
    return items.map((x) => recorded.delete(keyOf(x.n)));
  });
  return {
    /** The record of one notification, or null if it was never sent. */
    get: (incidentId: string, officialId: string, kind: string): Promise<Notification | null> =>
      getBatched({ incidentId, officialId, kind }),

    /** Records a notification and its incident event; false when it was already recorded (the first wins). */
    record: (n: Notification, event?: { kind: string; data: Record<string, unknown> }): Promise<boolean> => recordBatched({ n, event }),

    /** Cards and escalation messages of an incident that were delivered (to edit them in place). */
    async delivered(incidentId: string): Promise<Notification[]> {
      const r = await sql.query<Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM notifications
         WHERE incident_id = $1 AND kind IN ('card', 'escalation') AND status = 'sent' AND message_id IS NOT NULL ORDER BY sent_at`,
        [incidentId],
      );
      return r.rows.map(toNotification);
    },

    /**
     * Claims one delivered card for an edit: true (and `edited_at` set to `at`) when it was last sent or edited at
     * least `minGapMs` before `at`. Atomic, so two processes never both edit one card in the same minute.
     */
    async claimEdit(k: Key, at: Date, minGapMs: number): Promise<boolean> {
      const r = await sql.query(
        `UPDATE notifications SET edited_at = $4, refresh_wanted_at = NULL
         WHERE incident_id = $1 AND official_id = $2 AND kind = $3 AND coalesce(edited_at, sent_at) <= $5 RETURNING kind`,
        [k.incidentId, k.officialId, k.kind, at, new Date(at.getTime() - minGapMs)],
      );
      return r.rows.length > 0;
    },

    /** Records an edit made at once (a button press): the card clock counts from it. */
    async markEdited(k: Key, at: Date): Promise<void> {
      await sql.query(
        `UPDATE notifications SET edited_at = greatest(coalesce(edited_at, $4), $4), refresh_wanted_at = NULL
         WHERE incident_id = $1 AND official_id = $2 AND kind = $3`,
        [k.incidentId, k.officialId, k.kind, at],
      );
    },

    /** A change the card could not show yet (edited under a minute ago): the card clock edits it next. */
    async wantRefresh(k: Key, at: Date): Promise<void> {
      await sql.query(
        `UPDATE notifications SET refresh_wanted_at = $4 WHERE incident_id = $1 AND official_id = $2 AND kind = $3`,
        [k.incidentId, k.officialId, k.kind, at],
      );
    },

    /**
     * Delivered cards (and escalation copies) of actionable incidents that should be edited now: the countdown of an
     * unanswered incident is `everyMs` old, or the incident changed (or a change waits) since the last edit. Never
     * one edited under `minGapMs` ago; cards of officials who passed the incident on are left alone.
     */
    async cardsToRefresh(now: Date, everyMs: number, minGapMs: number, limit = 500): Promise<Key[]> {
      const r = await sql.query<{ incident_id: string; official_id: string; kind: string }>(
        `SELECT n.incident_id::text, n.official_id, n.kind
         FROM incidents i JOIN notifications n ON n.incident_id = i.id
         WHERE i.status IN ('assigned', 'in_progress', 'answered')
           AND n.kind IN ('card', 'escalation') AND n.status = 'sent' AND n.message_id IS NOT NULL
           AND (n.official_id = i.official_id OR n.kind = 'escalation')
           AND coalesce(n.edited_at, n.sent_at) <= $1
           AND ((i.first_response_at IS NULL AND i.status <> 'answered' AND coalesce(n.edited_at, n.sent_at) <= $2)
                OR i.updated_at > coalesce(n.edited_at, n.sent_at)
                OR n.refresh_wanted_at IS NOT NULL)
         ORDER BY coalesce(n.edited_at, n.sent_at) LIMIT $3`,
        [new Date(now.getTime() - minGapMs), new Date(now.getTime() - everyMs), limit],
      );
      return r.rows.map((x) => ({ incidentId: x.incident_id, officialId: x.official_id, kind: x.kind }));
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
  };
};
