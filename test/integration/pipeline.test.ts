import { DB_KINDS, failFirstWrites } from '../helpers/db';
import { startTestApp, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/env';
import { getAs, signIn } from '../helpers/auth';
import { dedupe } from '../../src/pipeline/stages/dedupe';
import { detect } from '../../src/pipeline/stages/detect';
import { classify } from '../../src/pipeline/stages/classify';
import { assign } from '../../src/pipeline/stages/assign';
import { notify } from '../../src/pipeline/stages/notify';
import type { Notifier } from '../../src/pipeline/ports';
import { BUNDLE_MAX, jobId, type JobData, type QueueName } from '../../src/pipeline/queues';
import { ingestMessage } from '../../src/ingest/ingest';
import { PLACES, PROBLEMS, rawMessage } from '../helpers/complaints';

const HOT_WATER = 'Третий день нет горячей воды в Абакане на Пушкина 45, в управляющую компанию не дозвониться!';

describe.each(DB_KINDS)('a public comment through the pipeline (%s)', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
  });
  afterAll(async () => app.stop());

  it('becomes one assigned incident with a four-hour deadline, timers and an audit trail', async () => {
    const res = await app.post('/api/comments', { text: HOT_WATER, name: 'Ольга', contact: '+7 913 000-00-01' });
    expect(res.status).toBe(202);
    const messageId = res.body.id as string;
    const incident = await waitFor(() => app.db.incidents.byMessage(messageId), (i) => i?.status === 'assigned', { what: 'assigned incident' });
    expect((await app.db.messages.get(messageId))?.incidentId).toBe(incident!.id);
    expect(incident).toMatchObject({ topic: 'housing', municipalityId: 'abakan', officialId: 'abakan-housing' });
    expect(incident!.responseDueAt!.getTime() - incident!.openedAt.getTime()).toBe(240 * 60_000);

    // The timers are recorded with the assignment: the response clock's three, the resolution deadline's two.
    // Redis holds no job for them until they are due: the timer clock fires them from the database.
    const recorded = await app.db.timers.forIncident(incident!.id);
    expect(recorded.map((t) => t.kind).sort()).toEqual(['breach', 'half', 'resolution-breach', 'resolution-warn', 'three-quarters']);
    expect(recorded.find((t) => t.kind === 'breach')!.dueAt.getTime() - incident!.openedAt.getTime()).toBe(240 * 60_000);
    const slaJobs = (await app.queues.queue('sla').getJobs(['delayed', 'waiting', 'completed', 'active'])).filter((j) => j.data.incidentId === incident!.id);
    expect(slaJobs).toEqual([]);

    const events = await waitFor(() => app.db.incidents.events(incident!.id), (e) => e.some((x) => x.kind.startsWith('notification.')));
    expect(events.map((e) => e.kind)).toEqual(['incident.opened', 'incident.classified', 'incident.assigned', 'notification.undeliverable']);
    // Payloads carry ids, not texts (152-ФЗ): nothing of the citizen's words sits in Redis.
    const jobs = await Promise.all((['detect', 'notify'] as const).map((q) => app.queues.queue(q).getJobs(['waiting', 'completed', 'active', 'failed'])));
    expect(jobs.flat().length).toBeGreaterThanOrEqual(2);
    for (const j of jobs.flat()) expect(JSON.stringify(j.data)).not.toMatch(/воды|Ольга/);
  });

  it('fires a timer when it comes due, by itself (the timer clock reads the database every few seconds)', async () => {
    const res = await app.post('/api/comments', { text: 'На Советской 8 в Абазе не горят фонари во дворе уже две недели, темно', name: 'Вера' });
    const incident = await waitFor(() => app.db.incidents.byMessage(res.body.id), (i) => i?.status === 'assigned', { what: 'assigned incident' });
    // Two hours and a minute pass (the incident's clock moves back): the half-time reminder is due, nothing else.
    await app.db.sql.exec(`
      UPDATE incidents SET opened_at = opened_at - interval '121 minutes', response_due_at = response_due_at - interval '121 minutes' WHERE id = ${Number(incident!.id)};
      UPDATE incident_timers SET due_at = due_at - interval '121 minutes' WHERE incident_id = ${Number(incident!.id)};`);
    const fired = await waitFor(
      async () => (await app.db.timers.forIncident(incident!.id)).find((t) => t.kind === 'half'),
      (t) => !!t?.firedAt,
      { what: 'the reminder to fire', timeoutMs: 20_000 },
    );
    expect(fired!.firedAt).not.toBeNull();
    // … and the official is reminded.
    const remind = jobId('notify', { incidentId: incident!.id, officialId: incident!.officialId!, kind: 'remind-half' });
    await waitFor(() => app.queues.queue('notify').getJob(remind), (j) => j !== undefined, { what: 'the reminder' });
    const others = (await app.db.timers.forIncident(incident!.id)).filter((t) => t.kind !== 'half');
    expect(others.every((t) => t.firedAt === null)).toBe(true);
  }, 30_000);

  it('makes one incident of the same comment posted twice', async () => {
    const body = { text: 'Яма на дороге на улице Ленина в Черногорске, уже два колеса пробили', name: 'Пётр' };
    const a = await app.post('/api/comments', body);
    const b = await app.post('/api/comments', body);
    expect(b.status).toBe(202);
    expect(b.body).toMatchObject({ id: a.body.id, duplicate: true });
    await waitFor(() => app.db.incidents.byMessage(a.body.id), (i) => i?.status === 'assigned');
    const count = await app.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM incident_messages WHERE message_id = $1', [a.body.id]);
    expect(count.rows[0].n).toBe(1);
  });

  it('settles a burst of concurrent complaints: repeats join one incident, different problems stay apart', async () => {
    // Posted at once, they travel through the stages in shared round trips (src/lib/batch.ts): a repeat in the
    // same batch as its first report must still find it, and each problem must get exactly one card.
    const storm = Array.from({ length: 8 }, (_, i) => ({ text: `Прорвало трубу отопления на Щетинкина 12 в Абакане, заливает подвал, сделайте что-нибудь! (${i})`, name: `Житель ${i}` }));
    const others = [
      { text: 'Не вывозят мусор с площадки на Космонавтов 5 в Саяногорске уже неделю, баки переполнены', name: 'Анна' },
      { text: 'В Черногорске на Советской 70 огромная яма на дороге, пробили колесо', name: 'Иван' },
    ];
    const posted = await Promise.all([...storm, ...others].map((b) => app.post('/api/comments', b)));
    expect(posted.map((r) => r.status)).toEqual(Array(10).fill(202));
    const ids = posted.map((r) => r.body.id as string);
    const settled = await waitFor(
      () => Promise.all(ids.map((id) => app.db.messages.get(id))),
      (ms) => ms.every((m) => m?.status === 'incident' || m?.status === 'attached'),
      { what: 'every message settled' },
    );
    const stormIncidents = new Set(settled.slice(0, 8).map((m) => m!.incidentId));
    expect(stormIncidents.size).toBe(1);
    const [stormId] = [...stormIncidents];
    const otherIds = settled.slice(8).map((m) => m!.incidentId);
    expect(new Set([stormId, ...otherIds]).size).toBe(3);
    const storm1 = await waitFor(() => app.db.incidents.get(stormId!), (i) => i?.status === 'assigned');
    expect(storm1).toMatchObject({ messagesCount: 8, authorsCount: 8, resonant: true, priority: 'high' });
    for (const id of [stormId, ...otherIds]) {
      const cards = await waitFor(() => app.db.notifications.forIncident(id!), (n) => n.length > 0);
      expect(cards.filter((n) => n.kind === 'card')).toHaveLength(1);
    }
  });

  it('counts the messages and distinct authors of an incident as repeats arrive one by one', async () => {
    // Each waits for the one before: every repeat attaches to a stored incident (the counts are carried on).
    const text = (n: number) => `На Вокзальной 9 в Шире второй день нет света в подъезде, лифт стоит (${n})`;
    const posts = [
      { name: 'Пётр', contact: '+7 913 555-01-01' }, { name: 'Пётр', contact: '+7 913 555-01-01' },
      { name: 'Лидия', contact: '+7 913 555-02-02' }, { name: 'Лидия', contact: '+7 913 555-02-02' }, { name: 'Борис', contact: '+7 913 555-03-03' },
    ];
    const counts: [number, number][] = [];
    let incidentId: string | null = null;
    for (const [n, who] of posts.entries()) {
      const res = await app.post('/api/comments', { text: text(n), ...who });
      const m = await waitFor(() => app.db.messages.get(res.body.id), (x) => x?.status === 'incident' || x?.status === 'attached', { what: `message ${n}` });
      incidentId ??= m!.incidentId;
      expect(m!.incidentId).toBe(incidentId);
      const i = await app.db.incidents.get(incidentId!);
      counts.push([i!.messagesCount, i!.authorsCount]);
    }
    expect(counts).toEqual([[1, 1], [2, 1], [3, 2], [4, 2], [5, 3]]);
    expect((await app.db.incidents.get(incidentId!))!.resonant).toBe(true);
  });

  it('stores a non-complaint as searchable but opens no incident (thanks are recorded as such)', async () => {
    const res = await app.post('/api/comments', { text: 'Доброе утро, друзья! Хорошего всем дня' });
    const msg = await waitFor(() => app.db.messages.get(res.body.id), (m) => m?.status !== 'received');
    expect(msg!.status).toBe('not_complaint');
    expect(await app.db.incidents.byMessage(res.body.id)).toBeNull();
    const thanks = await app.post('/api/comments', { text: 'Спасибо большое коммунальщикам, вчера всё починили, вода есть!' });
    const t = await waitFor(() => app.db.messages.get(thanks.body.id), (m) => m?.status !== 'received');
    expect(t!.status).toBe('gratitude');
    expect(await app.db.incidents.byMessage(thanks.body.id)).toBeNull();
  });

  it('answers bad input with a clear 4xx and stores nothing', async () => {
    const before = await app.db.messages.countByStatus();
    expect((await app.post('/api/comments', { text: '' })).status).toBe(400);
    expect((await app.post('/api/comments', { text: 'x'.repeat(10_001) })).body.error).toBe('Некорректное обращение');
    expect((await app.post('/api/comments', '{"text": "нет воды",')).status).toBe(400);
    expect((await app.post('/api/comments', { text: 'нет воды в доме', unknown: 1 })).status).toBe(400);
    const huge = await app.post('/api/comments', { text: 'a'.repeat(70_000) });
    expect(huge.status).toBe(413);
    expect(await app.db.messages.countByStatus()).toEqual(before);
  });

  it('lists incidents with their reasons to a signed-in official, reports health and metrics', async () => {
    expect((await app.get('/api/incidents?status=assigned')).status).toBe(401);
    const list = await getAs(app, await signIn(app, 'khakassia-duty'), '/api/incidents?status=assigned');
    expect(list.status).toBe(200);
    expect(list.body.incidents.length).toBeGreaterThanOrEqual(2);
    expect(list.body.incidents[0].reasons.complaint.length).toBeGreaterThan(0);
    const health = await app.get('/healthz');
    expect(health.body).toEqual({ status: 'ok', database: 'ok', redis: 'ok' });
    const metrics = await app.get('/metrics');
    expect(metrics.text).toMatch(/otklik_incidents\{status="assigned"\} [1-9]/);
    expect(metrics.text).toMatch(/otklik_queue_jobs\{queue="detect",state="completed"\} [1-9]/);
    expect(metrics.text).toMatch(/otklik_stage_duration_seconds_count\{stage="detect",result="done"\}/);
  });
});

describe.each(DB_KINDS)('deduplication of complaints that arrive in one batch (%s)', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    // No pipeline workers: the test runs the stages itself, all jobs of a stage at once, as a busy worker would.
    app = await startTestApp(kind, { roles: ['api'] });
  });
  afterAll(async () => app.stop());

  it('attaches a repeat to an incident opened earlier in the same batch, and keeps other places apart', async () => {
    const texts = [
      ...Array.from({ length: 6 }, (_, i) => `Нет горячей воды на Вокзальной 9 в Абазе, третий день без воды, дети не мытые (${i})`),
      'Нет горячей воды на Вокзальной 9 в Сорске, третий день без воды',
    ];
    const posted = await Promise.all(texts.map((text, i) => app.post('/api/comments', { text, name: `Соседка ${i}` })));
    const ids = posted.map((r) => r.body.id as string);
    await Promise.all(ids.map((messageId) => detect.handle({ messageId }, app.deps)));
    const results = await Promise.all(ids.map((messageId) => dedupe.handle({ messageId }, app.deps)));
    expect(results).toEqual(Array(7).fill('done'));
    const messages = await Promise.all(ids.map((id) => app.db.messages.get(id)));
    expect(messages.map((m) => m!.status)).toEqual(['incident', 'attached', 'attached', 'attached', 'attached', 'attached', 'incident']);
    expect(new Set(messages.slice(0, 6).map((m) => m!.incidentId)).size).toBe(1);
    expect(messages[6]!.incidentId).not.toBe(messages[0]!.incidentId);
    expect(await app.db.incidents.get(messages[0]!.incidentId!)).toMatchObject({ messagesCount: 6, authorsCount: 6, resonant: true });
    // Run again (a redelivered job): nothing changes.
    expect(await Promise.all(ids.map((messageId) => dedupe.handle({ messageId }, app.deps)))).toEqual(Array(7).fill('skipped'));
  });
});

describe.each(['inline', 'queue'] as const)('stages handing an item over (HANDOFF=%s)', (handoff) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('pg', { roles: ['api', 'pipeline'], env: { HANDOFF: handoff, RECONCILE_AFTER_MINUTES: '60' } });
  });
  afterAll(async () => app.stop());

  /** 1 when the stage's queue holds a job for the item (by its deterministic id), else 0. */
  const jobsOf = async <N extends QueueName>(name: N, data: JobData[N]) => ((await app.queues.queue(name).getJob(jobId(name, data))) ? 1 : 0);

  it('brings a complaint to its card through a queue per stage, or in one job when this process runs them all', async () => {
    const res = await app.post('/api/comments', { text: 'Не вывозят мусор на Мира 14 в Черногорске уже неделю, баки переполнены', name: 'Инна' });
    const messageId = res.body.id as string;
    const incident = await waitFor(() => app.db.incidents.byMessage(messageId), (i) => i?.status === 'assigned', { what: 'assigned incident' });
    await waitFor(() => app.db.notifications.get(incident!.id, incident!.officialId!, 'card'), (n) => n !== null, { what: 'the card' });
    expect(await jobsOf('detect', { messageId })).toBe(1);
    const perStage = [await jobsOf('dedupe', { messageId }), await jobsOf('classify', { incidentId: incident!.id }), await jobsOf('assign', { incidentId: incident!.id })];
    expect(perStage).toEqual(handoff === 'inline' ? [0, 0, 0] : [1, 1, 1]);
    const events = await app.db.incidents.events(incident!.id);
    expect(events.map((e) => e.kind).slice(0, 3)).toEqual(['incident.opened', 'incident.classified', 'incident.assigned']);
  });

  it('retries a stage that failed after the handover in its own queue, and settles the complaint once', async () => {
    // The first two attempts to store a classification fail (the batch, then the call alone), as in an outage.
    const undo = await failFirstWrites(app.db, 'fail_classified', 'incidents', 'UPDATE', "NEW.status = 'classified'");
    try {
      const res = await app.post('/api/comments', { text: 'Яма на дороге на Кирова 3 в Саяногорске, пробил колесо, когда заделают?', name: 'Олег' });
      const messageId = res.body.id as string;
      const incident = await waitFor(() => app.db.incidents.byMessage(messageId), (i) => i?.status === 'assigned', { what: 'assigned incident' });
      // (with hand-off in place, the job assigns before it completes)
      const classifyJob = await waitFor(() => app.queues.queue('classify').getJob(jobId('classify', { incidentId: incident!.id })), (j) => j?.finishedOn !== undefined, {
        what: 'the classify job to complete',
      });
      // In place, the failure sent the item to the classify queue; there, and with a queue per stage, the job retried.
      expect(classifyJob!.attemptsMade).toBeGreaterThanOrEqual(handoff === 'inline' ? 1 : 2);
      await waitFor(() => app.db.notifications.get(incident!.id, incident!.officialId!, 'card'), (n) => n !== null, { what: 'the card' });
      const events = await app.db.incidents.events(incident!.id);
      expect(events.filter((e) => e.kind === 'incident.classified')).toHaveLength(1);
      expect(events.filter((e) => e.kind === 'incident.assigned')).toHaveLength(1);
      expect((await app.db.messages.get(messageId))?.status).toBe('incident');
    } finally {
      await undo();
    }
  }, 30_000);

  it('takes a burst of messages as bundle jobs; an item that fails in one is retried alone, the rest go on', async () => {
    // Both tries to store one message's detection fail (the batch's statement, then the item alone).
    const undo = await failFirstWrites(app.db, `fail_bundled_${handoff}`, 'messages', 'UPDATE', `NEW.status = 'complaint' AND NEW.external_id = 'bundle-${handoff}-5'`);
    try {
      const raws = Array.from({ length: 12 }, (_, i) =>
        rawMessage({ externalId: `bundle-${handoff}-${i}`, text: `${PROBLEMS[i % PROBLEMS.length]} в ${PLACES[i % PLACES.length]}, ул. Мира ${i + 1}, примите меры`, author: { platformId: `b${i}`, displayName: null, profileUrl: null } }),
      );
      const ids = (await Promise.all(raws.map((m) => ingestMessage(app.deps, m)))).map((x) => x.messageId);
      const settled = await waitFor(
        () => Promise.all(ids.map((id) => app.db.messages.get(id))),
        (ms) => ms.every((m) => m?.status === 'incident' || m?.status === 'attached'),
        { what: 'the burst settled' },
      );
      // Twelve adds in one round trip: two jobs, of ten and two.
      const detectJobs = await app.queues.queue('detect').getJobs(['completed', 'failed', 'active', 'waiting', 'delayed']);
      const carried = (j: (typeof detectJobs)[number]): string[] => (Array.isArray(j.data.bundle) ? j.data.bundle.map((x: { messageId: string }) => x.messageId) : []);
      const bundles = detectJobs.filter((j) => carried(j).some((id) => ids.includes(id)));
      expect(bundles.map((j) => carried(j).length).sort((a, b) => a - b)).toEqual([2, BUNDLE_MAX]);
      expect(bundles.flatMap(carried).sort()).toEqual([...ids].sort());
      // (a job completes once what it carries in place is done: a moment after the messages settle)
      for (const bundle of bundles) await waitFor(() => bundle.getState(), (state) => state === 'completed', { what: 'the bundle jobs to complete' });
      // The failing one went to the queue by itself and succeeded there; nobody else was run twice.
      const alone = await app.queues.queue('detect').getJob(jobId('detect', { messageId: ids[5] }));
      await waitFor(() => alone!.getState(), (state) => state === 'completed', { what: 'its own job to complete' });
      const incidents = new Set(settled.map((m) => m!.incidentId));
      const opened = await Promise.all([...incidents].map((id) => app.db.incidents.events(id!)));
      for (const events of opened) expect(events.filter((e) => e.kind === 'incident.opened')).toHaveLength(1);
      const counted = await Promise.all([...incidents].map((id) => app.db.incidents.get(id!)));
      expect(counted.reduce((n, i) => n + i!.messagesCount, 0)).toBe(ids.length);
    } finally {
      await undo();
    }
  }, 30_000);
});

describe('a stage run again after its item moved on (a crash cut the hand-over short)', () => {
  let app: TestApp;
  beforeAll(async () => {
    // No pipeline workers: the test runs each stage itself, and what it hands over waits in the queues.
    app = await startTestApp('pg', { roles: ['api'] });
  });
  afterAll(async () => app.stop());

  it('passes the item on again at once, so a redelivered job resumes the chain without waiting for reconcile', async () => {
    const res = await app.post('/api/comments', { text: 'На Гагарина 17 в Абакане третий день нет холодной воды, никто не отвечает', name: 'Зоя' });
    const messageId = res.body.id as string;
    /** Runs `stage` for its item, then loses the job it handed over (as a crash before the add would). */
    const runAndLose = async (run: () => Promise<unknown>, next: QueueName, data: JobData[QueueName]) => {
      await run();
      const job = await app.queues.queue(next).getJob(jobId(next, data));
      expect(job).toBeDefined();
      await job!.remove();
    };
    const again = async (run: () => Promise<unknown>, next: QueueName, data: JobData[QueueName]) => {
      expect(await run()).toBe('skipped');
      expect(await app.queues.queue(next).getJob(jobId(next, data))).toBeDefined();
    };

    await runAndLose(() => detect.handle({ messageId }, app.deps), 'dedupe', { messageId });
    await again(() => detect.handle({ messageId }, app.deps), 'dedupe', { messageId });

    await dedupe.handle({ messageId }, app.deps);
    const incidentId = (await app.db.messages.get(messageId))!.incidentId!;
    await (await app.queues.queue('classify').getJob(jobId('classify', { incidentId })))!.remove();
    await again(() => dedupe.handle({ messageId }, app.deps), 'classify', { incidentId });

    await runAndLose(() => classify.handle({ incidentId }, app.deps), 'assign', { incidentId });
    await again(() => classify.handle({ incidentId }, app.deps), 'assign', { incidentId });

    await assign.handle({ incidentId }, app.deps);
    const card = { incidentId, officialId: (await app.db.incidents.get(incidentId))!.officialId!, kind: 'card' as const };
    await (await app.queues.queue('notify').getJob(jobId('notify', card)))!.remove();
    await again(() => assign.handle({ incidentId }, app.deps), 'notify', card);
    // Run yet again from the start: nothing new happens, and still one incident.
    await again(() => detect.handle({ messageId }, app.deps), 'dedupe', { messageId });
    expect((await app.db.incidents.events(incidentId)).filter((e) => e.kind === 'incident.assigned')).toHaveLength(1);
  });

  it('assigns an incident once when a redelivered job and its retry share a batch', async () => {
    const res = await app.post('/api/comments', { text: 'В Черногорске на Космонавтов 21 прорвало трубу в подвале, заливает', name: 'Лев' });
    const messageId = res.body.id as string;
    await detect.handle({ messageId }, app.deps);
    await dedupe.handle({ messageId }, app.deps);
    const incidentId = (await app.db.messages.get(messageId))!.incidentId!;
    await classify.handle({ incidentId }, app.deps);
    // Both calls reach the database in one round trip (src/lib/batch.ts).
    const results = await Promise.all([assign.handle({ incidentId }, app.deps), assign.handle({ incidentId }, app.deps)]);
    expect(results.sort()).toEqual(['done', 'skipped']);
    const rows = await app.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM assignments WHERE incident_id = $1', [incidentId]);
    expect(rows.rows[0].n).toBe(1);
    expect((await app.db.incidents.events(incidentId)).filter((e) => e.kind === 'incident.assigned')).toHaveLength(1);
  });
});

describe('two notify jobs for one card at once (reconcile re-added it while the first still waited)', () => {
  const sends: string[] = [];
  // Telegram takes a moment to answer: the second job asks for the record while the first is still sending.
  const slow: Notifier = {
    async send(n) {
      sends.push(n.incident.id);
      await new Promise((r) => setTimeout(r, 100));
      return { chatId: n.official.telegramId ?? '0', messageId: String(sends.length) };
    },
  };
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('pg', { roles: ['api', 'pipeline'], notifier: slow });
  });
  afterAll(async () => app.stop());

  it('sends it once in this process: the second waits for the first and finds its record', async () => {
    const res = await app.post('/api/comments', { text: 'На Пушкина 3 в Сорске прорвало трубу в подъезде, течёт с потолка', name: 'Нина' });
    const incident = await waitFor(() => app.db.incidents.byMessage(res.body.id), (i) => i?.status === 'assigned', { what: 'assigned incident' });
    await waitFor(() => app.db.notifications.get(incident!.id, incident!.officialId!, 'card'), (n) => n !== null, { what: 'the card' });
    expect(sends.filter((id) => id === incident!.id)).toHaveLength(1);
    // The record gone (as if not written yet), two jobs for the card run together.
    await app.db.sql.query('DELETE FROM notifications WHERE incident_id = $1', [incident!.id]);
    const data = { incidentId: incident!.id, officialId: incident!.officialId!, kind: 'card' as const };
    expect((await Promise.all([notify.handle(data, app.deps), notify.handle(data, app.deps)])).sort()).toEqual(['done', 'skipped']);
    expect(sends.filter((id) => id === incident!.id)).toHaveLength(2);
  });
});
