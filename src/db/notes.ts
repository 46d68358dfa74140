/** Internal notes on incidents (issue 15): staff only, never published, never logged (log their ids). */
import type { Sql } from './sql';

/** One note with its author's name. */
export interface IncidentNote {
  id: string;
  incidentId: string;
  officialId: string;
  officialName: string | null;
  text: string;
  createdAt: Date;
}

type Row = Record<string, unknown>;

/** Queries on `incident_notes`. */
export const noteQueries = (sql: Sql) => ({
  /** Adds a note; returns its id. */
  async add(n: { incidentId: string; officialId: string; text: string }, at: Date): Promise<string> {
    const r = await sql.query<{ id: string }>(
      `INSERT INTO incident_notes (incident_id, official_id, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id::text`,
      [n.incidentId, n.officialId, n.text, at],
    );
    return r.rows[0].id;
  },

  /** The notes of an incident, oldest first. */
  async forIncident(incidentId: string): Promise<IncidentNote[]> {
    const r = await sql.query<Row>(
      `SELECT n.id::text, n.incident_id::text, n.official_id, o.name AS official_name, n.text, n.created_at
       FROM incident_notes n LEFT JOIN officials o ON o.id = n.official_id
       WHERE n.incident_id = $1 ORDER BY n.created_at, n.id`,
      [incidentId],
    );
    return r.rows.map((x) => ({
      id: x.id as string,
      incidentId: x.incident_id as string,
      officialId: x.official_id as string,
      officialName: (x.official_name as string) ?? null,
      text: x.text as string,
      createdAt: x.created_at as Date,
    }));
  },
});
