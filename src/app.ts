/**
 * The composition root: config → dependencies → roles (api, pipeline, ingest, bot, connectors, demo) → stop.
 * `start` runs every role in one process (the embedded default); `worker` runs pipeline stages only.
 */
import fs from 'node:fs';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createAnalyzer, type RegionPack } from '../classifiers';
import { createTextAnalysis, type TextAnalysis } from './analysis/pool';
import { buildServer, type HttpServer } from './api/server';
import { modelDirOf, type Config } from './config';
import { openDb, type Db } from './db';
import { loadDemoCorpus } from './demo/corpus';
import { demoReader, DEMO_OFFICIALS_FILE } from './demo/feed';
import { importFile, parseImportFile } from './import';
import { createRootLogger, type Logger } from './log';
import { createMetrics } from './metrics';
import { startPipeline } from './pipeline';
import type { Messenger, Notifier, Publisher } from './pipeline/ports';
import { createRedis, Queues, type QueueName } from './pipeline/queues';
import type { StageDeps } from './pipeline/stage';
import { createPublisher } from './publish/publisher';
import { SourceReaders } from './sources/readers';
import { errorFields } from './errors';
import { startDigests } from './digest/scheduler';
import { createTelegramOffice, startTelegramBot } from './bot';
import { startTimerSweep } from './timers/sweep';
import { startTrainingSchedule } from './training/schedule';
import { syncDemoAccount } from './web/demo-account';
import { registerConnectorReaders, startConnectorStreams } from './ingest/connectors';

export interface AppOptions {
  /** Pipeline stages to run when the 'pipeline' role is on (default: all). */
  stages?: QueueName[];
  now?: () => Date;
  logger?: Logger;
  /** Tests shorten BullMQ's lock so a killed worker's jobs come back fast. */
  lockDurationMs?: number;
  reconcileEveryMs?: number;
  notifier?: Notifier | null;
  messenger?: Messenger | null;
  publisher?: Publisher;
  /** The text analysis detect uses (tests pin its verdicts; default: the region's analyzer, ANALYSIS_THREADS). */
  analysis?: TextAnalysis;
}

export interface App {
  cfg: Config;
  db: Db;
  queues: Queues;
  deps: StageDeps;
  http: HttpServer | null;
  /** The address the HTTP server listens on (null without the api role). */
  url: string | null;
  /** The demo sign-in (demo mode with the api role), for the CLI to print once; null otherwise. */
  demoLogin: { login: string; password: string } | null;
  stop(): Promise<void>;
}

/** Source kinds that are read by polling (others arrive by webhook or stream). */
const POLLED_KINDS = new Set(['vk/wall', 'vk/search', 'web/feed']);

/** True when no platform token is set: `start` then feeds the demo posts. */
export function demoEnabled(cfg: Config): boolean {
  if (cfg.DEMO !== 'auto') return cfg.DEMO === 'on';
  return !cfg.TELEGRAM_BOT_TOKEN && !cfg.VK_GROUP_TOKEN && !cfg.VK_SERVICE_TOKEN;
}

/** Starts the configured roles; `stop()` closes intake first, then workers, queues and the database. */
export async function startApp(cfg: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.logger ?? createRootLogger(cfg, cfg.roles.join('+'));
  const now = opts.now ?? (() => new Date());
  // The region's own model (DATA_DIR/models, from `train` or the nightly training) when there is one; the triage threshold.
  const analyzerOpts = { modelDir: modelDirOf(cfg), ...(cfg.TRIAGE_MIN_CONFIDENCE !== undefined ? { minConfidence: cfg.TRIAGE_MIN_CONFIDENCE } : {}) };
  const analyzer = createAnalyzer(cfg.REGION, analyzerOpts);
  const db = await openDb({ url: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR });
  const closers: (() => Promise<unknown>)[] = [() => db.close()];
  let redis: Redis | null = null;
  try {
    await seedRegion(db, analyzer.region);
    redis = createRedis(cfg.REDIS_URL);
    redis.on('error', (err) => log.warn('redis.error', errorFields(err)));
    const queues = new Queues(redis, cfg.QUEUE_PREFIX);
    closers.unshift(() => queues.close(), () => (redis as Redis).quit().catch(() => undefined));
    const metrics = createMetrics();
    const readers = new SourceReaders();
    registerConnectorReaders(readers, cfg, now);
    // 'auto' never feeds made-up posts into a region's real data: only an empty or demo-only database gets them.
    const demo = cfg.roles.includes('demo') && demoEnabled(cfg) && (cfg.DEMO === 'on' || (await onlyDemoOfficials(db)));
    if (cfg.roles.includes('demo') && demoEnabled(cfg) && !demo) log.warn('demo.skipped', { reason: 'officials-imported' });
    if (demo) readers.register('vk', 'demo', demoReader(now)).register('telegram', 'demo', demoReader(now)).register('web', 'demo', demoReader(now));
    // With a token, every process can send cards (the notify stage runs wherever the pipeline does); only the poller is role-bound.
    const telegram = createTelegramOffice(cfg, { db, now, timezone: analyzer.region.timezone, log });
    const analysis = opts.analysis ?? createTextAnalysis(analyzer, cfg.roles.includes('pipeline') ? cfg.ANALYSIS_THREADS : 0, cfg.REGION, analyzerOpts);
    closers.unshift(() => analysis.close());
    const deps: StageDeps = {
      cfg,
      db,
      queues,
      log,
      now,
      analyzer,
      analysis,
      metrics,
      notifier: opts.notifier !== undefined ? opts.notifier : (telegram?.notifier() ?? null),
      messenger: opts.messenger !== undefined ? opts.messenger : (telegram?.messenger() ?? null),
      publisher: opts.publisher ?? createPublisher(cfg, {}, now),
      sources: readers,
      cards: telegram ? { refresh: (incidentId, o) => telegram.refreshCards(incidentId, undefined, o), refreshDue: (everyMs) => telegram.refreshDue(everyMs) } : null,
    };

    if (demo) await loadDemoData(db, log);
    // A demo account exists only in demo mode: any start with demo off removes one left from a demo run.
    const demoLogin = demo && cfg.roles.includes('api') ? await syncDemoAccount(db, true, now())
      : !demoEnabled(cfg) ? await syncDemoAccount(db, false, now()) : null;

    const workers: Worker[] = [];
    if (cfg.roles.includes('pipeline')) {
      workers.push(...(await startPipeline(deps, { stages: opts.stages, lockDurationMs: opts.lockDurationMs ?? cfg.JOB_LOCK_SECONDS * 1000, reconcileEveryMs: opts.reconcileEveryMs ?? cfg.RECONCILE_EVERY_SECONDS * 1000 })));
      closers.unshift(async () => Promise.all(workers.map((w) => w.close())));
      // Timers missed while the system was down (or whose jobs were lost) fire from this sweep.
      const sweep = startTimerSweep(deps);
      closers.unshift(() => sweep.stop());
      // The nightly training of the region's model from the officials' corrections (TRAIN_TIME), then a reload.
      const training = startTrainingSchedule(deps);
      closers.unshift(() => training.stop());
    }
    if (cfg.roles.includes('ingest')) {
      for (const source of await db.sources.all()) {
        const reader = readers.readerFor(source);
        if (!source.enabled) continue;
        if (!reader) {
          // A polled kind without its reader means a missing token (VK wall/search need VK_SERVICE_TOKEN).
          if (POLLED_KINDS.has(`${source.platform}/${source.kind}`)) log.warn('source.unread', { sourceId: source.id, kind: source.kind });
          continue;
        }
        await queues.queue('ingest').upsertJobScheduler(`poll-${source.id}`, { every: reader.everyMs }, { name: 'ingest', data: { sourceId: source.id } });
      }
    }
    let http: HttpServer | null = null;
    let url: string | null = null;
    if (cfg.roles.includes('api')) {
      http = await buildServer(deps);
      url = await http.listen({ port: cfg.HTTP_PORT, host: cfg.HTTP_HOST });
      closers.unshift(() => (http as HttpServer).close());
      log.info('http.listening', { port: Number(new URL(url).port) });
      // Build the statistics rollup now, in the background, rather than in the first dashboard request.
      void db.stats
        .ensureRollup(analyzer.region.timezone)
        .then((built) => built && log.info('stats.rollup-built'))
        .catch((err) => log.warn('stats.rollup-failed', errorFields(err)));
    }
    if (cfg.roles.includes('connectors')) {
      // Streams (VK Bots Long Poll); polled sources run in the 'ingest' role, webhooks in 'api'.
      const streams = startConnectorStreams(deps);
      closers.unshift(() => streams.stop());
    }
    if (cfg.roles.includes('bot')) {
      // Digests run with the bot: one process per Telegram token, so each digest is sent once.
      const digests = startDigests(deps);
      closers.unshift(() => digests.stop());
      if (telegram && cfg.TELEGRAM_BOT_TOKEN) {
        // The token's single poller: stopped first on shutdown, before workers, queues and the database.
        const bot = await startTelegramBot(deps, telegram, cfg.TELEGRAM_BOT_TOKEN);
        closers.unshift(() => bot.stop());
      }
    }
    log.info('app.started', { roles: cfg.roles, demo, database: cfg.DATABASE_URL ? 'postgresql' : 'pglite' });
    let stopping: Promise<void> | null = null;
    return {
      cfg,
      db,
      queues,
      deps,
      http,
      url,
      demoLogin,
      stop: () =>
        (stopping ??= (async () => {
          for (const close of closers) await close().catch((err) => log.warn('app.stop-error', errorFields(err)));
          log.info('app.stopped');
        })()),
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => undefined);
    throw err;
  }
}

/** Stores the region pack's municipalities (idempotent). */
export async function seedRegion(db: Db, region: RegionPack): Promise<void> {
  await db.officials.upsertMunicipalities(
    region.municipalities.map((m) => ({ id: m.id, region: region.code, name: m.name, kind: m.kind, center: m.center, oktmo: m.oktmo ?? null })),
  );
}

/** True when the database holds no officials but the demo's (a fresh install, or one only the demo has used). */
async function onlyDemoOfficials(db: Db): Promise<boolean> {
  const demoIds = new Set(parseImportFile(fs.readFileSync(DEMO_OFFICIALS_FILE, 'utf8')).officials.map((o) => o.id));
  return (await db.officials.all()).every((o) => demoIds.has(o.id));
}

/** Loads the demo officials and the demo sources (idempotent, so every start may do it). */
async function loadDemoData(db: Db, log: Logger): Promise<void> {
  await importFile(db, DEMO_OFFICIALS_FILE);
  for (const s of loadDemoCorpus().sources) {
    await db.sources.upsert({ id: s.id, platform: s.platform, kind: 'demo', externalId: s.id, name: s.name, municipalityId: s.municipality, settings: {}, enabled: true });
  }
  log.info('demo.loaded');
}
