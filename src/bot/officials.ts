/**
 * The officials' side of the bot: /start, commands, card buttons and the short dialogues they open
 * (reason, promise date, reply text). Parse the update → check who → call domain / db / queues. The
 * rules live in src/domain and src/replies/flow.ts; the SQL in src/db.
 */
import { createHash } from 'node:crypto';
import type { CallbackQuery, Message } from 'node-telegram-bot-api';
import type { Official } from '../db/officials';
import {
  ACTIONABLE_STATUSES,
  colleaguesFor,
  decideNotOurs,
  mayActOn,
  mayApproveReplies,
  mayPublishDirectly,
  mayTriage,
  parsePromise,
  triageScope,
} from '../domain/incident-actions';
import { correctIncident, suggested } from '../triage/actions';
import { notifyDutyOfficers } from '../pipeline/stages/classify';
import { formatLocal } from '../domain/periods';
import { BOT_REPLY_STAGES, NOT_SET, REPLY_BUTTONS as B, REPLY_STAGE_NAMES_RU, REPLY_WORDS as W, topicName } from '../domain/wording';
import { errorFields } from '../errors';
import type { StageDeps } from '../pipeline/stage';
import { approveReply, drafterId, returnReply, submitReply, suggestReplies } from '../replies/actions';
import type { Reply } from '../db/replies';
import type { ReplyOption } from '../replies/flow';
import { REPLY_STAGES, type ReplyStage } from '../replies/templates';
import { signCallback, verifyCallback, type CallbackAction, type CallbackData } from './callback';
import type { InlineKeyboard } from './card';
import type { TelegramOffice } from './telegram';
import { isTriageAction } from './triage';
import { TriageBot } from './triage-bot';
import { escapeHtml } from '../lib/html';
import { formatDeadline, formatDuration, ROLE_RU, STATUS_RU, T, trimText } from './texts';

/** A dialogue in progress, kept in the database (bot_sessions) for SESSION_TTL. */
type Session =
  | { flow: 'reassign'; incidentId: string; epoch: string; candidates: string[] }
  | { flow: 'not-ours'; incidentId: string; epoch: string }
  | { flow: 'promise'; incidentId: string; epoch: string; thenReply?: boolean }
  | { flow: 'reply'; incidentId: string; epoch: string; stage: ReplyStage; options: ReplyOption[]; draft: ReplyOption | { templateId: null; text: string } | null; awaitingText: boolean }
  | { flow: 'press-edit'; incidentId: string; replyId: string; text?: string }
  | { flow: 'press-return'; incidentId: string; replyId: string };

const SESSION_TTL_MS = 2 * 3600_000;
/** A short digest of a previewed text, carried by the preview's buttons. */
const textHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);
/** How long «Вернуть в работу» undoes a «Решено». */
export const UNDO_RESOLVE_MS = 15 * 60_000;
/** Actions that still act on an incident just marked resolved: its closing reply and the undo. */
const AFTER_RESOLUTION = new Set<CallbackAction>(['reopen', 'reply', 'replyStage', 'pickTemplate', 'ownText', 'editDraft', 'send', 'cancel']);
const PRESS_ACTIONS = ['approve', 'pressEdit', 'pressReturn', 'pressPublish'] as const;
const isPressAction = (a: CallbackAction): a is (typeof PRESS_ACTIONS)[number] => (PRESS_ACTIONS as readonly string[]).includes(a);

export const BOT_COMMANDS = [
  { command: 'my', description: 'Мои открытые обращения' },
  { command: 'overdue', description: 'Обращения с истёкшим сроком ответа' },
  { command: 'stats', description: 'Мои показатели за 30 дней' },
  { command: 'triage', description: 'Разбор обращений (дежурный)' },
  { command: 'drafts', description: 'Ответы на согласовании (пресс-служба)' },
  { command: 'cancel', description: 'Отменить начатое действие' },
  { command: 'help', description: 'Справка' },
];

/** The officials and heads of a municipality present now (not `except`), by name: whom the control centre may pick. */
function officialsIn(all: Official[], municipalityId: string, except: string): Official[] {
  return all
    .filter((o) => o.id !== except && !o.away && o.municipalityId === municipalityId && (o.role === 'official' || o.role === 'supervisor'))
    .sort((a, b) => a.name.localeCompare(b.name, 'ru'))
    .slice(0, 12);
}

/** Buttons of the short dialogues (not of cards): each works once. */
const DIALOGUE_ACTIONS: ReadonlySet<CallbackAction> = new Set(['pickColleague', 'pickMunicipality', 'pickTemplate', 'ownText', 'send', 'editDraft', 'cancel']);

/** What a handler answers to a button press: a toast, or an alert that must be read. */
type Answer = { text: string; alert?: boolean };

export class OfficialsBot {
  private readonly triage: TriageBot;

  constructor(
    private readonly deps: StageDeps,
    private readonly office: TelegramOffice,
  ) {
    this.triage = new TriageBot(deps, office);
  }

  private get db() {
    return this.deps.db;
  }
  private get tz() {
    return this.deps.analyzer.region.timezone;
  }
  private actorTag(o: Official) {
    return `official:${o.id}`;
  }

  // ------------------------------------------------------------------ private messages

  async onPrivateMessage(msg: Message): Promise<void> {
    const from = msg.from;
    if (!from || from.is_bot) return;
    const chatId = String(msg.chat.id);
    const text = (msg.text ?? '').trim();
    const command = /^\/([a-z_]+)(?:@\w+)?(?:\s|$)/i.exec(text)?.[1]?.toLowerCase() ?? null;
    const official = await this.db.officials.byTelegram(String(from.id));
    const log = this.deps.log.child({ chatId, officialId: official?.id ?? null });
    if (!official) {
      // One polite refusal, nothing else: no incident data to strangers.
      log.info('bot.stranger', { command });
      if (command === 'start' || msg.chat.type === 'private') await this.office.send(chatId, T.stranger);
      return;
    }
    switch (command) {
      case 'start':
        return this.onStart(official, chatId);
      case 'help':
        await this.office.send(chatId, T.help);
        return;
      case 'my':
        return this.listOpen(official, chatId);
      case 'overdue':
        return this.listOverdue(official, chatId);
      case 'stats':
        return this.ownStats(official, chatId);
      case 'triage':
        return this.triage.list(official, chatId);
      case 'drafts':
        return this.listDrafts(official, chatId);
      case 'cancel':
        await this.db.bot.clearSession(String(from.id), this.deps.now());
        await this.office.send(chatId, T.cancelled);
        return;
      case null:
        return this.onDialogueText(official, chatId, text);
      default:
        await this.office.send(chatId, T.help);
    }
  }

  private async onStart(official: Official, chatId: string): Promise<void> {
    const at = this.deps.now();
    await this.db.officials.markBotStarted(official.id, at);
    const greet = official.role === 'press' ? T.greetPress : T.greet;
    await this.office.send(chatId, greet(official.name, ROLE_RU[official.role] ?? official.role, official.position));
    // Cards that could not be delivered before /start go out now.
    const pending = await this.db.bot.releaseUndeliveredCards(official.id);
    for (const incidentId of pending) {
      await this.deps.queues.enqueue('notify', { incidentId, officialId: official.id, kind: 'card' }, { suffix: `st${at.getTime()}` });
    }
    this.deps.log.info('bot.official-started', { officialId: official.id, pendingCards: pending.length });
  }

  /** `/drafts`: the replies officials drafted that wait for the press service's approval, oldest first. */
  private async listDrafts(official: Official, chatId: string): Promise<void> {
    if (!['press', 'governor_office', 'admin'].includes(official.role)) {
      await this.office.send(chatId, T.draftsNotYours);
      return;
    }
    const { replies } = await this.db.replies.pressQueue({ municipalityId: null, officialId: null, limit: 200 });
    const drafts = replies.filter((r) => r.replyStatus === 'draft');
    if (drafts.length === 0) {
      await this.office.send(chatId, T.noDrafts);
      return;
    }
    const now = this.deps.now();
    const shown = drafts.slice(0, 20);
    const lines = shown.map(
      (r) =>
        `№${r.incidentId} · ${escapeHtml(topicName(r.topic, true))} · ${escapeHtml(r.municipalityName ?? '—')}` +
        (r.responseDueAt ? ` · ответ ${formatDeadline(r.responseDueAt, now, this.tz)}` : '') +
        `
<i>${escapeHtml(trimText(r.replyText, 160))}</i>`,
    );
    const count = drafts.length > shown.length ? T.shownOf(shown.length, drafts.length) : String(drafts.length);
    await this.office.send(chatId, `<b>Ответы на согласовании</b> (${count})\n\n${lines.join('\n\n')}\n\nОдобрить или изменить — кнопками в сообщении о каждом ответе или на странице «Ответы гражданам».`);
  }

  private async listOpen(official: Official, chatId: string): Promise<void> {
    const all = official.role === 'governor_office' || official.role === 'admin';
    const rows = await this.db.bot.openIncidents(all ? null : official.id);
    const municipalities = await this.db.officials.municipalities();
    const name = (id: string | null) => municipalities.find((m) => m.id === id)?.name ?? '—';
    const now = this.deps.now();
    if (rows.length === 0) {
      await this.office.send(chatId, 'Открытых обращений нет.');
      return;
    }
    const lines = rows.map(
      (r) =>
        `№${r.id} · ${escapeHtml(topicName(r.topic, true))} · ${escapeHtml(name(r.municipalityId))} · ${escapeHtml(STATUS_RU[r.status] ?? r.status)}` +
        (r.firstResponseAt || !r.responseDueAt ? '' : ` · ответ ${formatDeadline(r.responseDueAt, now, this.tz)}`),
    );
    const total = rows[0].total;
    const count = total > rows.length ? T.shownOf(rows.length, total) : String(rows.length);
    await this.office.send(chatId, `<b>${all ? 'Открытые обращения' : 'Ваши открытые обращения'}</b> (${count})\n${lines.join('\n')}`);
  }

  private async listOverdue(official: Official, chatId: string): Promise<void> {
    const all = official.role === 'governor_office' || official.role === 'admin';
    const now = this.deps.now();
    const rows = await this.db.bot.overdueIncidents(all ? null : official.id, now);
    if (rows.length === 0) {
      await this.office.send(chatId, 'Просроченных обращений нет.');
      return;
    }
    const lines = rows.map((r) => `№${r.id} · ${escapeHtml(topicName(r.topic, true))} · просрочено на ${formatDuration(now.getTime() - r.responseDueAt.getTime())}`);
    const count = rows[0].total > rows.length ? T.shownOf(rows.length, rows[0].total) : String(rows.length);
    await this.office.send(chatId, `<b>Просрочен срок ответа</b> (${count})\n${lines.join('\n')}`);
  }

  private async ownStats(official: Official, chatId: string): Promise<void> {
    const now = this.deps.now();
    const s = await this.db.bot.ownStats(official.id, new Date(now.getTime() - 30 * 86_400_000), now);
    const share = s.incidents > 0 ? Math.round((100 * s.answeredInTime) / s.incidents) : 0;
    await this.office.send(
      chatId,
      [
        '<b>Ваши показатели за 30 дней</b>',
        `Обращений: ${s.incidents}`,
        `С ответом: ${s.answered}, из них в срок (4 ч): ${s.answeredInTime} (${share}%)`,
        `Медианное время ответа: ${s.medianResponseMinutes === null ? '—' : formatDuration(s.medianResponseMinutes * 60_000)}`,
        `Открыто сейчас: ${s.open}, просрочено: ${s.overdue}`,
      ].join('\n'),
    );
  }

  // ------------------------------------------------------------------ buttons

  async onCallback(q: CallbackQuery): Promise<void> {
    let failed = false;
    let answer = await this.handleCallback(q).catch(async (err: unknown) => {
      this.deps.log.error('bot.callback-failed', { ...errorFields(err) });
      failed = true;
      return { text: 'Не удалось выполнить действие, попробуйте ещё раз.', alert: true } as Answer;
    });
    // A dialogue's buttons work once: pressed (or pressed again after the dialogue ended), they leave the message.
    const pressed = verifyCallback(this.office.secret, q.data);
    if (!failed && pressed && DIALOGUE_ACTIONS.has(pressed.action) && q.message) {
      if (answer.text === T.staleButton) answer = { text: T.alreadyDone };
      await this.office.dropKeyboard(String(q.message.chat.id), String(q.message.message_id));
    }
    await this.office.api.answerCallbackQuery({ callback_query_id: q.id, text: answer.text, show_alert: answer.alert ?? false });
  }

  private async handleCallback(q: CallbackQuery): Promise<Answer> {
    const data = verifyCallback(this.office.secret, q.data);
    const log = this.deps.log.child({ chatId: q.message?.chat.id ?? null });
    if (!data) {
      log.warn('bot.callback-rejected', { reason: 'bad-signature' });
      return { text: T.staleButton, alert: true };
    }
    const actor = await this.db.officials.byTelegram(String(q.from.id));
    if (!actor) {
      log.warn('bot.callback-rejected', { reason: 'unknown-user', incidentId: data.incidentId });
      return { text: T.notRegistered, alert: true };
    }
    const chatId = String(q.message?.chat.id ?? q.from.id);
    if (isPressAction(data.action)) return this.onPressButton(actor, chatId, q, data);
    // Triage buttons (epoch '0': an incident waiting in triage has no assignment yet).
    if (isTriageAction(data.action)) return this.triage.onButton(actor, q, data);

    const incident = await this.db.incidents.get(data.incidentId);
    const current = await this.db.bot.currentAssignment(data.incidentId);
    if (!incident || !current || current.id !== data.epoch) {
      log.warn('bot.callback-rejected', { reason: 'stale', incidentId: data.incidentId, officialId: actor.id });
      return { text: T.staleButton, alert: true };
    }
    const owner = await this.db.officials.get(current.officialId);
    if (!mayActOn(actor, owner)) {
      log.warn('bot.callback-rejected', { reason: 'not-allowed', incidentId: incident.id, officialId: actor.id });
      return { text: T.notAllowed, alert: true };
    }
    if (!ACTIONABLE_STATUSES.has(incident.status) && !(incident.status === 'resolved' && AFTER_RESOLUTION.has(data.action))) return { text: T.closed, alert: true };
    const tgUser = String(q.from.id);
    const session = await this.db.bot.session<Session>(tgUser, this.deps.now());
    const inFlow = <F extends Session['flow']>(flow: F) =>
      session && session.flow === flow && session.incidentId === incident.id && 'epoch' in session && session.epoch === data.epoch ? (session as Extract<Session, { flow: F }>) : null;
    const at = this.deps.now();
    const actorTag = this.actorTag(actor);
    const pressed = q.message ? { chatId: String(q.message.chat.id), messageId: String(q.message.message_id), officialId: actor.id } : undefined;
    switch (data.action) {
      case 'take': {
        const ok = await this.db.tx(async (tx) => {
          if (!(await tx.bot.take(incident.id, current.officialId, at))) return false;
          await tx.incidents.addEvent(incident.id, 'incident.taken', actorTag, at, { officialId: current.officialId });
          return true;
        });
        if (!ok) return { text: T.alreadyTaken };
        log.info('incident.taken', { incidentId: incident.id, officialId: actor.id });
        await this.office.refreshCards(incident.id, pressed);
        return { text: T.taken };
      }
      case 'resolve':
        await this.office.send(chatId, escapeHtml(W.confirmResolve(incident.id)), [
          [{ text: B.resolveYes, callback_data: this.sign(data, 'resolveConfirm') }, { text: B.cancel, callback_data: this.sign(data, 'cancel') }],
        ]);
        return { text: 'Подтвердите' };
      case 'resolveConfirm': {
        const ok = await this.db.tx(async (tx) => {
          if (!(await tx.bot.resolve(incident.id, at))) return false;
          await tx.incidents.addEvent(incident.id, 'incident.resolved', actorTag, at, { officialId: current.officialId });
          return true;
        });
        if (!ok) return { text: T.closed, alert: true };
        log.info('incident.resolved', { incidentId: incident.id, officialId: actor.id });
        await this.office.refreshCards(incident.id);
        if (q.message) await this.office.edit(String(q.message.chat.id), String(q.message.message_id), escapeHtml(W.confirmResolve(incident.id))).catch(() => undefined);
        await this.office.send(chatId, escapeHtml(W.resolvedOffer(incident.id, UNDO_RESOLVE_MS / 60_000)), [
          [{ text: B.replyToCitizen, callback_data: this.sign(data, 'reply', 'resolved') }],
          [{ text: B.reopen, callback_data: this.sign(data, 'reopen', String(at.getTime())) }],
        ]);
        return { text: T.resolved };
      }
      case 'reopen': {
        const resolvedAt = new Date(Number(data.arg));
        if (incident.status !== 'resolved') return { text: W.notResolved, alert: true };
        if (!incident.resolvedAt || incident.resolvedAt.getTime() !== resolvedAt.getTime()) return { text: T.staleButton, alert: true };
        if (at.getTime() - resolvedAt.getTime() > UNDO_RESOLVE_MS) return { text: W.undoExpired, alert: true };
        const ok = await this.db.tx(async (tx) => {
          if (!(await tx.bot.reopen(incident.id, resolvedAt, at))) return false;
          await tx.incidents.addEvent(incident.id, 'incident.reopened', actorTag, at, { officialId: current.officialId, undo: true });
          return true;
        });
        if (!ok) return { text: W.notResolved, alert: true };
        log.info('incident.reopened', { incidentId: incident.id, officialId: actor.id });
        await this.db.bot.clearSession(tgUser, at);
        await this.office.refreshCards(incident.id);
        if (q.message) await this.office.edit(String(q.message.chat.id), String(q.message.message_id), escapeHtml(W.reopened(incident.id))).catch(() => undefined);
        return { text: W.reopened(incident.id) };
      }
      case 'reassign': {
        if (!owner) return { text: T.staleButton, alert: true };
        // The control centre moves an incident nobody placed: first where it is, then to whom the rules say.
        if (incident.municipalityId === null && mayTriage(actor) && triageScope(actor) === null) {
          const places = await this.db.officials.municipalities();
          const buttons = places.map((m) => ({ text: m.name, callback_data: this.sign(data, 'pickMunicipality', m.id) }));
          const kb: InlineKeyboard = Array.from({ length: Math.ceil(buttons.length / 2) }, (_, i) => buttons.slice(2 * i, 2 * i + 2));
          kb.push([{ text: 'Отмена', callback_data: this.sign(data, 'cancel') }]);
          await this.office.send(chatId, T.chooseMunicipality(incident.id), kb);
          return { text: 'Выберите муниципалитет' };
        }
        // The control centre may pass it to anyone of the incident's municipality; an official, to their colleagues.
        const all = await this.db.officials.all();
        const controlCentre = mayTriage(actor) && triageScope(actor) === null;
        const candidates = controlCentre && incident.municipalityId ? officialsIn(all, incident.municipalityId, current.officialId) : colleaguesFor(owner, all);
        if (candidates.length === 0) return { text: T.noColleagues, alert: true };
        await this.setSession(tgUser, { flow: 'reassign', incidentId: incident.id, epoch: data.epoch, candidates: candidates.map((c) => c.id) });
        const kb: InlineKeyboard = candidates.map((c, i) => [{ text: trimText(`${c.name} — ${c.position ?? ROLE_RU[c.role]}`, 60), callback_data: this.sign(data, 'pickColleague', String(i)) }]);
        kb.push([{ text: 'Отмена', callback_data: this.sign(data, 'cancel') }]);
        await this.office.send(chatId, T.chooseColleague(incident.id), kb);
        return { text: 'Выберите сотрудника' };
      }
      case 'pickColleague': {
        const s = inFlow('reassign');
        const to = s?.candidates[Number(data.arg)];
        if (!s || !to) return { text: T.staleButton, alert: true };
        await this.db.bot.clearSession(tgUser, at);
        return this.reassign(actor, chatId, incident.id, current.officialId, to, 'colleague', null);
      }
      case 'pickMunicipality':
        return this.placeAndRoute(actor, tgUser, chatId, data, incident.id);
      case 'notOurs':
        await this.setSession(tgUser, { flow: 'not-ours', incidentId: incident.id, epoch: data.epoch });
        await this.office.send(chatId, T.askReason(incident.id), [[{ text: 'Отмена', callback_data: this.sign(data, 'cancel') }]]);
        return { text: 'Укажите причину' };
      case 'promise':
        await this.setSession(tgUser, { flow: 'promise', incidentId: incident.id, epoch: data.epoch });
        await this.office.send(chatId, T.askPromise(incident.id), [[{ text: 'Отмена', callback_data: this.sign(data, 'cancel') }]]);
        return { text: 'Укажите срок' };
      case 'reply':
        // From the card (the stage that fits now), or «Ответить гражданину» after «Решено» (arg: the stage).
        return this.startReply(actor, tgUser, chatId, data, REPLY_STAGES.find((x) => x === data.arg) ?? null);
      case 'replyStage': {
        const stage = REPLY_STAGES.find((x) => x === data.arg);
        if (!stage) return { text: T.staleButton, alert: true };
        const openPromise = (await this.db.bot.promises(incident.id)).some((p) => !p.keptAt && !p.brokenAt);
        if (stage === 'promise' && !openPromise) {
          // A promise reply names its date: the official records the promise first, then the templates follow.
          await this.setSession(tgUser, { flow: 'promise', incidentId: incident.id, epoch: data.epoch, thenReply: true });
          await this.office.send(chatId, escapeHtml(W.askPromiseForReply(incident.id)), [[{ text: 'Отмена', callback_data: this.sign(data, 'cancel') }]]);
          return { text: 'Укажите срок' };
        }
        // The choice message gives way to the new one.
        if (q.message) await this.office.dropKeyboard(String(q.message.chat.id), String(q.message.message_id));
        return this.startReply(actor, tgUser, chatId, data, stage);
      }
      case 'pickTemplate': {
        const s = inFlow('reply');
        const option = s?.options[Number(data.arg)];
        if (!s || !option) return { text: T.staleButton, alert: true };
        await this.setSession(tgUser, { ...s, draft: option, awaitingText: false });
        await this.sendPreview(actor, chatId, data, option.text);
        return { text: 'Предпросмотр' };
      }
      case 'ownText': {
        const s = inFlow('reply');
        if (!s) return { text: T.staleButton, alert: true };
        await this.setSession(tgUser, { ...s, awaitingText: true });
        await this.office.send(chatId, T.askOwnText(incident.id));
        return { text: 'Напишите текст' };
      }
      case 'editDraft': {
        // «Изменить» starts from the text at hand: it comes as a message of its own to copy and edit, and the
        // other variants of the template stay one tap away.
        const s = inFlow('reply');
        if (!s) return { text: T.staleButton, alert: true };
        await this.setSession(tgUser, { ...s, awaitingText: true });
        const others = s.options.map((o, i) => ({ o, i })).filter(({ o }) => o.text !== s.draft?.text);
        const kb: InlineKeyboard = [];
        if (others.length > 0) kb.push(others.map(({ i }) => ({ text: `Шаблон ${i + 1}`, callback_data: this.sign(data, 'pickTemplate', String(i)) })));
        kb.push([{ text: B.cancel, callback_data: this.sign(data, 'cancel') }]);
        await this.office.send(chatId, escapeHtml(W.editDraft(incident.id)), kb);
        if (s.draft) await this.office.send(chatId, escapeHtml(s.draft.text));
        return { text: 'Исправьте текст' };
      }
      case 'send': {
        const s = inFlow('reply');
        if (!s?.draft) return { text: T.staleButton, alert: true };
        return this.submitReply(actor, tgUser, chatId, incident.id, s.stage, s.draft);
      }
      case 'cancel':
        await this.db.bot.clearSession(tgUser, at);
        return { text: T.cancelled };
    }
  }

  // ------------------------------------------------------------------ dialogues (free text)

  private async onDialogueText(official: Official, chatId: string, text: string): Promise<void> {
    const tgUser = official.telegramId as string;
    const now = this.deps.now();
    const s = await this.db.bot.session<Session>(tgUser, now);
    if (!s || text === '') {
      await this.office.send(chatId, T.nothingPending);
      return;
    }
    if (s.flow === 'press-edit') {
      // The edited text is shown as it will be published; nothing goes out before «Опубликовать».
      const reply = await this.db.replies.get(s.replyId);
      if (!reply || reply.status !== 'draft') {
        await this.db.bot.clearSession(tgUser, now);
        await this.office.send(chatId, T.alreadyDecided);
        return;
      }
      const edited = text.slice(0, 4000);
      await this.setSession(tgUser, { ...s, text: edited });
      // The buttons name the previewed text: an older preview's «Опубликовать» cannot publish a newer text.
      const sign = (action: CallbackAction) => signCallback(this.office.secret, { action, incidentId: s.incidentId, epoch: '0', arg: `${s.replyId}_${textHash(edited)}` });
      await this.office.send(chatId, `<b>${escapeHtml(W.pressPreview(s.incidentId))}</b>\n\n${escapeHtml(edited)}\n\n${escapeHtml(W.pressPreviewQuestion)}`, [
        [{ text: B.publish, callback_data: sign('pressPublish') }, { text: B.editMore, callback_data: sign('pressEdit') }],
      ]);
      return;
    }
    if (s.flow === 'press-return') {
      const r = await returnReply(this.deps, official, s.replyId, text);
      if (r.kind === 'refused' && r.reason === 'too-short') {
        await this.office.send(chatId, escapeHtml(W.askReturnReason(s.incidentId)));
        return;
      }
      await this.db.bot.clearSession(tgUser, now);
      if (r.kind === 'refused') {
        await this.office.send(chatId, r.reason === 'not-allowed' ? T.notAllowed : escapeHtml(W.tooLateToReturn));
        return;
      }
      await this.office.send(chatId, escapeHtml(W.returned(s.incidentId)));
      await this.tellReturned(r.reply, text);
      return;
    }
    // Every other dialogue acts on an incident: check again that the card it came from is current.
    const current = await this.db.bot.currentAssignment(s.incidentId);
    const owner = current ? await this.db.officials.get(current.officialId) : null;
    const incident = await this.db.incidents.get(s.incidentId);
    const open = incident && (ACTIONABLE_STATUSES.has(incident.status) || (incident.status === 'resolved' && s.flow === 'reply'));
    if (!current || current.id !== s.epoch || !incident || !open || !mayActOn(official, owner)) {
      await this.db.bot.clearSession(tgUser, now);
      await this.office.send(chatId, T.staleButton);
      return;
    }
    switch (s.flow) {
      case 'not-ours': {
        if (text.length < 3) {
          await this.office.send(chatId, T.askReason(incident.id));
          return;
        }
        if (incident.municipalityId === null) {
          // Nobody knows where it is: the duty officer's triage decides the place (and the route), with the reason.
          await this.db.bot.clearSession(tgUser, now);
          await this.sendToTriage(official, chatId, incident.id, current.officialId, text.slice(0, 500));
          return;
        }
        const [rules, officials] = await Promise.all([this.db.officials.rules(), this.db.officials.all()]);
        const load = await this.db.incidents.openLoad(officials.map((o) => o.id));
        const decision = decideNotOurs(incident, current.officialId, rules, officials, load);
        await this.db.bot.clearSession(tgUser, now);
        if (decision.kind === 'unroutable') {
          await this.office.send(chatId, T.notRoutable);
          return;
        }
        const a = await this.reassign(official, chatId, incident.id, current.officialId, decision.officialId, 'not-ours', text.slice(0, 500));
        if (a.alert) await this.office.send(chatId, escapeHtml(a.text));
        return;
      }
      case 'promise': {
        const p = parsePromise(text, now, this.tz);
        if (p.kind === 'error') {
          await this.office.send(chatId, T.promiseError[p.reason]);
          return;
        }
        const promiseId = await this.db.tx(async (tx) => {
          const id = await tx.bot.createPromise({ incidentId: incident.id, officialId: current.officialId, text: p.text, dueAt: p.dueAt }, now);
          await tx.timers.schedule(incident.id, [{ kind: 'promise-due', ref: id, at: p.dueAt }]);
          await tx.incidents.addEvent(incident.id, 'promise.made', this.actorTag(official), now, { promiseId: id, dueAt: p.dueAt.toISOString() });
          return id;
        });
        await this.db.bot.clearSession(tgUser, now);
        this.deps.log.info('promise.made', { incidentId: incident.id, promiseId });
        await this.office.refreshCards(incident.id);
        await this.office.send(chatId, T.promiseSaved(incident.id, formatLocal(p.dueAt, this.tz)));
        if (s.thenReply) await this.startReply(official, tgUser, chatId, { action: 'reply', incidentId: incident.id, epoch: s.epoch, arg: '' }, 'promise');
        return;
      }
      case 'reply': {
        if (!s.awaitingText) {
          await this.office.send(chatId, T.nothingPending);
          return;
        }
        const draft = { templateId: null, text: text.slice(0, 4000) };
        await this.setSession(tgUser, { ...s, draft, awaitingText: false });
        await this.sendPreview(official, chatId, { action: 'reply', incidentId: incident.id, epoch: s.epoch, arg: '' }, draft.text);
        return;
      }
      case 'reassign':
        await this.office.send(chatId, T.chooseColleague(incident.id));
        return;
    }
  }

  // ------------------------------------------------------------------ actions

  private async reassign(actor: Official, chatId: string, incidentId: string, fromId: string, toId: string, reason: 'colleague' | 'not-ours', note: string | null): Promise<Answer> {
    const at = this.deps.now();
    const to = await this.db.officials.get(toId);
    if (!to) return { text: T.notRoutable, alert: true };
    const epoch = await this.db.tx(async (tx) => {
      const id = await tx.bot.reassign(incidentId, { fromOfficialId: fromId, toOfficialId: toId, reason, actor: this.actorTag(actor) }, at);
      if (id) await tx.incidents.addEvent(incidentId, 'incident.reassigned', this.actorTag(actor), at, { from: fromId, to: toId, reason, ...(note ? { note } : {}) });
      return id;
    });
    if (!epoch) return { text: T.staleButton, alert: true };
    this.deps.log.info('incident.reassigned', { incidentId, from: fromId, to: toId, reason });
    // The new owner gets a card (once per official: an earlier card of theirs is brought up to date instead).
    const earlier = await this.db.notifications.get(incidentId, toId, 'card');
    if (!earlier) await this.deps.queues.enqueue('notify', { incidentId, officialId: toId, kind: 'card' });
    await this.office.refreshCards(incidentId);
    // Who passed it and why: on the new card («Передано от»), and said once more where an old card is updated instead.
    if (earlier?.chatId) await this.office.send(earlier.chatId, `${T.passedToYou(incidentId, actor.name, note)} Карточка выше обновлена.`, undefined, earlier.messageId ?? undefined).catch(() => undefined);
    await this.office.send(chatId, T.passed(incidentId, to.name));
    return { text: 'Передано' };
  }

  /** «Не наш вопрос» on an incident with no municipality: back to the duty officer's triage, with the reason. */
  private async sendToTriage(actor: Official, chatId: string, incidentId: string, fromId: string, note: string): Promise<void> {
    const at = this.deps.now();
    const ok = await this.db.tx(async (tx) => {
      if (!(await tx.bot.returnToTriage(incidentId, fromId, at))) return false;
      await tx.incidents.addEvent(incidentId, 'incident.returned-to-triage', this.actorTag(actor), at, { from: fromId, reason: 'not-ours', note });
      return true;
    });
    if (!ok) {
      await this.office.send(chatId, T.staleButton);
      return;
    }
    this.deps.log.info('incident.returned-to-triage', { incidentId, from: fromId });
    await notifyDutyOfficers(this.db, this.deps.queues, incidentId);
    await this.office.refreshCards(incidentId);
    await this.office.send(chatId, T.sentToTriage(incidentId));
  }

  /** The control centre placed an incident: set as a correction, routed by the rules, or else a person is picked. */
  private async placeAndRoute(actor: Official, tgUser: string, chatId: string, data: CallbackData, incidentId: string): Promise<Answer> {
    const places = await this.db.officials.municipalities();
    const place = places.find((m) => m.id === data.arg);
    const incident = await this.db.incidents.get(incidentId);
    if (!place || !incident) return { text: T.staleButton, alert: true };
    const actorRef = { officialId: actor.id, role: actor.role, duty: actor.duty, municipalityId: actor.municipalityId, owner: null, self: actor };
    const r = await correctIncident(this.deps, actorRef, incidentId, { ...suggested(incident), municipalityId: place.id });
    if (r.kind === 'refused') return { text: T.staleButton, alert: true };
    if (r.kind === 'corrected' && r.reassignedTo) {
      const to = await this.db.officials.get(r.reassignedTo);
      await this.office.send(chatId, T.passed(incidentId, `${to?.name ?? r.reassignedTo} (${place.name})`));
      return { text: 'Передано' };
    }
    // The rules name nobody else (or the incident was answered meanwhile): the duty officer picks any official there.
    const current = await this.db.bot.currentAssignment(incidentId);
    if (!current) return { text: T.staleButton, alert: true };
    const candidates = officialsIn(await this.db.officials.all(), place.id, current.officialId);
    if (candidates.length === 0) return { text: T.noColleagues, alert: true };
    const epochData = { ...data, epoch: current.id };
    await this.setSession(tgUser, { flow: 'reassign', incidentId, epoch: current.id, candidates: candidates.map((c) => c.id) });
    const kb: InlineKeyboard = candidates.map((c, i) => [{ text: trimText(`${c.name} — ${c.position ?? ROLE_RU[c.role]}`, 60), callback_data: this.sign(epochData, 'pickColleague', String(i)) }]);
    kb.push([{ text: 'Отмена', callback_data: this.sign(epochData, 'cancel') }]);
    await this.office.send(chatId, T.chooseInMunicipality(incidentId, place.name), kb);
    return { text: 'Выберите сотрудника' };
  }

  private async startReply(actor: Official, tgUser: string, chatId: string, data: CallbackData, chosen: ReplyStage | null = null): Promise<Answer> {
    const incident = await this.db.incidents.get(data.incidentId);
    if (!incident) return { text: T.staleButton, alert: true };
    // The same suggestions as the press service's web page (src/replies/actions.ts); the stage is the official's choice.
    const { stage, options } = await suggestReplies(this.db, incident, this.tz, chosen);
    await this.setSession(tgUser, { flow: 'reply', incidentId: incident.id, epoch: data.epoch, stage, options, draft: null, awaitingText: options.length === 0 });
    const kb: InlineKeyboard = [];
    if (options.length > 0) kb.push(options.map((_, i) => ({ text: `Шаблон ${i + 1}`, callback_data: this.sign(data, 'pickTemplate', String(i)) })));
    kb.push(BOT_REPLY_STAGES.filter((x) => x !== stage).map((x) => ({ text: REPLY_STAGE_NAMES_RU[x], callback_data: this.sign(data, 'replyStage', x) })));
    kb.push([{ text: 'Свой текст', callback_data: this.sign(data, 'ownText') }, { text: 'Отмена', callback_data: this.sign(data, 'cancel') }]);
    const body = options.map((o, i) => `<b>${i + 1}.</b> ${escapeHtml(o.text)}`).join('\n\n');
    const head = `${options.length > 0 ? T.chooseTemplate(incident.id) : T.noTemplates(incident.id)}\n${escapeHtml(W.stageNow(stage))}`;
    await this.office.send(chatId, options.length > 0 ? `${head}\n\n${body}` : head, kb);
    void actor;
    return { text: 'Выберите ответ' };
  }

  private async sendPreview(actor: Official, chatId: string, data: CallbackData, text: string): Promise<void> {
    const direct = mayPublishDirectly(actor, this.deps.cfg.OFFICIALS_MAY_PUBLISH);
    // A resonant incident: the reply goes under every author's post, and the preview says so.
    const posts = (await this.db.replies.replyTargets(data.incidentId)).length;
    await this.office.send(chatId, T.preview(data.incidentId, text, direct) + (posts > 1 ? `\n${escapeHtml(W.previewPosts(posts))}` : ''), [
      [{ text: direct ? 'Опубликовать' : 'На согласование', callback_data: this.sign(data, 'send') }],
      [{ text: 'Изменить', callback_data: this.sign(data, 'editDraft') }, { text: 'Отмена', callback_data: this.sign(data, 'cancel') }],
    ]);
  }

  private async submitReply(actor: Official, tgUser: string, chatId: string, incidentId: string, stage: ReplyStage, draft: { templateId: string | null; text: string }): Promise<Answer> {
    const incident = await this.db.incidents.get(incidentId);
    if (!incident) return { text: T.staleButton, alert: true };
    // Rules, storage, events and the publish job: the same path as the web page (src/replies/actions.ts).
    const submitted = await submitReply(this.deps, actor, incident, { templateId: draft.templateId, stage, text: draft.text });
    if (submitted.kind === 'refused') return { text: submitted.reason === 'too-short' ? T.tooShort : T.duplicate, alert: true };
    const { replyId } = submitted;
    const check = { text: submitted.text };
    await this.db.bot.clearSession(tgUser, this.deps.now());
    if (submitted.kind === 'published') {
      await this.office.send(chatId, T.published(incidentId));
      return { text: 'Отправлено на публикацию' };
    }
    const press = (await this.db.officials.all()).filter((o) => o.role === 'press' && o.telegramId);
    const approvalText = await this.approvalText(incident, actor.name, check.text);
    let delivered = 0;
    for (const p of press) {
      if (!(await this.db.bot.botStartedAt(p.id))) continue;
      const sign = (action: CallbackAction) => signCallback(this.office.secret, { action, incidentId, epoch: '0', arg: replyId });
      const kb: InlineKeyboard = [
        [{ text: B.approve, callback_data: sign('approve') }, { text: B.edit, callback_data: sign('pressEdit') }],
        [{ text: B.return, callback_data: sign('pressReturn') }],
      ];
      try {
        await this.office.send(p.telegramId as string, approvalText, kb);
        delivered++;
      } catch (err) {
        this.deps.log.warn('bot.approval-undeliverable', { incidentId, replyId, officialId: p.id, ...errorFields(err) });
      }
    }
    this.deps.log.info('reply.drafted', { incidentId, replyId, pressNotified: delivered });
    await this.office.send(chatId, delivered > 0 ? T.sentForApproval(incidentId) : T.noPress);
    return { text: 'Отправлено на согласование' };
  }

  private async onPressButton(actor: Official, chatId: string, q: CallbackQuery, data: CallbackData): Promise<Answer> {
    if (!mayApproveReplies(actor)) return { text: T.notAllowed, alert: true };
    const [replyId, previewHash] = data.arg.split('_');
    const reply = await this.db.replies.get(replyId);
    if (!reply || reply.incidentId !== data.incidentId) return { text: T.staleButton, alert: true };
    if (reply.status !== 'draft') return { text: T.alreadyDecided, alert: true };
    const tgUser = String(q.from.id);
    // A preview's buttons work once.
    const fromPreview = previewHash !== undefined && q.message ? () => this.office.dropKeyboard(String(q.message!.chat.id), String(q.message!.message_id)) : async () => undefined;
    if (data.action === 'pressEdit') {
      await fromPreview();
      await this.setSession(tgUser, { flow: 'press-edit', incidentId: reply.incidentId, replyId: reply.id });
      await this.office.send(chatId, escapeHtml(W.askPressEdit(reply.incidentId)));
      // The current text as a message of its own, to copy and correct.
      await this.office.send(chatId, escapeHtml(reply.text));
      return { text: 'Напишите исправленный текст' };
    }
    if (data.action === 'pressReturn') {
      await this.setSession(tgUser, { flow: 'press-return', incidentId: reply.incidentId, replyId: reply.id });
      await this.office.send(chatId, escapeHtml(W.askReturnReason(reply.incidentId)));
      return { text: 'Напишите, что исправить' };
    }
    let newText: string | null = null;
    if (data.action === 'pressPublish') {
      const s = await this.db.bot.session<Session>(tgUser, this.deps.now());
      if (!s || s.flow !== 'press-edit' || s.replyId !== reply.id || !s.text || textHash(s.text) !== previewHash) return { text: T.staleButton, alert: true };
      newText = s.text;
    }
    const result = await this.approveReply(actor, reply.incidentId, reply.id, newText);
    if (result.ok) {
      if (newText !== null) await this.db.bot.clearSession(tgUser, this.deps.now());
      const finalText = (await this.db.replies.get(reply.id))?.text ?? reply.text;
      if (q.message) await this.office.edit(String(q.message.chat.id), String(q.message.message_id), T.approved(reply.incidentId, finalText)).catch(() => undefined);
      await this.tellDrafter(reply, `${escapeHtml(W.approvedToOfficial(reply.incidentId, finalText !== reply.text))}${finalText !== reply.text ? `\n\n<b>${escapeHtml(W.finalText)}:</b>\n${escapeHtml(finalText)}` : ''}`);
    }
    return { text: trimText(result.text, 190), alert: !result.ok };
  }

  /** The press service's approval message: who drafted it, where, the deadline, the citizen's words and the reply. */
  private async approvalText(incident: { id: string; primaryMessageId: string; municipalityId: string | null; topic: string | null; responseDueAt: Date | null; firstResponseAt: Date | null }, who: string, text: string): Promise<string> {
    const [message, municipalities] = await Promise.all([this.db.messages.get(incident.primaryMessageId), this.db.officials.municipalities()]);
    const place = municipalities.find((m) => m.id === incident.municipalityId)?.name ?? NOT_SET.municipality;
    const due = incident.firstResponseAt
      ? W.firstResponseDone
      : incident.responseDueAt
        ? `${W.responseDue}: ${formatDeadline(incident.responseDueAt, this.deps.now(), this.tz)}`
        : `${W.responseDue}: —`;
    return [
      `<b>${escapeHtml(W.approvalTitle(incident.id))}</b>`,
      `Подготовил(а): ${escapeHtml(who)}`,
      `Муниципалитет: ${escapeHtml(place)} · Тема: ${escapeHtml(topicName(incident.topic))}`,
      escapeHtml(due),
      '',
      `<b>${escapeHtml(W.approvalCitizen)}:</b>`,
      `<blockquote>${escapeHtml(trimText(message?.text ?? '', 1200))}</blockquote>`,
      `<b>${escapeHtml(W.approvalReply)}:</b>`,
      escapeHtml(text),
    ].join('\n');
  }

  /** A message to the official who drafted a reply (approved, changed, returned); never throws. */
  private async tellDrafter(reply: Pick<Reply, 'draftedBy' | 'incidentId' | 'id'>, html: string, keyboard?: InlineKeyboard): Promise<void> {
    const id = drafterId(reply);
    const o = id ? await this.db.officials.get(id) : null;
    if (!o?.telegramId || !(await this.db.bot.botStartedAt(o.id))) return;
    await this.office.send(o.telegramId, html, keyboard).catch((err: unknown) =>
      this.deps.log.warn('bot.drafter-undeliverable', { incidentId: reply.incidentId, replyId: reply.id, officialId: o.id, ...errorFields(err) }),
    );
  }

  /** The official learns that the press service returned the draft, and why; «Ответить» starts a new one. */
  private async tellReturned(reply: Reply, reason: string): Promise<void> {
    const current = await this.db.bot.currentAssignment(reply.incidentId);
    const kb: InlineKeyboard | undefined = current
      ? [[{ text: B.reply, callback_data: signCallback(this.office.secret, { action: 'reply', incidentId: reply.incidentId, epoch: current.id, arg: '' }) }]]
      : undefined;
    await this.tellDrafter(
      reply,
      [
        `<b>${escapeHtml(W.returnedToOfficial(reply.incidentId))}</b>`,
        `${escapeHtml(W.returnReason)}: ${escapeHtml(trimText(reason, 1000))}`,
        '',
        `<blockquote>${escapeHtml(reply.text)}</blockquote>`,
        escapeHtml(W.tryAgain),
      ].join('\n'),
      kb,
    );
  }

  /** The press service approves a draft (optionally with a new text): stored, then handed to `publish`. */
  private async approveReply(actor: Official, incidentId: string, replyId: string, newText: string | null): Promise<{ ok: boolean; text: string }> {
    const r = await approveReply(this.deps, actor, replyId, newText);
    if (r.kind === 'approved') return { ok: true, text: T.published(incidentId) };
    const texts: Record<typeof r.reason, string> = { 'not-allowed': T.notAllowed, 'not-found': T.staleButton, 'already-decided': T.alreadyDecided, 'too-short': T.tooShort, duplicate: T.duplicate, 'same-template': T.duplicate };
    return { ok: false, text: texts[r.reason] };
  }

  // ------------------------------------------------------------------ helpers

  private sign(base: CallbackData, action: CallbackAction, arg = ''): string {
    return signCallback(this.office.secret, { action, incidentId: base.incidentId, epoch: base.epoch, arg });
  }

  private async setSession(tgUser: string, s: Session): Promise<void> {
    await this.db.bot.setSession(tgUser, s, new Date(this.deps.now().getTime() + SESSION_TTL_MS));
  }
}
