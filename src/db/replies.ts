/** Replies to citizens: drafted, approved, published under the post (the response time), or failed. */
import type { ReplyTarget } from '../domain/types';
import type { Sql } from './sql';

export type ReplyStatus = 'draft' | 'approved' | 'published' | 'failed' | 'cancelled';

export interface Reply {
  id: string;
  incidentId: string;
  templateId: string | null;
  stage: string | null;
  text: string;
  status: ReplyStatus;
  draftedBy: string;
  approvedBy: string | null;
  createdAt: Date;
  approvedAt: Date | null;
  publishedAt: Date | null;
  externalId: string | null;
  attempts: number;
  lastError: string | null;
}

/** A post of an incident a reply can go under (one per author). */
export interface ReplyTargetPost {
  messageId: string;
  platform: string;
  authorName: string | null;
  publishedAt: Date;
  /** The beginning of the citizen's text (escape it when shown). */
  excerpt: string;
  replyTarget: ReplyTarget;
  isPrimary: boolean;
}

/** A chosen post of a reply, and whether the reply is published under it. */
export interface ReplyPublication {
  messageId: string;
  status: 'pending' | 'published';
  externalId: string | null;
  publishedAt: Date | null;
  platform: string;
  replyTarget: ReplyTarget | null;
}

/** An open incident in the press service's queue. */
export interface PressQueueIncident {
  incidentId: string;
  status: string;
  priority: string;
  topic: string | null;
  municipalityId: string | null;
  municipalityName: string | null;
  officialName: string | null;
  openedAt: Date;
  responseDueAt: Date | null;
  escalated: boolean;
  platform: string;
  /** The beginning of the citizen's text (escape it when shown). */
  excerpt: string;
}

/** A reply waiting for the press service (draft, failed, being published) with its incident. */
export interface PressQueueReply extends PressQueueIncident {
  replyId: string;
  replyStatus: ReplyStatus;
  replyText: string;
  draftedBy: string;
  createdAt: Date;
  attempts: number;
  lastError: string | null;
}

const COLUMNS = `id::text, incident_id::text, template_id, stage, text, status, drafted_by, approved_by, created_at,
  approved_at, published_at, external_id, attempts, last_error`;
type Row = Record<string, unknown>;
const toReply = (r: Row): Reply => ({
  id: r.id as string,
  incidentId: r.incident_id as string,
  templateId: (r.template_id as string) ?? null,
  stage: (r.stage as string) ?? null,
  text: r.text as string,
  status: r.status as ReplyStatus,
  draftedBy: r.drafted_by as string,
  approvedBy: (r.approved_by as string) ?? null,
  createdAt: r.created_at as Date,
  approvedAt: (r.approved_at as Date) ?? null,
  publishedAt: (r.published_at as Date) ?? null,
  externalId: (r.external_id as string) ?? null,
  attempts: r.attempts as number,
  lastError: (r.last_error as string) ?? null,
});

/** A published reply answers its incident: the first one is the response (the clock stops), an 'ack' the acknowledgement. */
async function recordResponse(sql: Sql, incidentId: string, at: Date, stage: string | null): Promise<void> {
  await sql.query(
    `UPDATE incidents SET first_response_at = coalesce(first_response_at, $2),
            acknowledged_at = CASE WHEN $3 = 'ack' THEN coalesce(acknowledged_at, $2) ELSE acknowledged_at END,
            status = CASE WHEN status IN ('assigned', 'in_progress', 'classified', 'needs_review', 'new') THEN 'answered' ELSE status END,
            updated_at = $2
     WHERE id = $1`,
    [incidentId, at, stage],
  );
}

/** Queries on `replies`. */
export const replyQueries = (sql: Sql) => ({
  /** One reply, or null. */
  async get(id: string): Promise<Reply | null> {
    const r = await sql.query<Row>(`SELECT ${COLUMNS} FROM replies WHERE id = $1`, [id]);
    return r.rows[0] ? toReply(r.rows[0]) : null;
  },

  /** Replies of an incident, oldest first. */
  async forIncident(incidentId: string): Promise<Reply[]> {
    const r = await sql.query<Row>(`SELECT ${COLUMNS} FROM replies WHERE incident_id = $1 ORDER BY created_at, id`, [incidentId]);
    return r.rows.map(toReply);
  },

  /** Creates a reply (approved at once when `approvedBy` is given). */
  async create(r: { incidentId: string; templateId: string | null; stage: string | null; text: string; draftedBy: string; approvedBy: string | null }, at: Date): Promise<string> {
    const res = await sql.query<{ id: string }>(
      `INSERT INTO replies (incident_id, template_id, stage, text, status, drafted_by, approved_by, created_at, approved_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id::text`,
      [r.incidentId, r.templateId, r.stage, r.text, r.approvedBy ? 'approved' : 'draft', r.draftedBy, r.approvedBy, at, r.approvedBy ? at : null],
    );
    return res.rows[0].id;
  },

  /** Approves a draft; false if it is not a draft any more. */
  async approve(id: string, by: string, text: string | null, at: Date): Promise<boolean> {
    const r = await sql.query(
      `UPDATE replies SET status = 'approved', approved_by = $2, approved_at = $3, text = coalesce($4, text)
       WHERE id = $1 AND status = 'draft' RETURNING id`,
      [id, by, at, text],
    );
    return r.rows.length > 0;
  },

  /** A draft sent back to the official (press: «Вернуть на доработку»): cancelled; false if it is not a draft any more. */
  async returnDraft(id: string): Promise<boolean> {
    const r = await sql.query(`UPDATE replies SET status = 'cancelled' WHERE id = $1 AND status = 'draft' RETURNING id`, [id]);
    return r.rows.length > 0;
  },

  /** Records the publication, and the incident's first response when it is the first; false if already done. */
  async markPublished(id: string, externalId: string, at: Date): Promise<boolean> {
    const r = await sql.query<{ incident_id: string; stage: string | null }>(
      `UPDATE replies SET status = 'published', published_at = $3, external_id = $2, attempts = attempts + 1, last_error = NULL
       WHERE id = $1 AND status IN ('approved', 'failed') RETURNING incident_id::text, stage`,
      [id, externalId, at],
    );
    const row = r.rows[0];
    if (!row) return false;
    await recordResponse(sql, row.incident_id, at, row.stage);
    return true;
  },

  /**
   * The posts a reply to an incident can go under (issue 15): of each author, their first message with a reply target
   * (a repeat of the same author is answered once), the incident's primary message first, then by publication time.
   */
  async replyTargets(incidentId: string): Promise<ReplyTargetPost[]> {
    const r = await sql.query<Row>(
      `SELECT * FROM (
         SELECT DISTINCT ON (coalesce(m.author_id::text, m.platform || ':' || m.author_platform_id))
                m.id::text AS message_id, m.platform, m.author_name, m.published_at, left(m.text, 240) AS excerpt, m.reply_target,
                m.id = i.primary_message_id AS is_primary
         FROM incident_messages im JOIN messages m ON m.id = im.message_id JOIN incidents i ON i.id = im.incident_id
         WHERE im.incident_id = $1 AND m.reply_target IS NOT NULL
         ORDER BY coalesce(m.author_id::text, m.platform || ':' || m.author_platform_id), m.id = i.primary_message_id DESC, m.published_at, m.id) t
       ORDER BY is_primary DESC, published_at, message_id::bigint`,
      [incidentId],
    );
    return r.rows.map((x) => ({
      messageId: x.message_id as string,
      platform: x.platform as string,
      authorName: (x.author_name as string) ?? null,
      publishedAt: x.published_at as Date,
      excerpt: x.excerpt as string,
      replyTarget: x.reply_target as ReplyTarget,
      isPrimary: x.is_primary as boolean,
    }));
  },

  /** Chooses the posts a reply goes under (once: a retry or a second call adds nothing new). */
  async setTargets(replyId: string, messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await sql.query(
      `INSERT INTO reply_publications (reply_id, message_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
      [replyId, messageIds],
    );
  },

  /** The chosen posts of a reply with where to answer and whether it is published there. */
  async publications(replyId: string): Promise<ReplyPublication[]> {
    const r = await sql.query<Row>(
      `SELECT p.message_id::text, p.status, p.external_id, p.published_at, m.platform, m.reply_target
       FROM reply_publications p JOIN messages m ON m.id = p.message_id WHERE p.reply_id = $1 ORDER BY p.message_id`,
      [replyId],
    );
    return r.rows.map((x) => ({
      messageId: x.message_id as string,
      status: x.status as 'pending' | 'published',
      externalId: (x.external_id as string) ?? null,
      publishedAt: (x.published_at as Date) ?? null,
      platform: x.platform as string,
      replyTarget: (x.reply_target as ReplyTarget) ?? null,
    }));
  },

  /**
   * Records the publication under one post (false if already recorded: once each). The first publication of any
   * reply is the incident's response: it stops the clock, as `markPublished` does for the reply as a whole.
   */
  async markTargetPublished(replyId: string, messageId: string, externalId: string, at: Date): Promise<boolean> {
    const r = await sql.query<{ incident_id: string; stage: string | null }>(
      `WITH p AS (
         UPDATE reply_publications SET status = 'published', external_id = $3, published_at = $4
         WHERE reply_id = $1 AND message_id = $2 AND status = 'pending' RETURNING reply_id)
       SELECT r.incident_id::text, r.stage FROM replies r JOIN p ON p.reply_id = r.id`,
      [replyId, messageId, externalId, at],
    );
    const row = r.rows[0];
    if (!row) return false;
    await recordResponse(sql, row.incident_id, at, row.stage);
    return true;
  },

  /** Counts a failed attempt; after the last one the reply is 'failed' and shown to the press service. */
  async markAttemptFailed(id: string, error: string, final: boolean): Promise<void> {
    await sql.query(
      `UPDATE replies SET attempts = attempts + 1, last_error = $2, status = CASE WHEN $3 THEN 'failed' ELSE status END
       WHERE id = $1 AND status IN ('approved', 'failed')`,
      [id, error.slice(0, 500), final],
    );
  },

  /**
   * The press service's queue (issue 6), narrowed to a municipality or an official when given: replies that
   * wait for someone (drafts to approve, failed publications, approved ones being published), and open
   * incidents without a first response and without any such reply, the earliest deadline first. `topic` narrows both.
   */
  async pressQueue(f: { municipalityId: string | null; officialId: string | null; limit: number; topic?: string | null }): Promise<{ replies: PressQueueReply[]; awaiting: PressQueueIncident[] }> {
    const scope = `($1::text IS NULL OR i.municipality_id = $1) AND ($2::text IS NULL OR i.official_id = $2) AND ($4::text IS NULL OR i.topic = $4)`;
    const incidentCols = `i.id::text AS incident_id, i.status AS incident_status, i.priority, i.topic, i.municipality_id, mu.name AS municipality_name,
              o.name AS official_name, i.opened_at, i.response_due_at, i.escalated_at, m.platform, left(m.text, 240) AS excerpt`;
    const joins = `JOIN messages m ON m.id = i.primary_message_id
       LEFT JOIN municipalities mu ON mu.id = i.municipality_id
       LEFT JOIN officials o ON o.id = i.official_id`;
    const r1 = await sql.query<Row>(
      `SELECT r.id::text AS reply_id, r.status AS reply_status, r.text AS reply_text, r.drafted_by, r.created_at, r.attempts, r.last_error, ${incidentCols}
       FROM replies r JOIN incidents i ON i.id = r.incident_id ${joins}
       WHERE r.status IN ('draft', 'failed', 'approved') AND ${scope}
       ORDER BY CASE r.status WHEN 'failed' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END, r.created_at, r.id LIMIT $3`,
      [f.municipalityId, f.officialId, f.limit, f.topic ?? null],
    );
    const r2 = await sql.query<Row>(
      `SELECT ${incidentCols}
       FROM incidents i ${joins}
       WHERE i.status IN ('assigned', 'in_progress') AND i.first_response_at IS NULL AND ${scope}
         AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.incident_id = i.id AND r.status IN ('draft', 'failed', 'approved'))
       ORDER BY i.response_due_at NULLS LAST, i.id LIMIT $3`,
      [f.municipalityId, f.officialId, f.limit, f.topic ?? null],
    );
    const incident = (x: Row): PressQueueIncident => ({
      incidentId: x.incident_id as string,
      status: x.incident_status as string,
      priority: x.priority as string,
      topic: (x.topic as string) ?? null,
      municipalityId: (x.municipality_id as string) ?? null,
      municipalityName: (x.municipality_name as string) ?? null,
      officialName: (x.official_name as string) ?? null,
      openedAt: x.opened_at as Date,
      responseDueAt: (x.response_due_at as Date) ?? null,
      escalated: x.escalated_at !== null,
      platform: x.platform as string,
      excerpt: x.excerpt as string,
    });
    return {
      replies: r1.rows.map((x) => ({
        ...incident(x),
        replyId: x.reply_id as string,
        replyStatus: x.reply_status as ReplyStatus,
        replyText: x.reply_text as string,
        draftedBy: x.drafted_by as string,
        createdAt: x.created_at as Date,
        attempts: x.attempts as number,
        lastError: (x.last_error as string) ?? null,
      })),
      awaiting: r2.rows.map(incident),
    };
  },

  /** Approved replies not published since `before` (for reconcile). */
  async stuckApproved(before: Date, limit = 200): Promise<string[]> {
    const r = await sql.query<{ id: string }>(
      `SELECT id::text FROM replies WHERE status = 'approved' AND approved_at < $1 ORDER BY approved_at LIMIT $2`,
      [before, limit],
    );
    return r.rows.map((x) => x.id);
  },
});
