/** Messages: every normalized post or comment, unique on platform + external id. */
import type { Platform, RawMessage, ReplyTarget } from '../domain/types';
import type { Analysis } from '../../classifiers';
import type { Sql } from './sql';

export type MessageStatus = 'received' | 'not_complaint' | 'complaint' | 'incident' | 'attached';

export interface Message {
  id: string;
  platform: Platform;
  externalId: string;
  sourceId: string | null;
  authorPlatformId: string;
  authorName: string | null;
  authorUrl: string | null;
  authorContactHash: string | null;
  authorId: string | null;
  text: string;
  publishedAt: Date;
  receivedAt: Date;
  permalink: string | null;
  hints: RawMessage['hints'];
  replyTarget: ReplyTarget | null;
  status: MessageStatus;
  complaintScore: number | null;
  analysis: Analysis | null;
  incidentId: string | null;
}

const COLUMNS = `id::text, platform, external_id, source_id, author_platform_id, author_name, author_url,
  author_contact_hash, author_id::text, text, published_at, received_at, permalink, hints, reply_target, status,
  complaint_score, analysis, incident_id::text`;

type Row = Record<string, unknown>;
const toMessage = (r: Row): Message => ({
  id: r.id as string,
  platform: r.platform as Platform,
  externalId: r.external_id as string,
  sourceId: (r.source_id as string) ?? null,
  authorPlatformId: r.author_platform_id as string,
  authorName: (r.author_name as string) ?? null,
  authorUrl: (r.author_url as string) ?? null,
  authorContactHash: (r.author_contact_hash as string) ?? null,
  authorId: (r.author_id as string) ?? null,
  text: r.text as string,
  publishedAt: r.published_at as Date,
  receivedAt: r.received_at as Date,
  permalink: (r.permalink as string) ?? null,
  hints: (r.hints as RawMessage['hints']) ?? {},
  replyTarget: (r.reply_target as ReplyTarget) ?? null,
  status: r.status as MessageStatus,
  complaintScore: (r.complaint_score as number) ?? null,
  analysis: (r.analysis as Analysis) ?? null,
  incidentId: (r.incident_id as string) ?? null,
});

/** Queries on `messages`. */
export const messageQueries = (sql: Sql) => ({
  /**
   * Stores a message once. A repeat (same platform + external id) inserts nothing; an edited repeat
   * updates the text. Returns the id, whether it is new, and its status (to re-enqueue a stalled one).
   */
  async upsert(
    m: RawMessage,
    contactHash: string | null,
    at: Date,
  ): Promise<{ id: string; created: boolean; status: MessageStatus }> {
    const inserted = await sql.query<{ id: string }>(
      `INSERT INTO messages (platform, external_id, source_id, author_platform_id, author_name, author_url,
         author_contact_hash, text, published_at, received_at, permalink, parent_external_id, thread_external_id,
         attachments, hints, reply_target)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)
       ON CONFLICT (platform, external_id) DO NOTHING RETURNING id::text`,
      [
        m.platform, m.externalId, m.sourceId, m.author.platformId, m.author.displayName, m.author.profileUrl,
        contactHash, m.text, m.publishedAt, at, m.permalink, m.parentExternalId, m.threadExternalId,
        JSON.stringify(m.attachments), JSON.stringify(m.hints), m.replyTarget ? JSON.stringify(m.replyTarget) : null,
      ],
    );
    if (inserted.rows[0]) return { id: inserted.rows[0].id, created: true, status: 'received' };
    const existing = m.edited
      ? await sql.query<{ id: string; status: MessageStatus }>(
          `UPDATE messages SET text = $3, edited_at = $4 WHERE platform = $1 AND external_id = $2
           RETURNING id::text, status`,
          [m.platform, m.externalId, m.text, at],
        )
      : await sql.query<{ id: string; status: MessageStatus }>(
          'SELECT id::text, status FROM messages WHERE platform = $1 AND external_id = $2',
          [m.platform, m.externalId],
        );
    const row = existing.rows[0];
    if (!row) throw new Error(`message ${m.platform}/${m.externalId} vanished during upsert`);
    return { id: row.id, created: false, status: row.status };
  },

  /** One message, or null. */
  async get(id: string): Promise<Message | null> {
    const r = await sql.query<Row>(`SELECT ${COLUMNS} FROM messages WHERE id = $1`, [id]);
    return r.rows[0] ? toMessage(r.rows[0]) : null;
  },

  /** One message by its platform key, or null. */
  async byExternalId(platform: Platform, externalId: string): Promise<Message | null> {
    const r = await sql.query<Row>(`SELECT ${COLUMNS} FROM messages WHERE platform = $1 AND external_id = $2`, [
      platform,
      externalId,
    ]);
    return r.rows[0] ? toMessage(r.rows[0]) : null;
  },

  /** Records the detector's verdict; only a 'received' message changes (a retry after it moved on does nothing). */
  async saveDetection(id: string, analysis: Analysis, at: Date): Promise<boolean> {
    const r = await sql.query(
      `UPDATE messages SET status = $2, complaint_score = $3, analysis = $4, detected_at = $5
       WHERE id = $1 AND status = 'received' RETURNING id`,
      [id, analysis.complaint ? 'complaint' : 'not_complaint', analysis.complaintScore, JSON.stringify(analysis), at],
    );
    return r.rows.length > 0;
  },

  /** Ids of messages in `status` received before `before`, oldest first (for reconcile). */
  async stuck(status: MessageStatus, before: Date, limit = 500): Promise<string[]> {
    const r = await sql.query<{ id: string }>(
      `SELECT id::text FROM messages WHERE status = $1 AND received_at < $2 ORDER BY received_at LIMIT $3`,
      [status, before, limit],
    );
    return r.rows.map((x) => x.id);
  },

  /** Counts by status (metrics). */
  async countByStatus(): Promise<Record<string, number>> {
    const r = await sql.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM messages GROUP BY status',
    );
    return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
  },
});
