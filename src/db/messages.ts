/** Messages: every normalized post or comment, unique on platform + external id. */
import type { AuthorAsk } from './authors';
import type { Platform, RawMessage, ReplyTarget } from '../domain/types';
import type { Analysis } from '../../classifiers';
import { isIncidentKind, kindOf } from '../domain/kinds';
import { batcher } from '../lib/batch';
import { batchedById } from './by-id';
import type { Sql } from './sql';

/** 'complaint': an appeal (complaint, question or proposal) on its way to an incident; 'gratitude': thanks, no clock. */
export type MessageStatus = 'received' | 'not_complaint' | 'complaint' | 'incident' | 'attached' | 'gratitude';

/** The status detect gives a message by its analysis. */
export const detectedStatus = (a: Analysis): MessageStatus => {
  const kind = kindOf(a);
  return isIncidentKind(kind) ? 'complaint' : kind === 'gratitude' ? 'gratitude' : 'not_complaint';
};

/** Who wrote a stored message, as author resolution (db.authors.resolve) asks for it. */
export const authorAskOf = (m: Message): AuthorAsk => ({
  platform: m.platform,
  platformId: m.authorPlatformId,
  displayName: m.authorName,
  profileUrl: m.authorUrl,
  contactHash: m.authorContactHash,
});

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
export const messageQueries = (sql: Sql) => {
  // The pipeline's reads and writes of one message, coalesced across concurrent jobs (src/lib/batch.ts).
  const getBatched = batchedById(sql, 'messages', COLUMNS, toMessage);
  const saveDetectionBatched = batcher(async (items: { id: string; analysis: Analysis; at: Date }[]) => {
    const r = await sql.query<{ id: string }>(
      `UPDATE messages m SET status = u.status, complaint_score = u.score, analysis = u.analysis::jsonb, detected_at = u.at
       FROM unnest($1::bigint[], $2::text[], $3::real[], $4::text[], $5::timestamptz[]) AS u(id, status, score, analysis, at)
       WHERE m.id = u.id AND m.status = 'received' RETURNING m.id::text`,
      [
        items.map((x) => x.id),
        items.map((x) => detectedStatus(x.analysis)),
        items.map((x) => x.analysis.complaintScore),
        items.map((x) => JSON.stringify(x.analysis)),
        items.map((x) => x.at),
      ],
    );
    const saved = new Set(r.rows.map((x) => x.id));
    return items.map((x) => saved.has(x.id));
  });
  // New messages of concurrent intakes in one statement; null for a repeat (the caller reads it back).
  const insertBatched = batcher(async (items: { m: RawMessage; contactHash: string | null; at: Date }[]) => {
    const col = <T>(f: (x: (typeof items)[number]) => T) => items.map(f);
    const r = await sql.query<{ id: string; platform: string; external_id: string }>(
      `INSERT INTO messages (platform, external_id, source_id, author_platform_id, author_name, author_url,
         author_contact_hash, text, published_at, received_at, permalink, parent_external_id, thread_external_id,
         attachments, hints, reply_target)
       SELECT platform, external_id, source_id, author_platform_id, author_name, author_url, author_contact_hash, text,
              published_at, received_at, permalink, parent_external_id, thread_external_id, attachments::jsonb,
              hints::jsonb, reply_target::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::timestamptz[], $10::timestamptz[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                   $16::text[]) WITH ORDINALITY
            AS x(platform, external_id, source_id, author_platform_id, author_name, author_url, author_contact_hash, text,
                 published_at, received_at, permalink, parent_external_id, thread_external_id, attachments, hints,
                 reply_target, ord)
       ORDER BY ord
       ON CONFLICT (platform, external_id) DO NOTHING RETURNING id::text, platform, external_id`,
      [
        col((x) => x.m.platform), col((x) => x.m.externalId), col((x) => x.m.sourceId), col((x) => x.m.author.platformId),
        col((x) => x.m.author.displayName), col((x) => x.m.author.profileUrl), col((x) => x.contactHash), col((x) => x.m.text),
        col((x) => x.m.publishedAt), col((x) => x.at), col((x) => x.m.permalink), col((x) => x.m.parentExternalId),
        col((x) => x.m.threadExternalId), col((x) => JSON.stringify(x.m.attachments)), col((x) => JSON.stringify(x.m.hints)),
        col((x) => (x.m.replyTarget ? JSON.stringify(x.m.replyTarget) : null)),
      ],
    );
    const ids = new Map(r.rows.map((x) => [`${x.platform}|${x.external_id}`, x.id]));
    // A key twice in one batch: the first of them is the new one, the other is a repeat.
    return items.map((x) => {
      const key = `${x.m.platform}|${x.m.externalId}`;
      const id = ids.get(key) ?? null;
      ids.delete(key);
      return id;
    });
  });
  return {
    /**
     * Stores a message once. A repeat (same platform + external id) inserts nothing; an edited repeat
     * updates the text. Returns the id, whether it is new, and its status (to re-enqueue a stalled one).
     */
    async upsert(
      m: RawMessage,
      contactHash: string | null,
      at: Date,
    ): Promise<{ id: string; created: boolean; status: MessageStatus }> {
      const inserted = await insertBatched({ m, contactHash, at });
      if (inserted) return { id: inserted, created: true, status: 'received' };
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
    get: (id: string): Promise<Message | null> => getBatched(id),

    /** One message by its platform key, or null. */
    async byExternalId(platform: Platform, externalId: string): Promise<Message | null> {
      const r = await sql.query<Row>(`SELECT ${COLUMNS} FROM messages WHERE platform = $1 AND external_id = $2`, [
        platform,
        externalId,
      ]);
      return r.rows[0] ? toMessage(r.rows[0]) : null;
    },

    /** Records the detector's verdict; only a 'received' message changes (a retry after it moved on does nothing). */
    saveDetection: (id: string, analysis: Analysis, at: Date): Promise<boolean> => saveDetectionBatched({ id, analysis, at }),

    /**
     * Records thanks: status 'gratitude', its author, and the incident it thanks (or none). Only a 'received'
     * message changes; false when a retry finds it done.
     */
    async saveGratitude(id: string, analysis: Analysis, authorId: string, thankedIncidentId: string | null, at: Date): Promise<boolean> {
      const r = await sql.query(
        `UPDATE messages SET status = 'gratitude', complaint_score = $2, analysis = $3::jsonb, detected_at = $4, author_id = $5,
                incident_id = $6
         WHERE id = $1 AND status = 'received' RETURNING id`,
        [id, analysis.complaintScore, JSON.stringify(analysis), at, authorId, thankedIncidentId],
      );
      return r.rows.length > 0;
    },

    /**
     * Ids of messages in `status` received between `since` and `before`, oldest first (for reconcile). Read by
     * arrival time: no index on status, so that status changes stay HOT updates (migration 0008).
     */
    async stuck(status: MessageStatus, since: Date, before: Date, limit = 500): Promise<string[]> {
      const r = await sql.query<{ id: string }>(
        `SELECT id::text FROM messages WHERE received_at >= $2 AND received_at < $3 AND status = $1 ORDER BY received_at LIMIT $4`,
        [status, since, before, limit],
      );
      return r.rows.map((x) => x.id);
    },

    /** Thanks recorded for an incident (detect links them with an 'incident.thanked' event), oldest first. Escape texts and names. */
    async thanksFor(incidentId: string): Promise<{ id: string; text: string; authorName: string | null; platform: Platform; publishedAt: Date }[]> {
      const r = await sql.query<Row>(
        // By the incident's events (indexed by incident): no index on messages.incident_id, whose updates stay HOT.
        `SELECT m.id::text, m.text, m.author_name, m.platform, m.published_at
         FROM incident_events e JOIN messages m ON m.id = (e.data ->> 'messageId')::bigint
         WHERE e.incident_id = $1 AND e.kind = 'incident.thanked' AND m.status = 'gratitude'
         ORDER BY m.published_at, m.id LIMIT 50`,
        [incidentId],
      );
      return r.rows.map((x) => ({
        id: x.id as string,
        text: x.text as string,
        authorName: (x.author_name as string) ?? null,
        platform: x.platform as Platform,
        publishedAt: x.published_at as Date,
      }));
    },

    /** Counts by status (metrics). */
    async countByStatus(): Promise<Record<string, number>> {
      const r = await sql.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM messages GROUP BY status',
      );
      return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
    },
  };
};
