/** Queue names, job payloads (ids only: texts are personal data), deterministic job ids and defaults. */
import { Queue, type JobsOptions } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { PermanentError, TransientError } from '../errors';
import { batcher } from '../lib/batch';
import type { TimerKind } from '../domain/sla';
import type { Message } from '../db/messages';

export const QUEUE_NAMES = [
  'ingest',
  'detect',
  'dedupe',
  'classify',
  'assign',
  'notify',
  'sla',
  'publish',
  'maintenance',
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** What kind of message an official gets about an incident. */
export type NotifyKind =
  | 'card'
  | 'remind-half'
  | 'remind-three-quarters'
  | 'escalation'
  /** At start-up, many breaches due at once: one list to each duty officer instead of a card each (anchored on one incident). */
  | 'escalation-summary'
  /** An incident the analysis was unsure of, to a duty officer: the triage message with its buttons. */
  | 'triage'
  | 'resolution-warn'
  | 'resolution-breach'
  | `promise-due-${string}`
  /** A citizen's thanks (the message id) shown to the official of the incident it thanks. */
  | `thanks-${string}`;

export interface JobData {
  ingest: { sourceId: string };
  detect: { messageId: string };
  dedupe: { messageId: string };
  classify: { incidentId: string };
  assign: { incidentId: string };
  notify: { incidentId: string; officialId: string; kind: NotifyKind };
  /**
   * `promiseId` only for kind 'promise-due' (absent otherwise, so the older job ids stay the same); `summarized`: a
   * breach of the start-up backlog, of which the duty officers get one list (src/timers/sweep.ts), not a card each.
   */
  sla: { incidentId: string; kind: TimerKind; promiseId?: string; summarized?: true };
  publish: { replyId: string };
  maintenance: { task: 'reconcile' };
}

/**
 * Rows a stage hands over with an item in this process, exactly as the database now holds them (the caller has
 * just read and written them): the next stage need not read them again. Never in a job: payloads are ids.
 */
export interface Carried {
  message?: Message;
}

/** The stages that only use our database and Redis: many concurrent jobs, sharing round trips, items bundled. */
export const DB_STAGES: ReadonlySet<QueueName> = new Set(['detect', 'dedupe', 'classify', 'assign']);

/**
 * A job of a database-only stage that carries several items: the adds that reach Redis together become one
 * job (up to BUNDLE_MAX items), so a busy intake pays one job's queue work for many messages. Each item runs as
 * a handed-over one does: one that fails goes to the queue alone and is retried there (`Queues.runOrRequeue`).
 * A worker takes DB_STAGE_CONCURRENCY / BUNDLE_MAX such jobs at once (src/pipeline/index.ts): as many items in
 * flight as before bundles, so one process does not hoard the queue, and a crash stalls no more of it (with
 * fifty a job and 300 jobs, scripts/chaos.ts saw 2.25 cards sent twice per SIGKILL; now 0.33). Ten items a job
 * ran as fast as fifty in scripts/bench-pipeline.ts.
 */
export interface Bundle<N extends QueueName> {
  bundle: JobData[N][];
}
export const BUNDLE_MAX = 10;
export const isBundle = <N extends QueueName>(data: JobData[N] | Bundle<N>): data is Bundle<N> =>
  Array.isArray((data as Partial<Bundle<N>>).bundle);

/** `<queue>-<ids>`: never ':' (BullMQ rejects it) and never a bare number. */
export function jobId<N extends QueueName>(name: N, data: JobData[N], suffix?: string): string {
  const parts = [name, ...Object.values(data).map(String)];
  if (suffix) parts.push(suffix);
  return parts.join('-').replace(/:/g, '_');
}

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'otklik' },
  removeOnComplete: { age: 24 * 3600, count: 50_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/** Retry delay: the platform's `retry_after` when it gave one, else exponential from 1 s (capped at 5 min). */
export function backoffDelay(attemptsMade: number, err: unknown): number {
  if (err instanceof TransientError && err.retryAfterMs !== undefined) return err.retryAfterMs;
  return Math.min(1000 * 2 ** Math.max(0, attemptsMade - 1), 300_000);
}

type Add = { name: string; data: unknown; opts: JobsOptions };

/** The adds of one batch with the plain ones (no delay) in bundles of BUNDLE_MAX at most; a lone one stays a job. */
function bundled(adds: { job: Add; plain: boolean }[]): Add[] {
  const out = adds.filter((a) => !a.plain).map((a) => a.job);
  const plain = adds.filter((a) => a.plain).map((a) => a.job);
  for (let i = 0; i < plain.length; i += BUNDLE_MAX) {
    const part = plain.slice(i, i + BUNDLE_MAX);
    if (part.length === 1) out.push(part[0]);
    else out.push({ ...part[0], data: { bundle: part.map((j) => j.data) }, opts: { ...part[0].opts, jobId: `${part[0].opts.jobId}-x${part.length}-${randomUUID()}` } });
  }
  return out;
}

/** A Redis connection as BullMQ wants it (no per-command retry limit, so blocking calls survive). */
export function createRedis(url: string): Redis {
  return new IORedis(url, { maxRetriesPerRequest: null });
}

export interface EnqueueOptions {
  /** Re-run: BullMQ ignores an add while a job with the same id is still stored. */
  suffix?: string;
  delay?: number;
}

/** The producers of every queue, sharing one connection. */
export class Queues {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    readonly connection: Redis,
    readonly prefix: string,
  ) {}

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
      // Connection errors (Redis restarting) are the shared connection's: its owner logs them ('redis.error');
      // without a listener BullMQ prints each to the console. Commands wait and are resent on reconnect.
      q.on('error', () => undefined);
      this.queues.set(name, q);
    }
    return q;
  }

  private readonly adders = new Map<QueueName, (add: { job: Add; plain: boolean }) => Promise<void>>();

  /**
   * Adds a job with its deterministic id; a second add with the same id is a no-op. Concurrent adds to one
   * queue go to Redis together (src/lib/batch.ts); to a database-only stage, those without a delay go as
   * bundles (`Bundle`: no deduplication by id then — every stage is guarded by status, so an item run twice
   * does nothing the second time).
   */
  async enqueue<N extends QueueName>(name: N, data: JobData[N], opts: EnqueueOptions = {}): Promise<string> {
    const id = jobId(name, data, opts.suffix);
    let add = this.adders.get(name);
    if (!add) {
      add = batcher(async (adds: { job: Add; plain: boolean }[]) => {
        await this.queue(name).addBulk(DB_STAGES.has(name) ? bundled(adds) : adds.map((a) => a.job));
        return adds.map(() => undefined);
      });
      this.adders.set(name, add);
    }
    await add({ job: { name, data, opts: { ...DEFAULT_JOB_OPTIONS, jobId: id, delay: opts.delay } }, plain: !opts.delay });
    return id;
  }

  private readonly here = new Map<QueueName, (data: never, carried?: Carried) => Promise<unknown>>();

  /** Makes `handOff` to `name` run `run` in this process (startPipeline, for the stages this process runs). */
  runHere<N extends QueueName>(name: N, run: (data: JobData[N], carried?: Carried) => Promise<unknown>): void {
    this.here.set(name, run as (data: never, carried?: Carried) => Promise<unknown>);
  }

  /**
   * Passes an item to the next stage of the pipeline. When this process runs that stage, it runs here, inside
   * the caller's job: two Redis round trips and a job fewer per hop (`runOrRequeue`), and what the caller
   * `carried` (rows it has just read and written) is not read again. After a crash in between, the caller's
   * redelivered job finds its item moved on and hands it over again (each stage does so when run again).
   */
  async handOff<N extends QueueName>(name: N, data: JobData[N], carried?: Carried): Promise<void> {
    const run = this.here.get(name) as ((data: JobData[N], carried?: Carried) => Promise<unknown>) | undefined;
    if (run) await this.runOrRequeue(name, data, (d) => run(d, carried));
    else await this.enqueue(name, data);
  }

  /**
   * Runs one item of `name` outside a job of its own (handed over, or one of a bundle). If it fails, it goes to
   * its queue as a job and is retried like any other (after the usual first delay; a permanent failure fails
   * that job for good and alerts), so the job that ran it still completes.
   */
  async runOrRequeue<N extends QueueName>(name: N, data: JobData[N], run: (data: JobData[N]) => Promise<unknown>): Promise<void> {
    try {
      await run(data);
    } catch (err) {
      await this.enqueue(name, data, { delay: err instanceof PermanentError ? undefined : backoffDelay(1, err) });
    }
  }

  /** Adds several jobs, each with its deterministic id (a repeat is a no-op), together with other concurrent adds. */
  enqueueBulk<N extends QueueName>(name: N, items: { data: JobData[N]; opts?: EnqueueOptions }[]): Promise<string[]> {
    return Promise.all(items.map(({ data, opts }) => this.enqueue(name, data, opts)));
  }

  /** Waiting + delayed + active + failed counts per queue (metrics). */
  async depths(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const name of QUEUE_NAMES) {
      out[name] = await this.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    this.adders.clear();
    this.here.clear();
  }
}
