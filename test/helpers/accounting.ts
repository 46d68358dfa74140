/**
 * The invariants of issue 8 after a fault run (docs/reliability.md), counted from the database: the fault tests
 * assert on them, scripts/chaos.ts prints them.
 */
import type { Db } from '../../src/db';

export interface Accounting {
  /** Messages by status: every one terminal (not_complaint, gratitude, incident, attached) when the run is over. */
  byStatus: Record<string, number>;
  incidents: number;
  /** Distinct opening messages of the incidents: equal to `incidents` when none is duplicated. */
  primaries: number;
  /** Links of messages to incidents, and the distinct messages among them: one per complaint. */
  links: number;
  linkedMessages: number;
  /** Incidents assigned more than once. */
  assignedTwice: number;
  /** Card rows in `notifications`, and the distinct incidents among them: one per incident. */
  cardRows: number;
  cardIncidents: number;
  /** The response clock's timers (three per incident), and timers due over a minute ago still unhandled. */
  clockTimers: number;
  overdueTimers: number;
}

/** Where a run is: messages settled (a terminal status), incidents, those assigned, card rows. */
export interface Progress {
  done: number;
  incidents: number;
  assigned: number;
  cards: number;
}

export async function progressOf(db: Db): Promise<Progress> {
  const r = await db.sql.query<Progress>(
    `SELECT (SELECT count(*)::int FROM messages WHERE status IN ('not_complaint', 'gratitude', 'incident', 'attached')) AS done,
            (SELECT count(*)::int FROM incidents) AS incidents,
            (SELECT count(*)::int FROM incidents WHERE status = 'assigned') AS assigned,
            (SELECT count(*)::int FROM notifications WHERE kind = 'card') AS cards`,
  );
  return r.rows[0];
}

export async function accountFor(db: Db): Promise<Accounting> {
  const q = async <R>(text: string) => (await db.sql.query<R>(text)).rows;
  const byStatus = Object.fromEntries((await q<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM messages GROUP BY status')).map((r) => [r.status, r.n]));
  const [inc] = await q<{ n: number; primaries: number }>('SELECT count(*)::int AS n, count(DISTINCT primary_message_id)::int AS primaries FROM incidents');
  const [links] = await q<{ n: number; messages: number }>('SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS messages FROM incident_messages');
  const [twice] = await q<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT incident_id FROM assignments GROUP BY incident_id HAVING count(*) > 1) x');
  const [cards] = await q<{ n: number; incidents: number }>(`SELECT count(*)::int AS n, count(DISTINCT incident_id)::int AS incidents FROM notifications WHERE kind = 'card'`);
  const [clock] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM incident_timers WHERE kind IN ('half', 'three-quarters', 'breach')`);
  return {
    byStatus,
    incidents: inc.n,
    primaries: inc.primaries,
    links: links.n,
    linkedMessages: links.messages,
    assignedTwice: twice.n,
    cardRows: cards.n,
    cardIncidents: cards.incidents,
    clockTimers: clock.n,
    overdueTimers: (await db.timers.due(new Date(Date.now() - 60_000))).length,
  };
}

/** What is wrong with `a` for a run of `messages` posts of which `complaints` were complaints (empty: nothing). */
export function violations(a: Accounting, messages: number, complaints: number): string[] {
  const out: string[] = [];
  // Thanks («Спасибо за праздник») are recorded as gratitude: like a non-complaint, they open nothing.
  const { not_complaint = 0, gratitude = 0, incident = 0, attached = 0, ...other } = a.byStatus;
  if (not_complaint + gratitude !== messages - complaints) out.push(`not_complaint + gratitude ${not_complaint + gratitude}, expected ${messages - complaints}`);
  if (incident + attached !== complaints) out.push(`incident + attached ${incident + attached}, expected ${complaints}`);
  if (Object.keys(other).length > 0) out.push(`messages not settled: ${JSON.stringify(other)}`);
  if (a.incidents !== incident || a.primaries !== a.incidents) out.push(`incidents ${a.incidents} (distinct openings ${a.primaries}), expected ${incident}`);
  if (a.links !== complaints || a.linkedMessages !== complaints) out.push(`links ${a.links} (distinct ${a.linkedMessages}), expected ${complaints}`);
  if (a.assignedTwice !== 0) out.push(`${a.assignedTwice} incidents assigned twice`);
  if (a.cardRows !== a.incidents || a.cardIncidents !== a.incidents) out.push(`card rows ${a.cardRows} (distinct ${a.cardIncidents}), expected ${a.incidents}`);
  if (a.clockTimers !== 3 * a.incidents) out.push(`clock timers ${a.clockTimers}, expected ${3 * a.incidents}`);
  if (a.overdueTimers !== 0) out.push(`${a.overdueTimers} timers overdue and unhandled`);
  return out;
}
