/**
 * Faults at scale, a script that reports (issue 8; too long for CI): N messages (default 10,000) flow through W
 * `otklik worker` processes (default 2) while a random one is killed with SIGKILL at random moments (every
 * 1–4 s) and replaced, and the Telegram emulator answers 429 (with retry_after) and 502 in bursts. Then the
 * invariants of docs/reliability.md (test/helpers/accounting.ts), plus cards counted at Telegram itself.
 *
 *   npx tsx scripts/chaos.ts [--messages 10000] [--workers 2] [--rate 400]
 *
 * Redis and PostgreSQL: the test services that ./scripts/test starts, or BENCH_REDIS_URL / BENCH_DATABASE_URL
 * (a server where a scratch database may be created). Exits 1 when an invariant is broken.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { createAnalyzer } from '../classifiers';
import { seedRegion } from '../src/app';
import { openDb } from '../src/db';
import { DEMO_OFFICIALS_FILE } from '../src/demo/feed';
import { importFile } from '../src/import';
import { ingestMessage } from '../src/ingest/ingest';
import { createRedis, QUEUE_NAMES, Queues } from '../src/pipeline/queues';
import { startFakeTelegram } from '../test/emulators/telegram';
import { accountFor, progressOf, violations } from '../test/helpers/accounting';
import { PLACES, PROBLEMS, rawMessage } from '../test/helpers/complaints';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('messages', 10_000);
const WORKERS = arg('workers', 2);
const RATE = arg('rate', 400);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6390';
const ADMIN_DB = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5439/postgres';
/** The demo officials' Telegram ids (src/demo/officials.yaml): they have pressed Start. */
const OFFICIAL_CHATS = Array.from({ length: 34 }, (_, i) => 100001 + i);
const out = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every fifth post thanks; the others complain, each about its own problem and place (few repeats). */
const isComplaint = (i: number) => i % 5 !== 0;
const post = (i: number) =>
  rawMessage({
    externalId: `chaos-${i}`,
    author: { platformId: `chaos-${i}`, displayName: null, profileUrl: null },
    text: isComplaint(i)
      ? `${PROBLEMS[i % PROBLEMS.length]} в ${PLACES[Math.floor(i / PROBLEMS.length) % PLACES.length]}, дом ${i}, обращение ${randomBytes(3).toString('hex')}`
      : `Спасибо за праздник ${i}, всё было отлично!`,
  });

async function main(): Promise<void> {
  const tg = await startFakeTelegram({ startedUsers: OFFICIAL_CHATS });
  const dbName = `chaos_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_DB });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(ADMIN_DB);
  url.pathname = `/${dbName}`;
  const db = await openDb({ url: url.toString(), dataDir: 'unused' });
  await seedRegion(db, createAnalyzer('khakassia').region);
  await importFile(db, DEMO_OFFICIALS_FILE);
  await db.sql.query('UPDATE officials SET bot_started_at = now() WHERE telegram_id IS NOT NULL'); // they pressed Start
  const prefix = `chaos${randomBytes(3).toString('hex')}`;
  const queues = new Queues(createRedis(REDIS_URL), prefix);

  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', LOG_LEVEL: 'error', DEMO: 'off',
    DATABASE_URL: url.toString(), REDIS_URL, QUEUE_PREFIX: prefix, TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_URL: tg.url,
    // A killed worker's jobs come back after 2 s; reconcile repairs what a kill left between two steps.
    JOB_LOCK_SECONDS: '2', RECONCILE_AFTER_MINUTES: '0.1', RECONCILE_EVERY_SECONDS: '2',
  };
  const bin = path.join(__dirname, '../bin/otklik.js');
  const workers: ChildProcess[] = [];
  const start = () => workers.push(spawn(process.execPath, [bin, 'worker'], { env, stdio: ['ignore', 'ignore', 'inherit'] }));
  for (let w = 0; w < WORKERS; w++) start();

  const t0 = Date.now();
  let ingested = 0;
  let done = false;
  const feeding = (async () => {
    for (let i = 0; i < N; i++) {
      const wait = t0 + (i * 1000) / RATE - Date.now();
      if (wait > 0) await sleep(wait);
      await ingestMessage({ db, queues, now: () => new Date() }, post(i));
      ingested++;
    }
  })();
  // The faults: a random worker killed every 1–4 s and replaced; Telegram refusing in bursts.
  let kills = 0;
  let refusals = 0;
  const chaos = (async () => {
    while (!done) {
      await sleep(1000 + Math.random() * 3000);
      if (done) break;
      const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0];
      victim.kill('SIGKILL');
      kills++;
      start();
      if (kills % 3 === 1) {
        tg.failNext('sendMessage', kills % 2 ? { errorCode: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 } : { httpStatus: 502 }, 10);
        refusals += 10;
      }
    }
  })();

  for (let p = await progressOf(db); !(ingested === N && p.done === N && p.cards === p.incidents); p = await progressOf(db)) {
    if (Date.now() - t0 > 30 * 60_000) throw new Error(`not settled after 30 minutes: ${JSON.stringify(p)}`);
    process.stderr.write(`\rchaos: ${ingested} posted, ${p.done} settled, ${p.incidents} incidents, ${p.cards} cards, ${kills} kills   `);
    await sleep(500);
  }
  done = true;
  const settledS = (Date.now() - t0) / 1000;
  await Promise.all([feeding, chaos]);
  await sleep(3000); // a retried send still in flight would show up at Telegram now
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : (w.once('exit', r), w.kill('SIGTERM'))))));
  process.stderr.write('\n');

  const complaints = Array.from({ length: N }, (_, i) => i).filter(isComplaint).length;
  const counted = await accountFor(db);
  const cardsAtTelegram = new Map<string, number>();
  for (const m of tg.sent) {
    const id = /^Обращение №(\d+)/.exec(m.text)?.[1];
    if (id) cardsAtTelegram.set(id, (cardsAtTelegram.get(id) ?? 0) + 1);
  }
  const cardStatus = (await db.sql.query<{ status: string; n: number }>(`SELECT coalesce(detail, status) AS status, count(*)::int AS n FROM notifications WHERE kind = 'card' GROUP BY 1`)).rows;
  const broken = violations(counted, N, complaints);
  const sentTwice = [...cardsAtTelegram.values()].filter((n) => n > 1).length;
  // The one documented hole (docs/reliability.md): a process killed after Telegram took a card and before our
  // record of it sends that card again when its job is redelivered — Telegram has no idempotency key.
  if (sentTwice > 0) broken.push(`${sentTwice} cards sent twice to Telegram (${(sentTwice / Math.max(kills, 1)).toFixed(2)} per kill: sent, then killed before the record)`);
  if (cardsAtTelegram.size !== counted.incidents) broken.push(`${cardsAtTelegram.size} incidents have a card at Telegram, expected ${counted.incidents}`);
  out(`chaos: ${N} posts at ${RATE}/s through ${WORKERS} worker processes; ${kills} SIGKILLs, ${refusals} Telegram refusals (429/502)`);
  out(`settled in ${settledS.toFixed(1)} s: ${JSON.stringify(counted.byStatus)}; ${counted.incidents} incidents, ${counted.cardRows} card rows (${cardStatus.map((r) => `${r.status} ${r.n}`).join(', ')}), ${[...cardsAtTelegram.values()].reduce((a, b) => a + b, 0)} cards at Telegram`);
  out(broken.length === 0 ? 'every invariant holds: nothing lost, nothing duplicated, no card sent twice, every timer recorded' : `BROKEN:\n  ${broken.join('\n  ')}`);

  for (const name of QUEUE_NAMES) await queues.queue(name).obliterate({ force: true });
  await queues.close();
  await queues.connection.quit();
  await db.close();
  await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
  await admin.end();
  await tg.stop();
  process.exit(broken.length === 0 ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
