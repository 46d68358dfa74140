/**
 * A fixed incident history with hand-computed statistics (see test/integration/stats.test.ts), inserted as a
 * test-only SQL fixture. NOW is Monday 23.11.2026 19:00 in Krasnoyarsk (UTC+7).
 */
import type { Db } from '../../src/db';

export const NOW = new Date('2026-11-23T12:00:00Z');
const MIN = 60_000;

export interface FixtureIncident {
  key: string;
  municipality: string | null;
  topic: string | null;
  official: string | null;
  /** Minutes before NOW the citizen published the post. */
  openedAgo: number;
  /** Minutes from publication to the first published reply (null: unanswered). */
  rt: number | null;
  status?: string;
  escalated?: boolean;
  resolved?: boolean;
  resonant?: boolean;
  /** response_due_at is set at assignment (opened + 240 min); unassigned incidents have none. */
  noDue?: boolean;
  text?: string;
}

/** The citizen text of A6 tries to inject markup: every page must show it as text. */
export const XSS_TEXT = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2"> Нет воды & света в Абакане';

export const HISTORY: FixtureIncident[] = [
  { key: 'A1', municipality: 'abakan', topic: 'housing', official: 'abakan-housing', openedAgo: 48 * 60, rt: 30, status: 'answered' },
  { key: 'A2', municipality: 'abakan', topic: 'housing', official: 'abakan-housing', openedAgo: 47 * 60, rt: 90, status: 'answered', resonant: true },
  { key: 'A3', municipality: 'abakan', topic: 'housing', official: 'abakan-housing', openedAgo: 46 * 60, rt: 240, status: 'answered' },
  { key: 'A4', municipality: 'abakan', topic: 'housing', official: 'abakan-housing', openedAgo: 45 * 60, rt: 300, status: 'answered', escalated: true },
  { key: 'A5', municipality: 'abakan', topic: 'housing', official: 'abakan-housing', openedAgo: 44 * 60, rt: 600, status: 'resolved', resolved: true },
  { key: 'A6', municipality: 'abakan', topic: 'housing', official: 'abakan-housing', openedAgo: 10 * 60, rt: null, status: 'assigned', escalated: true, text: XSS_TEXT },
  { key: 'C1', municipality: 'chernogorsk', topic: 'roads', official: 'chernogorsk-roads', openedAgo: 30 * 60, rt: 20, status: 'answered' },
  { key: 'C2', municipality: 'chernogorsk', topic: 'roads', official: 'chernogorsk-roads', openedAgo: 29 * 60, rt: 50, status: 'answered' },
  { key: 'C3', municipality: 'chernogorsk', topic: 'roads', official: 'chernogorsk-roads', openedAgo: 28 * 60, rt: 100, status: 'answered' },
  { key: 'C4', municipality: 'chernogorsk', topic: 'roads', official: 'chernogorsk-roads', openedAgo: 27 * 60, rt: 2000, status: 'answered' },
  { key: 'C5', municipality: 'chernogorsk', topic: 'roads', official: 'chernogorsk-roads', openedAgo: 60, rt: null, status: 'assigned' },
  { key: 'S1', municipality: 'sayanogorsk', topic: 'waste', official: 'sayanogorsk-housing', openedAgo: 20 * 60, rt: 10, status: 'answered' },
  { key: 'S2', municipality: 'sayanogorsk', topic: 'waste', official: 'sayanogorsk-housing', openedAgo: 19 * 60, rt: 15, status: 'answered' },
  { key: 'N1', municipality: null, topic: null, official: null, openedAgo: 6 * 60, rt: null, status: 'needs_review', noDue: true },
];

/** Inserts HISTORY (plus promises) and returns incident ids by key. */
export async function insertHistory(db: Db): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const x of HISTORY) {
    const opened = new Date(NOW.getTime() - x.openedAgo * MIN);
    const m = await db.sql.query<{ id: string }>(
      `INSERT INTO messages (platform, external_id, author_platform_id, author_name, text, published_at, received_at, status)
       VALUES ('web', $1, 'web-fixture', $2, $3, $4, $4, 'incident') RETURNING id::text`,
      [`fixture-${x.key}`, x.key === 'A6' ? '<b>Жительница</b>' : 'Житель', x.text ?? `Жалоба ${x.key}: нет горячей воды`, opened],
    );
    const analysis = {
      version: 'fixture', complaint: true, complaintScore: 0.9, complaintReasons: ['<u>нет</u> воды'], topic: x.topic, subtopic: null,
      topicScore: 0.8, topicReasons: ['горячей воды'], municipality: x.municipality, municipalityReason: 'в Абакане', settlement: null,
      priority: 'normal', priorityReasons: [],
    };
    const r = await db.sql.query<{ id: string }>(
      `INSERT INTO incidents (status, primary_message_id, topic, municipality_id, official_id, analysis, opened_at, detected_at,
         assigned_at, first_response_at, response_due_at, escalated_at, resolved_at, resonant, authors_count, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12, $13, $14, $7) RETURNING id::text`,
      [
        x.status ?? 'assigned', m.rows[0].id, x.topic, x.municipality, x.official, JSON.stringify(analysis), opened,
        x.official ? new Date(opened.getTime() + MIN) : null,
        x.rt === null ? null : new Date(opened.getTime() + x.rt * MIN),
        x.noDue ? null : new Date(opened.getTime() + 240 * MIN),
        x.escalated ? new Date(opened.getTime() + 240 * MIN) : null,
        x.resolved ? new Date(opened.getTime() + 2000 * MIN) : null,
        x.resonant ?? false,
        x.resonant ? 3 : 1,
      ],
    );
    ids[x.key] = r.rows[0].id;
    await db.sql.query(`INSERT INTO incident_messages (message_id, incident_id, reason, attached_at) VALUES ($1, $2, 'first', $3)`, [m.rows[0].id, r.rows[0].id, opened]);
    await db.sql.query(`UPDATE messages SET incident_id = $2 WHERE id = $1`, [m.rows[0].id, r.rows[0].id]);
    await db.incidents.addEvent(r.rows[0].id, 'incident.opened', 'system', opened);
  }
  const promise = (key: string, dueIn: number, kept: number | null) =>
    db.sql.query(`INSERT INTO promises (incident_id, official_id, text, due_at, created_at, kept_at) VALUES ($1, NULL, $2, $3, $4, $5)`, [
      ids[key], 'Починим до пятницы', new Date(NOW.getTime() + dueIn * MIN), new Date(NOW.getTime() - 3000 * MIN),
      kept === null ? null : new Date(NOW.getTime() + kept * MIN),
    ]);
  await promise('A1', -600, -700); // kept before the due date → kept
  await promise('A1', -60, null); // due passed, not kept → broken
  await promise('C1', 600, null); // due tomorrow → pending
  await promise('C2', -600, -500); // kept after the due date → broken
  await db.sql.query(`INSERT INTO replies (incident_id, text, status, drafted_by, created_at, published_at) VALUES ($1, $2, 'published', 'official:abakan-housing', $3, $3)`, [
    ids.A1, 'Здравствуйте! <Заявка> передана в управляющую компанию & будет выполнена.', new Date(NOW.getTime() - 47.5 * 60 * MIN),
  ]);
  return ids;
}
