/** `sla`: a timer fired. Remind the official, or escalate a breach to the supervisor and the duty officer. */
import { decideSla, parseSlaCalendar } from '../../domain/sla';
import { fireLongTimer, markTimerFired } from '../../timers/fire';
import { PermanentError } from '../../errors';
import { defineStage } from '../stage';

export const sla = defineStage('sla', async ({ incidentId, kind, promiseId, summarized }, deps) => {
  const { db, queues, cfg, log, now } = deps;
  if (kind !== 'half' && kind !== 'three-quarters' && kind !== 'breach') return fireLongTimer(deps, incidentId, kind, promiseId);
  const incident = await db.incidents.get(incidentId);
  if (!incident) throw new PermanentError(`incident ${incidentId} not found`);
  const at = now();
  const decision = decideSla(incident, kind, at, cfg.SLA_TARGET_MINUTES, parseSlaCalendar(cfg.SLA_CALENDAR, deps.analyzer.region.timezone));
  // A handled timer is marked so that the cron sweep leaves it alone (a not-yet one stays for later).
  if (decision.kind !== 'skip' || decision.reason !== 'not-yet') await markTimerFired(db, incidentId, kind, '', at);
  switch (decision.kind) {
    case 'skip':
      return 'skipped';
    case 'remind':
      await queues.enqueue('notify', {
        incidentId,
        officialId: incident.officialId as string,
        kind: kind === 'half' ? 'remind-half' : 'remind-three-quarters',
      });
      // The ½ and ¾ moments show on the card's countdown too (at Telegram's pace).
      await deps.cards?.refresh(incidentId, { auto: true });
      return 'done';
    case 'escalate': {
      const officials = await db.officials.all();
      const owner = officials.find((o) => o.id === incident.officialId);
      const targets = new Set<string>();
      if (owner?.supervisorId && officials.some((o) => o.id === owner.supervisorId)) targets.add(owner.supervisorId);
      for (const o of officials) if (o.duty && !o.away) targets.add(o.id);
      targets.delete(incident.officialId as string);
      const first = await db.tx(async (tx) => {
        if (!(await tx.incidents.markEscalated(incidentId, at))) return false;
        await tx.incidents.addEvent(incidentId, 'incident.escalated', 'system', at, {
          officialId: incident.officialId,
          to: [...targets],
          dueAt: incident.responseDueAt?.toISOString(),
        });
        return true;
      });
      // Enqueued even on a retry (first === false): notify is idempotent per (incident, official, kind). A breach of
      // the start-up backlog reaches the duty officers in one list (src/timers/sweep.ts), not as a card each.
      const duty = new Set(officials.filter((o) => o.duty).map((o) => o.id));
      for (const officialId of targets) {
        if (summarized && duty.has(officialId)) continue;
        await queues.enqueue('notify', { incidentId, officialId, kind: 'escalation' });
      }
      // The owner's card says so too (an edit in place; repeating it on a retry changes nothing).
      await deps.cards?.refresh(incidentId);
      if (first) log.warn('incident.escalated', { to: [...targets] });
      return first ? 'done' : 'skipped';
    }
  }
});
