/**
 * Telegram and public-comment connectors through the real app: Telegram group updates (as the bot's poller
 * hands them over) to ingest and replies back with the real node-telegram-bot-api against the emulator; RSS
 * comment feeds from a loopback node:http server with cursors; the embeddable comment form.
 */
import fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { telegramPublisher } from '../../connectors/telegram/client';
import { ingestTelegramUpdate } from '../../src/ingest/connectors';
import { PermanentError, TransientError } from '../../src/errors';
import { startFakeTelegram, type FakeTelegram } from '../emulators/telegram';
import { startTestApp, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/env';

const CHAT = { id: -1001234567890, type: 'supergroup' as const, title: 'Абакан: жалобы', username: 'abakan_chat' };
const CITIZEN = { id: 42, first_name: 'Иван', username: 'ivan' };
const COMPLAINT = 'Третий день нет горячей воды в Абакане на Пушкина 45, в управляющую компанию не дозвониться!';

let pollSeq = 0;
async function pollOnce(app: TestApp, sourceId: string): Promise<string> {
  const id = await app.queues.enqueue('ingest', { sourceId }, { suffix: `w${++pollSeq}` });
  const q = app.queues.queue('ingest');
  return waitFor(async () => ((await q.getJob(id)) ? await (await q.getJob(id))!.getState() : 'missing'), (s) => s === 'completed' || s === 'failed', {
    timeoutMs: 30_000,
    what: `poll of ${sourceId}`,
  });
}

describe('Telegram groups and channels to ingest, replies back (pglite)', () => {
  let tg: FakeTelegram;
  let app: TestApp;

  beforeAll(async () => {
    tg = await startFakeTelegram({ chats: [CHAT] });
    app = await startTestApp('pglite', { env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_URL: tg.url } });
    await app.db.sources.upsert({ id: 'tg-abakan', platform: 'telegram', kind: 'chat', externalId: String(CHAT.id), name: CHAT.title, municipalityId: 'abakan', settings: {}, enabled: true });
  });
  afterAll(async () => {
    await app.stop();
    await tg.stop();
  });

  it('stores group messages and edits, ignores private chats, and publishes a reply to the right message', async () => {
    const msg = tg.userSends({ from: CITIZEN, chat: CHAT, text: COMPLAINT });
    tg.userSends({ from: { id: 77, first_name: 'Ольга' }, text: '/start' }); // private: the officials' interface
    const updates = tg.updates.slice();
    const results = [];
    for (const u of updates) results.push(await ingestTelegramUpdate(app.deps, u, tg.botUser.id));
    expect(results[1]).toBeNull();
    const stored = await app.db.messages.byExternalId('telegram', `${CHAT.id}_${msg.message_id}`);
    expect(stored).toMatchObject({ sourceId: 'tg-abakan', permalink: `https://t.me/abakan_chat/${msg.message_id}`, replyTarget: { platform: 'telegram', chatId: String(CHAT.id), postId: String(msg.message_id) } });
    // a repeat of the same update changes nothing; an edit updates the text
    expect(await ingestTelegramUpdate(app.deps, updates[0], tg.botUser.id)).toMatchObject({ created: false });
    tg.editedMessage({ chatId: CHAT.id, messageId: msg.message_id, text: `${COMPLAINT} Уже неделя!` });
    expect(await ingestTelegramUpdate(app.deps, tg.updates[tg.updates.length - 1], tg.botUser.id)).toMatchObject({ messageId: stored!.id, created: false });
    expect((await app.db.messages.get(stored!.id))!.text).toMatch(/Уже неделя!$/);

    const incident = await waitFor(() => app.db.incidents.byMessage(stored!.id), (i) => i?.status === 'assigned', { what: 'assigned incident' });
    const replyId = await app.db.replies.create({ incidentId: incident!.id, templateId: null, stage: null, text: 'Здравствуйте! Заявка <№ 5> & передана в УК.', draftedBy: 'khakassia-press', approvedBy: 'khakassia-press' }, new Date());
    tg.failNext('sendMessage', { errorCode: 429, retryAfter: 1 }); // the library waits retry_after and re-sends
    await app.queues.enqueue('publish', { replyId });
    const reply = await waitFor(() => app.db.replies.get(replyId), (r) => r?.status === 'published', { what: 'published reply' });
    const sent = tg.sentIn(CHAT.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ replyToMessageId: msg.message_id, text: 'Здравствуйте! Заявка <№ 5> & передана в УК.', parseMode: undefined });
    expect(reply!.externalId).toBe(`${CHAT.id}_${sent[0].messageId}`);
    // the bot's own reply, seen by a poller, is not a source message
    const own = { update_id: 1, message: { ...sent[0].message } };
    expect(await ingestTelegramUpdate(app.deps, own, tg.botUser.id)).toBeNull();
  });

  it('maps Telegram failures: a long flood wait and 5xx are transient, a deleted message permanent', async () => {
    const pub = telegramPublisher({ token: tg.token, apiUrl: tg.url, retryBackoffMs: 5 });
    const target = { platform: 'telegram' as const, chatId: String(CHAT.id), postId: String(tg.userSends({ from: CITIZEN, chat: CHAT, text: 'x' }).message_id) };
    tg.failNext('sendMessage', { errorCode: 429, retryAfter: 120 });
    const flood = await pub.publish(target, 'a', 'k1').catch((e: unknown) => e);
    expect(flood).toBeInstanceOf(TransientError);
    expect((flood as TransientError).retryAfterMs).toBe(120_000);
    tg.failNext('sendMessage', { httpStatus: 502 }, 3);
    expect(await pub.publish(target, 'a', 'k2').catch((e: unknown) => e)).toBeInstanceOf(TransientError);
    const gone = await pub.publish({ ...target, postId: '99999' }, 'a', 'k3').catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(PermanentError);
  });
});

describe('comment feeds and the comment form (pglite)', () => {
  let app: TestApp;
  let server: http.Server;
  let feedUrl: string;
  let body = fs.readFileSync(path.join(__dirname, '../fixtures/feeds/comments.rss'), 'utf8');
  let etag = '"v1"';
  let failNext: number | null = null;
  const requests: { ifNoneMatch?: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests.push({ ifNoneMatch: req.headers['if-none-match'] as string | undefined });
      if (failNext) {
        res.writeHead(failNext, { 'content-type': 'text/html', 'retry-after': '1' }).end('<html>busy</html>');
        failNext = null;
        return;
      }
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/comments.rss`;
    app = await startTestApp('pglite');
    await app.db.sources.upsert({ id: 'abakan-site', platform: 'web', kind: 'feed', externalId: 'abakan.example', name: 'Сайт администрации Абакана', municipalityId: 'abakan', settings: { url: feedUrl }, enabled: true });
  });
  afterAll(async () => {
    await app.stop();
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  });

  const webCount = async () => (await app.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE source_id = 'abakan-site'")).rows[0].n;

  it('reads new items once across polls (conditional GET), and retries a 503', async () => {
    expect(await pollOnce(app, 'abakan-site')).toBe('completed');
    expect(await webCount()).toBe(2);
    const m = await app.db.sql.query<{ text: string; permalink: string }>("SELECT text, permalink FROM messages WHERE source_id = 'abakan-site' ORDER BY id");
    expect(m.rows.map((r) => r.permalink)).toEqual(['https://abakan.example/news/120#comment-1', 'https://abakan.example/news/123#comment-2']);
    expect(m.rows[1].text).toBe('Третий день нет горячей воды на Пушкина 45 & никто не отвечает!');

    expect(await pollOnce(app, 'abakan-site')).toBe('completed');
    expect(requests[requests.length - 1].ifNoneMatch).toBe('"v1"'); // answered 304
    expect(await webCount()).toBe(2);

    body = body.replace('<item>', `<item><title>Новый</title><guid>comment-3</guid><pubDate>Tue, 14 Nov 2023 23:00:00 +0000</pubDate><description>Не вывозят мусор во дворе на Ленина 10</description></item><item>`);
    etag = '"v2"';
    failNext = 503;
    expect(await pollOnce(app, 'abakan-site')).toBe('completed'); // first attempt 503 (Transient), the retry reads it
    expect(await webCount()).toBe(3);
    expect((await app.db.sources.get('abakan-site'))!.cursor).toMatchObject({ ids: ['comment-3', 'comment-2', 'comment-1'], etag: '"v2"' });
  });

  it('serves the embeddable comment form, escaping what the page is given', async () => {
    const r = await fetch(`${app.url}/comments/form?source=abakan-site&title=${encodeURIComponent('<b>Сайт</b>')}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[^']+'; .*connect-src 'self'/);
    const page = await r.text();
    expect(page).toContain('&lt;b&gt;Сайт&lt;/b&gt;');
    expect(page).toContain('name="source" value="abakan-site"');
    const unknown = await (await fetch(`${app.url}/comments/form?source=nope`)).text();
    expect(unknown).toContain('name="source" value=""');
    // what the form posts is accepted by the intake
    const posted = await app.post('/api/comments', { text: 'Не работает фонарь у дома 3 на Ленина в Абакане', source: 'abakan-site', name: 'Анна' });
    expect(posted.status).toBe(202);
  });
});
