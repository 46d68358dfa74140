/**
 * Proves the VK emulator against the real vk-io 4.10.1 client (no mocks): API envelopes, token
 * kinds, failure injection as vk-io experiences it, Bots Long Poll with `failed` recovery, and
 * Callback API bodies accepted by vk-io's own webhook handler.
 *
 * vk-io loads node-fetch through a dynamic `import()`, so jest must run with
 * `NODE_OPTIONS=--experimental-vm-modules` (scripts/test sets it).
 */
import * as http from 'node:http';
import type * as https from 'node:https';
import { API, APIError, Updates, Upload, type CommentContext } from 'vk-io';
import { startFakeVk, type FakeVk, type VkComment } from './vk';

const vmModules = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`.includes('--experimental-vm-modules');
if (!vmModules) {
  throw new Error('vk-io loads node-fetch with import(): run jest with NODE_OPTIONS=--experimental-vm-modules (./scripts/test does)');
}

/** vk-io types `agent` as an https.Agent, but an `http://` base needs a plain http.Agent at run time. */
const plainAgent = (): https.Agent => new http.Agent() as unknown as https.Agent;

/** vk-io against the emulator: `apiBaseUrl` + a plain-HTTP agent; a short `apiWait` keeps retries fast. */
function vkApi(vk: FakeVk, token: string, extra: Partial<ConstructorParameters<typeof API>[0]> = {}): API {
  return new API({ token, apiBaseUrl: vk.url, agent: plainAgent(), apiLimit: 20, apiWait: 50, ...extra });
}

describe('FakeVk with vk-io API', () => {
  let vk: FakeVk;
  const GROUP = 1000001;
  const OWNER = -GROUP;
  let postId: number;
  let root: VkComment;

  beforeAll(async () => {
    vk = await startFakeVk({ group: { id: GROUP, name: 'Администрация' }, autoEvents: false, users: [{ id: 42, first_name: 'Иван', last_name: 'Петров' }] });
    postId = vk.addPost(OWNER, { text: 'Ремонт дорог 2025', date: 1_700_000_000 }).id;
    root = vk.addComment(OWNER, postId, { from_id: 42, text: 'Яма на ул. Ленина', date: 1_700_000_100 });
    vk.addComment(OWNER, postId, { from_id: 43, text: 'Подтверждаю', reply_to_comment: root.id, date: 1_700_000_200 });
    vk.addComment(OWNER, postId, { from_id: 44, text: 'Нет света', date: 1_700_000_300 });
  });
  afterAll(async () => {
    await vk.stop();
  });

  it('serves wall.getComments in the VK envelope, with threads and extended profiles', async () => {
    const api = vkApi(vk, vk.serviceToken);
    const res = await api.wall.getComments({ owner_id: OWNER, post_id: postId, count: 100, extended: 1, thread_items_count: 10 });
    expect(res.count).toBe(3);
    expect(res.current_level_count).toBe(2);
    expect(res.items.map((c) => c.text)).toEqual(['Яма на ул. Ленина', 'Нет света']);
    const first = res.items[0];
    expect(first).toMatchObject({ id: root.id, from_id: 42, post_id: postId, owner_id: OWNER, parents_stack: [], date: 1_700_000_100 });
    expect(first.thread?.count).toBe(1);
    expect(first.thread?.items?.[0]).toMatchObject({ text: 'Подтверждаю', reply_to_comment: root.id, reply_to_user: 42, parents_stack: [root.id] });
    expect(res.profiles?.find((p: { id: number }) => p.id === 42)).toMatchObject({ first_name: 'Иван' });

    const thread = await api.wall.getComments({ owner_id: OWNER, post_id: postId, comment_id: root.id });
    expect(thread.items.map((c) => c.text)).toEqual(['Подтверждаю']);

    const extra = vk.addComment(OWNER, postId, { from_id: 45, text: 'Спам' });
    vk.deleteComment(OWNER, extra.id);
    await expect(api.wall.getComments({ owner_id: OWNER, post_id: postId, sort: 'desc' })).resolves.toMatchObject({ count: 3, items: [{ text: 'Нет света' }, { text: 'Яма на ул. Ленина' }] });

    const call = vk.calls.find((c) => c.method === 'wall.getComments');
    expect(call).toMatchObject({ httpMethod: 'POST', contentType: 'application/x-www-form-urlencoded;charset=UTF-8', token: vk.serviceToken, params: { v: '5.199', owner_id: String(OWNER), post_id: String(postId) } });
    expect(call?.params).not.toHaveProperty('access_token');
  });

  it('pages wall.get newest first and newsfeed.search by next_from', async () => {
    const api = vkApi(vk, vk.serviceToken);
    vk.addPost(OWNER, { text: 'Отключение воды', date: 1_700_000_500 });
    vk.addPost(-555, { text: 'Вода: отключение в Абакане', date: 1_700_000_600, from_id: 77 });
    const wall = await api.wall.get({ owner_id: OWNER, count: 1 });
    expect(wall.count).toBe(2);
    expect(wall.items[0].text).toBe('Отключение воды');
    const byId = await api.wall.getById({ posts: `${OWNER}_${postId}` });
    expect(byId).toMatchObject({ items: [{ id: postId, comments: { count: 3 } }] });

    const page1 = await api.newsfeed.search({ q: 'отключение', count: 1, start_time: 1_699_999_999 });
    expect(page1.total_count).toBe(2);
    expect(page1.items[0].text).toBe('Вода: отключение в Абакане');
    expect(page1.next_from).toBeDefined();
    const page2 = await api.newsfeed.search({ q: 'отключение', count: 1, start_from: page1.next_from });
    expect(page2.items[0].text).toBe('Отключение воды');
    expect(page2.next_from).toBeUndefined();
  });

  it('rejects unknown tokens (5) and community tokens on wall reads (27) as APIError', async () => {
    await expect(vkApi(vk, 'stolen').users.get({ user_ids: ['42'] })).rejects.toMatchObject({ code: 5 });
    const err = await vkApi(vk, vk.groupToken).wall.get({ owner_id: OWNER }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toMatchObject({ code: 27, message: 'Code №27 - Group authorization failed: method is unavailable with group auth.' });
    expect((err as APIError).params).toEqual(expect.arrayContaining([{ key: 'method', value: 'wall.get' }, { key: 'owner_id', value: String(OWNER) }]));
    // a community token still reads what it may
    await expect(vkApi(vk, vk.groupToken).users.get({ user_ids: ['42'] })).resolves.toEqual([expect.objectContaining({ id: 42, last_name: 'Петров' })]);
  });

  it('error 6: vk-io pauses ~1.1 s and re-sends the same request by itself (no retry limit)', async () => {
    const api = vkApi(vk, vk.serviceToken);
    const before = vk.calls.length;
    vk.failNext('wall.getComments', { errorCode: 6 }, 2);
    const res = await api.wall.getComments({ owner_id: OWNER, post_id: postId });
    expect(res.count).toBe(3);
    expect(vk.calls.slice(before).map((c) => c.method)).toEqual(['wall.getComments', 'wall.getComments', 'wall.getComments']);
  });

  it('errors 9 and 10: vk-io rejects at once with APIError, no retry', async () => {
    const api = vkApi(vk, vk.serviceToken);
    const before = vk.calls.length;
    vk.failNext('wall.getComments', { errorCode: 9 });
    await expect(api.wall.getComments({ owner_id: OWNER, post_id: postId })).rejects.toMatchObject({ code: 9, message: 'Code №9 - Flood control' });
    vk.failNext('wall.getComments', { errorCode: 10 });
    await expect(api.wall.getComments({ owner_id: OWNER, post_id: postId })).rejects.toMatchObject({ code: 10 });
    expect(vk.calls.length - before).toBe(2);
  });

  it('HTTP 5xx: vk-io retries after apiWait up to apiRetryLimit, then rejects with a non-API error', async () => {
    const api = vkApi(vk, vk.serviceToken, { apiRetryLimit: 3 });
    let before = vk.calls.length;
    vk.failNext('users.get', { httpStatus: 502 }, 2);
    await expect(api.users.get({ user_ids: ['42'] })).resolves.toHaveLength(1);
    expect(vk.calls.length - before).toBe(3);

    before = vk.calls.length;
    vk.failNext('users.get', { httpStatus: 500 }, 4);
    const err = await api.users.get({ user_ids: ['42'] }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(APIError);
    expect(err).toBeInstanceOf(SyntaxError); // vk-io calls response.json() on the nginx HTML page
    expect(vk.calls.length - before).toBe(4); // 1 + apiRetryLimit
  });

  it('wall.createComment from the community lands under the right comment', async () => {
    const api = vkApi(vk, vk.groupToken);
    const res = await api.wall.createComment({ owner_id: OWNER, post_id: postId, reply_to_comment: root.id, from_group: GROUP, message: 'Передано в дорожную службу' });
    expect(res.comment_id).toBeGreaterThan(0);
    expect(vk.createdComments).toEqual([
      expect.objectContaining({ id: res.comment_id, owner_id: OWNER, post_id: postId, from_id: -GROUP, reply_to_comment: root.id, reply_to_user: 42, parents_stack: [root.id], text: 'Передано в дорожную службу' }),
    ]);
    await expect(api.wall.createComment({ owner_id: OWNER, post_id: 999999, message: 'x' })).rejects.toMatchObject({ code: 100 });
    await expect(vkApi(vk, vk.serviceToken).wall.createComment({ owner_id: OWNER, post_id: postId, message: 'x' })).rejects.toMatchObject({ code: 28 });
  });

  it('messages.send deduplicates by random_id per peer', async () => {
    const api = vkApi(vk, vk.groupToken);
    const a = await api.messages.send({ peer_id: 42, random_id: 777, message: 'Ваше обращение принято' });
    const b = await api.messages.send({ peer_id: 42, random_id: 777, message: 'Ваше обращение принято' });
    const c = await api.messages.send({ peer_id: 42, random_id: 778, message: 'Второе' });
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(vk.sentMessages.map((m) => m.message)).toEqual(['Ваше обращение принято', 'Второе']);
    await expect(api.messages.send({ peer_id: 42, message: 'no random id' } as never)).rejects.toMatchObject({ code: 100 });
  });
});

describe('FakeVk Bots Long Poll with vk-io updates', () => {
  let vk: FakeVk;
  let updates: Updates | undefined;
  const GROUP = 2000002;
  const OWNER = -GROUP;

  beforeEach(async () => {
    vk = await startFakeVk({ group: { id: GROUP } });
  });
  afterEach(async () => {
    if (updates) await vk.waitForParkedLongPoll();
    await updates?.stop();
    updates = undefined;
    await vk.stop();
  });

  function startUpdates(received: CommentContext[], onEvent: () => void): Promise<void> {
    const api = vkApi(vk, vk.groupToken);
    updates = new Updates({ api, upload: new Upload({ api }), agent: plainAgent() });
    updates.on('wall_reply_new', (ctx) => {
      received.push(ctx);
      onEvent();
    });
    return updates.start();
  }

  it('delivers wall_reply_new and recovers from failed:2 (events pushed during the gap are lost)', async () => {
    const postId = vk.addPost(OWNER, { text: 'Новости района' }).id;
    const received: CommentContext[] = [];
    let notify: () => void = () => undefined;
    const nextEvent = () => new Promise<void>((resolve) => (notify = resolve));

    await startUpdates(received, () => notify());
    // vk-io: groups.getById (to learn the group) → groups.getLongPollServer → GET <server>?act=a_check&key&ts&wait=25&mode&version
    expect(vk.calls.map((c) => c.method)).toEqual(['groups.getById', 'groups.getLongPollServer']);
    const firstCheck = await vk.waitForLongPollCheck(1);
    expect(firstCheck.wait).toBe(25);

    let got = nextEvent();
    const comment = vk.addComment(OWNER, postId, { from_id: 42, text: 'Во дворе не вывозят мусор' });
    await got;
    expect(received[0]).toMatchObject({ id: comment.id, fromId: 42, text: 'Во дворе не вывозят мусор', objectId: postId, ownerId: OWNER, isUser: true });
    expect((received[0] as unknown as { payload: unknown }).payload).toMatchObject({ post_owner_id: OWNER, post_id: postId });

    // key expired while vk-io holds a check; an event arrives before vk-io has a new key
    const serverCalls = vk.calls.filter((c) => c.method === 'groups.getLongPollServer').length;
    vk.failLongPoll(2);
    vk.addComment(OWNER, postId, { from_id: 43, text: 'Потерянное событие' });
    await vk.waitForCall('groups.getLongPollServer', () => true, { after: vk.calls.length });
    expect(vk.calls.filter((c) => c.method === 'groups.getLongPollServer')).toHaveLength(serverCalls + 1);
    const checksSoFar = vk.longPollChecks.length;
    await vk.waitForLongPollCheck(checksSoFar + 1);

    got = nextEvent();
    vk.addComment(OWNER, postId, { from_id: 44, text: 'После переподключения' });
    await got;
    expect(received.map((c) => c.text)).toEqual(['Во дворе не вывозят мусор', 'После переподключения']);
    expect(vk.longPollChecks.some((c) => c.outcome === 'failed:2')).toBe(true);
  });

  it('failed:1 keeps the key and continues from the new ts', async () => {
    const postId = vk.addPost(OWNER).id;
    const received: CommentContext[] = [];
    let notify: () => void = () => undefined;
    await startUpdates(received, () => notify());
    await vk.waitForLongPollCheck(1);
    vk.failLongPoll(1);
    await vk.waitForLongPollCheck(2);
    const got = new Promise<void>((resolve) => (notify = resolve));
    vk.addComment(OWNER, postId, { from_id: 5, text: 'после failed 1' });
    await got;
    expect(received.map((c) => c.text)).toEqual(['после failed 1']);
    expect(vk.calls.filter((c) => c.method === 'groups.getLongPollServer')).toHaveLength(1);
  });

  it('long-poll HTTP 5xx: vk-io waits a fixed 3 s, re-polls with the same key, and delivers', async () => {
    const postId = vk.addPost(OWNER).id;
    const received: CommentContext[] = [];
    let notify: () => void = () => undefined;
    vk.failNext('longpoll', { httpStatus: 502 });
    await startUpdates(received, () => notify());
    const failed = await vk.waitForLongPollCheck(1);
    expect(failed.outcome).toBe('http:502');
    const retried = await vk.waitForLongPollCheck(2);
    expect(retried.key).toBe(failed.key);
    const got = new Promise<void>((resolve) => (notify = resolve));
    vk.addComment(OWNER, postId, { from_id: 5, text: 'после 502' });
    await got;
    expect(received.map((c) => c.text)).toEqual(['после 502']);
    expect(vk.calls.filter((c) => c.method === 'groups.getLongPollServer')).toHaveLength(1);
  });

  it('echoes the community’s own reply as wall_reply_new with a negative from_id', async () => {
    const postId = vk.addPost(OWNER).id;
    const received: CommentContext[] = [];
    let notify: () => void = () => undefined;
    await startUpdates(received, () => notify());
    await vk.waitForLongPollCheck(1);
    const got = new Promise<void>((resolve) => (notify = resolve));
    await vkApi(vk, vk.groupToken).wall.createComment({ owner_id: OWNER, post_id: postId, message: 'Ответ администрации' });
    await got;
    expect(received[0]).toMatchObject({ fromId: -GROUP, isGroup: true, text: 'Ответ администрации' });
  });
});

describe('FakeVk Callback API bodies', () => {
  it('are accepted by vk-io’s webhook handler (secret checked, confirmation answered, redelivery possible)', async () => {
    const vk = await startFakeVk({ group: { id: 3000003 } });
    const api = vkApi(vk, vk.groupToken);
    const updates = new Updates({ api, upload: new Upload({ api }), webhookSecret: 's3cr3t', webhookConfirmation: 'conf-123' });
    const seen: string[] = [];
    let notify: () => void = () => undefined;
    updates.on('wall_reply_new', (ctx) => {
      seen.push(`${ctx.text}`);
      notify();
    });
    const callback = updates.getWebhookCallback('/vk');
    const app = http.createServer((req, res) => void callback(req, res, () => res.writeHead(404).end()));
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', () => r()));
    const hook = `http://127.0.0.1:${(app.address() as { port: number }).port}/vk`;
    try {
      const postId = vk.addPost(-3000003).id;
      const comment = vk.addComment(-3000003, postId, { from_id: 42, text: 'Через Callback API' });
      const body = vk.callbackEvent('wall_reply_new', vk.replyEventObject(comment), { secret: 's3cr3t' });
      expect(body).toMatchObject({ type: 'wall_reply_new', group_id: 3000003, v: '5.199', secret: 's3cr3t', object: { id: comment.id, post_owner_id: -3000003 } });
      expect(body.event_id).toMatch(/^[0-9a-f]{40}$/);

      let got = new Promise<void>((r) => (notify = r));
      await expect(vk.deliverCallback(hook, body)).resolves.toEqual({ status: 200, text: 'ok' });
      await got;
      got = new Promise<void>((r) => (notify = r));
      await expect(vk.deliverCallback(hook, body)).resolves.toEqual({ status: 200, text: 'ok' }); // same event_id again
      await got;
      expect(seen).toEqual(['Через Callback API', 'Через Callback API']);

      await expect(vk.deliverCallback(hook, vk.callbackEvent('confirmation', undefined, { secret: 's3cr3t' }))).resolves.toEqual({ status: 200, text: 'conf-123' });
      await expect(vk.deliverCallback(hook, vk.callbackEvent('wall_reply_new', {}, { secret: 'wrong' }))).resolves.toMatchObject({ status: 403 });
    } finally {
      await new Promise<void>((r) => {
        app.close(() => r());
        app.closeAllConnections();
      });
      await vk.stop();
    }
  });
});
