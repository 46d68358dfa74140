/** `assign`: route to an official, start the clocks (delayed `sla` jobs) and send the card. */
import { decideRouting } from '../../domain/routing';
import { resolutionDeadline, responseDeadline, slaSchedule } from '../../domain/sla';
import { PermanentError } from '../../errors';
import type { Queues } from '../queues';
import { defineStage } from '../stage';

export const assign = defineStage('assign', async ({ incidentId }, { db, queues, cfg, log, now }) => {
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
  const saved = await db.tx(async (tx) => {
    const ok = await tx.incidents.assign(
      incidentId,
      {
        officialId: decision.officialId,
        reason: decision.reason,
        actor: 'system',
        responseDueAt: responseDeadline(incident.openedAt, cfg.SLA_TARGET_MINUTES),
        resolutionDueAt: resolutionDeadline(incident.openedAt, incident.topic),
      },
      at,
    );
    if (ok) await tx.incidents.addEvent(incidentId, 'incident.assigned', 'system', at, { officialId: decision.officialId, reason: decision.reason });
    return ok;
  });
  if (!saved) return 'skipped';
  log.info('incident.assigned', { officialId: decision.officialId, reason: decision.reason });
  await scheduleTimers(queues, incidentId, incident.openedAt, cfg.SLA_TARGET_MINUTES, at);
  await queues.enqueue('notify', { incidentId, officialId: decision.officialId, kind: 'card' });
  return 'done';
});

/** The reminder and breach timers of an incident as delayed jobs (a past time fires at once). */
export async function scheduleTimers(
  queues: Queues,
  incidentId: string,
  openedAt: Date,
  targetMinutes: number,
  now: Date,
): Promise<void> {
  for (const t of slaSchedule(openedAt, targetMinutes)) {
    await queues.enqueue('sla', { incidentId, kind: t.kind }, { delay: Math.max(0, t.at.getTime() - now.getTime()) });
  }
}
