/** Read-only queries of the dashboard's incident list and incident page. */
import { PROMISE_COLUMNS, toPromise, type Promise_ } from './bot';
import { OPEN_STATUSES } from './incidents';
import type { Sql } from './sql';

export interface IncidentListFilter {
  status?: string | null;
  municipalityId?: string | null;
  officialId?: string | null;
  topic?: string | null;
  /** Only open incidents without a first response whose deadline has passed. */
  overdueAt?: Date | null;
  targetMinutes: number;
  limit: number;
  offset: number;
}

export interface IncidentListItem {
  id: string;
  status: string;
  priority: string;
  topic: string | null;
  municipalityId: string | null;
  municipalityName: string | null;
  officialId: string | null;
  officialName: string | null;
  openedAt: Date;
  firstResponseAt: Date | null;
  dueAt: Date;
  resonant: boolean;
  escalated: boolean;
  messagesCount: number;
  /** The first 300 characters of the citizen's text: escape it. */
  excerpt: string;
}

export interface IncidentMessage {
  id: string;
  platform: string;
  authorName: string | null;
  text: string;
  publishedAt: Date;
  permalink: string | null;
  reason: string;
}

/** A promise made on an incident. */
export type PromiseRow = Promise_;

type Row = Record<string, unknown>;
const OPEN_LIST = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');

/** Queries behind the incident pages. */
export const dashboardQueries = (sql: Sql) => ({
  /** Incidents newest first, with names and the text's beginning; `total` counts every match. */
  async incidentList(f: IncidentListFilter): Promise<{ items: IncidentListItem[]; total: number }> {
    const values: unknown[] = [];
    const p = (v: unknown) => `$${values.push(v)}`;
    const due = `coalesce(i.response_due_at, i.opened_at + ${p(f.targetMinutes)}::int * interval '1 minute')`;
    const conds: string[] = ['true'];
    if (f.status) conds.push(`i.status = ${p(f.status)}`);
    if (f.municipalityId) conds.push(`i.municipality_id = ${p(f.municipalityId)}`);
    if (f.officialId) conds.push(`i.official_id = ${p(f.officialId)}`);
    if (f.topic) conds.push(`i.topic = ${p(f.topic)}`);
    if (f.overdueAt) conds.push(`i.first_response_at IS NULL AND i.status IN (${OPEN_LIST}) AND ${due} < ${p(f.overdueAt)}`);
    const r = await sql.query<Row>(
      `SELECT i.id::text, i.status, i.priority, i.topic, i.municipality_id, mu.name AS municipality_name, i.official_id,
              o.name AS official_name, i.opened_at, i.first_response_at, ${due} AS due_at, i.resonant, i.escalated_at,
              i.messages_count, left(m.text, 300) AS excerpt, count(*) OVER ()::int AS total
       FROM incidents i
       JOIN messages m ON m.id = i.primary_message_id
       LEFT JOIN municipalities mu ON mu.id = i.municipality_id
       LEFT JOIN officials o ON o.id = i.official_id
       WHERE ${conds.join(' AND ')}
       ORDER BY i.opened_at DESC, i.id DESC LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
      values,
    );
    return {
      total: (r.rows[0]?.total as number) ?? 0,
      items: r.rows.map((x) => ({
        id: x.id as string,
        status: x.status as string,
        priority: x.priority as string,
        topic: (x.topic as string) ?? null,
        municipalityId: (x.municipality_id as string) ?? null,
        municipalityName: (x.municipality_name as string) ?? null,
        officialId: (x.official_id as string) ?? null,
        officialName: (x.official_name as string) ?? null,
        openedAt: x.opened_at as Date,
        firstResponseAt: (x.first_response_at as Date) ?? null,
        dueAt: x.due_at as Date,
        resonant: x.resonant as boolean,
        escalated: x.escalated_at !== null,
        messagesCount: x.messages_count as number,
        excerpt: x.excerpt as string,
      })),
    };
  },

  /** The messages of an incident (its first one first). */
  async incidentMessages(incidentId: string): Promise<IncidentMessage[]> {
    const r = await sql.query<Row>(
      `SELECT m.id::text, m.platform, m.author_name, m.text, m.published_at, m.permalink, im.reason
       FROM incident_messages im JOIN messages m ON m.id = im.message_id
       WHERE im.incident_id = $1 ORDER BY (im.reason = 'first') DESC, m.published_at, m.id`,
      [incidentId],
    );
    return r.rows.map((x) => ({
      id: x.id as string,
      platform: x.platform as string,
      authorName: (x.author_name as string) ?? null,
      text: x.text as string,
      publishedAt: x.published_at as Date,
      permalink: (x.permalink as string) ?? null,
      reason: x.reason as string,
    }));
  },

  /** Promises made on an incident, oldest first. */
  async promises(incidentId: string): Promise<PromiseRow[]> {
    const r = await sql.query<Record<string, unknown>>(
      `SELECT ${PROMISE_COLUMNS} FROM promises WHERE incident_id = $1 ORDER BY created_at, id`,
      [incidentId],
    );
    return r.rows.map(toPromise);
  },

  /** Names of officials and municipalities, for labels. */
  async names(): Promise<{ officials: Map<string, string>; municipalities: Map<string, string> }> {
    const [o, m] = await Promise.all([
      sql.query<{ id: string; name: string }>('SELECT id, name FROM officials'),
      sql.query<{ id: string; name: string }>('SELECT id, name FROM municipalities ORDER BY name'),
    ]);
    return { officials: new Map(o.rows.map((x) => [x.id, x.name])), municipalities: new Map(m.rows.map((x) => [x.id, x.name])) };
  },
});
