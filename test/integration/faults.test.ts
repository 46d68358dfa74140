/**
 * Faults (issue 8): Redis killed and restarted mid-run, PostgreSQL restarted mid-run, poison messages with
 * an alert to the control centre, and scripts/replay-failed.ts. The two restart tests start their own
 * private server (test/helpers/services.ts) and never touch the shared 6390/5439 ones, which the other
 * half of each test (and other test files) use with a fresh database / queue prefix.
 * Measured numbers go to test-artifacts/faults.json (quoted in docs/reliability.md).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import winston from 'winston';
import { startApp, type App } from '../../src/app';
import { DEMO_OFFICIALS_FILE } from '../../src/demo/feed';
import type { RawMessage } from '../../src/domain/types';
import { importFile } from '../../src/import';
import { ingestMessage } from '../../src/ingest/ingest';
import { submitReply } from '../../src/replies/actions';
import { ALERT_BUDGET } from '../../src/pipeline/alerts';
import type { Messenger, Notifier } from '../../src/pipeline/ports';
import { jobId } from '../../src/pipeline/queues';
import { startTestApp, type TestApp } from '../helpers/app';
import { freshPgDatabase, testConfig, testRedisUrl, waitFor } from '../helpers/env';
import { failFirstWrites } from '../helpers/db';
import { accountFor, progressOf, violations, type Progress } from '../helpers/accounting';
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from '../helpers/services';

import { PLACES, PROBLEMS, rawMessage } from '../helpers/complaints';
import { createAnalyzer, APPEAL_KINDS } from '../../classifiers';
const ROOT = path.resolve(__dirname, '../..');
const N = 2000;
const FILLER = ['сегодня', 'утром', 'снова', 'опять', 'уже', 'третий', 'день', 'подряд', 'соседи', 'тоже', 'жалуются', 'просим',
  'разобраться', 'срочно', 'пожалуйста', 'вчера', 'вечером', 'звонили', 'писали', 'ждём', 'неделю', 'люди', 'дети', 'пенсионеры'];
const isComplaint = (i: number) => i % 5 !== 0;
/** Ten pseudo-random words, so that distinct complaints stay distinct incidents (few shared shingles). */
function filler(k: number): string {
  let x = (k * 2654435761) >>> 0;
  const words: string[] = [];
  for (let j = 0; j < 10; j++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    words.push(FILLER[(x >>> 8) % FILLER.length]);
  }
  return words.join(' ');
}
/**
 * These runs measure delivery, not the analysis: every complaint (each names its town) is routed, none waits for the
 * duty officer's triage because the analysis is unsure of its filler words.
 */
const ROUTE_ALL = { TRIAGE_MIN_CONFIDENCE: '0' };

/** One in four complaints repeats the previous one word for word (another author): it is attached, not opened. */
function complaintText(i: number): string {
  const k = i % 4 === 3 && isComplaint(i - 1) ? i - 1 : i;
  return `${PROBLEMS[k % PROBLEMS.length]} ${k} в ${PLACES[k % PLACES.length]}, ${filler(k)}, сколько можно!`;
}

function message(tag: string, i: number): RawMessage {
  return rawMessage({
    externalId: `${tag}-1_${i}`,
    author: { platformId: String(1000 + i), displayName: null, profileUrl: null },
    text: isComplaint(i) ? complaintText(i) : `Спасибо за праздник ${i}, всё было отлично!`,
  });
}

/** The app's real winston logger, with every entry kept in memory (to count retries, reconcile repairs, alerts). */
function recordingLogger() {
  const entries: Record<string, any>[] = [];
  const stream = new Writable({ objectMode: true, write: (info, _enc, done) => (entries.push(info), done()) });
  const logger = winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] });
  const count = (event: string, where: (e: Record<string, any>) => boolean = () => true) => entries.filter((e) => e.message === event && where(e)).length;
  return { logger, entries, count };
}

/** A Telegram stand-in at our own port (src/pipeline/ports.ts): records every card it is asked to send. */
function recordingNotifier(): Notifier & { sends: string[] } {
  const sends: string[] = [];
  return {
    sends,
    async send(n) {
      sends.push(n.incident.id);
      return { chatId: n.official.telegramId ?? '0', messageId: String(sends.length) };
    },
  };
}

function recordingMessenger(): Messenger & { sent: { chatId: string; html: string }[] } {
  const sent: { chatId: string; html: string }[] = [];
  return {
    sent,
    async sendText(chatId, html) {
      sent.push({ chatId, html });
      return { messageId: String(sent.length) };
    },
  };
}

/** Where the run is; null while the database does not answer (the PostgreSQL restart). */
const progress = (app: App): Promise<Progress | null> => progressOf(app.db).catch(() => null);
const finished = (p: Progress | null) => !!p && p.done === N && p.assigned === p.incidents && p.cards === p.incidents;

/** Every invariant of issue 8 after recovery (test/helpers/accounting.ts); returns what it counted. */
async function expectAllAccountedFor(app: App, notifier: { sends: string[] }) {
  // Delivery, not analysis: the messages the analysis reads as appeals must all be incidents (a word-salad filler can
  // sway a verdict; which one is the analysis' own business, measured by its evaluation).
  const analyzer = createAnalyzer('khakassia');
  const complaints = Array.from({ length: N }, (_, i) => message('x', i).text)
    .filter((text) => (APPEAL_KINDS as readonly string[]).includes(analyzer.analyze(text).kind)).length;
  const counted = await accountFor(app.db);
  expect(violations(counted, N, complaints)).toEqual([]);
  const perIncident = new Map<string, number>();
  for (const id of notifier.sends) perIncident.set(id, (perIncident.get(id) ?? 0) + 1);
  return { incidents: counted.incidents, attached: counted.byStatus.attached, timers: counted.clockTimers, cardSends: notifier.sends.length, duplicateSends: [...perIncident.values()].filter((n) => n > 1).length };
}

const results: Record<string, unknown> = {};
afterAll(() => {
  fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'test-artifacts/faults.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`faults: ${JSON.stringify(results)}\n`);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Posts arrive from SENDERS concurrent senders at up to RATE per second, so the faults hit intake and pipeline both. */
const RATE = 300;
const SENDERS = 4;
async function feed(t0: number, send: (i: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: SENDERS }, async (_, s) => {
      for (let i = s; i < N; i += SENDERS) {
        const wait = t0 + (i * 1000) / RATE - Date.now();
        if (wait > 0) await sleep(wait);
        await send(i);
      }
    }),
  );
}

describe('Redis killed (SIGKILL) and restarted mid-run, AOF with appendfsync always', () => {
  let redis: PrivateRedis;
  let app: App;
  let drop: () => Promise<void>;
  const notifier = recordingNotifier();
  const rec = recordingLogger();

  beforeAll(async () => {
    redis = await startPrivateRedis({ appendfsync: 'always' });
    const fresh = await freshPgDatabase();
    drop = fresh.drop;
    const cfg = testConfig({ REDIS_URL: redis.url, DATABASE_URL: fresh.url, RECONCILE_AFTER_MINUTES: '0.1', STAGE_CONCURRENCY: '20', ...ROUTE_ALL }, ['pipeline']);
    app = await startApp(cfg, { lockDurationMs: 5000, reconcileEveryMs: 2000, notifier, messenger: null, logger: rec.logger });
    await importFile(app.db, DEMO_OFFICIALS_FILE);
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    await drop?.();
  });

  it('reconnects by itself and loses or duplicates nothing', async () => {
    const t0 = Date.now();
    let ingested = 0;
    const feeding = feed(t0, async (i) => {
      await ingestMessage(app.deps, message('redis', i));
      ingested++;
    });
    await waitFor(async () => ({ ingested, p: await progress(app) }), (x) => x.ingested >= N * 0.3 && (x.p?.cards ?? 0) > 0, { timeoutMs: 30_000, what: 'messages flowing' });
    const before = await progress(app);
    const ingestedAtFault = ingested;
    const killedAt = Date.now();
    await redis.kill();
    await sleep(1000); // the outage: workers and producers see connection refused meanwhile
    const restartMs = await redis.start();
    const backAt = Date.now();
    await waitFor(() => progress(app), (p) => !!p && !!before && p.done > before.done + 50, { timeoutMs: 20_000, what: 'progress after the restart' });
    const flowingAgainMs = Date.now() - backAt;
    await feeding;
    await waitFor(() => progress(app), finished, { timeoutMs: 45_000, what: 'every message through the pipeline' });
    const doneMs = Date.now() - t0;
    const finishedMsAfterRestart = Date.now() - backAt;
    const counted = await expectAllAccountedFor(app, notifier);
    expect(counted.duplicateSends).toBe(0);
    results.redis = {
      messages: N,
      killedAtDone: before?.done,
      killedAtIngested: ingestedAtFault,
      outageMs: backAt - killedAt,
      redisStartMs: restartMs,
      flowingAgainMsAfterRestart: flowingAgainMs,
      finishedMsAfterRestart,
      totalMs: doneMs,
      ...counted,
      retriedAttempts: rec.count('stage.failed', (e) => !e.final),
      finalFailures: rec.count('stage.failed', (e) => e.final),
      reconcileRequeued: rec.entries.filter((e) => e.message === 'reconcile.requeued').reduce((s, e) => s + e.jobs, 0),
      workerErrors: rec.count('worker.error'),
    };
  }, 90_000);
});

describe('PostgreSQL restarted mid-run (pg_ctl restart -m fast)', () => {
  let pgsrv: PrivatePostgres;
  let app: App;
  const notifier = recordingNotifier();
  const rec = recordingLogger();

  beforeAll(async () => {
    pgsrv = await startPrivatePostgres();
    const url = await pgsrv.createDatabase('otklik_faults');
    const cfg = testConfig({ REDIS_URL: testRedisUrl(), DATABASE_URL: url, RECONCILE_AFTER_MINUTES: '0.1', STAGE_CONCURRENCY: '20', ...ROUTE_ALL }, ['pipeline']);
    app = await startApp(cfg, { lockDurationMs: 5000, reconcileEveryMs: 2000, notifier, messenger: null, logger: rec.logger });
    await importFile(app.db, DEMO_OFFICIALS_FILE);
  });
  afterAll(async () => {
    await app?.stop();
    await pgsrv?.stop();
  });

  it('retries what failed while the database was down and loses or duplicates nothing', async () => {
    const t0 = Date.now();
    let ingested = 0;
    let intakeRetries = 0;
    const feeding = feed(t0, async (i) => {
      // The intake answers 5xx while the database is down and the platform sends again (at-least-once).
      for (;;) {
        try {
          await ingestMessage(app.deps, message('pg', i));
          break;
        } catch {
          intakeRetries++;
          await sleep(100);
        }
      }
      ingested++;
    });
    await waitFor(async () => ({ ingested, p: await progress(app) }), (x) => x.ingested >= N * 0.3 && (x.p?.cards ?? 0) > 0, { timeoutMs: 30_000, what: 'messages flowing' });
    const before = await progress(app);
    const ingestedAtFault = ingested;
    const restartMs = await pgsrv.restart();
    const backAt = Date.now();
    await waitFor(() => progress(app), (p) => !!p && !!before && p.done > before.done + 50, { timeoutMs: 20_000, what: 'progress after the restart' });
    const flowingAgainMs = Date.now() - backAt;
    await feeding;
    await waitFor(() => progress(app), finished, { timeoutMs: 45_000, what: 'every message through the pipeline' });
    const finishedMsAfterRestart = Date.now() - backAt;
    const counted = await expectAllAccountedFor(app, notifier);
    const retried = rec.count('stage.failed', (e) => !e.final);
    // No card is sent twice: a record that fails after Telegram answered is retried in the same run
    // (recordAfterSending, src/pipeline/stage.ts), not by a new attempt that would send again.
    expect(counted.duplicateSends).toBe(0);
    expect(rec.count('stage.failed', (e) => e.final)).toBe(0);
    results.postgres = {
      messages: N,
      restartedAtDone: before?.done,
      restartedAtIngested: ingestedAtFault,
      pgCtlRestartMs: restartMs,
      flowingAgainMsAfterRestart: flowingAgainMs,
      finishedMsAfterRestart,
      totalMs: Date.now() - t0,
      ...counted,
      retriedAttempts: retried,
      retriedByStage: Object.fromEntries(['detect', 'dedupe', 'classify', 'assign', 'notify', 'sla', 'maintenance'].map((s) => [s, rec.count('stage.failed', (e) => e.stage === s)])),
      finalFailures: rec.count('stage.failed', (e) => e.final),
      intakeRetries,
      reconcileRequeued: rec.entries.filter((e) => e.message === 'reconcile.requeued').reduce((s, e) => s + e.jobs, 0),
    };
  }, 90_000);
});

describe('the database failing right after Telegram answered', () => {
  let app: TestApp;
  const notifier = recordingNotifier();
  const published: string[] = [];
  // A VK/Telegram stand-in at our own port (src/pipeline/ports.ts): records every reply it is asked to publish.
  const publisher = {
    async publish(_target: unknown, text: string) {
      published.push(text);
      return { externalId: String(published.length), at: new Date() };
    },
  };
  const rec = recordingLogger();
  beforeAll(async () => {
    app = await startTestApp('pg', { roles: ['pipeline'], notifier, publisher, messenger: null, logger: rec.logger });
    // The first two writes of a sent card fail, as if the server went away between Telegram's answer and our insert.
    await failFirstWrites(app.db, 'fail_notifications', 'notifications', 'INSERT', "NEW.status = 'sent'");
  });
  afterAll(async () => app?.stop());

  it('records the card once the database answers again, and never sends it twice', async () => {
    const { messageId } = await ingestMessage(app.deps, message('after-send', 1));
    const msg = await waitFor(() => app.db.messages.get(messageId), (m) => m?.status === 'incident', { what: 'the incident' });
    const incident = await waitFor(() => app.db.incidents.get(msg!.incidentId!), (i) => i?.status === 'assigned', { what: 'the assignment' });
    const card = await waitFor(() => app.db.notifications.get(incident!.id, incident!.officialId!, 'card'), (n) => n !== null, { what: 'the recorded card' });
    expect(card?.status).toBe('sent');
    // Give a wrongly retried job time to send again.
    await new Promise((r) => setTimeout(r, 1500));
    expect(notifier.sends.filter((id) => id === incident!.id)).toHaveLength(1);
    expect(rec.count('record-after-send.retry')).toBeGreaterThanOrEqual(1);
  });

  it('records a published reply once the database answers again, and never publishes it twice', async () => {
    // The first two attempts to mark a reply published fail, as if the server went away after the platform answered.
    await failFirstWrites(app.db, 'fail_replies', 'replies', 'UPDATE', "NEW.status = 'published'");
    const target = { platform: 'vk' as const, chatId: '-100', postId: '7', commentId: '9', kind: 'wall' as const };
    const { messageId } = await ingestMessage(app.deps, { ...message('after-publish', 3), replyTarget: target });
    const msg = await waitFor(() => app.db.messages.get(messageId), (m) => m?.status === 'incident', { what: 'the incident' });
    const incident = await waitFor(() => app.db.incidents.get(msg!.incidentId!), (i) => i?.status === 'assigned', { what: 'the assignment' });
    const text = 'Здравствуйте! Ваше обращение принято, специалисты выедут на место сегодня до 18:00.';
    const sent = await submitReply(app.deps, { id: incident!.officialId!, role: 'official' }, incident!, { templateId: null, stage: 'ack', text });
    expect(sent.kind).toBe('published');
    const replies = await waitFor(() => app.db.replies.forIncident(incident!.id), (r) => r[0]?.status === 'published', { what: 'the published reply' });
    expect(replies).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(published.filter((t) => t === text)).toHaveLength(1);
  });
});

describe('poison messages', () => {
  let app: TestApp;
  const messenger = recordingMessenger();
  const rec = recordingLogger();

  beforeAll(async () => {
    app = await startTestApp('pg', { roles: ['pipeline'], messenger, notifier: recordingNotifier(), logger: rec.logger, env: ROUTE_ALL });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const state = (queue: 'detect' | 'notify', id: string) => app.queues.queue(queue).getJobState(id);

  it('end in the failed set, do not block the queue, and alert the duty officers (rate-limited)', async () => {
    const duty = (await app.db.officials.all()).filter((o) => o.duty && !o.away && o.telegramId).map((o) => o.telegramId);
    expect(duty.length).toBeGreaterThan(0);

    // 1. A job whose id points to a missing row (the message was erased): PermanentError, no retries.
    const missing = await app.queues.enqueue('detect', { messageId: '990000001' });
    await waitFor(() => state('detect', missing), (s) => s === 'failed', { what: 'poison job in the failed set' });
    const job = await app.queues.queue('detect').getJob(missing);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/^PermanentError: message 990000001 not found/);

    // ... and the queue keeps flowing: real messages after it reach their cards.
    const texts: string[] = [];
    for (let i = 1; i <= 30; i++) {
      const m = message('poison', i);
      texts.push(m.text);
      await ingestMessage(app.deps, m);
    }
    const flowed = await waitFor(
      () => app.db.sql.query<{ done: number; cards: number; incidents: number }>(
        `SELECT (SELECT count(*)::int FROM messages WHERE status IN ('not_complaint', 'gratitude', 'incident', 'attached')) AS done,
                (SELECT count(*)::int FROM notifications WHERE kind = 'card') AS cards, (SELECT count(*)::int FROM incidents) AS incidents`,
      ),
      (r) => r.rows[0].done === 30 && r.rows[0].cards === r.rows[0].incidents,
      { what: 'the messages after the poison one' },
    );
    expect(flowed.rows[0].incidents).toBeGreaterThan(0);
    await waitFor(async () => messenger.sent.length, (n) => n === duty.length, { what: 'the first alert' });
    expect(messenger.sent.map((s) => s.chatId).sort()).toEqual([...duty].sort());
    expect(messenger.sent[0].html).toContain(`<code>${missing}</code>`);
    expect(messenger.sent[0].html).toContain('PermanentError');

    // 2. An incident is known (a card for an official removed by a re-import): the failure is on its record too.
    const incidentId = (await app.db.sql.query<{ id: string }>('SELECT id::text FROM incidents ORDER BY id LIMIT 1')).rows[0].id;
    const gone = await app.queues.enqueue('notify', { incidentId, officialId: 'retired-official', kind: 'card' });
    await waitFor(() => state('notify', gone), (s) => s === 'failed', { what: 'notify poison failed' });
    const events = await waitFor(
      () => app.db.sql.query<{ data: any }>(`SELECT data FROM incident_events WHERE incident_id = $1 AND kind = 'job.failed'`, [incidentId]),
      (r) => r.rows.length === 1,
      { what: 'the job.failed event' },
    );
    expect(events.rows[0].data).toMatchObject({ queue: 'notify', jobId: gone, errName: 'UnrecoverableError' });
    await waitFor(async () => messenger.sent.length, (n) => n === 2 * duty.length, { what: 'the second alert' });
    expect(messenger.sent.at(-1)?.html).toContain(`Инцидент №${incidentId}`);

    // 3. A malformed id fails every attempt with a database error (retried, not permanent): alerted after the last one.
    const bad = 'detect-not-a-number';
    await app.queues.queue('detect').add('detect', { messageId: 'not-a-number' }, { jobId: bad, attempts: 2 });
    await waitFor(() => state('detect', bad), (s) => s === 'failed', { what: 'the retried poison job to fail for good' });
    expect((await app.queues.queue('detect').getJob(bad))?.attemptsMade).toBe(2);
    expect(rec.count('stage.failed', (e) => e.jobId === bad && !e.final)).toBe(1);
    await waitFor(async () => messenger.sent.length, (n) => n === 3 * duty.length, { what: 'the third alert' });
    expect(messenger.sent.at(-1)?.html).toContain('после 2 попыток');

    // 4. A storm: 20 more poison jobs. The chat gets the budget's remaining messages, the rest is counted.
    const storm = Array.from({ length: 20 }, (_, i) => String(990000100 + i));
    for (const id of storm) await app.queues.enqueue('detect', { messageId: id });
    await waitFor(() => app.queues.queue('detect').getJobCountByTypes('failed'), (n) => n === 2 + storm.length, { what: 'the storm in the failed set' });
    await waitFor(async () => rec.count('alert.suppressed'), (n) => n === 3 + storm.length - ALERT_BUDGET.max, { what: 'suppressed alerts' });
    await waitFor(async () => messenger.sent.length, (n) => n === ALERT_BUDGET.max * duty.length, { what: 'the budget of alerts' });
    // the window's last message says so (sends run concurrently, so it need not be the last one in the array)
    expect(messenger.sent.filter((m) => m.html.includes('будут сведены в одно сообщение')).length).toBe(duty.length);
    // ids only: no citizen text in any alert
    for (const s of messenger.sent) for (const t of texts) expect(s.html).not.toContain(t.slice(0, 20));
    results.poison = { alertsSent: messenger.sent.length, finalFailures: 3 + storm.length, suppressed: rec.count('alert.suppressed'), dutyChats: duty.length };
  }, 60_000);
});

describe('scripts/replay-failed.ts', () => {
  let app: TestApp;

  beforeAll(async () => {
    // No officials yet: assignment fails for good (nobody to route to), as before the first import.
    app = await startTestApp('pg', { roles: ['pipeline'], officials: false, notifier: recordingNotifier(), messenger: null, env: { RECONCILE_AFTER_MINUTES: '60' } });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const replay = async () => {
    const { stdout } = await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/replay-failed.ts', 'assign'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', REDIS_URL: testRedisUrl(), QUEUE_PREFIX: app.cfg.QUEUE_PREFIX },
    });
    return stdout;
  };

  it('re-adds a failed job once the cause is fixed, and brings the message through', async () => {
    const { messageId } = await ingestMessage(app.deps, message('replay', 1));
    const msg = await waitFor(() => app.db.messages.get(messageId), (m) => m?.status === 'incident', { what: 'the incident' });
    const incidentId = msg?.incidentId as string;
    const failedId = jobId('assign', { incidentId });
    await waitFor(() => app.queues.queue('assign').getJobState(failedId), (s) => s === 'failed', { what: 'assign to fail' });
    expect((await app.db.incidents.get(incidentId))?.status).toBe('classified');

    await importFile(app.db, DEMO_OFFICIALS_FILE); // the fix
    const out = await replay();
    expect(out).toContain(`${failedId} → ${failedId}-rp1: re-added`);
    expect(out).toContain('re-added 1, already present 0');
    await waitFor(() => app.db.incidents.get(incidentId), (i) => i?.status === 'assigned', { what: 'the replayed assignment' });
    const officialId = (await app.db.incidents.get(incidentId))?.officialId as string;
    await waitFor(() => app.db.notifications.get(incidentId, officialId, 'card'), (n) => n?.status === 'sent', { what: 'the card' });

    // Running it again adds nothing: the replay's id is taken.
    expect(await replay()).toContain('re-added 0, already present 1');
  }, 60_000);
});
