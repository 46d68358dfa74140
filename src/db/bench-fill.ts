/** Synthetic history for growth benchmarks: `n` past complaints with their incidents (benchmarks only). */
import type { Sql } from './sql';

/**
 * Fills a fresh database with `n` messages, each the first message of an incident spread over the past year;
 * incidents of the last three days are still open (assigned to the duty officer), older ones resolved.
 */
export async function fillHistory(sql: Sql, n: number, now: Date): Promise<void> {
  await sql.query(
    `INSERT INTO messages (platform, external_id, author_platform_id, text, published_at, received_at, status, incident_id)
     SELECT 'vk', 'hist-' || g, 'hist-' || (g % 50000), 'жалоба из истории номер ' || g || ' про двор и дорогу',
            $2::timestamptz - (g % 365) * interval '1 day' - (g % 1440) * interval '1 minute',
            $2::timestamptz - (g % 365) * interval '1 day' - (g % 1440) * interval '1 minute', 'incident', g
     FROM generate_series(1, $1::int) g`,
    [n, now],
  );
  await sql.query(
    `INSERT INTO incidents (id, status, primary_message_id, topic, municipality_id, priority, official_id, analysis,
                            opened_at, detected_at, assigned_at, first_response_at, resolved_at, response_due_at, updated_at)
     SELECT m.id, CASE WHEN g % 365 < 3 THEN 'assigned' ELSE 'resolved' END, m.id,
            (ARRAY['housing','roads','waste','transport','landscaping','healthcare','education','social','safety','ecology','other'])[1 + g % 11],
            (SELECT id FROM municipalities ORDER BY id OFFSET (g % 13) LIMIT 1), 'normal', 'khakassia-duty',
            jsonb_build_object('topic', (ARRAY['housing','roads','waste','transport','landscaping','healthcare','education','social','safety','ecology','other'])[1 + g % 11]),
            m.published_at, m.received_at, m.received_at,
            CASE WHEN g % 365 < 3 THEN NULL ELSE m.published_at + (g % 600) * interval '1 minute' END,
            CASE WHEN g % 365 < 3 THEN NULL ELSE m.published_at + interval '2 days' END,
            m.published_at + interval '4 hours', m.received_at
     FROM messages m JOIN generate_series(1, $1::int) g ON m.external_id = 'hist-' || g`,
    [n],
  );
  await sql.query(
    `INSERT INTO incident_messages (message_id, incident_id, reason, attached_at)
     SELECT id, id, 'first', received_at FROM messages WHERE external_id LIKE 'hist-%'`,
  );
  // Every routed incident's card was delivered (reconcile must not take the history for lost cards).
  await sql.query(
    `INSERT INTO notifications (incident_id, official_id, kind, status, sent_at)
     SELECT id, official_id, 'card', 'sent', assigned_at FROM incidents WHERE official_id IS NOT NULL
     ON CONFLICT DO NOTHING`,
  );
  await sql.query(`SELECT setval(pg_get_serial_sequence('incidents', 'id'), (SELECT max(id) FROM incidents))`);
  // Settle the bulk load (visibility map, statistics) so autovacuum does not run during the measurement.
  await sql.query('VACUUM ANALYZE');
}
