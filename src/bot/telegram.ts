/**
 * Telegram I/O of the officials' bot over the library's `Api`: cards (send, edit in place), plain
 * messages, and the `Notifier`/`Messenger` ports of the pipeline. Telegram errors are mapped once, here.
 */
import { Api, NetworkError, TelegramApiError, TimeoutError } from 'node-telegram-bot-api';
import { keepAliveFetch } from '../lib/fetch';
import type { Config } from '../config';
import type { Db } from '../db';
import type { Incident } from '../db/incidents';
import type { Message } from '../db/messages';
import type { Official } from '../db/officials';
import { PermanentError, TransientError } from '../errors';
import type { Logger } from '../log';
import type { Messenger, Notifier } from '../pipeline/ports';
import { reference } from '../pipeline/reference';
import { callbackSecret, signCallback } from './callback';
import { renderCard, type InlineKeyboard } from './card';
import { formatDeadline, formatLocalSafe, T } from './texts';

/** Maps a Telegram client error to ours: 429/5xx/network → Transient (with retry_after), other 4xx → Permanent. */
export function toAppError(err: unknown): Error {
  if (err instanceof TelegramApiError) {
    if (err.errorCode === 429) return new TransientError(`telegram 429: ${err.description}`, (err.retryAfter ?? 1) * 1000, { cause: err });
    if (err.errorCode >= 500) return new TransientError(`telegram ${err.errorCode}: ${err.description}`, undefined, { cause: err });
    return new PermanentError(`telegram ${err.errorCode}: ${err.description}`, { cause: err });
  }
  if (err instanceof NetworkError || err instanceof TimeoutError) return new TransientError(`telegram: ${err.message}`, undefined, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/** "message is not modified": the edit had nothing to change, which for us is success. */
export function isNotModified(err: unknown): boolean {
  return err instanceof TelegramApiError && err.errorCode === 400 && err.description.includes('message is not modified');
}

export interface TelegramOfficeDeps {
  db: Db;
  now: () => Date;
  timezone: string;
  log: Logger;
}

/** Cards and messages to officials' private chats. Used by the notify stage (any process) and by the bot. */
export class TelegramOffice {
  /** Officials known to have pressed Start (chatOf). */
  private readonly started = new Set<string>();

  constructor(
    readonly api: Api,
    readonly secret: string,
    private readonly deps: TelegramOfficeDeps,
  ) {}

  /** Sends Telegram HTML; throws mapped errors. */
  async send(chatId: string, html: string, keyboard?: InlineKeyboard): Promise<{ chatId: string; messageId: string }> {
    try {
      const m = await this.api.sendMessage({
        chat_id: chatId,
        text: html,
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {}),
      });
      return { chatId: String(m.chat.id), messageId: String(m.message_id) };
    } catch (err) {
      throw toAppError(err);
    }
  }

  /** Edits a message in place; "not modified" is success. */
  async edit(chatId: string, messageId: string, html: string, keyboard?: InlineKeyboard): Promise<void> {
    try {
      await this.api.editMessageText({
        chat_id: chatId,
        message_id: Number(messageId),
        text: html,
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {}),
      });
    } catch (err) {
      if (isNotModified(err)) return;
      throw toAppError(err);
    }
  }

  /** The card of an incident as `recipientId` should see it now (buttons signed at the current assignment). */
  async card(
    incident: Incident,
    recipientId: string,
    escalation: boolean,
    primary?: Message,
  ): Promise<{ text: string; keyboard: InlineKeyboard | undefined }> {
    const { db } = this.deps;
    // Names of places and officials from the reference data (seconds old at most); the rest, batched reads.
    const [message, current, promises, ref] = await Promise.all([
      primary?.id === incident.primaryMessageId ? primary : db.messages.get(incident.primaryMessageId),
      db.bot.currentAssignment(incident.id),
      db.bot.promises(incident.id),
      reference(db),
    ]);
    const owner = incident.officialId ? (ref.officialsById.get(incident.officialId) ?? (await db.officials.get(incident.officialId))) : null;
    const passedTo = incident.officialId && recipientId !== incident.officialId && !escalation ? (owner?.name ?? '—') : null;
    const epoch = current?.id ?? null;
    const sign = epoch ? (action: Parameters<typeof signCallback>[1]['action'], arg = '') => signCallback(this.secret, { action, incidentId: incident.id, epoch, arg }) : null;
    return renderCard(
      {
        incident,
        message: { text: message?.text ?? '', permalink: message?.permalink ?? null },
        municipalityName: (incident.municipalityId && ref.municipalities.get(incident.municipalityId)?.name) || null,
        ownerName: owner?.name ?? null,
        promise: promises.find((p) => !p.keptAt && !p.brokenAt) ?? null,
        now: this.deps.now(),
        timezone: this.deps.timezone,
        escalation,
        passedTo,
      },
      sign,
    );
  }

  /** Re-renders every delivered card and escalation copy of an incident (after any change of its state). */
  async refreshCards(incidentId: string, pressed?: { chatId: string; messageId: string; officialId: string }): Promise<void> {
    const incident = await this.deps.db.incidents.get(incidentId);
    if (!incident) return;
    const cards = (await this.deps.db.notifications.delivered(incidentId)).map((n) => ({
      chatId: n.chatId as string,
      messageId: n.messageId as string,
      officialId: n.officialId,
      escalation: n.kind === 'escalation',
    }));
    // The card whose button was just pressed may not be recorded yet (its record follows Telegram's answer).
    if (pressed && !cards.some((c) => c.chatId === pressed.chatId && c.messageId === pressed.messageId)) {
      cards.push({ ...pressed, escalation: pressed.officialId !== incident.officialId });
    }
    for (const n of cards) {
      const c = await this.card(incident, n.officialId, n.escalation);
      try {
        await this.edit(n.chatId, n.messageId, c.text, c.keyboard);
      } catch (err) {
        // One stale chat (blocked bot, deleted message) must not stop the other cards from updating.
        this.deps.log.warn('bot.card-refresh-failed', { incidentId, officialId: n.officialId, errName: (err as Error).name });
      }
    }
  }

  /** The pipeline's Notifier: cards, reminders and escalations to an official's private chat. */
  notifier(): Notifier {
    return {
      send: async ({ kind, official, incident, message }) => {
        const chatId = await this.chatOf(official);
        if (kind === 'card' || kind === 'escalation') {
          const c = await this.card(incident, official.id, kind === 'escalation', message);
          return this.send(chatId, c.text, c.keyboard);
        }
        return this.send(chatId, await this.reminderText(kind, incident));
      },
    };
  }

  /** The pipeline's Messenger (digests, alerts). */
  messenger(): Messenger {
    return {
      sendText: async (chatId, html) => ({ messageId: (await this.send(chatId, html)).messageId }),
    };
  }

  private async chatOf(official: Official): Promise<string> {
    if (!official.telegramId) throw new PermanentError('no-telegram-id');
    // Telegram refuses to start a conversation: an official who never wrote /start cannot be reached. (Once
    // started, always started: the mark is never cleared, so it is read once per official and process.)
    if (!this.started.has(official.id)) {
      if (!(await this.deps.db.bot.botStartedAt(official.id))) throw new PermanentError('official has not started the bot');
      this.started.add(official.id);
    }
    return official.telegramId;
  }

  private async reminderText(kind: string, incident: Incident): Promise<string> {
    const now = this.deps.now();
    const tz = this.deps.timezone;
    if (kind === 'remind-half' || kind === 'remind-three-quarters') {
      return T.remind(incident.id, kind === 'remind-half' ? 'половина' : 'три четверти', incident.responseDueAt ? formatDeadline(incident.responseDueAt, now, tz) : '—');
    }
    if (kind === 'resolution-warn') return T.resolutionWarn(incident.id, incident.resolutionDueAt ? formatDeadline(incident.resolutionDueAt, now, tz) : '—');
    if (kind === 'resolution-breach') return T.resolutionBreach(incident.id, formatLocalSafe(incident.resolutionDueAt, tz));
    if (kind.startsWith('promise-due-')) {
      const p = await this.deps.db.bot.promise(kind.slice('promise-due-'.length));
      return T.promiseDue(incident.id, formatLocalSafe(p?.dueAt ?? null, tz), p?.text ?? '');
    }
    throw new PermanentError(`unknown notification kind ${kind}`);
  }
}

/** The Telegram side of a process when a token is set: one `Api` for the ports (the poller is separate). */
export function createTelegramOffice(cfg: Config, deps: TelegramOfficeDeps): TelegramOffice | null {
  if (!cfg.TELEGRAM_BOT_TOKEN) return null;
  const api = new Api(cfg.TELEGRAM_BOT_TOKEN, { apiRoot: cfg.TELEGRAM_API_URL, fetch: keepAliveFetch });
  return new TelegramOffice(api, callbackSecret(cfg.BOT_CALLBACK_SECRET, cfg.TELEGRAM_BOT_TOKEN), deps);
}
