/** Incidents, the messages attached to them, their assignments and their audit trail of events. */
import type { Priority, TopicCode } from '../domain/types';
import type { Analysis } from '../../classifiers';
import type { Sql } from './sql';

export type IncidentStatus =
  | 'new'
  | 'needs_review'
  | 'classified'
  | 'assigned'
  | 'in_progress'
  | 'answered'
  | 'resolved'
  | 'closed';

/** Statuses in which an incident still waits for someone. */
export const OPEN_STATUSES: IncidentStatus[] = ['new', 'needs_review', 'classified', 'assigned', 'in_progress', 'answered'];

export interface Incident {
  id: string;
  status: IncidentStatus;
  primaryMessageId: string;
  authorId: string | null;
  topic: TopicCode | null;
  subtopic: string | null;
  municipalityId: string | null;
  priority: Priority;
  analysis: Analysis | null;
  officialId: string | null;
  openedAt: Date;
  detectedAt: Date;
  classifiedAt: Date | null;
  assignedAt: Date | null;
  takenAt: Date | null;
  acknowledgedAt: Date | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  escalatedAt: Date | null;
  responseDueAt: Date | null;
  resolutionDueAt: Date | null;
  authorsCount: number;
  messagesCount: number;
  resonant: boolean;
  updatedAt: Date;
}

export interface IncidentEvent {
  id: string;
  incidentId: string;
  kind: string;
  actor: string;
  at: Date;
  data: Record<string, unknown>;
}

const COLUMNS = `id::text, status, primary_message_id::text, author_id::text, topic, subtopic, municipality_id, priority,
  analysis, official_id, opened_at, detected_at, classified_at, assigned_at, taken_at, acknowledged_at,
  first_response_at, resolved_at, escalated_at, response_due_at, resolution_due_at, authors_count, messages_count,
  resonant, updated_at`;

type Row = Record<string, unknown>;
const d = (v: unknown) => (v as Date | null) ?? null;
const toIncident = (r: Row): Incident => ({
  id: r.id as string,
  status: r.status as IncidentStatus,
  primaryMessageId: r.primary_message_id as string,
  authorId: (r.author_id as string) ?? null,
  topic: (r.topic as TopicCode) ?? null,
  subtopic: (r.subtopic as string) ?? null,
  municipalityId: (r.municipality_id as string) ?? null,
  priority: r.priority as Priority,
  analysis: (r.analysis as Analysis) ?? null,
  officialId: (r.official_id as string) ?? null,
  openedAt: r.opened_at as Date,
  detectedAt: r.detected_at as Date,
  classifiedAt: d(r.classified_at),
  assignedAt: d(r.assigned_at),
  takenAt: d(r.taken_at),
  acknowledgedAt: d(r.acknowledged_at),
  firstResponseAt: d(r.first_response_at),
  resolvedAt: d(r.resolved_at),
  escalatedAt: d(r.escalated_at),
  responseDueAt: d(r.response_due_at),
  resolutionDueAt: d(r.resolution_due_at),
  authorsCount: r.authors_count as number,
  messagesCount: r.messages_count as number,
  resonant: r.resonant as boolean,
  updatedAt: r.updated_at as Date,
});

/** A candidate incident for deduplication: its first message's text and author. */
export interface DedupeCandidate {
  incidentId: string;
  authorId: string | null;
  text: string;
  openedAt: Date;
}

/** Queries on incidents and their satellites. */
export const incidentQueries = (sql: Sql) => ({
  /** One incident, or null. */
  async get(id: string): Promise<Incident | null> {
    const r = await sql.query<Row>(`SELECT ${COLUMNS} FROM incidents WHERE id = $1`, [id]);
    return r.rows[0] ? toIncident(r.rows[0]) : null;
  },

  /** The incident a message belongs to (as its first message or attached), or null. */
  async byMessage(messageId: string): Promise<Incident | null> {
    const r = await sql.query<Row>(
      `SELECT ${COLUMNS} FROM incidents WHERE id = (SELECT incident_id FROM incident_messages WHERE message_id = $1)`,
      [messageId],
    );
    return r.rows[0] ? toIncident(r.rows[0]) : null;
  },

  /** Newest first, with optional filters. */
  async list(f: { status?: IncidentStatus; municipalityId?: string; officialId?: string; limit?: number; offset?: number } = {}): Promise<Incident[]> {
    const r = await sql.query<Row>(
      `SELECT ${COLUMNS} FROM incidents
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR municipality_id = $2)
         AND ($3::text IS NULL OR official_id = $3)
       ORDER BY opened_at DESC, id DESC LIMIT $4 OFFSET $5`,
      [f.status ?? null, f.municipalityId ?? null, f.officialId ?? null, f.limit ?? 50, f.offset ?? 0],
    );
    return r.rows.map(toIncident);
  },

  /** Serializes deduplication of one topic × place across processes (inside a transaction). */
  async lockDedupeKey(key: string): Promise<void> {
    await sql.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
  },

  /** Open incidents that a new complaint on this topic and place could repeat, newest first. */
  async dedupeCandidates(
    c: { authorId: string; topic: string | null; municipalityId: string | null; since: Date },
    limit = 200,
  ): Promise<DedupeCandidate[]> {
    const r = await sql.query<Row>(
      `SELECT i.id::text AS incident_id, i.author_id::text, m.text, i.opened_at
       FROM incidents i JOIN messages m ON m.id = i.primary_message_id
       WHERE i.status = ANY($1::text[]) AND i.opened_at >= $2
         AND (i.author_id = $3 OR ((i.analysis->>'topic') IS NOT DISTINCT FROM $4::text
              AND (i.analysis->>'municipality') IS NOT DISTINCT FROM $5::text))
       ORDER BY i.opened_at DESC LIMIT $6`,
      [OPEN_STATUSES, c.since, c.authorId, c.topic, c.municipalityId, limit],
    );
    return r.rows.map((x) => ({
      incidentId: x.incident_id as string,
      authorId: (x.author_id as string) ?? null,
      text: x.text as string,
      openedAt: x.opened_at as Date,
    }));
  },

  /**
   * Opens an incident for a complaint message (guarded: the message must still be a 'complaint').
   * Returns the new incident id, or null when a retry finds the work already done.
   */
  async open(
    m: { messageId: string; authorId: string; publishedAt: Date; analysis: Analysis },
    at: Date,
  ): Promise<string | null> {
    const moved = await sql.query(
      `UPDATE messages SET status = 'incident', author_id = $2, deduped_at = $3 WHERE id = $1 AND status = 'complaint'
       RETURNING id`,
      [m.messageId, m.authorId, at],
    );
    if (moved.rows.length === 0) return null;
    const r = await sql.query<{ id: string }>(
      `INSERT INTO incidents (primary_message_id, author_id, analysis, opened_at, detected_at, updated_at, priority)
       VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id::text`,
      [m.messageId, m.authorId, JSON.stringify(m.analysis), m.publishedAt, at, m.analysis.priority],
    );
    const id = r.rows[0].id;
    await sql.query(
      `UPDATE messages SET incident_id = $2 WHERE id = $1`,
      [m.messageId, id],
    );
    await sql.query(
      `INSERT INTO incident_messages (message_id, incident_id, reason, attached_at) VALUES ($1, $2, 'first', $3)`,
      [m.messageId, id, at],
    );
    return id;
  },

  /** Attaches a repeat to an open incident and recounts its authors; false if the message already moved on. */
  async attach(
    m: { messageId: string; authorId: string; incidentId: string; reason: string },
    resonantAuthors: number,
    at: Date,
  ): Promise<boolean> {
    const moved = await sql.query(
      `UPDATE messages SET status = 'attached', author_id = $2, incident_id = $3, deduped_at = $4
       WHERE id = $1 AND status = 'complaint' RETURNING id`,
      [m.messageId, m.authorId, m.incidentId, at],
    );
    if (moved.rows.length === 0) return false;
    await sql.query(
      `INSERT INTO incident_messages (message_id, incident_id, reason, attached_at) VALUES ($1, $2, $3, $4)`,
      [m.messageId, m.incidentId, m.reason, at],
    );
    await sql.query(
      `UPDATE incidents i SET messages_count = c.messages, authors_count = c.authors,
              resonant = c.authors >= $2, updated_at = $3
       FROM (SELECT count(*)::int AS messages, count(DISTINCT ms.author_id)::int AS authors
             FROM incident_messages im JOIN messages ms ON ms.id = im.message_id WHERE im.incident_id = $1) c
       WHERE i.id = $1`,
      [m.incidentId, resonantAuthors, at],
    );
    return true;
  },

  /** Saves topic, place and priority; only a 'new' incident changes. */
  async saveClassification(
    id: string,
    c: { topic: TopicCode | null; subtopic: string | null; municipalityId: string | null; priority: Priority },
    at: Date,
  ): Promise<boolean> {
    const r = await sql.query(
      `UPDATE incidents SET status = 'classified', topic = $2, subtopic = $3, municipality_id = $4, priority = $5,
              classified_at = $6, updated_at = $6
       WHERE id = $1 AND status = 'new' RETURNING id`,
      [id, c.topic, c.subtopic, c.municipalityId, c.priority, at],
    );
    return r.rows.length > 0;
  },

  /** Assigns a 'classified' incident and starts its response clock; false if a retry finds it done. */
  async assign(
    id: string,
    a: { officialId: string; reason: string; actor: string; responseDueAt: Date; resolutionDueAt: Date | null },
    at: Date,
  ): Promise<boolean> {
    const r = await sql.query(
      `UPDATE incidents SET status = 'assigned', official_id = $2, assigned_at = $3, response_due_at = $4,
              resolution_due_at = $5, updated_at = $3
       WHERE id = $1 AND status = 'classified' RETURNING id`,
      [id, a.officialId, at, a.responseDueAt, a.resolutionDueAt],
    );
    if (r.rows.length === 0) return false;
    await sql.query(
      `INSERT INTO assignments (incident_id, official_id, reason, actor, assigned_at) VALUES ($1, $2, $3, $4, $5)`,
      [id, a.officialId, a.reason, a.actor, at],
    );
    return true;
  },

  /** Marks the first escalation of an incident; false when it was already escalated. */
  async markEscalated(id: string, at: Date): Promise<boolean> {
    const r = await sql.query(
      'UPDATE incidents SET escalated_at = $2, updated_at = $2 WHERE id = $1 AND escalated_at IS NULL RETURNING id',
      [id, at],
    );
    return r.rows.length > 0;
  },

  /** Appends to the audit trail. */
  async addEvent(incidentId: string, kind: string, actor: string, at: Date, data: Record<string, unknown> = {}): Promise<void> {
    await sql.query(`INSERT INTO incident_events (incident_id, kind, actor, at, data) VALUES ($1, $2, $3, $4, $5)`, [
      incidentId,
      kind,
      actor,
      at,
      JSON.stringify(data),
    ]);
  },

  /** The audit trail of one incident, oldest first. */
  async events(incidentId: string): Promise<IncidentEvent[]> {
    const r = await sql.query<Row>(
      `SELECT id::text, incident_id::text, kind, actor, at, data FROM incident_events WHERE incident_id = $1
       ORDER BY at, id`,
      [incidentId],
    );
    return r.rows.map((x) => ({
      id: x.id as string,
      incidentId: x.incident_id as string,
      kind: x.kind as string,
      actor: x.actor as string,
      at: x.at as Date,
      data: x.data as Record<string, unknown>,
    }));
  },

  /** Open incidents per official (for load balancing). */
  async openLoad(officialIds: string[]): Promise<Record<string, number>> {
    const r = await sql.query<{ official_id: string; n: number }>(
      `SELECT official_id, count(*)::int AS n FROM incidents
       WHERE official_id = ANY($1::text[]) AND status = ANY($2::text[]) GROUP BY official_id`,
      [officialIds, OPEN_STATUSES],
    );
    return Object.fromEntries(r.rows.map((x) => [x.official_id, x.n]));
  },

  /** Ids of incidents in `status` not updated since `before` (for reconcile). */
  async stuck(status: IncidentStatus, before: Date, limit = 500): Promise<string[]> {
    const r = await sql.query<{ id: string }>(
      `SELECT id::text FROM incidents WHERE status = $1 AND updated_at < $2 ORDER BY updated_at LIMIT $3`,
      [status, before, limit],
    );
    return r.rows.map((x) => x.id);
  },

  /** Assigned incidents whose card was never recorded as sent (for reconcile). */
  async withoutCard(before: Date, limit = 500): Promise<{ incidentId: string; officialId: string }[]> {
    const r = await sql.query<{ id: string; official_id: string }>(
      `SELECT i.id::text, i.official_id FROM incidents i
       WHERE i.official_id IS NOT NULL AND i.assigned_at < $1 AND i.status = ANY($2::text[])
         AND NOT EXISTS (SELECT 1 FROM notifications n
                         WHERE n.incident_id = i.id AND n.official_id = i.official_id AND n.kind = 'card')
       ORDER BY i.assigned_at LIMIT $3`,
      [before, OPEN_STATUSES, limit],
    );
    return r.rows.map((x) => ({ incidentId: x.id, officialId: x.official_id }));
  },

  /** Counts by status (metrics). */
  async countByStatus(): Promise<Record<string, number>> {
    const r = await sql.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM incidents GROUP BY status');
    return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
  },
});
