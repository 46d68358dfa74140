/** `assign`: route to an official, start the clocks (delayed `sla` jobs) and send the card. */
import { decideRouting } from '../../domain/routing';
import { incidentTimers, parseSlaCalendar, resolutionDeadline, responseDeadline, type TimerKind } from '../../domain/sla';
import { PermanentError } from '../../errors';
import type { Queues } from '../queues';
import { reference } from '../reference';
import { defineStage } from '../stage';

export const assign = defineStage('assign', async ({ incidentId }, { db, queues, cfg, log, now, analyzer }) => {
  const incident = await db.incidents.get(incidentId);
  if (!incident) throw new PermanentError(`incident ${incidentId} not found`);
  if (incident.status !== 'classified') return 'skipped';
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
  // Timers are recorded with the assignment: the cron sweep fires any whose delayed job is lost.
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
  await scheduleTimers(queues, incidentId, timers, at);
  await queues.enqueue('notify', { incidentId, officialId: decision.officialId, kind: 'card' });
  return 'done';
});

/**
 * Timers due further ahead than this get no delayed job: the database records every timer, and the timer sweep
 * (src/timers/sweep.ts, every minute) fires those that come due — at most two minutes late, which a resolution
 * deadline days away does not notice. Redis then holds only what is due within a day.
 */
export const DELAYED_JOB_HORIZON_MS = 24 * 3600_000;

/** The timers of an incident due within DELAYED_JOB_HORIZON_MS as delayed jobs (a past time fires at once). */
export async function scheduleTimers(
  queues: Queues,
  incidentId: string,
  timers: { kind: TimerKind; ref: string; at: Date }[],
  now: Date,
): Promise<void> {
  await queues.enqueueBulk(
    'sla',
    timers.filter((t) => t.at.getTime() - now.getTime() <= DELAYED_JOB_HORIZON_MS).map((t) => ({
      data: t.kind === 'promise-due' ? { incidentId, kind: t.kind, promiseId: t.ref } : { incidentId, kind: t.kind },
      opts: { delay: Math.max(0, t.at.getTime() - now.getTime()) },
    })),
  );
}
