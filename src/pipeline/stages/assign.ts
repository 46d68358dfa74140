/** `assign`: route to an official, start the clocks (delayed `sla` jobs) and send the card. */
import { decideRouting } from '../../domain/routing';
import { incidentTimers, parseSlaCalendar, resolutionDeadline, responseDeadline, type TimerKind } from '../../domain/sla';
import { PermanentError } from '../../errors';
import type { Queues } from '../queues';
import { defineStage } from '../stage';

export const assign = defineStage('assign', async ({ incidentId }, { db, queues, cfg, log, now, analyzer }) => {
  const incident = await db.incidents.get(incidentId);
  if (!incident) throw new PermanentError(`incident ${incidentId} not found`);
  if (incident.status !== 'classified') return 'skipped';
  const [rules, officials] = await Promise.all([db.officials.rules(), db.officials.all()]);
  const load = await db.incidents.openLoad(officials.map((o) => o.id));
  const decision = decideRouting(incident, rules, officials, load);
  if (decision.kind === 'unroutable') {
    // Reconcile retries it once officials are imported; until then it waits, visible as 'classified'.
    throw new PermanentError(`incident ${incidentId}: no official, municipality head or duty officer to route to`);
  }
  const at = now();
  const calendar = parseSlaCalendar(cfg.SLA_CALENDAR, analyzer.region.timezone);
  const resolutionDueAt = resolutionDeadline(incident.openedAt, incident.topic);
  const timers = incidentTimers(incident.openedAt, cfg.SLA_TARGET_MINUTES, resolutionDueAt, calendar);
  const saved = await db.tx(async (tx) => {
    const ok = await tx.incidents.assign(
      incidentId,
      {
        officialId: decision.officialId,
        reason: decision.reason,
        actor: 'system',
        responseDueAt: responseDeadline(incident.openedAt, cfg.SLA_TARGET_MINUTES, calendar),
        resolutionDueAt,
      },
      at,
    );
    if (ok) await tx.incidents.addEvent(incidentId, 'incident.assigned', 'system', at, { officialId: decision.officialId, reason: decision.reason });
    // Recorded with the assignment: the cron sweep fires any whose delayed job is lost.
    if (ok) await tx.timers.schedule(incidentId, timers);
    return ok;
  });
  if (!saved) return 'skipped';
  log.info('incident.assigned', { officialId: decision.officialId, reason: decision.reason });
  await scheduleTimers(queues, incidentId, timers, at);
  await queues.enqueue('notify', { incidentId, officialId: decision.officialId, kind: 'card' });
  return 'done';
});

/** The reminder and breach timers of an incident as delayed jobs (a past time fires at once). */
export async function scheduleTimers(
  queues: Queues,
  incidentId: string,
  timers: { kind: TimerKind; ref: string; at: Date }[],
  now: Date,
): Promise<void> {
  for (const t of timers) {
    const data = t.kind === 'promise-due' ? { incidentId, kind: t.kind, promiseId: t.ref } : { incidentId, kind: t.kind };
    await queues.enqueue('sla', data, { delay: Math.max(0, t.at.getTime() - now.getTime()) });
  }
}
