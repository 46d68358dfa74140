/**
 * Telegram Bot API emulator: a real `node:http` server on 127.0.0.1 serving `/bot<token>/<method>`
 * with the `{ok, result}` / `{ok:false, error_code, description, parameters}` envelope, long-polled
 * `getUpdates`, and the validation errors that bite in production (entity parsing, 64-byte
 * callback data, bots that may not start conversations, "message is not modified", 409 on two
 * pollers).
 *
 * node-telegram-bot-api 2.x: `new Bot(token, { apiRoot: tg.url })` — `apiRoot` is the origin, the
 * library appends `/bot<token>/<method>` and always POSTs (urlencoded, multipart with files).
 */
import { randomBytes } from 'node:crypto';
import type * as http from 'node:http';
import { listenLoopback, parseRequest, sendHtmlError, sendJson, Signals, type LoopbackServer } from './http-util';
import { parseFormatted, type TgEntity } from './telegram-format';

export type { TgEntity } from './telegram-format';

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  [key: string]: unknown;
}

export interface TgChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
  is_forum?: boolean;
  [key: string]: unknown;
}

export interface TgInlineButton {
  text: string;
  callback_data?: string;
  url?: string;
  [key: string]: unknown;
}

export interface TgReplyMarkup {
  inline_keyboard?: TgInlineButton[][];
  [key: string]: unknown;
}

export interface TgMessage {
  message_id: number;
  from?: TgUser;
  sender_chat?: TgChat;
  chat: TgChat;
  date: number;
  edit_date?: number;
  text?: string;
  entities?: TgEntity[];
  reply_markup?: TgReplyMarkup;
  reply_to_message?: TgMessage;
  [key: string]: unknown;
}

export interface TgCallbackQuery {
  id: string;
  from: TgUser;
  message: TgMessage;
  chat_instance: string;
  data: string;
}

export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  edited_message?: TgMessage;
  channel_post?: TgMessage;
  edited_channel_post?: TgMessage;
  callback_query?: TgCallbackQuery;
  [key: string]: unknown;
}

/** A message the bot sent, as it currently looks (after edits). */
export interface TgSentMessage {
  chatId: number;
  messageId: number;
  /** Plain text after entity parsing (what users see). */
  text: string;
  /** The text exactly as the bot sent it (with markup). */
  rawText: string;
  parseMode?: string;
  entities: TgEntity[];
  replyMarkup?: TgReplyMarkup;
  replyToMessageId?: number;
  edits: number;
  deleted: boolean;
  message: TgMessage;
}

export interface TgCall {
  method: string;
  /** Request fields (query + body); urlencoded/multipart values are strings, JSON bodies keep types. */
  params: Record<string, unknown>;
  httpMethod: string;
  contentType: string;
}

export interface TgCallbackAnswer {
  callbackQueryId: string;
  text?: string;
  showAlert: boolean;
  url?: string;
  cacheTime?: number;
}

/** A failure to inject: an API error envelope (HTTP status = error code) or a bare HTTP status. */
export type TgFailure = { errorCode: number; description?: string; retryAfter?: number } | { httpStatus: number };

export interface FakeTelegramOptions {
  /** The bot token. Default `123456789:TEST-fake-telegram-token`. */
  token?: string;
  /** The bot's user. */
  bot?: Partial<TgUser>;
  /** Users that already pressed Start (the bot may message them). */
  startedUsers?: number[];
  /** Group/supergroup/channel chats the bot is a member of. */
  chats?: TgChat[];
  /** Which getUpdates loses when two overlap: the older held one (Telegram's behaviour, default) or the newcomer. */
  conflict?: 'terminate-older' | 'reject-newer';
  /** Refuse a `&` that does not start an HTML entity (documented contract; tdlib is lenient). Default true. */
  strictHtmlAmpersand?: boolean;
  now?: () => number;
}

const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const CONFLICT_POLL = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
const CONFLICT_WEBHOOK = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const DEFAULT_EXCLUDED_UPDATES = ['chat_member', 'message_reaction', 'message_reaction_count'];

class TgApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

interface HeldPoll {
  res: http.ServerResponse;
  timer: NodeJS.Timeout;
  limit: number;
}

type Handler = (p: Record<string, unknown>) => unknown;

export class FakeTelegram {
  /** Pass as `TELEGRAM_API_URL` / node-telegram-bot-api 2.x `apiRoot` (origin, no trailing slash). */
  readonly url: string;
  readonly token: string;
  readonly botUser: TgUser;
  readonly calls: TgCall[] = [];
  /** Every message the bot sent, in order, with current text/markup. See `sentIn(chatId)`. */
  readonly sent: TgSentMessage[] = [];
  readonly callbackAnswers: TgCallbackAnswer[] = [];
  /** Every update ever produced, in order. */
  readonly updates: TgUpdate[] = [];
  webhook: { url: string; secretToken?: string } | null = null;
  commands = new Map<string, Array<{ command: string; description: string }>>();
  /** setMyDescription / setMyShortDescription, by language_code ('' = default). */
  readonly descriptions = new Map<string, string>();
  readonly shortDescriptions = new Map<string, string>();

  private readonly server: LoopbackServer;
  private readonly opts: FakeTelegramOptions;
  private readonly started: Set<number>;
  private readonly blocked = new Set<number>();
  private readonly chats = new Map<number, TgChat>();
  private readonly messages = new Map<number, Map<number, TgMessage>>();
  private readonly nextMessageId = new Map<number, number>();
  private readonly queries = new Map<string, { answered: boolean }>();
  private readonly failures = new Map<string, { failure: TgFailure; remaining: number }[]>();
  private queue: TgUpdate[] = [];
  private nextUpdateId = 1000;
  private allowedUpdates: string[] | undefined;
  private poll: HeldPoll | null = null;
  private readonly handlers: Record<string, Handler>;
  private readonly callSignals = new Signals<TgCall>();
  private readonly sentSignals = new Signals<TgSentMessage>();
  private readonly pollSignals = new Signals<number>();
  private stopped = false;

  /** @internal use `startFakeTelegram` */
  constructor(server: LoopbackServer, opts: FakeTelegramOptions) {
    this.server = server;
    this.opts = opts;
    this.url = server.origin;
    this.token = opts.token ?? '123456789:TEST-fake-telegram-token';
    const botId = Number(this.token.split(':')[0]) || 123456789;
    this.botUser = {
      id: botId,
      is_bot: true,
      first_name: 'Otklik Test Bot',
      username: 'otklik_test_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      ...opts.bot,
    };
    this.started = new Set(opts.startedUsers ?? []);
    for (const c of opts.chats ?? []) this.chats.set(c.id, c);
    const h: Record<string, Handler> = {
      getMe: () => this.botUser,
      getUpdates: () => undefined, // handled in handleCall (may be held)
      deleteWebhook: (p) => this.deleteWebhook(p),
      setWebhook: (p) => this.setWebhook(p),
      getWebhookInfo: () => ({ url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.queue.length }),
      setMyCommands: (p) => this.setMyCommands(p),
      getMyCommands: (p) => this.commands.get(this.scopeKey(p)) ?? [],
      deleteMyCommands: (p) => this.commands.delete(this.scopeKey(p)) || true,
      setMyDescription: (p) => this.setDescription(this.descriptions, p.description, 512, String(p.language_code ?? '')),
      getMyDescription: (p) => ({ description: this.descriptions.get(String(p.language_code ?? '')) ?? this.descriptions.get('') ?? '' }),
      setMyShortDescription: (p) => this.setDescription(this.shortDescriptions, p.short_description, 120, String(p.language_code ?? '')),
      getMyShortDescription: (p) => ({ short_description: this.shortDescriptions.get(String(p.language_code ?? '')) ?? this.shortDescriptions.get('') ?? '' }),
      sendMessage: (p) => this.sendMessage(p),
      editMessageText: (p) => this.editMessageText(p),
      editMessageReplyMarkup: (p) => this.editMessageReplyMarkup(p),
      answerCallbackQuery: (p) => this.answerCallbackQuery(p),
      deleteMessage: (p) => this.deleteMessage(p),
      getChat: (p) => this.getChat(p),
    };
    this.handlers = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
  }

  // ---------------------------------------------------------------- controls

  /** A user (or group member) writes to the bot. Private chats mark the user as having started the bot. */
  userSends(msg: {
    from: Partial<TgUser> & { id: number };
    chat?: Partial<TgChat> & { id: number };
    text?: string;
    entities?: TgEntity[];
    reply_to_message?: number;
    [key: string]: unknown;
  }): TgMessage {
    const { from: fromIn, chat: chatIn, reply_to_message: replyTo, ...rest } = msg;
    const from = this.userObject(fromIn);
    const chat = chatIn ? this.ensureChat(chatIn) : this.ensureChat({ id: from.id, type: 'private', first_name: from.first_name, last_name: from.last_name, username: from.username });
    if (chat.type === 'private') {
      this.started.add(from.id);
      this.blocked.delete(from.id);
    }
    const message: TgMessage = { message_id: this.allocateMessageId(chat.id), from, chat, date: this.now(), ...rest };
    if (message.text?.startsWith('/') && !message.entities) {
      const cmd = /^\/\S+/.exec(message.text)?.[0] ?? '';
      message.entities = [{ type: 'bot_command', offset: 0, length: cmd.length }];
    }
    if (replyTo !== undefined) message.reply_to_message = this.requireMessage(chat.id, replyTo);
    this.storeMessage(message);
    this.pushUpdate({ message });
    return message;
  }

  /** A post in a channel the bot administers. */
  channelPost(post: { chat: Partial<TgChat> & { id: number }; text?: string; [key: string]: unknown }): TgMessage {
    const { chat: chatIn, ...rest } = post;
    const chat = this.ensureChat({ type: 'channel', ...chatIn });
    const message: TgMessage = { message_id: this.allocateMessageId(chat.id), sender_chat: chat, chat, date: this.now(), ...rest };
    this.storeMessage(message);
    this.pushUpdate({ channel_post: message });
    return message;
  }

  /** The author edits an earlier message (`edited_message`, or `edited_channel_post` in channels). */
  editedMessage(edit: { chatId: number; messageId: number; text: string; [key: string]: unknown }): TgMessage {
    const { chatId, messageId, ...rest } = edit;
    const current = this.requireMessage(chatId, messageId);
    const message: TgMessage = { ...current, ...rest, edit_date: this.now() };
    if (message.entities && edit.entities === undefined) delete message.entities;
    this.storeMessage(message);
    this.pushUpdate(current.chat.type === 'channel' ? { edited_channel_post: message } : { edited_message: message });
    return message;
  }

  /** A user presses an inline button of a bot message. Throws if that message has no such button. */
  pressButton(press: { from: Partial<TgUser> & { id: number }; chatId: number; messageId: number; data: string }): TgCallbackQuery {
    const message = this.requireMessage(press.chatId, press.messageId);
    const buttons = (message.reply_markup?.inline_keyboard ?? []).flat();
    if (!buttons.some((b) => b.callback_data === press.data)) {
      throw new Error(`FakeTelegram: message ${press.chatId}/${press.messageId} has no button with callback_data ${JSON.stringify(press.data)}`);
    }
    const query: TgCallbackQuery = {
      id: BigInt(`0x${randomBytes(8).toString('hex')}`).toString(),
      from: this.userObject(press.from),
      message,
      chat_instance: String(-Math.abs(press.chatId) * 7919),
      data: press.data,
    };
    this.queries.set(query.id, { answered: false });
    this.pushUpdate({ callback_query: query });
    return query;
  }

  /** The user presses Start (the bot may now message them) without producing an update. */
  startBot(userId: number): void {
    this.started.add(userId);
    this.blocked.delete(userId);
  }

  /** The user blocks the bot: sends to them fail with 403 "bot was blocked by the user". */
  blockBot(userId: number): void {
    this.blocked.add(userId);
  }

  addChat(chat: TgChat): void {
    this.chats.set(chat.id, chat);
  }

  /** Makes the next `times` calls of `method` (or `'*'`) fail. */
  failNext(method: string, failure: TgFailure, times = 1): void {
    const key = method === '*' ? '*' : method.toLowerCase();
    const list = this.failures.get(key) ?? [];
    list.push({ failure, remaining: times });
    this.failures.set(key, list);
  }

  /** Messages the bot sent to one chat (current state). */
  sentIn(chatId: number): TgSentMessage[] {
    return this.sent.filter((m) => m.chatId === chatId);
  }

  waitForCall(method: string, match: (call: TgCall) => boolean = () => true, opts: { after?: number } = {}): Promise<TgCall> {
    const pred = (c: TgCall) => c.method.toLowerCase() === method.toLowerCase() && match(c);
    return this.callSignals.waitFor(pred, this.calls.slice(opts.after ?? 0));
  }

  /** Resolves with the first sent message (past or future) matching `match`. */
  waitForSent(match: (m: TgSentMessage) => boolean = () => true): Promise<TgSentMessage> {
    return this.sentSignals.waitFor(match, this.sent);
  }

  /** Resolves once a `getUpdates` is held open (the bot is idle and polling). */
  waitForPoller(): Promise<void> {
    if (this.poll) return Promise.resolve();
    return this.pollSignals.waitFor(() => this.poll !== null).then(() => undefined);
  }

  /** Updates produced but not yet confirmed by an offset. */
  get pendingUpdates(): number {
    return this.queue.length;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const held = this.poll;
    if (held) {
      const closed = new Promise<void>((resolve) => held.res.once('close', () => resolve()));
      this.answerPoll(held);
      await closed;
    }
    await this.server.close();
  }

  // ---------------------------------------------------------------- HTTP

  /** @internal */
  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const parsed = await parseRequest(req);
    const m = /^\/bot([^/]+)\/([A-Za-z0-9_]+)$/.exec(parsed.path);
    if (!m) {
      sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const [, token, method] = m;
    const call: TgCall = { method, params: parsed.fields, httpMethod: parsed.method, contentType: parsed.contentType };
    this.calls.push(call);
    this.callSignals.emit(call);
    if (token !== this.token) {
      sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    const handler = this.handlers[method.toLowerCase()];
    if (!handler) {
      sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const failure = this.takeFailure(method.toLowerCase());
    try {
      if (failure && 'httpStatus' in failure) {
        sendHtmlError(res, failure.httpStatus);
        return;
      }
      if (failure) {
        if (failure.errorCode === 429) {
          const retryAfter = failure.retryAfter ?? 1;
          throw new TgApiError(429, failure.description ?? `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
        }
        throw new TgApiError(failure.errorCode, failure.description ?? 'Bad Request');
      }
      if (method.toLowerCase() === 'getupdates') {
        this.getUpdates(parsed.fields, res);
        return;
      }
      const result = handler(parsed.fields);
      sendJson(res, 200, { ok: true, result });
    } catch (err) {
      if (!(err instanceof TgApiError)) throw err;
      this.sendError(res, err);
    }
  }

  private sendError(res: http.ServerResponse, err: TgApiError): void {
    const body: Record<string, unknown> = { ok: false, error_code: err.code, description: err.description };
    if (err.parameters) body.parameters = err.parameters;
    sendJson(res, err.code, body);
  }

  // ---------------------------------------------------------------- getUpdates

  private getUpdates(p: Record<string, unknown>, res: http.ServerResponse): void {
    if (this.webhook) throw new TgApiError(409, CONFLICT_WEBHOOK);
    if (this.poll) {
      if ((this.opts.conflict ?? 'terminate-older') === 'reject-newer') throw new TgApiError(409, CONFLICT_POLL);
      const older = this.poll;
      this.poll = null;
      clearTimeout(older.timer);
      this.sendError(older.res, new TgApiError(409, CONFLICT_POLL));
    }
    const allowed = this.jsonField<string[]>(p.allowed_updates);
    if (allowed !== undefined) this.allowedUpdates = allowed;
    const offset = this.num(p.offset);
    if (offset !== undefined && offset !== 0) {
      if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
      else this.queue = this.queue.slice(offset);
    }
    const limit = Math.min(Math.max(this.num(p.limit) ?? 100, 1), 100);
    const timeout = Math.max(this.num(p.timeout) ?? 0, 0);
    this.dropDisallowed();
    if (this.queue.length > 0 || timeout === 0) {
      sendJson(res, 200, { ok: true, result: this.queue.slice(0, limit) });
      return;
    }
    const held: HeldPoll = { res, limit, timer: setTimeout(() => this.answerPoll(held), timeout * 1000) };
    this.poll = held;
    res.once('close', () => {
      clearTimeout(held.timer);
      if (this.poll === held) this.poll = null;
    });
    this.pollSignals.emit(1);
  }

  private answerPoll(held: HeldPoll): void {
    clearTimeout(held.timer);
    if (this.poll === held) this.poll = null;
    this.dropDisallowed();
    sendJson(held.res, 200, { ok: true, result: this.queue.slice(0, held.limit) });
  }

  private dropDisallowed(): void {
    const allowed = this.allowedUpdates;
    this.queue = this.queue.filter((u) => {
      const kind = Object.keys(u).find((k) => k !== 'update_id') ?? '';
      return allowed && allowed.length > 0 ? allowed.includes(kind) : !DEFAULT_EXCLUDED_UPDATES.includes(kind);
    });
  }

  private pushUpdate(payload: Omit<TgUpdate, 'update_id'>): TgUpdate {
    const update = { update_id: this.nextUpdateId++, ...payload } as TgUpdate;
    this.updates.push(update);
    this.queue.push(update);
    if (this.poll) this.answerPoll(this.poll);
    return update;
  }

  // ---------------------------------------------------------------- methods

  private deleteWebhook(p: Record<string, unknown>): true {
    this.webhook = null;
    if (this.bool(p.drop_pending_updates)) this.queue = [];
    return true;
  }

  private setWebhook(p: Record<string, unknown>): true {
    const url = String(p.url ?? '');
    if (url === '') return this.deleteWebhook(p);
    if (!url.startsWith('https://')) throw new TgApiError(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    this.webhook = { url, secretToken: p.secret_token === undefined ? undefined : String(p.secret_token) };
    if (this.bool(p.drop_pending_updates)) this.queue = [];
    return true;
  }

  private setMyCommands(p: Record<string, unknown>): true {
    const commands = this.jsonField<Array<{ command: string; description: string }>>(p.commands);
    if (!Array.isArray(commands)) throw new TgApiError(400, 'Bad Request: parameter "commands" is required');
    for (const c of commands) {
      if (typeof c?.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw new TgApiError(400, 'Bad Request: BOT_COMMAND_INVALID');
      if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256) {
        throw new TgApiError(400, 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
      }
    }
    this.commands.set(this.scopeKey(p), commands.map((c) => ({ command: c.command, description: c.description })));
    return true;
  }

  /** Bot API: 0–512 characters (short: 0–120); an empty or absent one removes it for that language. */
  private setDescription(into: Map<string, string>, raw: unknown, max: number, lang: string): true {
    const text = raw === undefined ? '' : String(raw);
    if (text.length > max) throw new TgApiError(400, 'Bad Request: description is too long');
    if (lang !== '' && !/^[a-z]{2}$/.test(lang)) throw new TgApiError(400, 'Bad Request: LANG_CODE_INVALID');
    if (text === '') into.delete(lang);
    else into.set(lang, text);
    return true;
  }

  private sendMessage(p: Record<string, unknown>): TgMessage {
    const chat = this.writableChat(p.chat_id);
    const rawText = p.text === undefined ? '' : String(p.text);
    const { text, entities, parseMode } = this.formatText(rawText, p);
    const markup = this.replyMarkup(p.reply_markup);
    const replyParams = this.jsonField<{ message_id: number; chat_id?: number | string; allow_sending_without_reply?: boolean }>(p.reply_parameters);
    const replyToId = replyParams?.message_id ?? this.num(p.reply_to_message_id);
    const allowWithout = replyParams?.allow_sending_without_reply ?? this.bool(p.allow_sending_without_reply);
    let replyTo: TgMessage | undefined;
    if (replyToId !== undefined) {
      replyTo = this.messages.get(chat.id)?.get(replyToId);
      if (!replyTo && !allowWithout) throw new TgApiError(400, 'Bad Request: message to be replied not found');
    }
    const message: TgMessage = { message_id: this.allocateMessageId(chat.id), from: this.botUser, chat, date: this.now(), text };
    if (entities.length > 0) message.entities = entities;
    if (markup?.inline_keyboard) message.reply_markup = markup;
    if (replyTo) message.reply_to_message = replyTo;
    this.storeMessage(message);
    const record: TgSentMessage = {
      chatId: chat.id,
      messageId: message.message_id,
      text,
      rawText,
      parseMode,
      entities,
      replyMarkup: message.reply_markup,
      replyToMessageId: replyTo?.message_id,
      edits: 0,
      deleted: false,
      message,
    };
    this.sent.push(record);
    this.sentSignals.emit(record);
    return message;
  }

  private editMessageText(p: Record<string, unknown>): TgMessage {
    const { record, message } = this.editable(p);
    const rawText = p.text === undefined ? '' : String(p.text);
    const { text, entities, parseMode } = this.formatText(rawText, p);
    const markup = this.replyMarkup(p.reply_markup);
    const newMarkup = markup?.inline_keyboard ? markup : undefined;
    if (text === message.text && sameJson(entities, message.entities ?? []) && sameJson(newMarkup, message.reply_markup)) {
      throw new TgApiError(400, NOT_MODIFIED);
    }
    const edited: TgMessage = { ...message, text, edit_date: this.now() };
    if (entities.length > 0) edited.entities = entities;
    else delete edited.entities;
    if (newMarkup) edited.reply_markup = newMarkup;
    else delete edited.reply_markup;
    this.storeMessage(edited);
    Object.assign(record, { text, rawText, parseMode, entities, replyMarkup: edited.reply_markup, message: edited, edits: record.edits + 1 });
    return edited;
  }

  private editMessageReplyMarkup(p: Record<string, unknown>): TgMessage {
    const { record, message } = this.editable(p);
    const markup = this.replyMarkup(p.reply_markup);
    const newMarkup = markup?.inline_keyboard && markup.inline_keyboard.length > 0 ? markup : undefined;
    if (sameJson(newMarkup, message.reply_markup)) throw new TgApiError(400, NOT_MODIFIED);
    const edited: TgMessage = { ...message, edit_date: this.now() };
    if (newMarkup) edited.reply_markup = newMarkup;
    else delete edited.reply_markup;
    this.storeMessage(edited);
    Object.assign(record, { replyMarkup: edited.reply_markup, message: edited, edits: record.edits + 1 });
    return edited;
  }

  private answerCallbackQuery(p: Record<string, unknown>): true {
    const id = String(p.callback_query_id ?? '');
    const q = this.queries.get(id);
    if (!q || q.answered) throw new TgApiError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
    q.answered = true;
    const answer: TgCallbackAnswer = { callbackQueryId: id, showAlert: this.bool(p.show_alert) };
    if (p.text !== undefined) answer.text = String(p.text);
    if (p.url !== undefined) answer.url = String(p.url);
    if (p.cache_time !== undefined) answer.cacheTime = Number(p.cache_time);
    this.callbackAnswers.push(answer);
    return true;
  }

  private deleteMessage(p: Record<string, unknown>): true {
    const chatId = this.chatIdOf(p.chat_id);
    const messageId = this.num(p.message_id);
    const inChat = this.messages.get(chatId);
    if (messageId === undefined || !inChat?.has(messageId)) throw new TgApiError(400, 'Bad Request: message to delete not found');
    inChat.delete(messageId);
    const record = this.sent.find((s) => s.chatId === chatId && s.messageId === messageId);
    if (record) record.deleted = true;
    return true;
  }

  private getChat(p: Record<string, unknown>): Record<string, unknown> {
    const chatId = this.chatIdOf(p.chat_id);
    const chat = this.chats.get(chatId);
    if (!chat || (chat.type === 'private' && !this.started.has(chatId))) throw new TgApiError(400, 'Bad Request: chat not found');
    return { ...chat, accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false } };
  }

  // ---------------------------------------------------------------- helpers

  private formatText(rawText: string, p: Record<string, unknown>): { text: string; entities: TgEntity[]; parseMode?: string } {
    const parseMode = p.parse_mode === undefined || p.parse_mode === '' ? undefined : String(p.parse_mode);
    const explicit = this.jsonField<TgEntity[]>(p.entities);
    let text = rawText;
    let entities: TgEntity[] = [];
    if (parseMode !== undefined) {
      const parsed = parseFormatted(rawText, parseMode, { strictAmpersand: this.opts.strictHtmlAmpersand ?? true });
      if (!parsed.ok) {
        if (parsed.reason === null) throw new TgApiError(400, `Bad Request: unsupported parse_mode`);
        throw new TgApiError(400, `Bad Request: can't parse entities: ${parsed.reason}`);
      }
      text = parsed.text;
      entities = parsed.entities;
    } else if (Array.isArray(explicit)) {
      entities = explicit;
    }
    if (text.trim() === '') throw new TgApiError(400, 'Bad Request: message text is empty');
    if (text.length > 4096) throw new TgApiError(400, 'Bad Request: message is too long');
    return { text, entities, parseMode };
  }

  private replyMarkup(raw: unknown): TgReplyMarkup | undefined {
    if (raw === undefined || raw === '') return undefined;
    let markup: unknown = raw;
    if (typeof raw === 'string') {
      try {
        markup = JSON.parse(raw);
      } catch {
        throw new TgApiError(400, "Bad Request: can't parse reply keyboard markup JSON object");
      }
    }
    if (!markup || typeof markup !== 'object') throw new TgApiError(400, "Bad Request: can't parse reply keyboard markup JSON object");
    const m = markup as TgReplyMarkup;
    if (m.inline_keyboard !== undefined) {
      if (!Array.isArray(m.inline_keyboard) || !m.inline_keyboard.every(Array.isArray)) {
        throw new TgApiError(400, 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
      }
      for (const button of m.inline_keyboard.flat()) {
        if (!button || typeof button.text !== 'string' || button.text === '') throw new TgApiError(400, 'Bad Request: BUTTON_TEXT_INVALID');
        if (button.callback_data !== undefined) {
          const size = Buffer.byteLength(String(button.callback_data), 'utf8');
          if (size < 1 || size > 64) throw new TgApiError(400, 'Bad Request: BUTTON_DATA_INVALID');
        } else if (button.url !== undefined) {
          if (!/^(https?|tg):\/\/\S+$/.test(String(button.url))) throw new TgApiError(400, 'Bad Request: BUTTON_URL_INVALID');
        } else if (Object.keys(button).filter((k) => k !== 'text').length === 0) {
          throw new TgApiError(400, 'Bad Request: text buttons are unallowed in the inline keyboard');
        }
      }
    }
    return m;
  }

  private editable(p: Record<string, unknown>): { record: TgSentMessage; message: TgMessage } {
    if (p.inline_message_id !== undefined) throw new TgApiError(400, 'Bad Request: MESSAGE_ID_INVALID');
    const chatId = this.chatIdOf(p.chat_id);
    const messageId = this.num(p.message_id);
    const message = messageId === undefined ? undefined : this.messages.get(chatId)?.get(messageId);
    if (!message) throw new TgApiError(400, 'Bad Request: message to edit not found');
    const record = this.sent.find((s) => s.chatId === chatId && s.messageId === messageId && !s.deleted);
    if (!record || message.from?.id !== this.botUser.id) throw new TgApiError(400, "Bad Request: message can't be edited");
    return { record, message };
  }

  private writableChat(raw: unknown): TgChat {
    if (raw === undefined || raw === '') throw new TgApiError(400, 'Bad Request: chat_id is empty');
    const chatId = this.chatIdOf(raw);
    if (chatId > 0) {
      if (this.blocked.has(chatId)) throw new TgApiError(403, 'Forbidden: bot was blocked by the user');
      if (!this.started.has(chatId)) throw new TgApiError(403, "Forbidden: bot can't initiate conversation with a user");
      return this.chats.get(chatId) ?? this.ensureChat({ id: chatId, type: 'private', first_name: `User ${chatId}` });
    }
    const chat = this.chats.get(chatId);
    if (!chat) throw new TgApiError(400, 'Bad Request: chat not found');
    return chat;
  }

  private chatIdOf(raw: unknown): number {
    const s = String(raw ?? '');
    if (s.startsWith('@')) {
      const chat = [...this.chats.values()].find((c) => c.username && `@${c.username}`.toLowerCase() === s.toLowerCase());
      if (!chat) throw new TgApiError(400, 'Bad Request: chat not found');
      return chat.id;
    }
    const n = Number(s);
    if (!Number.isInteger(n) || s === '') throw new TgApiError(400, 'Bad Request: chat not found');
    return n;
  }

  private ensureChat(chat: Partial<TgChat> & { id: number }): TgChat {
    const existing = this.chats.get(chat.id);
    const type = chat.type ?? existing?.type ?? (chat.id > 0 ? 'private' : chat.id < -1_000_000_000_000 ? 'supergroup' : 'group');
    const full: TgChat = { ...existing, ...chat, id: chat.id, type };
    if (type !== 'private' && !full.title) full.title = `Chat ${chat.id}`;
    this.chats.set(chat.id, full);
    return full;
  }

  private userObject(u: Partial<TgUser> & { id: number }): TgUser {
    return { is_bot: false, first_name: `User${u.id}`, ...u };
  }

  private allocateMessageId(chatId: number): number {
    const id = this.nextMessageId.get(chatId) ?? 1;
    this.nextMessageId.set(chatId, id + 1);
    return id;
  }

  private storeMessage(message: TgMessage): void {
    const inChat = this.messages.get(message.chat.id) ?? new Map<number, TgMessage>();
    inChat.set(message.message_id, message);
    this.messages.set(message.chat.id, inChat);
  }

  private requireMessage(chatId: number, messageId: number): TgMessage {
    const m = this.messages.get(chatId)?.get(messageId);
    if (!m) throw new Error(`FakeTelegram: no message ${messageId} in chat ${chatId}`);
    return m;
  }

  private scopeKey(p: Record<string, unknown>): string {
    const scope = this.jsonField<Record<string, unknown>>(p.scope) ?? { type: 'default' };
    return `${JSON.stringify(scope)}|${String(p.language_code ?? '')}`;
  }

  private jsonField<T>(raw: unknown): T | undefined {
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string') return raw as T;
    try {
      return JSON.parse(raw) as T;
    } catch {
      throw new TgApiError(400, "Bad Request: can't parse JSON object");
    }
  }

  private num(raw: unknown): number | undefined {
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }

  private bool(raw: unknown): boolean {
    return raw === true || raw === 'true' || raw === '1' || raw === 1;
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Math.floor(Date.now() / 1000);
  }

  private takeFailure(method: string): TgFailure | undefined {
    for (const name of [method, '*']) {
      const list = this.failures.get(name);
      const head = list?.[0];
      if (!list || !head) continue;
      head.remaining -= 1;
      if (head.remaining <= 0) list.shift();
      return head.failure;
    }
    return undefined;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Starts the Telegram Bot API emulator on 127.0.0.1:0. */
export async function startFakeTelegram(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  let tg: FakeTelegram | undefined;
  const server = await listenLoopback((req, res) => {
    if (!tg) return;
    tg.handle(req, res).catch(() => {
      if (!res.headersSent) sendHtmlError(res, 500);
    });
  });
  tg = new FakeTelegram(server, opts);
  return tg;
}
