/** The one place BullMQ's Worker meets our code: every stage runs through startStage. */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Analyzer } from '../../classifiers';
import type { TextAnalysis } from '../analysis/pool';
import type { Config } from '../config';
import type { Db } from '../db';
import { PermanentError, errorFields } from '../errors';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import { alertFinalFailure } from './alerts';
import { backoffDelay, isBundle, type Bundle, type Carried, type JobData, type QueueName, type Queues } from './queues';
import type { CardBoard, Messenger, Notifier, Publisher, SourceReader } from './ports';

export type StageResult = 'done' | 'skipped';

/** What every stage may use. Time is injected (`now`) so clocks are testable. */
export interface StageDeps {
  cfg: Config;
  db: Db;
  queues: Queues;
  log: Logger;
  now: () => Date;
  analyzer: Analyzer;
  /** Text analysis, in worker threads when ANALYSIS_THREADS > 0. */
  analysis: TextAnalysis;
  metrics: Metrics;
  notifier: Notifier | null;
  /** Telegram messages outside incident cards (digests, alerts); null when no bot token is set. */
  messenger: Messenger | null;
  publisher: Publisher;
  sources: SourceReader;
  /** Brings the delivered incident cards up to date (idempotent); null/absent without a bot token. */
  cards?: CardBoard | null;
  /** What the previous stage handed over with the item in this process (`Queues.handOff`). */
  carried?: Carried;
}

/** Which run of its job a stage is in: lets a stage record a final failure itself (e.g. publish). */
export interface JobAttempt {
  /** 1 for the first run. */
  number: number;
  /** BullMQ's `attempts` of the job: no retry follows a failure when `number >= max`. */
  max: number;
}

export interface Stage<N extends QueueName> {
  name: N;
  handle(data: JobData[N], deps: StageDeps, attempt?: JobAttempt): Promise<StageResult>;
}

/** Declares a stage: load → decide (pure) → persist → enqueue the next one. */
export function defineStage<N extends QueueName>(name: N, handle: Stage<N>['handle']): Stage<N> {
  return { name, handle };
}

/**
 * Runs one stage's handler with its log context and duration metric: for a job of its queue, for one item of a
 * bundle job (`bundled`), or in place when the previous stage hands an item over in this process
 * (`Queues.handOff`, no job id then).
 */
export async function runStage<N extends QueueName>(
  stage: Stage<N>,
  data: JobData[N],
  deps: StageDeps,
  job: { jobId?: string; attempt?: JobAttempt; bundled?: boolean } = {},
): Promise<StageResult> {
  const log = deps.log.child({ stage: stage.name, jobId: job.jobId ?? 'handoff', attempt: job.attempt?.number ?? 1, ...data });
  const end = deps.metrics.stageDuration.startTimer({ stage: stage.name });
  try {
    const result = await stage.handle(data, { ...deps, log }, job.attempt);
    end({ result });
    log.debug('stage.done', { result });
    return result;
  } catch (err) {
    end({ result: 'error' });
    // A job's failure is logged by its worker ('stage.failed'); a handed-over or bundled item's, here (it goes
    // to its queue alone: Queues.runOrRequeue).
    if (!job.jobId || job.bundled) log.warn('stage.handoff-failed', errorFields(err));
    throw err;
  }
}

/** Starts a BullMQ worker for one stage; PermanentError goes straight to the failed set. */
export function startStage<N extends QueueName>(
  stage: Stage<N>,
  deps: StageDeps,
  opts: { concurrency: number; lockDurationMs?: number },
): Worker<JobData[N] | Bundle<N>, StageResult> {
  const worker = new Worker<JobData[N] | Bundle<N>, StageResult>(
    stage.name,
    async (job: Job<JobData[N] | Bundle<N>, StageResult>) => {
      const data = job.data;
      if (isBundle(data)) {
        // Each item alone: one that fails is requeued by itself; the bundle fails only if that requeue does.
        const one = (item: JobData[N]) => runStage(stage, item, deps, { jobId: job.id, bundled: true });
        await Promise.all(data.bundle.map((item) => deps.queues.runOrRequeue(stage.name, item, one)));
        return 'done';
      }
      try {
        return await runStage(stage, data, deps, { jobId: job.id, attempt: { number: job.attemptsMade + 1, max: job.opts.attempts ?? 1 } });
      } catch (err) {
        if (err instanceof PermanentError) throw new UnrecoverableError(`${err.name}: ${err.message}`);
        throw err;
      }
    },
    {
      connection: deps.queues.connection,
      prefix: deps.queues.prefix,
      concurrency: opts.concurrency,
      lockDuration: opts.lockDurationMs ?? 30_000,
      stalledInterval: Math.min(opts.lockDurationMs ?? 30_000, 30_000),
      settings: { backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => backoffDelay(attemptsMade, err) },
    },
  );
  worker.on('failed', (job, err) => {
    const final = !job || err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    deps.log.log(final ? 'error' : 'warn', 'stage.failed', {
      stage: stage.name,
      jobId: job?.id,
      ...(job && isBundle(job.data) ? { items: job.data.bundle.length } : job?.data),
      final,
      ...errorFields(err),
    });
    // A final failure needs a human: record it on the incident and tell the duty officers (rate-limited).
    if (final && job?.id) {
      const data = job.data as { incidentId?: unknown };
      void alertFinalFailure(deps, {
        queue: stage.name,
        jobId: job.id,
        incidentId: typeof data.incidentId === 'string' ? data.incidentId : null,
        attempts: job.attemptsMade,
        errName: err.name,
        errMessage: err.message,
      });
    }
  });
  worker.on('error', (err) => deps.log.error('worker.error', { stage: stage.name, ...errorFields(err) }));
  return worker;
}

/** How long the record of something already sent to a platform is retried in place before the job gives up. */
export const RECORD_AFTER_SEND_MS = 120_000;

/**
 * Once a platform has our message (a card in Telegram, a reply under the citizen's post), its record must not
 * be lost to a database outage: failing the job would send it again. So the write is retried here, in the same
 * run, until the database is back; the write itself must be guarded (safe to repeat).
 */
export async function recordAfterSending<T>(record: () => Promise<T>, log: StageDeps['log']): Promise<T> {
  const until = Date.now() + RECORD_AFTER_SEND_MS;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      return await record();
    } catch (err) {
      if (Date.now() + delay > until) throw err;
      log.warn('record-after-send.retry', { delayMs: delay, ...errorFields(err) });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
