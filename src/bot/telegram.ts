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
import { renderTriage, triageDoneText } from './triage';
import type { TopicCode } from '../domain/types';
import { formatDeadline, formatDuration, formatLocalSafe, T } from './texts';
import { NOT_SET, topicName } from '../domain/wording';
import { escapeHtml } from '../lib/html';

/** Telegram's pace for editing one message: about once a minute (automatic edits never come faster). */
export const CARD_EDIT_GAP_MS = 60_000;

/** Assignment reasons that are a person's hand-over (the router's own are 'rule', 'municipality-head', 'duty-officer'). */
const HANDOVER_REASONS = new Set(['colleague', 'not-ours', 'corrected']);

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
  /** SLA_TARGET_MINUTES: the deadline a triage message shows. */
  targetMinutes?: number;
}

/** Cards and messages to officials' private chats. Used by the notify stage (any process) and by the bot. */
export class TelegramOffice {
  /** Officials known to have pressed Start (chatOf). */
  private readonly started = new Set<string>();
  private readonly sourceNames = new Map<string, { at: number; name: string | null }>();

  constructor(
    readonly api: Api,
    readonly secret: string,
    private readonly deps: TelegramOfficeDeps,
  ) {}

  /** Sends Telegram HTML; throws mapped errors. */
  async send(chatId: string, html: string, keyboard?: InlineKeyboard, replyTo?: string): Promise<{ chatId: string; messageId: string }> {
    try {
      const m = await this.api.sendMessage({
        chat_id: chatId,
        text: html,
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {}),
        // A reply to a card that was deleted meanwhile still goes out, as a plain message.
        ...(replyTo ? { reply_parameters: { message_id: Number(replyTo), allow_sending_without_reply: true } } : {}),
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

  /** Removes a message's inline keyboard (a used dialogue); "not modified" and a vanished message are fine. */
  async dropKeyboard(chatId: string, messageId: string): Promise<void> {
    try {
      await this.api.editMessageReplyMarkup({ chat_id: chatId, message_id: Number(messageId) });
    } catch (err) {
      if (isNotModified(err)) return;
      this.deps.log.warn('bot.keyboard-drop-failed', { chatId, errName: toAppError(err).name });
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
    // Who passed it on and why: only read when the current assignment came from a person (not the router).
    let handover: { fromName: string; note: string | null } | null = null;
    if (current && HANDOVER_REASONS.has(current.reason)) {
      const h = await db.bot.lastHandover(incident.id);
      if (h && h.kind === 'reassigned' && h.to === incident.officialId) {
        const fromId = h.actor.startsWith('official:') ? h.actor.slice('official:'.length) : h.from;
        const from = fromId ? (ref.officialsById.get(fromId) ?? (await db.officials.get(fromId))) : null;
        if (from) handover = { fromName: from.name, note: h.note };
      }
    }
    const sourceName = message?.sourceId ? await this.sourceName(message.sourceId) : null;
    const epoch = current?.id ?? null;
    const sign = epoch ? (action: Parameters<typeof signCallback>[1]['action'], arg = '') => signCallback(this.secret, { action, incidentId: incident.id, epoch, arg }) : null;
    return renderCard(
      {
        incident,
        message: { text: message?.text ?? '', permalink: message?.permalink ?? null },
        origin: message ? { authorName: message.authorName, platform: message.platform, sourceName, publishedAt: message.publishedAt } : undefined,
        handover,
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

  /** A watched community's name (cached a minute: sources change by import only). */
  private async sourceName(sourceId: string): Promise<string | null> {
    const hit = this.sourceNames.get(sourceId);
    if (hit && Date.now() - hit.at < 60_000) return hit.name;
    const name = (await this.deps.db.sources.get(sourceId))?.name ?? null;
    this.sourceNames.set(sourceId, { at: Date.now(), name });
    return name;
  }

  /** Re-renders every delivered card and escalation copy of an incident (after any change of its state). */
  async refreshCards(
    incidentId: string,
    pressed?: { chatId: string; messageId: string; officialId: string },
    opts: { auto?: boolean } = {},
  ): Promise<void> {
    const incident = await this.deps.db.incidents.get(incidentId);
    if (!incident) return;
    if (!opts.auto) await this.refreshTriage(incident);
    const cards = (await this.deps.db.notifications.delivered(incidentId)).map((n) => ({
      chatId: n.chatId as string,
      messageId: n.messageId as string,
      officialId: n.officialId,
      kind: n.kind,
      escalation: n.kind === 'escalation',
    }));
    // The card whose button was just pressed may not be recorded yet (its record follows Telegram's answer).
    if (pressed && !cards.some((c) => c.chatId === pressed.chatId && c.messageId === pressed.messageId)) {
      const escalation = pressed.officialId !== incident.officialId;
      cards.push({ ...pressed, kind: escalation ? 'escalation' : 'card', escalation });
    }
    for (const n of cards) {
      const key = { incidentId, officialId: n.officialId, kind: n.kind };
      // A change nobody is waiting for (a follow-up post, a reminder moment) respects Telegram's pace: at most one
      // edit of a card a minute; one that comes sooner is left to the card clock (src/timers/cards.ts).
      if (opts.auto && !(await this.deps.db.notifications.claimEdit(key, this.deps.now(), CARD_EDIT_GAP_MS))) {
        await this.deps.db.notifications.wantRefresh(key, this.deps.now());
        continue;
      }
      await this.editCard(incident, n, key, !opts.auto);
    }
  }

  /** Edits the cards the card clock finds due (a stale countdown, a change waiting); returns how many were edited. */
  async refreshDue(everyMs: number): Promise<number> {
    const { db } = this.deps;
    const due = await db.notifications.cardsToRefresh(this.deps.now(), everyMs, CARD_EDIT_GAP_MS);
    let edited = 0;
    const incidents = new Map<string, Incident | null>();
    for (const key of due) {
      if (!incidents.has(key.incidentId)) incidents.set(key.incidentId, await db.incidents.get(key.incidentId));
      const incident = incidents.get(key.incidentId);
      if (!incident) continue;
      // Claimed first: another process's clock (or a press meanwhile) may have just edited it.
      if (!(await db.notifications.claimEdit(key, this.deps.now(), CARD_EDIT_GAP_MS))) continue;
      const n = await db.notifications.get(key.incidentId, key.officialId, key.kind);
      if (!n?.chatId || !n.messageId) continue;
      if (await this.editCard(incident, { chatId: n.chatId, messageId: n.messageId, officialId: n.officialId, escalation: n.kind === 'escalation' }, key, false)) edited++;
    }
    return edited;
  }

  /** Renders and edits one card; true when Telegram took it (or nothing changed). */
  private async editCard(
    incident: Incident,
    n: { chatId: string; messageId: string; officialId: string; escalation: boolean },
    key: { incidentId: string; officialId: string; kind: string },
    record: boolean,
  ): Promise<boolean> {
    const c = await this.card(incident, n.officialId, n.escalation);
    try {
      await this.edit(n.chatId, n.messageId, c.text, c.keyboard);
      if (record) await this.deps.db.notifications.markEdited(key, this.deps.now());
      return true;
    } catch (err) {
      // One stale chat (blocked bot, deleted message) must not stop the other cards from updating.
      this.deps.log.warn('bot.card-refresh-failed', { incidentId: incident.id, officialId: n.officialId, errName: (err as Error).name });
      return false;
    }
  }

  /** The triage message of an incident as it stands: its buttons while it waits, what was decided once it is not. */
  private async triageMessage(incident: Incident): Promise<{ text: string; keyboard: InlineKeyboard | undefined }> {
    const ref = await reference(this.deps.db);
    const municipalities = [...ref.municipalities.values()].map((m) => ({ id: m.id, name: m.name }));
    const item = incident.status === 'needs_review' ? await this.deps.db.triage.item(incident.id) : null;
    if (!item) return { text: triageDoneText(incident, municipalities), keyboard: undefined };
    const sign = (action: Parameters<typeof signCallback>[1]['action'], arg: string) => signCallback(this.secret, { action, incidentId: incident.id, epoch: '0', arg });
    const opts = { view: 'main' as const, municipalities, now: this.deps.now(), timezone: this.deps.timezone, targetMinutes: this.deps.targetMinutes ?? 240 };
    const t = renderTriage(item, { topic: (item.topic as TopicCode | null) ?? 'other', municipalityId: item.municipalityId }, opts, sign);
    // Sent back by an official («Не наш вопрос» with no municipality): who, and the reason they typed.
    const h = await this.deps.db.bot.lastHandover(incident.id);
    if (h?.kind === 'returned-to-triage' && h.note) {
      const who = h.from ? (ref.officialsById.get(h.from)?.name ?? h.from) : '—';
      const [head, ...rest] = t.text.split('\n');
      return { text: [head, T.returnedToTriage(who, h.note), ...rest].join('\n'), keyboard: t.keyboard };
    }
    return t;
  }

  /** Brings the triage messages sent about an incident up to date (after a decision, in the bot or on the web). */
  private async refreshTriage(incident: Incident): Promise<void> {
    const sent = (await this.deps.db.notifications.forIncident(incident.id)).filter((n) => n.kind === 'triage' && n.status === 'sent' && n.chatId && n.messageId);
    if (sent.length === 0) return;
    const m = await this.triageMessage(incident);
    for (const n of sent) {
      await this.edit(n.chatId as string, n.messageId as string, m.text, m.keyboard).catch((err: unknown) =>
        this.deps.log.warn('bot.triage-refresh-failed', { incidentId: incident.id, officialId: n.officialId, errName: (err as Error).name }),
      );
    }
  }

  /** The pipeline's Notifier: cards, reminders and escalations to an official's private chat. */
  notifier(): Notifier {
    return {
      send: async ({ kind, official, incident, message }) => {
        const chatId = await this.chatOf(official);
        if (kind === 'triage') {
          const t = await this.triageMessage(incident);
          return this.send(chatId, t.text, t.keyboard);
        }
        if (kind === 'card' || kind === 'escalation') {
          const c = await this.card(incident, official.id, kind === 'escalation', message);
          return this.send(chatId, c.text, c.keyboard);
        }
        if (kind === 'escalation-summary') return this.send(chatId, await this.escalationSummary());
        // Reminders, deadlines, promises and thanks answer the card they are about, and carry its buttons.
        const text = await this.reminderText(kind, incident);
        const own = (await this.deps.db.notifications.get(incident.id, official.id, 'card')) ?? (await this.deps.db.notifications.get(incident.id, official.id, 'escalation'));
        const cardMessage = own?.status === 'sent' && own.chatId === chatId ? own.messageId : null;
        const buttons = kind.startsWith('thanks-') ? undefined : (await this.card(incident, official.id, official.id !== incident.officialId, message)).keyboard;
        return this.send(chatId, text, buttons, cardMessage ?? undefined);
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

  /** The duty officer's one list of the overdue incidents (the start-up backlog), with their count. */
  private async escalationSummary(): Promise<string> {
    const now = this.deps.now();
    const [rows, ref] = await Promise.all([this.deps.db.bot.overdueIncidents(null, now, 30), reference(this.deps.db)]);
    const lines = rows.map((r) => {
      const place = (r.municipalityId && ref.municipalities.get(r.municipalityId)?.name) || NOT_SET.municipality;
      const owner = ref.officialsById.get(r.officialId)?.name ?? NOT_SET.official;
      return `№${r.id} · ${escapeHtml(topicName(r.topic, true))} · ${escapeHtml(place)} · ${escapeHtml(owner)} · просрочено на ${formatDuration(now.getTime() - r.responseDueAt.getTime())}`;
    });
    return T.escalationSummary(rows[0]?.total ?? 0, lines);
  }

  private async reminderText(kind: string, incident: Incident): Promise<string> {
    const now = this.deps.now();
    const tz = this.deps.timezone;
    if (kind === 'remind-half' || kind === 'remind-three-quarters') {
      return T.remind(incident.id, kind === 'remind-half' ? 'half' : 'three-quarters', incident.responseDueAt ? formatDeadline(incident.responseDueAt, now, tz) : '—');
    }
    if (kind === 'resolution-warn') return T.resolutionWarn(incident.id, incident.resolutionDueAt ? formatDeadline(incident.resolutionDueAt, now, tz) : '—');
    if (kind === 'resolution-breach') return T.resolutionBreach(incident.id, formatLocalSafe(incident.resolutionDueAt, tz));
    if (kind.startsWith('thanks-')) {
      const m = await this.deps.db.messages.get(kind.slice('thanks-'.length));
      return T.thanks(incident.id, m?.text ?? '');
    }
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
  return new TelegramOffice(api, callbackSecret(cfg.BOT_CALLBACK_SECRET, cfg.TELEGRAM_BOT_TOKEN), { targetMinutes: cfg.SLA_TARGET_MINUTES, ...deps });
}
