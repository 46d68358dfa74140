/**
 * The long timers of an incident (resolution deadline, promise due dates), fired by the `sla` stage.
 * Exactly once in effect: the event is written in one transaction with the timer's `fired_at` (or the
 * promise's `broken_at`), and every message goes through `notify`, idempotent per (incident, official, kind).
 */
import type { Db } from '../db';
import { decideLongTimer, type TimerKind } from '../domain/sla';
import { PermanentError } from '../errors';
import type { StageDeps, StageResult } from '../pipeline/stage';

/** Marks a timer handled so that the sweep leaves it alone. */
export async function markTimerFired(db: Db, incidentId: string, kind: TimerKind, ref: string, at: Date): Promise<boolean> {
  return db.timers.markFired(incidentId, kind, ref, at);
}

/** Handles a 'resolution-warn', 'resolution-breach' or 'promise-due' timer. */
export async function fireLongTimer(
  deps: StageDeps,
  incidentId: string,
  kind: Exclude<TimerKind, 'half' | 'three-quarters' | 'breach'>,
  promiseId: string | undefined,
): Promise<StageResult> {
  const { db, queues, log, now } = deps;
  const incident = await db.incidents.get(incidentId);
  if (!incident) throw new PermanentError(`incident ${incidentId} not found`);
  const ref = kind === 'promise-due' ? (promiseId ?? '') : '';
  const promise = kind === 'promise-due' && promiseId ? await db.bot.promise(promiseId) : null;
  if (kind === 'promise-due' && !promise) throw new PermanentError(`promise ${promiseId} not found`);
  const timer = await db.timers.get(incidentId, kind, ref);
  const dueAt = timer?.dueAt ?? promise?.dueAt ?? incident.resolutionDueAt;
  if (!dueAt) return 'skipped';
  const at = now();
  const decision = decideLongTimer(incident, kind, dueAt, at, promise);
  const owner = incident.officialId as string;
  switch (decision.kind) {
    case 'skip':
      if (decision.reason !== 'not-yet') await db.timers.markFired(incidentId, kind, ref, at);
      return 'skipped';
    case 'remind':
      await queues.enqueue('notify', { incidentId, officialId: owner, kind: 'resolution-warn' });
      await db.timers.markFired(incidentId, kind, ref, at);
      return 'done';
    case 'escalate': {
      const ownerRow = await db.officials.get(owner);
      const targets = [owner, ...(ownerRow?.supervisorId ? [ownerRow.supervisorId] : [])];
      const first = await db.tx(async (tx) => {
        const fired = await tx.timers.markFired(incidentId, kind, ref, at);
        if (kind === 'promise-due') {
          if (!(await tx.bot.breakPromise(ref, at))) return false;
          await tx.incidents.addEvent(incidentId, 'promise.broken', 'system', at, { promiseId: ref, officialId: owner, to: targets, dueAt: dueAt.toISOString() });
          return true;
        }
        if (!fired) return false;
        await tx.incidents.addEvent(incidentId, 'incident.resolution-overdue', 'system', at, { officialId: owner, to: targets, dueAt: dueAt.toISOString() });
        return true;
      });
      const notifyKind = kind === 'promise-due' ? (`promise-due-${ref}` as const) : 'resolution-breach';
      for (const officialId of targets) await queues.enqueue('notify', { incidentId, officialId, kind: notifyKind });
      if (first) log.warn(kind === 'promise-due' ? 'promise.broken' : 'incident.resolution-overdue', { to: targets });
      return first ? 'done' : 'skipped';
    }
  }
}
