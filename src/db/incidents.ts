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
    // One statement (one round trip, atomic): move the message, open the incident, link them, log it. The id is
    // drawn first because one statement cannot update the message row twice.
    const r = await sql.query<{ id: string }>(
      `WITH new_id AS (SELECT nextval(pg_get_serial_sequence('incidents', 'id')) AS id),
       moved AS (
         UPDATE messages SET status = 'incident', author_id = $2, deduped_at = $3, incident_id = (SELECT id FROM new_id)
         WHERE id = $1 AND status = 'complaint' RETURNING id),
       inc AS (
         INSERT INTO incidents (id, primary_message_id, author_id, analysis, opened_at, detected_at, updated_at, priority)
         SELECT (SELECT id FROM new_id), id, $2, $4, $5, $3, $3, $6 FROM moved RETURNING id, primary_message_id),
       member AS (INSERT INTO incident_messages (message_id, incident_id, reason, attached_at)
                  SELECT primary_message_id, id, 'first', $3 FROM inc),
       ev AS (INSERT INTO incident_events (incident_id, kind, actor, at, data)
              SELECT id, 'incident.opened', 'system', $3, $7 FROM inc)
       SELECT id::text FROM inc`,
      [
        m.messageId, m.authorId, at, JSON.stringify(m.analysis), m.publishedAt, m.analysis.priority,
        JSON.stringify({ messageId: m.messageId, complaintScore: m.analysis.complaintScore }),
      ],
    );
    return r.rows[0]?.id ?? null;
  },

  /** Attaches a repeat to an open incident and recounts its authors; false if the message already moved on. */
  async attach(
    m: { messageId: string; authorId: string; incidentId: string; reason: string; similarity: number },
    resonantAuthors: number,
    at: Date,
  ): Promise<boolean> {
    // One statement: move the message, link it, log it, recount the incident's messages and authors.
    // (The recount sees the table as it was before this statement, hence the + 1 and the new author.)
    const r = await sql.query(
      `WITH moved AS (
         UPDATE messages SET status = 'attached', author_id = $2, incident_id = $3, deduped_at = $4
         WHERE id = $1 AND status = 'complaint' RETURNING id),
       member AS (INSERT INTO incident_messages (message_id, incident_id, reason, attached_at)
                  SELECT id, $3, $5, $4 FROM moved),
       ev AS (INSERT INTO incident_events (incident_id, kind, actor, at, data)
              SELECT $3, 'message.attached', 'system', $4, $7 FROM moved),
       counts AS (
         SELECT count(*)::int + 1 AS messages,
                (SELECT count(DISTINCT a)::int FROM (
                   SELECT ms.author_id AS a FROM incident_messages im JOIN messages ms ON ms.id = im.message_id
                   WHERE im.incident_id = $3 UNION SELECT $2::bigint) x) AS authors
         FROM incident_messages WHERE incident_id = $3)
       UPDATE incidents i SET messages_count = c.messages, authors_count = c.authors, resonant = c.authors >= $6, updated_at = $4
       FROM counts c, moved WHERE i.id = $3 RETURNING i.id`,
      [m.messageId, m.authorId, m.incidentId, at, m.reason, resonantAuthors, JSON.stringify({ messageId: m.messageId, reason: m.reason, similarity: Number(m.similarity.toFixed(3)) })],
    );
    return r.rows.length > 0;
  },

  /** Saves topic, place and priority; only a 'new' incident changes. */
  async saveClassification(
    id: string,
    c: { topic: TopicCode | null; subtopic: string | null; municipalityId: string | null; priority: Priority },
    at: Date,
    event: Record<string, unknown>,
  ): Promise<boolean> {
    const r = await sql.query(
      `WITH u AS (
         UPDATE incidents SET status = 'classified', topic = $2, subtopic = $3, municipality_id = $4, priority = $5,
                classified_at = $6, updated_at = $6
         WHERE id = $1 AND status = 'new' RETURNING id)
       INSERT INTO incident_events (incident_id, kind, actor, at, data)
       SELECT id, 'incident.classified', 'system', $6, $7 FROM u RETURNING incident_id`,
      [id, c.topic, c.subtopic, c.municipalityId, c.priority, at, JSON.stringify(event)],
    );
    return r.rows.length > 0;
  },

  /** Assigns a 'classified' incident and starts its response clock; false if a retry finds it done. */
  async assign(
    id: string,
    a: { officialId: string; reason: string; actor: string; responseDueAt: Date; resolutionDueAt: Date | null },
    timers: { kind: string; ref: string; at: Date }[],
    at: Date,
  ): Promise<boolean> {
    // One statement: the assignment, its audit row, its event and its timers (the sweep's record), atomically.
    const r = await sql.query(
      `WITH u AS (
         UPDATE incidents SET status = 'assigned', official_id = $2, assigned_at = $3, response_due_at = $4,
                resolution_due_at = $5, updated_at = $3
         WHERE id = $1 AND status = 'classified' RETURNING id),
       a AS (INSERT INTO assignments (incident_id, official_id, reason, actor, assigned_at) SELECT id, $2, $6, $7, $3 FROM u),
       e AS (INSERT INTO incident_events (incident_id, kind, actor, at, data)
             SELECT id, 'incident.assigned', $7, $3, $8 FROM u),
       t AS (INSERT INTO incident_timers (incident_id, kind, ref, due_at)
             SELECT u.id, x.kind, x.ref, x.due_at FROM u, unnest($9::text[], $10::text[], $11::timestamptz[]) AS x(kind, ref, due_at)
             ON CONFLICT DO NOTHING)
       SELECT id FROM u`,
      [
        id, a.officialId, at, a.responseDueAt, a.resolutionDueAt, a.reason, a.actor,
        JSON.stringify({ officialId: a.officialId, reason: a.reason }),
        timers.map((t) => t.kind), timers.map((t) => t.ref), timers.map((t) => t.at),
      ],
    );
    return r.rows.length > 0;
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
