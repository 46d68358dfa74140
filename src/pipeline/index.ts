/** The pipeline: every stage, started as BullMQ workers, plus the reconcile schedule. */
import type { Worker } from 'bullmq';
import { BUNDLE_MAX, DB_STAGES, type QueueName } from './queues';
import { reconcile } from './reconcile';
import { runStage, startStage, type Stage, type StageDeps } from './stage';
import { assign } from './stages/assign';
import { classify } from './stages/classify';
import { dedupe } from './stages/dedupe';
import { detect } from './stages/detect';
import { ingest } from './stages/ingest';
import { notify } from './stages/notify';
import { publish } from './stages/publish';
import { sla } from './stages/sla';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const STAGES: Record<QueueName, Stage<any>> = {
  ingest,
  detect,
  dedupe,
  classify,
  assign,
  notify,
  sla,
  publish,
  maintenance: reconcile,
};


/** Starts workers for `names` (all stages by default) and the reconcile scheduler. */
export async function startPipeline(
  deps: StageDeps,
  opts: { stages?: QueueName[]; concurrency?: number; lockDurationMs?: number; reconcileEveryMs?: number } = {},
): Promise<Worker[]> {
  const names = opts.stages ?? (Object.keys(STAGES) as QueueName[]);
  const workers = names.map((name) =>
    startStage(STAGES[name], deps, {
      // A database stage's jobs are bundles of up to BUNDLE_MAX items: DB_STAGE_CONCURRENCY counts items in flight.
      concurrency: opts.concurrency ?? (DB_STAGES.has(name) ? Math.max(2, Math.ceil(deps.cfg.DB_STAGE_CONCURRENCY / BUNDLE_MAX)) : deps.cfg.STAGE_CONCURRENCY),
      lockDurationMs: opts.lockDurationMs,
    }),
  );
  // The database-only stages this process runs take their items in place when the previous stage hands over.
  if (deps.cfg.HANDOFF === 'inline') {
    for (const name of names) if (DB_STAGES.has(name)) deps.queues.runHere(name, (data, carried) => runStage(STAGES[name], data, carried ? { ...deps, carried } : deps));
  }
  if (names.includes('maintenance')) {
    await deps.queues
      .queue('maintenance')
      .upsertJobScheduler('reconcile', { every: opts.reconcileEveryMs ?? 60_000 }, { name: 'maintenance', data: { task: 'reconcile' } });
  }
  return workers;
}
