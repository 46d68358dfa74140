/** The duty officer's triage list: incidents the analysis was unsure of, waiting for a person before routing. */
import type { Sql } from './sql';

/** One incident waiting in triage, with what the analysis suggests. */
export interface TriageItem {
  id: string;
  kind: string;
  topic: string | null;
  municipalityId: string | null;
  priority: string;
  openedAt: Date;
  primaryMessageId: string;
  /** The citizen's text (first 2000 characters): escape it. */
  text: string;
  platform: string;
  permalink: string | null;
  /** The analysis's confidence in its routing decision, 0..1 (null for an analysis that has none). */
  confidence: number | null;
}

const SELECT = `SELECT i.id::text, i.kind, i.topic, i.municipality_id, i.priority, i.opened_at, i.primary_message_id::text,
         left(m.text, 2000) AS text, m.platform, m.permalink, (i.analysis ->> 'confidence')::float8 AS confidence
  FROM incidents i JOIN messages m ON m.id = i.primary_message_id`;

const toItem = (x: Record<string, unknown>): TriageItem => ({
  id: x.id as string,
  kind: x.kind as string,
  topic: (x.topic as string) ?? null,
  municipalityId: (x.municipality_id as string) ?? null,
  priority: x.priority as string,
  openedAt: x.opened_at as Date,
  primaryMessageId: x.primary_message_id as string,
  text: x.text as string,
  platform: x.platform as string,
  permalink: (x.permalink as string) ?? null,
  confidence: x.confidence === null || x.confidence === undefined ? null : Number(x.confidence),
});

/** Queries of the triage list. */
export const triageQueries = (sql: Sql) => ({
  /** Incidents waiting in triage, the oldest post first (its clock has run longest); `total` counts them all. */
  async list(f: { municipalityId?: string | null; limit?: number; offset?: number } = {}): Promise<{ items: TriageItem[]; total: number }> {
    const [r, n] = await Promise.all([
      sql.query<Record<string, unknown>>(
        `${SELECT} WHERE i.status = 'needs_review' AND ($1::text IS NULL OR i.municipality_id = $1)
         ORDER BY i.opened_at, i.id LIMIT $2 OFFSET $3`,
        [f.municipalityId ?? null, f.limit ?? 50, f.offset ?? 0],
      ),
      sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM incidents WHERE status = 'needs_review' AND ($1::text IS NULL OR municipality_id = $1)`,
        [f.municipalityId ?? null],
      ),
    ]);
    return { items: r.rows.map(toItem), total: n.rows[0].n };
  },

  /** One incident of the list by id, or null when it is not waiting in triage. */
  async item(id: string): Promise<TriageItem | null> {
    const r = await sql.query<Record<string, unknown>>(`${SELECT} WHERE i.id = $1 AND i.status = 'needs_review'`, [id]);
    return r.rows[0] ? toItem(r.rows[0]) : null;
  },
});
