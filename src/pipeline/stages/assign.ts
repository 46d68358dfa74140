/** `assign`: route to an official, start the clocks (timers recorded in the database) and send the card. */
import { decideRouting } from '../../domain/routing';
import { incidentTimers, parseSlaCalendar, resolutionDeadline, responseDeadline } from '../../domain/sla';
import { PermanentError } from '../../errors';
import { reference } from '../reference';
import { defineStage } from '../stage';

export const assign = defineStage('assign', async ({ incidentId }, { db, queues, cfg, log, now, analyzer }) => {
  const incident = await db.incidents.get(incidentId);
  if (!incident) throw new PermanentError(`incident ${incidentId} not found`);
  if (incident.status !== 'classified') {
    // Run again after it moved on (see detect): the card's job again — a no-op while it is stored, and notify
    // sends nothing for a card already recorded.
    if (incident.status === 'assigned' && incident.officialId) await queues.enqueue('notify', { incidentId, officialId: incident.officialId, kind: 'card' });
    return 'skipped';
  }
  const route = async (maxAgeMs?: number) => {
    const { rules, officials } = await reference(db, maxAgeMs);
    return decideRouting(incident, rules, officials, await db.incidents.openLoad(officials.map((o) => o.id)));
  };
  let decision = await route();
  // Unroutable on cached data: look again at fresh data (officials may have been imported a moment ago).
  if (decision.kind === 'unroutable') decision = await route(0);
  if (decision.kind === 'unroutable') {
    // Reconcile retries it once officials are imported; until then it waits, visible as 'classified'.
    throw new PermanentError(`incident ${incidentId}: no official, municipality head or duty officer to route to`);
  }
  const at = now();
  const calendar = parseSlaCalendar(cfg.SLA_CALENDAR, analyzer.region.timezone);
  const resolutionDueAt = resolutionDeadline(incident.openedAt, incident.topic);
  const timers = incidentTimers(incident.openedAt, cfg.SLA_TARGET_MINUTES, resolutionDueAt, calendar);
  // Timers are recorded with the assignment; the timer clock (src/timers/sweep.ts) fires them when due.
  const saved = await db.incidents.assign(
    incidentId,
    {
      officialId: decision.officialId,
      reason: decision.reason,
      actor: 'system',
      responseDueAt: responseDeadline(incident.openedAt, cfg.SLA_TARGET_MINUTES, calendar),
      resolutionDueAt,
    },
    timers,
    at,
  );
  if (!saved) return 'skipped';
  log.info('incident.assigned', { officialId: decision.officialId, reason: decision.reason });
  await queues.enqueue('notify', { incidentId, officialId: decision.officialId, kind: 'card' });
  return 'done';
});
