/** Incident timers (response clock, resolution deadline, promise due dates): scheduled once, swept when missed. */
import type { TimerKind } from '../domain/sla';
import type { Sql } from './sql';

export interface IncidentTimer {
  incidentId: string;
  kind: TimerKind;
  /** The promise id for 'promise-due', '' otherwise. */
  ref: string;
  dueAt: Date;
  firedAt: Date | null;
}

type Row = Record<string, unknown>;
const toTimer = (r: Row): IncidentTimer => ({
  incidentId: r.incident_id as string,
  kind: r.kind as TimerKind,
  ref: r.ref as string,
  dueAt: r.due_at as Date,
  firedAt: (r.fired_at as Date) ?? null,
});

/** Queries on `incident_timers`. */
export const timerQueries = (sql: Sql) => ({
  /** Records timers; one already recorded keeps its time (idempotent for a retried stage). */
  async schedule(incidentId: string, timers: { kind: TimerKind; ref: string; at: Date }[]): Promise<void> {
    for (const t of timers) {
      await sql.query(
        `INSERT INTO incident_timers (incident_id, kind, ref, due_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [incidentId, t.kind, t.ref, t.at],
      );
    }
  },

  /** One timer, or null. */
  async get(incidentId: string, kind: TimerKind, ref = ''): Promise<IncidentTimer | null> {
    const r = await sql.query<Row>(
      `SELECT incident_id::text, kind, ref, due_at, fired_at FROM incident_timers WHERE incident_id = $1 AND kind = $2 AND ref = $3`,
      [incidentId, kind, ref],
    );
    return r.rows[0] ? toTimer(r.rows[0]) : null;
  },

  /** Marks a timer handled (the sweep stops looking at it); false if it already was. */
  async markFired(incidentId: string, kind: TimerKind, ref: string, at: Date): Promise<boolean> {
    const r = await sql.query(
      `UPDATE incident_timers SET fired_at = $4 WHERE incident_id = $1 AND kind = $2 AND ref = $3 AND fired_at IS NULL RETURNING kind`,
      [incidentId, kind, ref, at],
    );
    return r.rows.length > 0;
  },

  /** Timers due at or before `before` that were never handled, oldest first (the timer clock's read). */
  async due(before: Date, limit = 1000): Promise<IncidentTimer[]> {
    const r = await sql.query<Row>(
      `SELECT incident_id::text, kind, ref, due_at, fired_at FROM incident_timers
       WHERE fired_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT $2`,
      [before, limit],
    );
    return r.rows.map(toTimer);
  },

  /** Every timer of an incident, by due time. */
  async forIncident(incidentId: string): Promise<IncidentTimer[]> {
    const r = await sql.query<Row>(
      `SELECT incident_id::text, kind, ref, due_at, fired_at FROM incident_timers WHERE incident_id = $1 ORDER BY due_at, kind`,
      [incidentId],
    );
    return r.rows.map(toTimer);
  },
});
