/**
 * Proves the Telegram emulator against the real node-telegram-bot-api 2.1.0 (`Bot`, `Api`,
 * `longPoll`) with no mocks: long polling of messages and callback queries, validation errors,
 * 429/5xx retries as the library performs them, 409 on overlapping pollers.
 */
import { Api, Bot, TelegramApiError } from 'node-telegram-bot-api';
import { escapeHtml, escapeMarkdownV2 } from './telegram-format';
import { startFakeTelegram, type FakeTelegram } from './telegram';

const CITIZEN = { id: 42, first_name: 'Иван', username: 'ivan' };
const OFFICIAL = { id: 77, first_name: 'Ольга' };

/** A failed API call's error, for assertions. */
async function apiError(p: Promise<unknown>): Promise<TelegramApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TelegramApiError)) throw new Error(`expected TelegramApiError, got ${String(err)}`);
  return err;
}

describe('FakeTelegram with a long-polling Bot', () => {
  let tg: FakeTelegram;
  let bot: Bot;
  let polling: Promise<void> | undefined;
  const handlerErrors: unknown[] = [];

  beforeEach(async () => {
    tg = await startFakeTelegram();
    bot = new Bot(tg.token, { apiRoot: tg.url });
    bot.catch((err) => {
      handlerErrors.push(err);
    });
  });
  afterEach(async () => {
    if (polling) {
      await tg.waitForPoller();
      bot.stop();
      await polling;
      polling = undefined;
    }
    await tg.stop();
    expect(handlerErrors).toEqual([]);
  });

  it('delivers a private message and a button press; the bot replies, answers and edits', async () => {
    bot.on('message', async (ctx) => {
      const text = ctx.message?.text ?? '';
      await ctx.reply(`Обращение принято: <b>${escapeHtml(text)}</b>`, {
        parse_mode: 'HTML',
        reply_parameters: { message_id: ctx.message!.message_id },
        reply_markup: { inline_keyboard: [[{ text: 'Взять в работу', callback_data: 'take:1' }]] },
      });
    });
    bot.on('callback_query', async (ctx) => {
      await ctx.answerCallbackQuery({ text: 'Взято' });
      const msg = ctx.callbackQuery!.message!;
      await ctx.api.editMessageText({ chat_id: msg.chat.id, message_id: msg.message_id, text: 'В работе' });
    });
    polling = bot.startPolling(undefined, { timeout: 30 });
    await tg.waitForPoller();
    expect(tg.calls[0]).toMatchObject({ method: 'getUpdates', httpMethod: 'POST', contentType: 'application/x-www-form-urlencoded', params: { timeout: '30' } });

    const incoming = tg.userSends({ from: CITIZEN, text: 'Яма <1 м> & лужа' });
    const reply = await tg.waitForSent((m) => m.chatId === CITIZEN.id);
    expect(reply).toMatchObject({ text: 'Обращение принято: Яма <1 м> & лужа', parseMode: 'HTML', replyToMessageId: incoming.message_id });
    expect(reply.entities).toEqual([{ type: 'bold', offset: 19, length: 'Яма <1 м> & лужа'.length }]);

    const query = tg.pressButton({ from: CITIZEN, chatId: CITIZEN.id, messageId: reply.messageId, data: 'take:1' });
    await tg.waitForCall('editMessageText');
    await tg.waitForSent((m) => m.messageId === reply.messageId && m.edits === 1);
    expect(tg.callbackAnswers).toEqual([{ callbackQueryId: query.id, text: 'Взято', showAlert: false }]);
    expect(tg.sentIn(CITIZEN.id)).toEqual([expect.objectContaining({ text: 'В работе', replyMarkup: undefined, edits: 1 })]);

    // the offset confirmed both updates: a later poll receives nothing old
    await tg.waitForPoller();
    expect(tg.pendingUpdates).toBe(0);
  });

  it('409: a second poller terminates the held getUpdates; the running Bot stops with TelegramApiError 409', async () => {
    const outcome = bot.startPolling(undefined, { timeout: 30 }).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await tg.waitForPoller();
    const other = new Api(tg.token, { apiRoot: tg.url });
    await expect(other.getUpdates({ timeout: 0 })).resolves.toEqual([]);
    const err = await outcome;
    expect(err).toBeInstanceOf(TelegramApiError);
    expect(err).toMatchObject({ errorCode: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
  });
});

describe('FakeTelegram API validation and failures', () => {
  let tg: FakeTelegram;
  let api: Api;

  beforeAll(async () => {
    tg = await startFakeTelegram({ chats: [{ id: -1001234567890, type: 'supergroup', title: 'Штаб' }] });
    api = new Api(tg.token, { apiRoot: tg.url, retryBackoffMs: 10 });
    tg.userSends({ from: OFFICIAL, text: '/start' });
  });
  afterAll(async () => {
    await tg.stop();
  });

  it('answers getMe and refuses an unknown token (401) and an unknown method (404)', async () => {
    await expect(api.getMe()).resolves.toMatchObject({ id: 123456789, is_bot: true });
    const stranger = new Api('1:wrong', { apiRoot: tg.url });
    expect(await apiError(stranger.getMe())).toMatchObject({ errorCode: 401, description: 'Unauthorized' });
    const res = await fetch(`${tg.url}/bot${tg.token}/sendTelepathy`, { method: 'POST' });
    expect(res.status).toBe(404);
    await expect(res.json()).resolves.toEqual({ ok: false, error_code: 404, description: 'Not Found' });
  });

  it('rejects callback_data over 64 bytes with BUTTON_DATA_INVALID', async () => {
    const ok = 'д'.repeat(32); // 64 bytes
    await expect(api.sendMessage({ chat_id: OFFICIAL.id, text: 'ok', reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: ok }]] } })).resolves.toMatchObject({ text: 'ok' });
    const err = await apiError(api.sendMessage({ chat_id: OFFICIAL.id, text: 'x', reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'a'.repeat(65) }]] } }));
    expect(err).toMatchObject({ errorCode: 400, description: 'Bad Request: BUTTON_DATA_INVALID' });
  });

  it('refuses unescaped HTML and MarkdownV2 and accepts escaped text', async () => {
    const html = await apiError(api.sendMessage({ chat_id: OFFICIAL.id, text: 'Яма <глубокая>', parse_mode: 'HTML' }));
    expect(html).toMatchObject({ errorCode: 400, description: 'Bad Request: can\'t parse entities: Unsupported start tag "глубокая" at byte offset 7' });
    const amp = await apiError(api.sendMessage({ chat_id: OFFICIAL.id, text: 'ЖКХ & двор', parse_mode: 'HTML' }));
    expect(amp.description).toMatch(/^Bad Request: can't parse entities: /);
    const md = await apiError(api.sendMessage({ chat_id: OFFICIAL.id, text: 'ул. Ленина, д. 5', parse_mode: 'MarkdownV2' }));
    expect(md).toMatchObject({ errorCode: 400, description: "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'" });
    const unclosed = await apiError(api.sendMessage({ chat_id: OFFICIAL.id, text: '*жирный', parse_mode: 'MarkdownV2' }));
    expect(unclosed.description).toBe("Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0");

    const sent = await api.sendMessage({ chat_id: OFFICIAL.id, text: `*Адрес:* ${escapeMarkdownV2('ул. Ленина (д. 5) - 10%!')}`, parse_mode: 'MarkdownV2' });
    expect(sent.text).toBe('Адрес: ул. Ленина (д. 5) - 10%!');
    expect(sent.entities).toEqual([{ type: 'bold', offset: 0, length: 6 }]);
  });

  it('403 for a user who never started the bot; 400 for an unknown group; reply to a missing message', async () => {
    expect(await apiError(api.sendMessage({ chat_id: 555, text: 'hi' }))).toMatchObject({ errorCode: 403, description: "Forbidden: bot can't initiate conversation with a user" });
    expect(await apiError(api.sendMessage({ chat_id: -100999, text: 'hi' }))).toMatchObject({ errorCode: 400, description: 'Bad Request: chat not found' });
    await expect(api.sendMessage({ chat_id: -1001234567890, text: 'Сводка' })).resolves.toMatchObject({ chat: { type: 'supergroup' } });
    expect(await apiError(api.sendMessage({ chat_id: OFFICIAL.id, text: 'x', reply_parameters: { message_id: 9999 } }))).toMatchObject({
      description: 'Bad Request: message to be replied not found',
    });
    tg.blockBot(OFFICIAL.id);
    expect(await apiError(api.sendMessage({ chat_id: OFFICIAL.id, text: 'x' }))).toMatchObject({ errorCode: 403, description: 'Forbidden: bot was blocked by the user' });
    tg.startBot(OFFICIAL.id);
  });

  it('editMessageText with the same text and markup gives "message is not modified"', async () => {
    const markup = { inline_keyboard: [[{ text: 'Закрыть', callback_data: 'close:7' }]] };
    const msg = await api.sendMessage({ chat_id: OFFICIAL.id, text: 'Обращение №7', reply_markup: markup });
    const err = await apiError(api.editMessageText({ chat_id: OFFICIAL.id, message_id: msg.message_id, text: 'Обращение №7', reply_markup: markup }));
    expect(err).toMatchObject({ errorCode: 400 });
    expect(err.description).toMatch(/^Bad Request: message is not modified: /);
    await expect(api.editMessageText({ chat_id: OFFICIAL.id, message_id: msg.message_id, text: 'Обращение №7 закрыто' })).resolves.toMatchObject({ text: 'Обращение №7 закрыто' });
    expect(tg.sentIn(OFFICIAL.id).find((m) => m.messageId === msg.message_id)).toMatchObject({ text: 'Обращение №7 закрыто', replyMarkup: undefined });
    await expect(api.deleteMessage({ chat_id: OFFICIAL.id, message_id: msg.message_id })).resolves.toBe(true);
    expect(await apiError(api.deleteMessage({ chat_id: OFFICIAL.id, message_id: msg.message_id }))).toMatchObject({ description: 'Bad Request: message to delete not found' });
  });

  it('429 with retry_after: the library waits retry_after seconds and re-sends (up to maxRetries)', async () => {
    const before = tg.calls.length;
    tg.failNext('sendMessage', { errorCode: 429, retryAfter: 1 });
    const started = Date.now();
    await expect(api.sendMessage({ chat_id: OFFICIAL.id, text: 'после лимита' })).resolves.toMatchObject({ text: 'после лимита' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(tg.calls.slice(before).map((c) => c.method)).toEqual(['sendMessage', 'sendMessage']);

    // a flood-wait longer than maxRetryAfterMs is surfaced at once, with retryAfter
    tg.failNext('sendMessage', { errorCode: 429, retryAfter: 120 });
    const err = await apiError(api.sendMessage({ chat_id: OFFICIAL.id, text: 'x' }));
    expect(err).toMatchObject({ errorCode: 429, retryAfter: 120, description: 'Too Many Requests: retry after 120' });
  });

  it('5xx: the library retries with backoff, then surfaces a NetworkError', async () => {
    const before = tg.calls.length;
    tg.failNext('sendMessage', { httpStatus: 502 }, 2);
    await expect(api.sendMessage({ chat_id: OFFICIAL.id, text: 'после 502' })).resolves.toMatchObject({ text: 'после 502' });
    expect(tg.calls.length - before).toBe(3);
    tg.failNext('sendMessage', { httpStatus: 502 }, 3);
    await expect(api.sendMessage({ chat_id: OFFICIAL.id, text: 'x' })).rejects.toMatchObject({ name: 'NetworkError', message: 'Server error 502 on sendMessage' });
  });

  it('setMyDescription and setMyShortDescription: stored per language, limits of 512 and 120 characters, empty removes', async () => {
    await expect(api.setMyDescription({ description: 'Бот для сотрудников' })).resolves.toBe(true);
    await expect(api.setMyShortDescription({ short_description: 'Коротко' })).resolves.toBe(true);
    expect(await api.getMyDescription({})).toEqual({ description: 'Бот для сотрудников' });
    expect(await api.getMyShortDescription({})).toEqual({ short_description: 'Коротко' });
    expect(await apiError(api.setMyShortDescription({ short_description: 'x'.repeat(121) }))).toMatchObject({ errorCode: 400 });
    expect(await apiError(api.setMyDescription({ description: 'x'.repeat(513) }))).toMatchObject({ errorCode: 400 });
    await expect(api.setMyDescription({ description: '' })).resolves.toBe(true);
    expect(tg.descriptions.has('')).toBe(false);
  });

  it('setMyCommands, getChat, setWebhook (HTTPS only) and the webhook/getUpdates conflict', async () => {
    await expect(api.setMyCommands({ commands: [{ command: 'start', description: 'Начать' }] })).resolves.toBe(true);
    expect(await apiError(api.setMyCommands({ commands: [{ command: 'Bad-Cmd', description: 'x' }] }))).toMatchObject({ description: 'Bad Request: BOT_COMMAND_INVALID' });
    await expect(api.getChat({ chat_id: OFFICIAL.id })).resolves.toMatchObject({ id: OFFICIAL.id, type: 'private', first_name: 'Ольга' });
    expect(await apiError(api.setWebhook({ url: 'http://example.org/hook' }))).toMatchObject({ errorCode: 400 });
    await expect(api.setWebhook({ url: 'https://example.org/hook', secret_token: 's' })).resolves.toBe(true);
    expect(await apiError(api.getUpdates({ timeout: 0 }))).toMatchObject({ errorCode: 409 });
    await expect(api.deleteWebhook({ drop_pending_updates: true })).resolves.toBe(true);
    await expect(api.getUpdates({ timeout: 0 })).resolves.toEqual([]);
  });
});

describe('FakeTelegram update kinds and allowed_updates', () => {
  it('queues channel posts and edits, filters by allowed_updates, confirms by offset', async () => {
    const tg = await startFakeTelegram();
    const api = new Api(tg.token, { apiRoot: tg.url });
    try {
      const post = tg.channelPost({ chat: { id: -1002000000001, title: 'Новости города', username: 'city_news' }, text: 'Отключение воды' });
      const msg = tg.userSends({ from: CITIZEN, chat: { id: -1003000000001, type: 'supergroup', title: 'Жители' }, text: 'Нет воды' });
      tg.editedMessage({ chatId: msg.chat.id, messageId: msg.message_id, text: 'Нет горячей воды' });
      const all = await api.getUpdates({ timeout: 0 });
      expect(all.map((u) => Object.keys(u).filter((k) => k !== 'update_id')[0])).toEqual(['channel_post', 'message', 'edited_message']);
      expect(all[0]).toMatchObject({ channel_post: { message_id: post.message_id, chat: { type: 'channel', username: 'city_news' }, sender_chat: { id: -1002000000001 } } });
      expect(all[2]).toMatchObject({ edited_message: { text: 'Нет горячей воды', edit_date: expect.any(Number) } });

      const onlyMessages = await api.getUpdates({ timeout: 0, allowed_updates: ['message'] });
      expect(onlyMessages.map((u) => u.update_id)).toEqual([all[1].update_id]);
      await expect(api.getUpdates({ timeout: 0, offset: all[1].update_id + 1 })).resolves.toEqual([]);
      expect(tg.pendingUpdates).toBe(0);
    } finally {
      await tg.stop();
    }
  });
});

describe('FakeTelegram conflict mode reject-newer', () => {
  it('answers the newcomer with 409 and keeps the running poller', async () => {
    const tg = await startFakeTelegram({ conflict: 'reject-newer' });
    const bot = new Bot(tg.token, { apiRoot: tg.url });
    const got: string[] = [];
    bot.on('message', (ctx) => {
      got.push(ctx.message?.text ?? '');
    });
    const polling = bot.startPolling(undefined, { timeout: 30 });
    try {
      await tg.waitForPoller();
      const err = await apiError(new Api(tg.token, { apiRoot: tg.url }).getUpdates({ timeout: 0 }));
      expect(err.errorCode).toBe(409);
      tg.userSends({ from: CITIZEN, text: 'всё ещё работает' });
      await tg.waitForCall('getUpdates', (c) => c.params.offset !== undefined);
      expect(got).toEqual(['всё ещё работает']);
    } finally {
      await tg.waitForPoller();
      bot.stop();
      await polling;
      await tg.stop();
    }
  });
});

describe('FakeTelegram connections', () => {
  it('keeps a connection open between calls as a front server does (a short hint makes clients reconnect every call)', async () => {
    const tg = await startFakeTelegram({ startedUsers: [OFFICIAL.id] });
    try {
      const r = await fetch(`${tg.url}/bot${tg.token}/getMe`);
      expect(r.status).toBe(200);
      // undici, under node-telegram-bot-api, reuses a connection only for the hint minus its margin of seconds
      const hint = Number(/timeout=(\d+)/.exec(r.headers.get('keep-alive') ?? '')?.[1]);
      expect(r.headers.get('connection')).toBe('keep-alive');
      expect(hint).toBeGreaterThanOrEqual(30);
      await r.text();
    } finally {
      await tg.stop();
    }
  });
});
