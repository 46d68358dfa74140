/**
 * End-to-end pipeline benchmark (scripts/bench-pipeline.ts and `npx otklik bench` run it) against the raw BullMQ limit, in one run on one machine:
 *   1. raw chain: the same queues a complaint passes through (detect → notify with HANDOFF=inline, one per
 *      stage with HANDOFF=queue) with trivial processors on the same Redis — the physical limit of the queue;
 *   2. otklik at saturation: N complaints ingested as fast as possible, until every one is settled
 *      (an incident opened and its card recorded, or attached to an open incident);
 *   3. otklik at a fixed rate (default 100/s): latency from intake to the official's card, p50/p99.
 * Needs Redis and, unless `pglite`, a PostgreSQL server where it may create a database.
 */
import { Queue, Worker } from 'bullmq';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import os from 'node:os';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createAnalyzer } from '../../classifiers';
import { seedRegion, startApp, type App } from '../app';
import { loadConfig, type Config } from '../config';
import { DEMO_OFFICIALS_FILE } from '../demo/feed';
import type { RawMessage } from '../domain/types';
import { importFile } from '../import';
import { ingestMessage } from '../ingest/ingest';
import { createRedis, DB_STAGES, QUEUE_NAMES, type QueueName } from '../pipeline/queues';
import { fillHistory } from '../db/bench-fill';

export interface BenchOptions {
  redisUrl: string;
  /** A PostgreSQL server URL where a scratch database may be created; null → PGlite in process. */
  adminDatabaseUrl: string | null;
  messages: number;
  rate: number;
  seconds: number;
  concurrency: number;
  /** Concurrency of the database-only stages (DB_STAGE_CONCURRENCY); the raw chain's hops get the same. */
  dbConcurrency: number;
  out: (line: string) => void;
  progress?: (phase: string, done: number, total: number) => void;
  /** Stored history before the run (growth): past incidents over a year, the last three days still open. */
  history?: number;
  /** Skip the raw chain (growth runs compare with each other). */
  skipRaw?: boolean;
  /**
   * Share of complaints in the saturation phase's feed (default 1): the rest are thanks, news and chatter, which
   * stop after detect, as most of what a region's communities post does.
   */
  complaintShare?: number;
  /** HANDOFF of the run (default: the configuration's default). */
  handoff?: 'inline' | 'queue';
  /** Node processes running the pipeline (default 1): the others are `otklik worker` children (PostgreSQL only). */
  workers?: number;
  /** ANALYSIS_THREADS of the run (default: the configuration's default). */
  analysisThreads?: number;
  /**
   * Send the cards to the Telegram emulator (default true): the real node-telegram-bot-api client over HTTP to
   * the emulator in a process of its own, whose CPU is reported apart (it stands for Telegram's servers). False:
   * no bot token, so each card is recorded as undeliverable without a request.
   */
  telegram?: boolean;
}
/** The queues a complaint passes through: one per stage, or (hand-off in place) detect, then notify. */
const STAGE_HOPS = ['detect', 'dedupe', 'classify', 'assign', 'notify'];
const INLINE_HOPS = ['detect', 'notify'];

const PLACES = ['Абакане', 'Черногорске', 'Саяногорске', 'Абазе', 'Сорске', 'Усть-Абакане', 'Шире', 'Аскизе', 'Бее', 'Бограде', 'Таштыпе', 'Копьёво', 'Белом Яре'];
const STREETS = ['Ленина', 'Мира', 'Советской', 'Пушкина', 'Кирова', 'Щетинкина', 'Гагарина', 'Космонавтов', 'Вокзальной', 'Заводской'];
const PROBLEMS = [
  'нет горячей воды уже третий день', 'не вывозят мусор, баки переполнены', 'огромная яма на дороге, пробили колесо',
  'автобус не ходит по расписанию, ждём по часу', 'не горят фонари во дворе, темно', 'в подъезде прорвало трубу, течёт с потолка',
  'в поликлинику не дозвониться, запись на месяц', 'в школе холодно, дети сидят в куртках', 'бродячие собаки кидаются на людей',
  'горит свалка за домами, дышать нечем', 'сломана детская площадка', 'нет отопления, в квартире +14',
];
let seq = 0;
const NOT_COMPLAINTS = [
  'Спасибо коммунальщикам, вчера быстро починили трубу, вода есть', 'Поздравляем всех с Днём города! Концерт в 18:00 на площади',
  'Кто знает, во сколько завтра открывается рынок?', 'Отличная погода сегодня, гуляли с детьми в парке', 'Продам детскую коляску, почти новая',
  'В субботу субботник во дворе, приходите с перчатками', 'Администрация сообщает: в понедельник приём граждан с 9 до 12',
];
/** A message of the feed: a complaint, or (with probability 1 − share) a post that is not one. */
function post(share: number): RawMessage {
  const m = complaint();
  return (seq * 7919) % 1000 < share * 1000 ? m : { ...m, text: `${NOT_COMPLAINTS[seq % NOT_COMPLAINTS.length]} #${seq}` };
}

function complaint(): RawMessage {
  const i = seq++;
  const text = `${PROBLEMS[i % PROBLEMS.length]} в ${PLACES[(i >> 2) % PLACES.length]}, ул. ${STREETS[(i >> 4) % STREETS.length]} ${(i % 97) + 1}, ${['сколько можно', 'примите меры', 'куда смотрит администрация', 'помогите'][i % 4]} #${i}`;
  return {
    platform: 'vk', externalId: `bench-${randomBytes(6).toString('hex')}-${i}`, sourceId: null,
    author: { platformId: `bench-${i}`, displayName: null, profileUrl: null }, text, publishedAt: new Date(),
    permalink: null, parentExternalId: null, threadExternalId: null, attachments: [], hints: {}, replyTarget: null,
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const mb = () => Math.round(process.memoryUsage().rss / 1e6);
/**
 * CPU time (ms) used so far by the Redis and PostgreSQL server processes on this machine, from /proc (Linux; NaN
 * elsewhere). Steadier than machine-wide load when other work shares the machine.
 */
const serviceCpuMs = (): { redis: number; pg: number; workers: number; emulator: number } => {
  const out = { redis: 0, pg: 0, workers: 0, emulator: 0 };
  try {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, USER_HZ 100
      if (workerPids.has(Number(pid))) out.workers += ms;
      else if (emulatorPids.has(Number(pid))) out.emulator += ms;
      else if (comm.startsWith('redis-server')) out.redis += ms;
      else if (comm.startsWith('postgres')) out.pg += ms;
    }
    return out;
  } catch {
    return { redis: NaN, pg: NaN, workers: NaN, emulator: NaN };
  }
};
/** The extra `otklik worker` processes of a run (`workers` > 1): their CPU counts with this process's. */
const workerPids = new Set<number>();
/** Per-message CPU of otklik's node process(es), Redis and PostgreSQL since `from`. */
const cpuPer = (from: ReturnType<typeof cpuMark>, n: number) => {
  const svc = serviceCpuMs();
  const u = process.cpuUsage(from.proc);
  return {
    proc: ((u.user + u.system) / 1000 + (svc.workers - from.svc.workers)) / n, redis: (svc.redis - from.svc.redis) / n,
    pg: (svc.pg - from.svc.pg) / n, emulator: (svc.emulator - from.svc.emulator) / n,
  };
};
const cpuMark = () => ({ proc: process.cpuUsage(), svc: serviceCpuMs() });
const cpuLine = (c: { proc: number; redis: number; pg: number; emulator: number }) =>
  `${c.proc.toFixed(2)} ms in ${workerPids.size ? `${workerPids.size + 1} node processes` : 'this process'} + ${c.redis.toFixed(2)} ms Redis${Number.isNaN(c.pg) || c.pg < 0.01 ? '' : ` + ${c.pg.toFixed(2)} ms PostgreSQL`} = ${(c.proc + c.redis + (c.pg || 0)).toFixed(2)} ms${c.emulator > 0.005 ? ` (and ${c.emulator.toFixed(2)} ms in the Telegram emulator)` : ''}`;
let rawCpu = { proc: NaN, redis: NaN, pg: NaN, emulator: NaN };

async function rawChain(o: BenchOptions, n: number, HOPS: string[]): Promise<number> {
  const connection = createRedis(o.redisUrl);
  const prefix = `braw${randomBytes(3).toString('hex')}`;
  const queues = HOPS.map((name) => new Queue(name, { connection, prefix }));
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  const workers = HOPS.map(
    (name, i) =>
      new Worker(
        name,
        async (job) => {
          if (i + 1 < HOPS.length) await queues[i + 1].add(HOPS[i + 1], job.data, { jobId: `${HOPS[i + 1]}-${job.data.id}`, removeOnComplete: true });
          else if (++done === n) finish();
        },
        { connection, prefix, concurrency: DB_STAGES.has(name as QueueName) ? o.dbConcurrency : o.concurrency },
      ),
  );
  const t0 = performance.now();
  const cpu0 = cpuMark();
  for (let i = 0; i < n; i += 500) {
    await queues[0].addBulk(Array.from({ length: Math.min(500, n - i) }, (_, k) => ({ name: HOPS[0], data: { id: `m${i + k}` }, opts: { jobId: `${HOPS[0]}-m${i + k}`, removeOnComplete: true } })));
  }
  await finished;
  const rate = n / ((performance.now() - t0) / 1000);
  rawCpu = cpuPer(cpu0, n);
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(queues.map(async (q) => { await q.obliterate({ force: true }); await q.close(); }));
  await connection.quit();
  return rate;
}

const TELEGRAM_SERVER = path.join(__dirname, '../../test/emulators/telegram-server.ts');

/** The Telegram emulator in a child process (test/emulators/telegram-server.ts); every demo official has pressed Start. */
async function startTelegram(): Promise<{ url: string; token: string; stop: () => Promise<number> }> {
  const ids = [...readFileSync(DEMO_OFFICIALS_FILE, 'utf8').matchAll(/telegram:\s*(\d+)/g)].map((m) => Number(m[1]));
  const child = spawn(process.execPath, ['--import', 'tsx', TELEGRAM_SERVER, JSON.stringify(ids)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let wake: () => void = () => undefined;
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    lines.push(...d.split('\n').filter(Boolean));
    wake();
  });
  const line = async () => {
    while (lines.length === 0) await new Promise<void>((r) => (wake = r));
    return JSON.parse(lines.shift() as string);
  };
  const { url, token } = (await line()) as { url: string; token: string };
  emulatorPids.add(child.pid as number);
  return {
    url,
    token,
    stop: async () => {
      child.kill('SIGTERM');
      const { sent } = (await line()) as { sent: number };
      emulatorPids.delete(child.pid as number);
      return sent;
    },
  };
}
const emulatorPids = new Set<number>();

/** Starts `o.workers - 1` extra `otklik worker` processes on the run's Redis prefix and database; resolves when all consume. */
async function startWorkers(o: BenchOptions, cfg: Config, url: string | undefined): Promise<ChildProcess[]> {
  const extra = (o.workers ?? 1) - 1;
  if (extra <= 0) return [];
  if (!url) throw new Error('--workers needs a PostgreSQL server (PGlite lives inside one process)');
  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', LOG_LEVEL: 'error', DEMO: 'off',
    REDIS_URL: o.redisUrl, DATABASE_URL: url, QUEUE_PREFIX: cfg.QUEUE_PREFIX, HANDOFF: cfg.HANDOFF,
    ...(cfg.TELEGRAM_BOT_TOKEN ? { TELEGRAM_BOT_TOKEN: cfg.TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL: cfg.TELEGRAM_API_URL } : {}),
    STAGE_CONCURRENCY: String(cfg.STAGE_CONCURRENCY), DB_STAGE_CONCURRENCY: String(cfg.DB_STAGE_CONCURRENCY), ANALYSIS_THREADS: String(cfg.ANALYSIS_THREADS),
  };
  const bin = path.join(__dirname, '../../bin/otklik.js');
  const children = Array.from({ length: extra }, () => spawn(process.execPath, [bin, 'worker'], { env, stdio: ['ignore', 'ignore', 'inherit'] }));
  for (const c of children) workerPids.add(c.pid as number);
  const detect = new Queue('detect', { connection: createRedis(o.redisUrl), prefix: cfg.QUEUE_PREFIX });
  while ((await detect.getWorkersCount()) < extra + 1) await new Promise((r) => setTimeout(r, 200));
  await detect.close();
  return children;
}

/**
 * Messages of this run not settled yet. `from.id` (the run's first id at the start, so the history is left out)
 * moves up to the first unsettled message, so each poll reads only what is in flight: the bench's own reads
 * stay out of the PostgreSQL time it reports per message.
 */
async function unsettled(app: App, from: { id: number }): Promise<number> {
  const r = await app.db.sql.query<{ n: number; first: string | null }>(
    `SELECT count(*)::int AS n, min(m.id)::text AS first FROM messages m
     WHERE m.id >= $1 AND NOT (m.status IN ('not_complaint', 'gratitude', 'attached')
        OR (m.status = 'incident' AND (EXISTS (SELECT 1 FROM notifications x WHERE x.incident_id = m.incident_id AND x.kind = 'card')
                                       OR EXISTS (SELECT 1 FROM incidents i WHERE i.id = m.incident_id AND i.status = 'needs_review'))))`,
    [from.id],
  );
  if (r.rows[0].first) from.id = Number(r.rows[0].first);
  return r.rows[0].n;
}

/** Runs the three phases and prints one line per result through `o.out`. */
export async function runPipelineBench(o: BenchOptions): Promise<void> {
  const { messages: MESSAGES, rate: RATE, seconds: SECONDS } = o;
  const ADMIN_DB = o.adminDatabaseUrl ?? '';
  let dbName: string | null = null;
  let url: string | undefined;
  if (o.adminDatabaseUrl) {
    dbName = `bench_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: ADMIN_DB });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const u = new URL(ADMIN_DB);
    u.pathname = `/${dbName}`;
    url = u.toString();
  }
  // The emulator is test code: an image without test/ (the Dockerfile's) records the cards instead.
  const tg = o.telegram === false || !existsSync(TELEGRAM_SERVER) ? null : await startTelegram();
  const cfg = loadConfig({ NODE_ENV: 'test', TELEGRAM_BOT_TOKEN: tg?.token, TELEGRAM_API_URL: tg?.url, LOG_LEVEL: 'error', REDIS_URL: o.redisUrl, DATABASE_URL: url, DATA_DIR: 'memory://', QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`, STAGE_CONCURRENCY: String(o.concurrency), DB_STAGE_CONCURRENCY: String(o.dbConcurrency), HANDOFF: o.handoff, ANALYSIS_THREADS: o.analysisThreads === undefined ? undefined : String(o.analysisThreads), DEMO: 'off' }, { roles: ['pipeline'], dotenv: false });
  o.out(`machine: ${os.cpus().length} cores, node ${process.version}; database: ${o.adminDatabaseUrl ? 'PostgreSQL server' : 'PGlite (in process)'}; cards ${tg ? 'sent to the Telegram emulator (its own process)' : 'recorded, not sent (no bot token)'}; concurrency ${o.dbConcurrency} per database stage, ${o.concurrency} for notify; analysis threads ${cfg.ANALYSIS_THREADS}${(o.workers ?? 1) > 1 ? `; ${o.workers} node processes` : ''}`);
  const hops = cfg.HANDOFF === 'inline' ? INLINE_HOPS : STAGE_HOPS;
  o.progress?.('raw chain', 0, 1);
  let raw = NaN;
  if (!o.skipRaw) {
    // The yardstick has the queues this configuration uses; with hand-off in place, one per stage is shown too.
    if (hops !== STAGE_HOPS) {
      const perStage = await rawChain(o, MESSAGES, STAGE_HOPS);
      o.out(`raw BullMQ chain, ${STAGE_HOPS.length} hops (one per stage), trivial processors: ${perStage.toFixed(0)} messages/s; cpu per message ${cpuLine(rawCpu)}`);
    }
    raw = await rawChain(o, MESSAGES, hops);
    o.out(`raw BullMQ chain, ${hops.length} hops (${hops.join(' → ')}, as this run's HANDOFF=${cfg.HANDOFF}), trivial processors: ${raw.toFixed(0)} messages/s; cpu per message ${cpuLine(rawCpu)}`);
  }

  const app = await startApp(cfg, {});
  await seedRegion(app.db, createAnalyzer(cfg.REGION).region);
  await importFile(app.db, DEMO_OFFICIALS_FILE);
  // Each official has pressed Start in the bot (as in the emulator), so their cards can be sent.
  if (tg) for (const off of await app.db.officials.all()) if (off.telegramId) await app.db.officials.markBotStarted(off.id, new Date());
  const children = await startWorkers(o, cfg, url);
  if (o.history) {
    const t = performance.now();
    await fillHistory(app.db.sql, o.history, new Date());
    o.out(`history: ${o.history} stored incidents filled in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const deps = { db: app.db, queues: app.queues, now: () => new Date() };

  const fromId = Number((await app.db.sql.query<{ n: string }>("SELECT coalesce(max(id), 0) + 1 AS n FROM messages")).rows[0].n);
  // Saturation.
  const t0 = performance.now();
  const cpu0 = cpuMark();
  const elu0 = performance.eventLoopUtilization();
  const batch = 50;
  const share = o.complaintShare ?? 1;
  for (let i = 0; i < MESSAGES; i += batch) await Promise.all(Array.from({ length: Math.min(batch, MESSAGES - i) }, () => ingestMessage(deps, post(share))));
  const ingestS = (performance.now() - t0) / 1000;
  const cursor = { id: fromId };
  for (let left = MESSAGES; left > 0; left = await unsettled(app, cursor)) {
    o.progress?.('saturation', MESSAGES - left, MESSAGES);
    await new Promise((r) => setTimeout(r, 100));
  }
  const sat = MESSAGES / ((performance.now() - t0) / 1000);
  const satCpu = cpuPer(cpu0, MESSAGES);
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const what = share < 1 ? `messages (${Math.round(share * 100)}% complaints)` : 'complaints';
  // The raw chain sends every message through all its hops: a ratio only means something for a feed of complaints.
  const ratio = Number.isNaN(raw) || share < 1 ? '' : `${((sat / raw) * 100).toFixed(0)}% of the raw chain; `;
  o.out(`otklik at saturation: ${MESSAGES} ${what} settled at ${sat.toFixed(0)} messages/s (intake alone ${(MESSAGES / ingestS).toFixed(0)}/s); ${ratio}rss ${mb()} MB`);
  const cpuSum = (c: typeof satCpu) => c.proc + c.redis + (c.pg || 0);
  o.out(`  cpu per message ${cpuLine(satCpu)}; this process's event loop busy ${(elu * 100).toFixed(0)}% of the time${Number.isNaN(rawCpu.proc) || share < 1 ? '' : `; the raw chain's ${cpuSum(rawCpu).toFixed(2)} ms is ${((cpuSum(rawCpu) / cpuSum(satCpu)) * 100).toFixed(0)}% of it`}`);

  const hist = await app.deps.metrics.stageDuration.get();
  const sums = new Map<string, { sum: number; count: number }>();
  for (const v of hist.values) {
    const stage = String(v.labels.stage);
    const e = sums.get(stage) ?? { sum: 0, count: 0 };
    if (v.metricName?.endsWith('_sum')) e.sum += v.value;
    if (v.metricName?.endsWith('_count')) e.count += v.value;
    sums.set(stage, e);
  }
  o.out(`  stage time per job: ${[...sums].map(([k, e]) => `${k} ${((e.sum / Math.max(e.count, 1)) * 1000).toFixed(1)} ms`).join(', ')}`);

  // Fixed rate: latency from intake (received_at) to the card (notifications.sent_at).
  const total = RATE * SECONDS;
  const start = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    ids.push((await ingestMessage(deps, complaint())).messageId);
  }
  for (let left = total; left > 0; left = await unsettled(app, cursor)) {
    o.progress?.('fixed rate', total - left, total);
    await new Promise((r) => setTimeout(r, 100));
  }
  const lat = await app.db.sql.query<{ ms: number }>(
    `SELECT extract(epoch FROM (coalesce(x.sent_at, m.deduped_at) - m.received_at)) * 1000 AS ms
     FROM messages m LEFT JOIN notifications x ON x.incident_id = m.incident_id AND x.kind = 'card' AND m.status = 'incident'
     WHERE m.id = ANY($1::bigint[])`,
    [ids],
  );
  const ms = lat.rows.map((r) => Number(r.ms));
  o.out(`otklik at ${RATE}/s for ${SECONDS} s: intake → card p50 ${pct(ms, 50).toFixed(0)} ms, p99 ${pct(ms, 99).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms; rss ${mb()} MB`);
  const counts = await app.db.sql.query<{ incidents: number; attached: number; sent: number }>(
    // This run's messages only (a growth run's history is left out).
    `SELECT count(*) FILTER (WHERE m.status = 'incident')::int AS incidents, count(*) FILTER (WHERE m.status = 'attached')::int AS attached,
            count(*) FILTER (WHERE m.status = 'incident' AND EXISTS (
              SELECT 1 FROM notifications x WHERE x.incident_id = m.incident_id AND x.kind = 'card' AND x.status = 'sent'))::int AS sent
     FROM messages m WHERE m.id >= $1`,
    [fromId],
  );
  const c = counts.rows[0];
  await app.queues.queue('maintenance').removeJobScheduler('reconcile');
  // The run's jobs are kept for a day (DEFAULT_JOB_OPTIONS): remove them, or Redis grows with every run.
  for (const name of QUEUE_NAMES) await app.queues.queue(name).obliterate({ force: true });
  await Promise.all(children.map((c) => new Promise((r) => { c.once('exit', r); c.kill('SIGTERM'); })));
  workerPids.clear();
  await app.stop();
  const received = tg ? await tg.stop() : 0;
  o.out(`(${c.incidents} incidents opened, ${c.attached} repeats attached; ${tg ? `${c.sent} cards recorded as sent, ${received} messages received by the Telegram emulator` : 'cards not sent'})`);
  if (dbName) {
    const c = new pg.Client({ connectionString: ADMIN_DB });
    await c.connect();
    await c.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
    await c.end();
  }
}
