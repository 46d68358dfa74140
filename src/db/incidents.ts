/** Incidents, the messages attached to them, their assignments and their audit trail of events. */
import type { Priority, TopicCode } from '../domain/types';
import type { IncidentKind } from '../domain/kinds';
import type { Analysis } from '../../classifiers';
import { batcher } from '../lib/batch';
import { batchedById } from './by-id';
import type { Sql } from './sql';

export type IncidentStatus =
  | 'new'
  | 'needs_review'
  | 'classified'
  | 'assigned'
  | 'in_progress'
  | 'answered'
  | 'resolved'
  | 'closed'
  /** Triage found it is not an appeal: kept for the audit trail, out of the statistics. */
  | 'dismissed';

/** Statuses in which an incident still waits for someone. */
export const OPEN_STATUSES: IncidentStatus[] = ['new', 'needs_review', 'classified', 'assigned', 'in_progress', 'answered'];
/** The same as an SQL list: a literal list lets the planner use partial indexes on open incidents. */
export const OPEN_LIST = OPEN_STATUSES.map((x) => `'${x}'`).join(', ');

export interface Incident {
  id: string;
  status: IncidentStatus;
  /** Complaint, question or proposal: every appeal runs on the same clock. */
  kind: IncidentKind;
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

const COLUMNS = `id::text, status, kind, primary_message_id::text, author_id::text, topic, subtopic, municipality_id, priority,
  analysis, official_id, opened_at, detected_at, classified_at, assigned_at, taken_at, acknowledged_at,
  first_response_at, resolved_at, escalated_at, response_due_at, resolution_due_at, authors_count, messages_count,
  resonant, updated_at`;

type Row = Record<string, unknown>;
const d = (v: unknown) => (v as Date | null) ?? null;
const toIncident = (r: Row): Incident => ({
  id: r.id as string,
  status: r.status as IncidentStatus,
  kind: ((r.kind as IncidentKind) ?? 'complaint'),
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
}

/** What `assign` records for one incident. */
export interface Assignment {
  officialId: string;
  reason: string;
  actor: string;
  responseDueAt: Date;
  resolutionDueAt: Date | null;
}

/** What `saveClassification` records for one incident. */
export interface ClassificationRecord {
  /** 'needs_review': the analysis is unsure (or found no place), so a person decides before it is routed. */
  status: 'classified' | 'needs_review';
  kind: IncidentKind;
  topic: TopicCode | null;
  subtopic: string | null;
  municipalityId: string | null;
  priority: Priority;
}

/**
 * The topic × place of a complaint as deduplication groups it ('-' for none); its advisory lock and the index
 * incidents_open_key_idx (migration 0007) use the same form.
 */
export const dedupeKey = (topic: string | null, municipalityId: string | null) => `${topic ?? '-'}|${municipalityId ?? '-'}`;

/** Queries on incidents and their satellites. */
export const incidentQueries = (sql: Sql) => {
  // The pipeline's reads and writes of one incident, coalesced across concurrent jobs (src/lib/batch.ts).
  const getBatched = batchedById(sql, 'incidents', COLUMNS, toIncident);
  const classifyBatched = batcher(
    async (items: { id: string; c: ClassificationRecord; at: Date; event: Record<string, unknown> }[]) => {
      const r = await sql.query<{ id: string }>(
        `WITH u AS (
           UPDATE incidents i SET status = x.status, kind = x.kind, topic = x.topic, subtopic = x.subtopic,
                  municipality_id = x.municipality_id, priority = x.priority, classified_at = x.at, updated_at = x.at
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[],
                       $8::text[], $9::text[])
                AS x(id, topic, subtopic, municipality_id, priority, at, event, status, kind)
           WHERE i.id = x.id AND i.status = 'new' RETURNING i.id, i.status, x.at, x.event)
         INSERT INTO incident_events (incident_id, kind, actor, at, data)
         SELECT id, CASE WHEN status = 'needs_review' THEN 'incident.needs-review' ELSE 'incident.classified' END, 'system', at,
                event::jsonb
         FROM u RETURNING incident_id::text AS id`,
        [
          items.map((x) => x.id),
          items.map((x) => x.c.topic),
          items.map((x) => x.c.subtopic),
          items.map((x) => x.c.municipalityId),
          items.map((x) => x.c.priority),
          items.map((x) => x.at),
          items.map((x) => JSON.stringify(x.event)),
          items.map((x) => x.c.status),
          items.map((x) => x.c.kind),
        ],
      );
      const saved = new Set(r.rows.map((x) => x.id));
      return items.map((x) => saved.has(x.id));
    },
  );
  const assignBatched = batcher(
    async (all: { id: string; a: Assignment; timers: { kind: string; ref: string; at: Date }[]; at: Date }[]) => {
      // One incident twice in a batch (a redelivered job beside its retry): written once, for its first call;
      // the other gets false, as a retry that finds it done does.
      const first = new Map<string, number>();
      all.forEach((x, i) => first.has(x.id) || first.set(x.id, i));
      const items = all.filter((x, i) => first.get(x.id) === i);
      // One statement for the batch: the assignments, their audit rows, events and timers (the sweep's record).
      const timers = items.flatMap((x) => x.timers.map((t) => ({ id: x.id, ...t })));
      const r = await sql.query<{ id: string }>(
        `WITH x AS (
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[],
                                $6::text[], $7::text[], $8::text[])
                  AS x(id, official_id, at, response_due_at, resolution_due_at, reason, actor, event)),
         u AS (
           UPDATE incidents i SET status = 'assigned', official_id = x.official_id, assigned_at = x.at,
                  response_due_at = x.response_due_at, resolution_due_at = x.resolution_due_at, updated_at = x.at
           FROM x WHERE i.id = x.id AND i.status = 'classified' RETURNING i.id),
         ux AS (SELECT x.* FROM x JOIN u ON u.id = x.id),
         a AS (INSERT INTO assignments (incident_id, official_id, reason, actor, assigned_at)
               SELECT id, official_id, reason, actor, at FROM ux),
         e AS (INSERT INTO incident_events (incident_id, kind, actor, at, data)
               SELECT id, 'incident.assigned', actor, at, event::jsonb FROM ux),
         t AS (INSERT INTO incident_timers (incident_id, kind, ref, due_at)
               SELECT t.id, t.kind, t.ref, t.due_at
               FROM unnest($9::bigint[], $10::text[], $11::text[], $12::timestamptz[]) AS t(id, kind, ref, due_at)
               JOIN u ON u.id = t.id
               ON CONFLICT DO NOTHING)
         SELECT id::text FROM u`,
        [
          items.map((x) => x.id),
          items.map((x) => x.a.officialId),
          items.map((x) => x.at),
          items.map((x) => x.a.responseDueAt),
          items.map((x) => x.a.resolutionDueAt),
          items.map((x) => x.a.reason),
          items.map((x) => x.a.actor),
          items.map((x) => JSON.stringify({ officialId: x.a.officialId, reason: x.a.reason })),
          timers.map((t) => t.id),
          timers.map((t) => t.kind),
          timers.map((t) => t.ref),
          timers.map((t) => t.at),
        ],
      );
      const saved = new Set(r.rows.map((x) => x.id));
      return all.map((x, i) => first.get(x.id) === i && saved.has(x.id));
    },
  );
  // Concurrent assignments share one count of the open load (each gets the officials it asked for).
  const loadBatched = batcher(async (asks: string[][]) => {
    const ids = [...new Set(asks.flat())];
    const r = await sql.query<{ official_id: string; n: number }>(
      `SELECT official_id, count(*)::int AS n FROM incidents
       WHERE official_id = ANY($1::text[]) AND status IN (${OPEN_LIST}) GROUP BY official_id`,
      [ids],
    );
    const all = new Map(r.rows.map((x) => [x.official_id, x.n]));
    return asks.map((ask) => Object.fromEntries(ask.filter((id) => all.has(id)).map((id) => [id, all.get(id) as number])));
  });
  return {
    /** One incident, or null. */
    get: (id: string): Promise<Incident | null> => getBatched(id),

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

    /**
     * Serializes deduplication of these topic × place keys across processes (inside a transaction). Keys are
     * locked in one order, so two batches wanting the same keys queue instead of deadlocking.
     */
    async lockDedupeKeys(keys: string[]): Promise<void> {
      await sql.query(
        `SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k ORDER BY 1) s`,
        [keys],
      );
    },

    /**
     * Open incidents that new complaints could repeat, one list per ask (newest first): those on the ask's
     * topic and place, and those of its author. One round trip for a batch of asks.
     */
    async dedupeCandidates(
      asks: { authorId: string; topic: string | null; municipalityId: string | null; since: Date }[],
      limit = 200,
    ): Promise<DedupeCandidate[][]> {
      // Newest first for each message (the sort happens here, so the time itself need not be sent and parsed).
      const r = await sql.query<Row>(
        `WITH ask AS (
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS a(author_id, key, since, ord))
         SELECT ord, incident_id, author_id, text FROM (
           SELECT a.ord, c.* FROM ask a CROSS JOIN LATERAL (
             SELECT i.id::text AS incident_id, i.author_id::text, m.text, i.opened_at
             FROM incidents i JOIN messages m ON m.id = i.primary_message_id
             WHERE i.status IN (${OPEN_LIST}) AND i.opened_at >= a.since
               AND (coalesce(i.analysis ->> 'topic', '-') || '|' || coalesce(i.analysis ->> 'municipality', '-')) = a.key
             ORDER BY i.opened_at DESC LIMIT $4) c
           UNION ALL
           SELECT a.ord, c.* FROM ask a CROSS JOIN LATERAL (
             SELECT i.id::text AS incident_id, i.author_id::text, m.text, i.opened_at
             FROM incidents i JOIN messages m ON m.id = i.primary_message_id
             WHERE i.author_id = a.author_id AND i.status IN (${OPEN_LIST}) AND i.opened_at >= a.since
             ORDER BY i.opened_at DESC LIMIT $4) c) u
         ORDER BY ord, opened_at DESC, incident_id`,
        [asks.map((a) => a.authorId), asks.map((a) => dedupeKey(a.topic, a.municipalityId)), asks.map((a) => a.since), limit],
      );
      const lists = asks.map(() => new Map<string, DedupeCandidate>());
      for (const x of r.rows) {
        const list = lists[Number(x.ord) - 1];
        if (!list.has(x.incident_id as string)) {
          list.set(x.incident_id as string, { incidentId: x.incident_id as string, authorId: (x.author_id as string) ?? null, text: x.text as string });
        }
      }
      return lists.map((l) => [...l.values()]);
    },

    /**
     * Writes the decisions of one deduplication batch in one statement: each `opens` message opens an incident,
     * each `attaches` message joins one — an open incident (`incidentId`) or one opened in this same batch
     * (`opensIndex`, its place in `opens`). Messages move only while still 'complaint' (a retry finds them moved
     * and gets nothing back); messages, links, events and the incidents' message and author counts change
     * together. Returns the incident of each moved message by message id.
     */
    async settleDedupe(
      opens: { messageId: string; authorId: string; publishedAt: Date; analysis: Analysis; at: Date }[],
      attaches: { messageId: string; authorId: string; incidentId: string | null; opensIndex: number | null; reason: string; similarity: number; at: Date }[],
      resonantAuthors: number,
    ): Promise<Map<string, { incidentId: string; opened: boolean }>> {
      const r = await sql.query<{ message_id: string; incident_id: string; opened: boolean }>(
        `WITH o AS (
           SELECT o.*, nextval(pg_get_serial_sequence('incidents', 'id')) AS id
           FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
                WITH ORDINALITY AS o(message_id, author_id, published_at, analysis, priority, at, ev, ord)),
         a AS (
           SELECT a.message_id, a.author_id, coalesce(a.incident_id, o.id) AS incident_id, a.reason, a.at, a.ev
           FROM unnest($8::bigint[], $9::bigint[], $10::bigint[], $11::int[], $12::text[], $13::timestamptz[], $14::text[])
                AS a(message_id, author_id, incident_id, opens_index, reason, at, ev)
           LEFT JOIN o ON o.ord = a.opens_index),
         mo AS (
           UPDATE messages m SET status = 'incident', author_id = o.author_id, deduped_at = o.at, incident_id = o.id
           FROM o WHERE m.id = o.message_id AND m.status = 'complaint' RETURNING o.*),
         ma AS (
           UPDATE messages m SET status = 'attached', author_id = a.author_id, incident_id = a.incident_id, deduped_at = a.at
           FROM a WHERE m.id = a.message_id AND m.status = 'complaint' RETURNING a.*, m.published_at),
         inc AS (
           INSERT INTO incidents (id, primary_message_id, author_id, analysis, opened_at, detected_at, updated_at, priority,
                                  messages_count, authors_count, resonant)
           -- The clock starts at the incident's earliest post (a repeat found in the same batch may be older).
           SELECT mo.id, mo.message_id, mo.author_id, mo.analysis::jsonb,
                  least(mo.published_at, (SELECT min(ma.published_at) FROM ma WHERE ma.incident_id = mo.id)), mo.at, mo.at, mo.priority,
                  1 + (SELECT count(*) FROM ma WHERE ma.incident_id = mo.id), c.n, c.n >= $15
           FROM mo CROSS JOIN LATERAL (
             SELECT count(DISTINCT x)::int AS n FROM (SELECT mo.author_id UNION SELECT ma.author_id FROM ma WHERE ma.incident_id = mo.id) s(x)) c
           RETURNING id),
         members AS (
           INSERT INTO incident_messages (message_id, incident_id, reason, attached_at)
           SELECT message_id, id, 'first', at FROM mo UNION ALL SELECT message_id, incident_id, reason, at FROM ma),
         ev AS (
           INSERT INTO incident_events (incident_id, kind, actor, at, data)
           SELECT id, 'incident.opened', 'system', at, ev::jsonb FROM mo
           UNION ALL SELECT incident_id, 'message.attached', 'system', at, ev::jsonb FROM ma),
         recount AS (
           -- Counted on: the added messages, and the added authors none of its messages had (by the author index:
           -- a mass complaint of hundreds of messages is not read again for each repeat).
           UPDATE incidents i SET messages_count = i.messages_count + c.added, authors_count = i.authors_count + c.authors,
                                  resonant = i.authors_count + c.authors >= $15,
                                  -- A mass complaint is high priority whenever it becomes one, not only if it was one at classify.
                                  priority = CASE WHEN i.authors_count + c.authors >= $15 THEN 'high' ELSE i.priority END,
                                  -- An older post of the same problem moves the start of the clock back while the deadlines
                                  -- are not set yet (assign computes them from opened_at).
                                  opened_at = CASE WHEN i.response_due_at IS NULL THEN least(i.opened_at, c.earliest) ELSE i.opened_at END,
                                  updated_at = c.at
           FROM (
             SELECT g.incident_id, g.at, g.added, g.earliest,
                    (SELECT count(DISTINCT x)::int FROM unnest(g.authors) x
                     WHERE (SELECT ms.id FROM messages ms WHERE ms.author_id = x AND ms.incident_id = g.incident_id LIMIT 1) IS NULL) AS authors
             FROM (SELECT incident_id, count(*)::int AS added, max(at) AS at, array_agg(author_id) AS authors, min(published_at) AS earliest
                   FROM ma WHERE incident_id NOT IN (SELECT id FROM o) GROUP BY incident_id) g) c
           WHERE i.id = c.incident_id)
         SELECT message_id::text, id::text AS incident_id, true AS opened FROM mo
         UNION ALL SELECT message_id::text, incident_id::text, false FROM ma`,
        [
          opens.map((x) => x.messageId), opens.map((x) => x.authorId), opens.map((x) => x.publishedAt),
          opens.map((x) => JSON.stringify(x.analysis)), opens.map((x) => x.analysis.priority), opens.map((x) => x.at),
          opens.map((x) => JSON.stringify({ messageId: x.messageId, complaintScore: x.analysis.complaintScore })),
          attaches.map((x) => x.messageId), attaches.map((x) => x.authorId), attaches.map((x) => x.incidentId),
          attaches.map((x) => (x.opensIndex === null ? null : x.opensIndex + 1)), attaches.map((x) => x.reason),
          attaches.map((x) => x.at),
          attaches.map((x) => JSON.stringify({ messageId: x.messageId, reason: x.reason, similarity: Number(x.similarity.toFixed(3)) })),
          resonantAuthors,
        ],
      );
      return new Map(r.rows.map((x) => [x.message_id, { incidentId: x.incident_id, opened: x.opened }]));
    },

    /** Saves kind, topic, place and priority, and whether a person must review it first; only a 'new' incident changes. */
    saveClassification: (id: string, c: ClassificationRecord, at: Date, event: Record<string, unknown>): Promise<boolean> =>
      classifyBatched({ id, c, at, event }),

    /** Assigns a 'classified' incident and starts its response clock; false if a retry finds it done. */
    assign: (id: string, a: Assignment, timers: { kind: string; ref: string; at: Date }[], at: Date): Promise<boolean> =>
      assignBatched({ id, a, timers, at }),

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
    openLoad: (officialIds: string[]): Promise<Record<string, number>> => loadBatched(officialIds),

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
         WHERE i.official_id IS NOT NULL AND i.assigned_at < $1 AND i.status IN (${OPEN_LIST})
           AND NOT EXISTS (SELECT 1 FROM notifications n
                           WHERE n.incident_id = i.id AND n.official_id = i.official_id AND n.kind = 'card')
         ORDER BY i.assigned_at LIMIT $2`,
        [before, limit],
      );
      return r.rows.map((x) => ({ incidentId: x.id, officialId: x.official_id }));
    },

    /**
     * The incident a message of `authorId` thanks: the latest of theirs (as first author or attached) answered or
     * resolved since `since`, or null.
     */
    async thankedBy(authorId: string, since: Date): Promise<{ id: string; officialId: string | null } | null> {
      const r = await sql.query<{ id: string; official_id: string | null }>(
        `SELECT i.id::text, i.official_id FROM incidents i
         WHERE i.id IN (SELECT m.incident_id FROM messages m WHERE m.author_id = $1 AND m.status IN ('incident', 'attached'))
           AND i.status IN ('answered', 'resolved', 'closed')
           AND greatest(i.first_response_at, i.resolved_at) >= $2
         ORDER BY greatest(i.first_response_at, i.resolved_at) DESC, i.id DESC LIMIT 1`,
        [authorId, since],
      );
      return r.rows[0] ? { id: r.rows[0].id, officialId: r.rows[0].official_id } : null;
    },

    /**
     * A person's decision on an incident waiting in triage: its kind, topic, place and priority, and on to
     * assignment ('classified'). False when it is no longer waiting (decided by someone else meanwhile).
     */
    async confirmTriage(id: string, c: { kind: IncidentKind; topic: TopicCode; municipalityId: string | null; priority: Priority }, at: Date): Promise<boolean> {
      const r = await sql.query(
        `UPDATE incidents SET status = 'classified', kind = $2, topic = $3, municipality_id = $4, priority = $5,
                classified_at = $6, updated_at = $6
         WHERE id = $1 AND status = 'needs_review' RETURNING id`,
        [id, c.kind, c.topic, c.municipalityId, c.priority, at],
      );
      return r.rows.length > 0;
    },

    /** Triage found it is not an appeal: 'dismissed' (closed, out of the statistics). False when no longer waiting. */
    async dismiss(id: string, at: Date): Promise<boolean> {
      const r = await sql.query(
        `UPDATE incidents SET status = 'dismissed', closed_at = $2, updated_at = $2 WHERE id = $1 AND status = 'needs_review' RETURNING id`,
        [id, at],
      );
      return r.rows.length > 0;
    },

    /**
     * Changes kind, topic, place or priority of an incident that is not closed (a person's correction; the owner
     * stays). Only the given fields change; false when the incident is closed or gone.
     */
    async correct(id: string, c: { kind?: IncidentKind; topic?: TopicCode; municipalityId?: string | null; priority?: Priority }, at: Date): Promise<boolean> {
      const r = await sql.query(
        `UPDATE incidents SET kind = coalesce($2, kind), topic = coalesce($3, topic),
                municipality_id = CASE WHEN $4::boolean THEN $5::text ELSE municipality_id END, priority = coalesce($6, priority), updated_at = $7
         WHERE id = $1 AND status IN (${OPEN_LIST}) RETURNING id`,
        [id, c.kind ?? null, c.topic ?? null, c.municipalityId !== undefined, c.municipalityId ?? null, c.priority ?? null, at],
      );
      return r.rows.length > 0;
    },

    /**
     * «Вернуть в работу» on the web (issue 15): a resolved or closed incident that has an owner goes back to the status
     * its progress gives (answered, in progress or assigned); the promises its resolution kept are open again. Returns
     * the resolution time undone (null when there was none), or undefined when it is not resolved or closed any more.
     */
    async reopen(id: string, at: Date): Promise<Date | null | undefined> {
      const r = await sql.query<{ resolved_at: Date | null }>(
        `WITH b AS (SELECT id, resolved_at FROM incidents WHERE id = $1 AND status IN ('resolved', 'closed') AND official_id IS NOT NULL FOR UPDATE)
         UPDATE incidents i SET status = CASE WHEN i.first_response_at IS NOT NULL THEN 'answered' WHEN i.taken_at IS NOT NULL THEN 'in_progress' ELSE 'assigned' END,
                resolved_at = NULL, closed_at = NULL, updated_at = $2
         FROM b WHERE i.id = b.id RETURNING b.resolved_at`,
        [id, at],
      );
      if (r.rows.length === 0) return undefined;
      const resolvedAt = r.rows[0].resolved_at ?? null;
      if (resolvedAt) await sql.query('UPDATE promises SET kept_at = NULL WHERE incident_id = $1 AND kept_at = $2', [id, resolvedAt]);
      return resolvedAt;
    },

    /** Counts by status (metrics). */
    async countByStatus(): Promise<Record<string, number>> {
      const r = await sql.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM incidents GROUP BY status');
      return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
    },
  };
};
