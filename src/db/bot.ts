/** What the officials' bot reads and writes: dialogue state, incident actions, promises, cards, own numbers. */
import { OPEN_STATUSES } from './incidents';
import { batcher } from '../lib/batch';
import type { Sql } from './sql';

export interface Promise_ {
  id: string;
  incidentId: string;
  officialId: string | null;
  text: string;
  dueAt: Date;
  createdAt: Date;
  keptAt: Date | null;
  brokenAt: Date | null;
}

/** An official's own numbers over a period. */
export interface OwnStats {
  incidents: number;
  answered: number;
  answeredInTime: number;
  medianResponseMinutes: number | null;
  open: number;
  overdue: number;
}

type Row = Record<string, unknown>;
export const toPromise = (r: Row): Promise_ => ({
  id: r.id as string,
  incidentId: r.incident_id as string,
  officialId: (r.official_id as string) ?? null,
  text: r.text as string,
  dueAt: r.due_at as Date,
  createdAt: r.created_at as Date,
  keptAt: (r.kept_at as Date) ?? null,
  brokenAt: (r.broken_at as Date) ?? null,
});
export const PROMISE_COLUMNS = 'id::text, incident_id::text, official_id, text, due_at, created_at, kept_at, broken_at';

/** Queries of the officials' bot. */
export const botQueries = (sql: Sql) => {
  // What each card needs besides the incident: concurrent cards read it together (src/lib/batch.ts).
  const startedBatched = batcher(async (ids: string[]) => {
    const r = await sql.query<{ id: string; bot_started_at: Date | null }>('SELECT id, bot_started_at FROM officials WHERE id = ANY($1::text[])', [ids]);
    const at = new Map(r.rows.map((x) => [x.id, x.bot_started_at]));
    return ids.map((id) => at.get(id) ?? null);
  });
  const assignmentBatched = batcher(async (ids: string[]) => {
    const r = await sql.query<{ incident_id: string; id: string; official_id: string; reason: string }>(
      `SELECT DISTINCT ON (a.incident_id) a.incident_id::text, a.id::text, a.official_id, a.reason
       FROM assignments a JOIN incidents i ON i.id = a.incident_id AND i.official_id = a.official_id
       WHERE a.incident_id = ANY($1::bigint[]) AND a.ended_at IS NULL ORDER BY a.incident_id, a.id DESC`,
      [ids],
    );
    const current = new Map(r.rows.map((x) => [x.incident_id, { id: x.id, officialId: x.official_id, reason: x.reason }]));
    return ids.map((id) => current.get(id) ?? null);
  });
  const promisesBatched = batcher(async (ids: string[]) => {
    const r = await sql.query<Row>(`SELECT ${PROMISE_COLUMNS} FROM promises WHERE incident_id = ANY($1::bigint[]) ORDER BY created_at DESC, id DESC`, [ids]);
    const all = r.rows.map(toPromise);
    return ids.map((id) => all.filter((p) => p.incidentId === id));
  });
  return {
    /** The dialogue state of a Telegram user, or null when none or expired. */
    async session<T>(telegramId: string, now: Date): Promise<T | null> {
      const r = await sql.query<{ state: T }>('SELECT state FROM bot_sessions WHERE telegram_id = $1 AND expires_at > $2', [telegramId, now]);
      return r.rows[0]?.state ?? null;
    },

    /** Replaces the dialogue state of a Telegram user until `expiresAt`. */
    async setSession(telegramId: string, state: unknown, expiresAt: Date): Promise<void> {
      await sql.query(
        `INSERT INTO bot_sessions (telegram_id, state, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (telegram_id) DO UPDATE SET state = EXCLUDED.state, expires_at = EXCLUDED.expires_at`,
        [telegramId, JSON.stringify(state), expiresAt],
      );
    },

    /** Ends a dialogue (and drops expired ones of everybody). */
    async clearSession(telegramId: string, now: Date): Promise<void> {
      await sql.query('DELETE FROM bot_sessions WHERE telegram_id = $1 OR expires_at <= $2', [telegramId, now]);
    },

    /** When the official wrote /start, or null. */
    botStartedAt: (officialId: string): Promise<Date | null> => startedBatched(officialId),

    /** The current (not ended) assignment of an incident: its id is the epoch of the incident's buttons. */
    currentAssignment: (incidentId: string): Promise<{ id: string; officialId: string; reason: string } | null> => assignmentBatched(incidentId),

    /**
     * The latest hand-over of an incident by a person: passed to another official (`incident.reassigned`) or back to
     * the triage list (`incident.returned-to-triage`) — from whom, to whom, and the reason typed.
     */
    async lastHandover(incidentId: string): Promise<{ kind: 'reassigned' | 'returned-to-triage'; from: string | null; to: string | null; reason: string | null; note: string | null; actor: string } | null> {
      const r = await sql.query<{ kind: string; data: Record<string, unknown>; actor: string }>(
        `SELECT kind, data, actor FROM incident_events WHERE incident_id = $1 AND kind IN ('incident.reassigned', 'incident.returned-to-triage')
         ORDER BY at DESC, id DESC LIMIT 1`,
        [incidentId],
      );
      const x = r.rows[0];
      if (!x) return null;
      const str = (v: unknown) => (typeof v === 'string' ? v : null);
      const kind = x.kind === 'incident.reassigned' ? 'reassigned' : 'returned-to-triage';
      return { kind, from: str(x.data.from), to: str(x.data.to), reason: str(x.data.reason), note: str(x.data.note), actor: x.actor };
    },

    /** Taken into work: status in_progress and taken_at, once, by the assigned official; false otherwise. */
    async take(incidentId: string, officialId: string, at: Date): Promise<boolean> {
      const r = await sql.query(
        `UPDATE incidents SET status = CASE WHEN status = 'assigned' THEN 'in_progress' ELSE status END,
                taken_at = $3, updated_at = $3
         WHERE id = $1 AND official_id = $2 AND taken_at IS NULL AND status IN ('assigned', 'answered') RETURNING id`,
        [incidentId, officialId, at],
      );
      return r.rows.length > 0;
    },

    /**
     * Moves an open incident from `fromOfficialId` to `toOfficialId`: ends the current assignment and
     * records a new one. Returns the new assignment id, or null when the incident moved on meanwhile.
     */
    async reassign(
      incidentId: string,
      a: { fromOfficialId: string; toOfficialId: string; reason: string; actor: string },
      at: Date,
    ): Promise<string | null> {
      const r = await sql.query(
        `UPDATE incidents SET official_id = $3, status = CASE WHEN status = 'in_progress' THEN 'assigned' ELSE status END,
                updated_at = $4
         WHERE id = $1 AND official_id = $2 AND status = ANY($5::text[]) RETURNING id`,
        [incidentId, a.fromOfficialId, a.toOfficialId, at, OPEN_STATUSES],
      );
      if (r.rows.length === 0) return null;
      await sql.query('UPDATE assignments SET ended_at = $2 WHERE incident_id = $1 AND ended_at IS NULL', [incidentId, at]);
      const ins = await sql.query<{ id: string }>(
        `INSERT INTO assignments (incident_id, official_id, reason, actor, assigned_at) VALUES ($1, $2, $3, $4, $5) RETURNING id::text`,
        [incidentId, a.toOfficialId, a.reason, a.actor, at],
      );
      return ins.rows[0].id;
    },

    /**
     * «Не наш вопрос» on an incident with no municipality: back to the duty officer's triage list (needs_review, no
     * owner, the assignment ended). Its unfired response and resolution timers go too — routing after the triage
     * schedules them again from the post's time. False when it moved on meanwhile.
     */
    async returnToTriage(incidentId: string, fromOfficialId: string, at: Date): Promise<boolean> {
      const r = await sql.query(
        `UPDATE incidents SET status = 'needs_review', official_id = NULL, taken_at = NULL, updated_at = $3
         WHERE id = $1 AND official_id = $2 AND status IN ('assigned', 'in_progress') AND municipality_id IS NULL RETURNING id`,
        [incidentId, fromOfficialId, at],
      );
      if (r.rows.length === 0) return false;
      await sql.query('UPDATE assignments SET ended_at = $2 WHERE incident_id = $1 AND ended_at IS NULL', [incidentId, at]);
      await sql.query(
        `DELETE FROM incident_timers WHERE incident_id = $1 AND fired_at IS NULL
           AND kind IN ('half', 'three-quarters', 'breach', 'resolution-warn', 'resolution-breach')`,
        [incidentId],
      );
      return true;
    },

    /** Resolved: status and resolved_at, and every open promise of the incident is kept. False if already closed. */
    async resolve(incidentId: string, at: Date): Promise<boolean> {
      const r = await sql.query(
        `UPDATE incidents SET status = 'resolved', resolved_at = $2, updated_at = $2
         WHERE id = $1 AND status = ANY($3::text[]) RETURNING id`,
        [incidentId, at, OPEN_STATUSES],
      );
      if (r.rows.length === 0) return false;
      await sql.query('UPDATE promises SET kept_at = $2 WHERE incident_id = $1 AND kept_at IS NULL AND broken_at IS NULL', [incidentId, at]);
      return true;
    },

    /**
     * Undoes a resolution (issue 15, «Вернуть в работу»): only the resolution made at `resolvedAt` (a later one is
     * not undone by an old button); the status the incident had before comes back, and the promises it kept are open again.
     */
    async reopen(incidentId: string, resolvedAt: Date, at: Date): Promise<boolean> {
      const r = await sql.query(
        `UPDATE incidents SET status = CASE WHEN first_response_at IS NOT NULL THEN 'answered' WHEN taken_at IS NOT NULL THEN 'in_progress' ELSE 'assigned' END,
                resolved_at = NULL, updated_at = $3
         WHERE id = $1 AND status = 'resolved' AND resolved_at = $2 RETURNING id`,
        [incidentId, resolvedAt, at],
      );
      if (r.rows.length === 0) return false;
      await sql.query('UPDATE promises SET kept_at = NULL WHERE incident_id = $1 AND kept_at = $2', [incidentId, resolvedAt]);
      return true;
    },

    /** Records a promise; returns its id. */
    async createPromise(p: { incidentId: string; officialId: string; text: string; dueAt: Date }, at: Date): Promise<string> {
      const r = await sql.query<{ id: string }>(
        `INSERT INTO promises (incident_id, official_id, text, due_at, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id::text`,
        [p.incidentId, p.officialId, p.text, p.dueAt, at],
      );
      return r.rows[0].id;
    },

    /** One promise, or null. */
    async promise(id: string): Promise<Promise_ | null> {
      const r = await sql.query<Row>(`SELECT ${PROMISE_COLUMNS} FROM promises WHERE id = $1`, [id]);
      return r.rows[0] ? toPromise(r.rows[0]) : null;
    },

    /** Promises of an incident, newest first. */
    promises: (incidentId: string): Promise<Promise_[]> => promisesBatched(incidentId),

    /** Marks a due promise broken, once; false when it was kept or already marked. */
    async breakPromise(id: string, at: Date): Promise<boolean> {
      const r = await sql.query('UPDATE promises SET broken_at = $2 WHERE id = $1 AND kept_at IS NULL AND broken_at IS NULL RETURNING id', [id, at]);
      return r.rows.length > 0;
    },


    /**
     * Forgets the undeliverable cards of an official's open incidents (they could not be sent before the
     * official wrote /start), so that they can be sent now; returns those incident ids.
     */
    async releaseUndeliveredCards(officialId: string): Promise<string[]> {
      const r = await sql.query<{ incident_id: string }>(
        `DELETE FROM notifications n USING incidents i
         WHERE n.incident_id = i.id AND n.official_id = $1 AND n.kind = 'card' AND n.status = 'undeliverable'
           AND i.official_id = $1 AND i.status = ANY($2::text[])
         RETURNING n.incident_id::text`,
        [officialId, OPEN_STATUSES],
      );
      return r.rows.map((x) => x.incident_id);
    },

    /** Open incidents of an official (all open ones for null), the oldest deadline first. */
    async openIncidents(officialId: string | null, limit = 20): Promise<{ id: string; status: string; topic: string | null; municipalityId: string | null; responseDueAt: Date | null; firstResponseAt: Date | null; total: number }[]> {
      const r = await sql.query<Row>(
        `SELECT id::text, status, topic, municipality_id, response_due_at, first_response_at, count(*) OVER ()::int AS total FROM incidents
         WHERE ($1::text IS NULL OR official_id = $1) AND status = ANY($2::text[]) AND official_id IS NOT NULL
         ORDER BY response_due_at NULLS LAST, id LIMIT $3`,
        [officialId, OPEN_STATUSES, limit],
      );
      return r.rows.map((x) => ({
        id: x.id as string,
        status: x.status as string,
        topic: (x.topic as string) ?? null,
        municipalityId: (x.municipality_id as string) ?? null,
        responseDueAt: (x.response_due_at as Date) ?? null,
        firstResponseAt: (x.first_response_at as Date) ?? null,
        /** All the open incidents the query matched, beyond `limit` too. */
        total: x.total as number,
      }));
    },

    /** Open incidents past their response deadline without a response (of an official, or all for null). */
    async overdueIncidents(officialId: string | null, now: Date, limit = 20): Promise<{ id: string; officialId: string; topic: string | null; municipalityId: string | null; responseDueAt: Date; total: number }[]> {
      const r = await sql.query<Row>(
        `SELECT id::text, official_id, topic, municipality_id, response_due_at, count(*) OVER ()::int AS total FROM incidents
         WHERE ($1::text IS NULL OR official_id = $1) AND status = ANY($2::text[]) AND first_response_at IS NULL
           AND response_due_at < $3 ORDER BY response_due_at, id LIMIT $4`,
        [officialId, OPEN_STATUSES, now, limit],
      );
      return r.rows.map((x) => ({
        id: x.id as string,
        officialId: x.official_id as string,
        topic: (x.topic as string) ?? null,
        municipalityId: (x.municipality_id as string) ?? null,
        responseDueAt: x.response_due_at as Date,
        /** All the overdue incidents the query matched, beyond `limit` too. */
        total: x.total as number,
      }));
    },

    /** An official's numbers for incidents assigned to them since `since`: count, answered in time, median response. */
    async ownStats(officialId: string, since: Date, now: Date): Promise<OwnStats> {
      const r = await sql.query<Row>(
        `SELECT count(*)::int AS incidents,
                count(first_response_at)::int AS answered,
                count(*) FILTER (WHERE first_response_at IS NOT NULL AND first_response_at <= response_due_at)::int AS in_time,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - opened_at) / 60)
                  FILTER (WHERE first_response_at IS NOT NULL) AS median,
                count(*) FILTER (WHERE status = ANY($4::text[]))::int AS open,
                count(*) FILTER (WHERE status = ANY($4::text[]) AND first_response_at IS NULL AND response_due_at < $3)::int AS overdue
         FROM incidents WHERE official_id = $1 AND assigned_at >= $2`,
        [officialId, since, now, OPEN_STATUSES],
      );
      const x = r.rows[0];
      return {
        incidents: x.incidents as number,
        answered: x.answered as number,
        answeredInTime: x.in_time as number,
        medianResponseMinutes: x.median === null || x.median === undefined ? null : Math.round(Number(x.median)),
        open: x.open as number,
        overdue: x.overdue as number,
      };
    },

    /** The template of the latest reply to this citizen (any incident), for rotation. */
    async lastTemplateForAuthor(authorId: string): Promise<string | null> {
      const r = await sql.query<{ template_id: string | null }>(
        `SELECT r.template_id FROM replies r JOIN incidents i ON i.id = r.incident_id
         WHERE i.author_id = $1 AND r.status <> 'cancelled' ORDER BY r.created_at DESC, r.id DESC LIMIT 1`,
        [authorId],
      );
      return r.rows[0]?.template_id ?? null;
    },
  };
};
