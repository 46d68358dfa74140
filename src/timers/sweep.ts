/**
 * The safety net of the clocks: every minute (node-cron) find timers that are due but were never handled
 * (their delayed job was lost: Redis flushed, or the system was down past the due time and the job id
 * was already used) and enqueue them again. Firing stays once: the sla stage marks a handled timer, and
 * every action it takes is idempotent (notifications primary key, guarded updates). Safe to run in every
 * pipeline process: one sweep per minute window adds the same job ids.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { errorFields } from '../errors';
import type { JobData } from '../pipeline/queues';
import type { StageDeps } from '../pipeline/stage';
import { suggestAuthorMatches } from './author-suggestions';

export type SweepDeps = Pick<StageDeps, 'db' | 'queues' | 'now' | 'log'>;

/** Timers due more than this long ago are considered missed (younger ones are still in flight). */
export const SWEEP_GRACE_MS = 60_000;

/** Enqueues every missed timer once per minute window; returns how many. */
export async function sweepTimers(deps: SweepDeps, graceMs = SWEEP_GRACE_MS): Promise<number> {
  const at = deps.now();
  const missed = await deps.db.timers.missed(new Date(at.getTime() - graceMs));
  const suffix = `sw${Math.floor(at.getTime() / 60_000)}`;
  for (const t of missed) {
    const data: JobData['sla'] = t.kind === 'promise-due' ? { incidentId: t.incidentId, kind: t.kind, promiseId: t.ref } : { incidentId: t.incidentId, kind: t.kind };
    await deps.queues.enqueue('sla', data, { suffix });
  }
  if (missed.length > 0) deps.log.warn('timers.swept', { timers: missed.length });
  return missed.length;
}

/** Runs the sweep every minute until `stop()`. */
export function startTimerSweep(deps: SweepDeps): { stop(): Promise<void> } {
  const task: ScheduledTask = cron.schedule(
    '* * * * *',
    async () => {
      try {
        await sweepTimers(deps);
      } catch (err) {
        deps.log.warn('timers.sweep-failed', errorFields(err));
      }
      await suggestAuthorMatches(deps); // name-only author suggestions (issue 4), off the hot path; never throws
    },
    {
      name: 'timer-sweep',
      noOverlap: true,
      // node-cron's default logger writes to the console; ours carries no personal data either way.
      logger: {
        info: () => undefined,
        debug: () => undefined,
        warn: (m: string) => deps.log.warn('timers.cron', { note: m }),
        error: (m: string | Error, err?: Error) => deps.log.error('timers.cron', errorFields(err ?? m)),
      },
    },
  );
  return { stop: async () => void (await task.destroy()) };
}
