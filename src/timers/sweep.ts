/**
 * The timer clock. Every timer (the response clock's reminders and breach, resolution deadlines, promises) is
 * recorded in `incident_timers` with the assignment or the promise; every TIMER_CLOCK_SECONDS each pipeline
 * process reads the due, unhandled ones (a partial index holds only those) and enqueues their `sla` jobs. Firing
 * stays once: the sla stage marks a handled timer, and every action it takes is idempotent (notifications
 * primary key, guarded updates). One job id per timer and minute window: the processes' reads in one window add
 * the same job; a timer still unhandled a window later (its job lost with Redis, or failed) is enqueued again.
 * No delayed jobs: Redis holds nothing per open incident, and a timer is never lost with it.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { errorFields } from '../errors';
import type { JobData } from '../pipeline/queues';
import type { StageDeps } from '../pipeline/stage';
import { suggestAuthorMatches } from './author-suggestions';
import { refreshCardClocks } from './cards';

export type SweepDeps = Pick<StageDeps, 'db' | 'queues' | 'now' | 'log'> & Partial<Pick<StageDeps, 'cards'>>;

/** How often due timers are looked for: a reminder fires at most this late. */
export const TIMER_CLOCK_SECONDS = 5;

/** At start-up, this many breaches (or more) missed while the system was down go to the duty officers as one list. */
export const ESCALATION_SUMMARY_MIN = 3;

/**
 * Enqueues every due, unhandled timer (once per minute window); returns how many. `startup`: the first sweep of a
 * process, which finds what came due while the system was down — when that holds ESCALATION_SUMMARY_MIN breaches
 * or more, each duty officer gets one list of them (with the count) instead of a card each.
 */
export async function sweepTimers(deps: SweepDeps, opts: { startup?: boolean } = {}): Promise<number> {
  const at = deps.now();
  const due = await deps.db.timers.due(at);
  const suffix = `sw${Math.floor(at.getTime() / 60_000)}`;
  const missed = due.filter((t) => t.kind === 'breach' && at.getTime() - t.dueAt.getTime() > 60_000);
  const summarize = opts.startup === true && missed.length >= ESCALATION_SUMMARY_MIN;
  const summarized = new Set(summarize ? missed.map((t) => t.incidentId) : []);
  await deps.queues.enqueueBulk(
    'sla',
    due.map((t) => ({
      data: (t.kind === 'promise-due'
        ? { incidentId: t.incidentId, kind: t.kind, promiseId: t.ref }
        : t.kind === 'breach' && summarized.has(t.incidentId)
          ? { incidentId: t.incidentId, kind: t.kind, summarized: true }
          : { incidentId: t.incidentId, kind: t.kind }) as JobData['sla'],
      opts: { suffix },
    })),
  );
  if (summarize) {
    // One list per duty officer, recorded on the backlog's first incident (notify sends each (incident, official, kind) once).
    const anchor = [...summarized].sort((a, b) => Number(a) - Number(b))[0];
    for (const o of await deps.db.officials.all()) {
      if (o.duty && !o.away) await deps.queues.enqueue('notify', { incidentId: anchor, officialId: o.id, kind: 'escalation-summary' });
    }
    deps.log.warn('timers.escalations-summarized', { incidents: summarized.size });
  }
  // A timer due for over a minute is one the clock missed (the system was down, its job was lost or failed).
  const late = due.filter((t) => at.getTime() - t.dueAt.getTime() > 60_000).length;
  if (late > 0) deps.log.warn('timers.swept', { timers: late });
  return due.length;
}

/** Runs the timer clock every TIMER_CLOCK_SECONDS, and the author suggestions every minute, until `stop()`. */
export function startTimerSweep(deps: SweepDeps): { stop(): Promise<void> } {
  // node-cron's default logger writes to the console; ours carries no personal data either way.
  const logger = {
    info: () => undefined,
    debug: () => undefined,
    warn: (m: string) => deps.log.warn('timers.cron', { note: m }),
    error: (m: string | Error, err?: Error) => deps.log.error('timers.cron', errorFields(err ?? m)),
  };
  let startup = true;
  const tasks: ScheduledTask[] = [
    cron.schedule(
      `*/${TIMER_CLOCK_SECONDS} * * * * *`,
      async () => {
        try {
          await sweepTimers(deps, { startup });
          startup = false;
        } catch (err) {
          deps.log.warn('timers.sweep-failed', errorFields(err));
        }
      },
      { name: 'timer-clock', noOverlap: true, logger },
    ),
    // Name-only author suggestions (issue 4), off the hot path; never throws.
    cron.schedule('* * * * *', () => suggestAuthorMatches(deps), { name: 'author-suggestions', noOverlap: true, logger }),
    // The card clock: live countdowns and changes waiting for Telegram's pace (src/timers/cards.ts); never throws.
    cron.schedule('30 * * * * *', () => refreshCardClocks(deps), { name: 'card-clock', noOverlap: true, logger }),
  ];
  return { stop: async () => void (await Promise.all(tasks.map((t) => t.destroy()))) };
}
