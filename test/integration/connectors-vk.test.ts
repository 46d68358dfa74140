/**
 * VK connectors through the real app (real Redis, a fresh PostgreSQL database or PGlite) and the real vk-io
 * against the VK emulator: Callback API, Bots Long Poll, wall/search polling with cursors, replies back out.
 * jest runs with --experimental-vm-modules (vk-io imports node-fetch dynamically; ./scripts/test sets it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createAnalyzer } from '../../classifiers';
import { seedRegion, startApp, type App } from '../../src/app';
import type { Role } from '../../src/config';
import { DEMO_OFFICIALS_FILE } from '../../src/demo/feed';
import { importData, importFile, parseImportFile } from '../../src/import';
import { startFakeVk, type FakeVk } from '../emulators/vk';
import { DB_KINDS } from '../helpers/db';
import { freshPgDatabase, testConfig, waitFor } from '../helpers/env';

const GROUP = 1000001;
const OWNER = -GROUP;
const PUBLIC = -555; // a watched city public
const SECRET = 's3cr3t';
const COMPLAINT = 'Третий день нет горячей воды в Абакане на Пушкина 45, в управляющую компанию не дозвониться!';

const fixtureEvents: { type: string; object: Record<string, unknown>; expect: { externalId?: string } | null }[] = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../fixtures/vk/events.json'), 'utf8'),
);

const vkEnv = (vk: FakeVk): Record<string, string> => ({
  VK_API_URL: vk.url,
  VK_GROUP_TOKEN: vk.groupToken,
  VK_GROUP_ID: String(GROUP),
  VK_SERVICE_TOKEN: vk.serviceToken,
  VK_CALLBACK_SECRET: SECRET,
  VK_CALLBACK_CONFIRMATION: 'conf-123',
});

/** The app on a given database (so a test can restart it on the same data). */
async function boot(dbUrl: string | undefined, env: Record<string, string>, roles: Role[] = ['api', 'pipeline', 'connectors']): Promise<App> {
  const cfg = testConfig({ ...(dbUrl ? { DATABASE_URL: dbUrl } : {}), ...env }, roles);
  const app = await startApp(cfg, { lockDurationMs: 5000 });
  await seedRegion(app.db, createAnalyzer(cfg.REGION).region);
  await importFile(app.db, DEMO_OFFICIALS_FILE);
  return app;
}

const SOURCES_YAML = `
sources:
  - id: vk-region
    platform: vk
    kind: wall
    external_id: ${OWNER}
    name: Правительство (своё сообщество)
    municipality: abakan
  - id: vk-podslushano
    platform: vk
    kind: wall
    external_id: ${PUBLIC}
    name: Подслушано Абакан
    municipality: abakan
    settings: { posts: 5 }
  - id: vk-search-water
    platform: vk
    kind: search
    external_id: q-water
    settings: { q: "нет воды" }
`;

let pollSeq = 0;
/** Enqueues one poll of a source through the `ingest` stage and waits for the job to finish. */
async function pollOnce(app: App, sourceId: string): Promise<{ state: string; attemptsMade: number }> {
  const id = await app.queues.enqueue('ingest', { sourceId }, { suffix: `t${++pollSeq}` });
  const q = app.queues.queue('ingest');
  const state = await waitFor(
    async () => ((await q.getJob(id)) ? await (await q.getJob(id))!.getState() : 'missing'),
    (s) => s === 'completed' || s === 'failed',
    { timeoutMs: 40_000, what: `poll of ${sourceId}` },
  );
  const job = await q.getJob(id);
  return { state, attemptsMade: job?.attemptsMade ?? -1 };
}

const vkCount = async (app: App) =>
  (await app.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE platform = 'vk'")).rows[0].n;
const post = async (url: string, body: unknown) => {
  const r = await fetch(`${url}/webhooks/vk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, text: await r.text() };
};

describe.each(DB_KINDS)('VK Callback API at /webhooks/vk (%s)', (kind) => {
  let vk: FakeVk;
  let app: App;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    vk = await startFakeVk({ group: { id: GROUP }, autoEvents: false });
    const fresh = kind === 'pg' ? await freshPgDatabase() : null;
    drop = fresh?.drop;
    app = await boot(fresh?.url, vkEnv(vk), ['api', 'pipeline']);
  });
  afterAll(async () => {
    await app.stop();
    await drop?.();
    await vk.stop();
  });

  it('answers the confirmation handshake; a wrong secret gets 403 and a malformed body 400, storing nothing', async () => {
    expect(await post(app.url!, vk.callbackEvent('confirmation', undefined, { secret: SECRET }))).toEqual({ status: 200, text: 'conf-123' });
    const object = fixtureEvents[2].object;
    expect((await post(app.url!, vk.callbackEvent('wall_reply_new', object, { secret: 'wrong' }))).status).toBe(403);
    expect((await post(app.url!, vk.callbackEvent('wall_reply_new', object))).status).toBe(403);
    expect((await post(app.url!, vk.callbackEvent('confirmation', undefined, { secret: 'wrong' }))).status).toBe(403);
    expect((await post(app.url!, vk.callbackEvent('wall_reply_new', object, { secret: SECRET, groupId: 42 }))).status).toBe(403);
    expect((await post(app.url!, '{"type": "wall_reply_new", "object":')).status).toBe(400);
    expect((await post(app.url!, [1, 2])).status).toBe(400);
    expect((await post(app.url!, { type: 'wall_reply_new', group_id: GROUP, secret: SECRET, object })).status).toBe(400); // no event_id
    expect((await post(app.url!, { ...vk.callbackEvent('wall_reply_new', object, { secret: SECRET }), object: 'x' })).status).toBe(400);
    expect(await vkCount(app)).toBe(0);
  });

  it('brings every event type to ingest once: a repeated delivery and a re-sent object make no duplicates; our own reply is not a complaint', async () => {
    for (const e of fixtureEvents) {
      const body = vk.callbackEvent(e.type, e.object, { secret: SECRET });
      expect(await post(app.url!, body)).toEqual({ status: 200, text: 'ok' });
      expect(await post(app.url!, body)).toEqual({ status: 200, text: 'ok' }); // VK's redelivery of the same event_id
    }
    const expected = [...new Set(fixtureEvents.filter((e) => e.expect?.externalId).map((e) => e.expect!.externalId!))];
    expect(expected).toHaveLength(7); // post, root comment, thread reply, message, board, photo, video (the edit updates one)
    for (const id of expected) expect(await app.db.messages.byExternalId('vk', id)).not.toBeNull();
    expect(await vkCount(app)).toBe(7);
    // the same object again under a new event_id (VK re-sent it): still one message
    expect(await post(app.url!, vk.callbackEvent('wall_reply_new', fixtureEvents[2].object, { secret: SECRET }))).toEqual({ status: 200, text: 'ok' });
    expect(await vkCount(app)).toBe(7);
    // the edit arrived after the comment: stored text is the edited one
    expect((await app.db.messages.byExternalId('vk', 'wall-1000001_310_320'))!.text).toBe('Яма на Пушкина 45 стала ещё больше');
    // our own reply echoed back: nothing stored
    expect(await app.db.messages.byExternalId('vk', 'wall-1000001_310_322')).toBeNull();
    const seen = await app.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_events WHERE platform = 'vk'");
    expect(seen.rows[0].n).toBe(fixtureEvents.length + 1);
  });
});

describe('VK Bots Long Poll, wall and search polling, replies (pg)', () => {
  let vk: FakeVk;
  let app: App;
  let db: { url: string; drop: () => Promise<void> };
  let rootComment: number;
  let wallPost: number;

  beforeAll(async () => {
    vk = await startFakeVk({ group: { id: GROUP, name: 'Правительство Республики Хакасия' }, users: [{ id: 42, first_name: 'Ольга', last_name: 'Иванова' }] });
    db = await freshPgDatabase();
    app = await boot(db.url, vkEnv(vk));
    await importData(app.db, parseImportFile(SOURCES_YAML));
    await vk.waitForLongPollCheck(1);
  });
  afterAll(async () => {
    await vk.waitForParkedLongPoll().catch(() => undefined);
    await app.stop();
    await vk.stop();
    await db.drop();
  });

  it('long poll: wall posts, comments, messages, board, photo and video comments reach ingest', async () => {
    wallPost = vk.addPost(OWNER, { text: 'Отключения горячей воды: график' }).id;
    const suggested = vk.addPost(OWNER, { from_id: 42, post_type: 'suggest', text: 'Предлагаю новость: в Абакане нет воды' }).id;
    rootComment = vk.addComment(OWNER, wallPost, { from_id: 42, text: COMPLAINT }).id;
    vk.pushLongPollEvent('message_new', { message: { id: 0, conversation_message_id: 3, date: 1_700_000_000, peer_id: 42, from_id: 42, text: 'Когда дадут отопление в Черногорске?', out: 0 } });
    vk.pushLongPollEvent('board_post_new', { id: 5, from_id: 44, date: 1_700_000_000, text: 'Освещение на Щетинкина', topic_id: 12, topic_owner_id: OWNER });
    vk.pushLongPollEvent('photo_comment_new', { id: 7, from_id: 45, date: 1_700_000_000, text: 'Остановка без крыши', photo_id: 456, photo_owner_id: OWNER });
    vk.pushLongPollEvent('video_comment_new', { id: 8, from_id: 46, date: 1_700_000_000, text: 'Где ремонт?', video_id: 789, video_owner_id: OWNER });
    const ids = [`wall${OWNER}_${suggested}`, `wall${OWNER}_${wallPost}_${rootComment}`, 'msg42_3', `topic${OWNER}_12_5`, `photo${OWNER}_456_7`, `video${OWNER}_789_8`];
    for (const id of ids) await waitFor(() => app.db.messages.byExternalId('vk', id), (m) => m !== null, { what: id });
    // the community's own post is ours, not a source message; the source's municipality is the hint
    expect(await app.db.messages.byExternalId('vk', `wall${OWNER}_${wallPost}`)).toBeNull();
    const m = await app.db.messages.byExternalId('vk', `wall${OWNER}_${wallPost}_${rootComment}`);
    expect(m).toMatchObject({ sourceId: 'vk-region', permalink: `https://vk.com/wall${OWNER}_${wallPost}?reply=${rootComment}`, replyTarget: { chatId: String(OWNER), postId: String(wallPost), commentId: String(rootComment), kind: 'wall' } });
  });

  it('publishes an approved reply under the right comment as the community; the echo is not ingested', async () => {
    const m = (await app.db.messages.byExternalId('vk', `wall${OWNER}_${wallPost}_${rootComment}`))!;
    const incident = await waitFor(() => app.db.incidents.byMessage(m.id), (i) => i?.status === 'assigned', { what: 'assigned incident' });
    const replyId = await app.db.replies.create({ incidentId: incident!.id, templateId: null, stage: null, text: 'Здравствуйте! Передали в управляющую компанию.', draftedBy: 'khakassia-press', approvedBy: 'khakassia-press' }, new Date());
    vk.failNext('wall.createComment', { errorCode: 9 }); // flood control: Transient, the publish job retries
    await app.queues.enqueue('publish', { replyId });
    const reply = await waitFor(() => app.db.replies.get(replyId), (r) => r?.status === 'published', { timeoutMs: 30_000, what: 'published reply' });
    expect(vk.createdComments).toHaveLength(1);
    const created = vk.createdComments[0];
    expect(created).toMatchObject({ owner_id: OWNER, post_id: wallPost, reply_to_comment: rootComment, from_id: OWNER, parents_stack: [rootComment] });
    expect(reply!.externalId).toBe(`wall${OWNER}_${wallPost}_${created.id}`);
    const calls = vk.calls.filter((c) => c.method === 'wall.createComment');
    expect(calls).toHaveLength(2);
    expect(calls[1].params).toMatchObject({ from_group: String(GROUP), reply_to_comment: String(rootComment), guid: `reply-${replyId}` });
    expect(calls[1].token).toBe(vk.groupToken);
    // the echo (wall_reply_new from -GROUP) came through the long poll before this next citizen comment
    const next = vk.addComment(OWNER, wallPost, { from_id: 43, text: 'И у нас в доме тоже нет воды' });
    await waitFor(() => app.db.messages.byExternalId('vk', `wall${OWNER}_${wallPost}_${next.id}`), (x) => x !== null);
    expect(vk.events.some((e) => e.type === 'wall_reply_new' && e.object.id === created.id)).toBe(true);
    expect(await app.db.messages.byExternalId('vk', `wall${OWNER}_${wallPost}_${created.id}`)).toBeNull();
  });

  it('publishes a private message reply idempotently (random_id from the reply key)', async () => {
    const m = (await app.db.messages.byExternalId('vk', 'msg42_3'))!;
    const a = await app.deps.publisher.publish(m.replyTarget!, 'Ответ в личные сообщения', 'reply-pm-1');
    const b = await app.deps.publisher.publish(m.replyTarget!, 'Ответ в личные сообщения', 'reply-pm-1');
    expect(b.externalId).toBe(a.externalId);
    expect(vk.sentMessages).toHaveLength(1);
    expect(vk.sentMessages[0]).toMatchObject({ peer_id: 42, message: 'Ответ в личные сообщения', from_group: GROUP });
  });

  it('wall polling reads posts, comments and thread replies once; a re-poll reads nothing twice', async () => {
    const p1 = vk.addPost(PUBLIC, { from_id: PUBLIC, text: 'Подслушано: в Абакане на Пушкина прорвало трубу' }).id;
    const c1 = vk.addComment(PUBLIC, p1, { from_id: 42, text: 'Да, воды нет с утра' }).id;
    const c2 = vk.addComment(PUBLIC, p1, { from_id: 43, text: 'Подтверждаю', reply_to_comment: c1 }).id;
    vk.addComment(PUBLIC, p1, { from_id: -555, text: 'Админ: передали в водоканал' });
    expect(await pollOnce(app, 'vk-podslushano')).toMatchObject({ state: 'completed' });
    for (const id of [`wall${PUBLIC}_${p1}`, `wall${PUBLIC}_${p1}_${c1}`, `wall${PUBLIC}_${p1}_${c2}`]) {
      expect(await app.db.messages.byExternalId('vk', id)).toMatchObject({ sourceId: 'vk-podslushano' });
    }
    expect((await app.db.messages.byExternalId('vk', `wall${PUBLIC}_${p1}_${c1}`))!.authorName).toBe('Ольга Иванова');
    const before = await vkCount(app);
    const cursor = (await app.db.sources.get('vk-podslushano'))!.cursor;
    expect(cursor).toEqual({ lastPostId: p1, posts: { [String(p1)]: c2 + 1 } });
    expect(await pollOnce(app, 'vk-podslushano')).toMatchObject({ state: 'completed' });
    expect(await vkCount(app)).toBe(before);
    expect((await app.db.sources.get('vk-podslushano'))!.cursor).toEqual(cursor);
  });

  it('retries rate limits (6 inside vk-io, 9 by the job) and 5xx answers; a refused wall fails the job at once', async () => {
    const p = vk.addPost(PUBLIC, { text: 'Новый пост: нет воды в Абакане' }).id;
    const c = vk.addComment(PUBLIC, p, { from_id: 44, text: 'И отопления нет' }).id;
    vk.failNext('wall.getComments', { errorCode: 6 }, 2);
    vk.failNext('wall.get', { httpStatus: 502 });
    let before = vk.calls.length;
    expect(await pollOnce(app, 'vk-podslushano')).toMatchObject({ state: 'completed' });
    expect(vk.calls.slice(before).filter((x) => x.method === 'wall.get')).toHaveLength(2); // 502, then vk-io's own retry
    expect(await app.db.messages.byExternalId('vk', `wall${PUBLIC}_${p}_${c}`)).not.toBeNull();

    const c3 = vk.addComment(PUBLIC, p, { from_id: 45, text: 'Уже неделю' }).id;
    vk.failNext('wall.get', { errorCode: 9 });
    before = vk.calls.length;
    const r = await pollOnce(app, 'vk-podslushano');
    expect(r).toMatchObject({ state: 'completed', attemptsMade: 2 }); // the first attempt failed with TransientError
    expect(vk.calls.slice(before).filter((x) => x.method === 'wall.get').length).toBeGreaterThanOrEqual(2);
    expect(await app.db.messages.byExternalId('vk', `wall${PUBLIC}_${p}_${c3}`)).not.toBeNull();

    vk.failNext('wall.get', { errorCode: 15 }); // access denied: retrying cannot help
    expect(await pollOnce(app, 'vk-podslushano')).toMatchObject({ state: 'failed', attemptsMade: 1 });
  });

  it('keyword search reads matching posts once across polls', async () => {
    const a = vk.addPost(-777, { from_id: 77, text: 'В Черногорске нет воды второй день' }).id;
    vk.addPost(-777, { from_id: 78, text: 'Продам гараж' });
    expect(await pollOnce(app, 'vk-search-water')).toMatchObject({ state: 'completed' });
    expect(await app.db.messages.byExternalId('vk', `wall-777_${a}`)).toMatchObject({ sourceId: 'vk-search-water' });
    const before = await vkCount(app);
    expect(await pollOnce(app, 'vk-search-water')).toMatchObject({ state: 'completed' });
    expect(await vkCount(app)).toBe(before);
    const b = vk.addPost(-777, { from_id: 79, text: 'Снова нет воды на Советской' }).id;
    expect(await pollOnce(app, 'vk-search-water')).toMatchObject({ state: 'completed' });
    expect(await app.db.messages.byExternalId('vk', `wall-777_${b}`)).not.toBeNull();
    expect(await vkCount(app)).toBe(before + 1);
    const search = vk.calls.filter((x) => x.method === 'newsfeed.search');
    expect(search.every((x) => x.token === vk.serviceToken && x.params.q === 'нет воды')).toBe(true);
  });

  it('a connector restarted mid-stream resumes from its cursors: events missed by the long poll come in by the wall poll', async () => {
    expect(await pollOnce(app, 'vk-region')).toMatchObject({ state: 'completed' });
    expect(await pollOnce(app, 'vk-podslushano')).toMatchObject({ state: 'completed' });
    const before = await vkCount(app);
    await vk.waitForParkedLongPoll();
    await app.stop();

    // while we are down: a comment on our wall (its long-poll event goes unheard) and one on the public
    const missed = vk.addComment(OWNER, wallPost, { from_id: 47, text: 'Пока вы спали: мусор не вывозят' }).id;
    const pub = vk.addPost(PUBLIC, { text: 'Ещё пост' }).id;
    const pubComment = vk.addComment(PUBLIC, pub, { from_id: 48, text: 'Свет отключили' }).id;

    app = await boot(db.url, vkEnv(vk));
    await vk.waitForParkedLongPoll();
    expect(await app.db.messages.byExternalId('vk', `wall${OWNER}_${wallPost}_${missed}`)).toBeNull(); // vk-io started from a fresh ts
    expect(await pollOnce(app, 'vk-region')).toMatchObject({ state: 'completed' });
    expect(await pollOnce(app, 'vk-podslushano')).toMatchObject({ state: 'completed' });
    for (const id of [`wall${OWNER}_${wallPost}_${missed}`, `wall${PUBLIC}_${pub}`, `wall${PUBLIC}_${pub}_${pubComment}`]) {
      expect(await app.db.messages.byExternalId('vk', id)).not.toBeNull();
    }
    expect(await vkCount(app)).toBe(before + 3);
    // and the stream is live again
    const live = vk.addComment(OWNER, wallPost, { from_id: 49, text: 'После перезапуска' }).id;
    await waitFor(() => app.db.messages.byExternalId('vk', `wall${OWNER}_${wallPost}_${live}`), (x) => x !== null);
  });

  it('schedules a poll per watched source in the ingest role', async () => {
    const ingest = await boot(db.url, vkEnv(vk), ['ingest']);
    try {
      const schedulers = await ingest.queues.queue('ingest').getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual(['poll-vk-podslushano', 'poll-vk-region', 'poll-vk-search-water']);
      expect(schedulers.every((s) => Number(s.every) === 120_000)).toBe(true);
    } finally {
      await ingest.queues.queue('ingest').obliterate({ force: true });
      await ingest.stop();
    }
  });
});
