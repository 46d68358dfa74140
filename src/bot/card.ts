/** The incident card: Telegram HTML text and inline keyboard. Pure (the caller passes `now` and the signer). */
import type { Incident } from '../db/incidents';
import { kindName } from '../domain/kinds';
import { ACTIONABLE_STATUSES } from '../domain/incident-actions';
import { formatLocal } from '../domain/periods';
import { followUpsLine, NOT_SET, platformName, pluralRu, priorityName, topicName } from '../domain/wording';
import type { CallbackAction } from './callback';
import { escapeHtml } from '../lib/html';
import { formatDeadline, STATUS_RU, trimText } from './texts';

export interface InlineButton {
  text: string;
  callback_data: string;
}
export type InlineKeyboard = InlineButton[][];

/** Signs one button of an incident at the card's epoch. */
export type ButtonSigner = (action: CallbackAction, arg?: string) => string;

export interface CardInput {
  incident: Incident;
  message: { text: string; permalink: string | null };
  /** Who wrote and where: the author's display name, the platform, the watched community's name, the post's time. */
  origin?: { authorName: string | null; platform: string; sourceName: string | null; publishedAt: Date };
  municipalityName: string | null;
  ownerName: string | null;
  /** The latest promise not yet kept or broken. */
  promise: { dueAt: Date; text: string } | null;
  now: Date;
  timezone: string;
  /** An escalation copy (to a supervisor or the duty officer). */
  escalation?: boolean;
  /** The latest hand-over to the current owner: who passed it on, and the reason they typed (if any). */
  handover?: { fromName: string; note: string | null } | null;
  /** The card's addressee no longer owns the incident: it says so and has no buttons. */
  passedTo?: string | null;
}

/** Citizen text shown on a card, at most this many characters. */
export const CARD_TEXT_CHARS = 1500;

/** Renders the card; buttons only while the incident is actionable and the card is current. */
export function renderCard(c: CardInput, sign: ButtonSigner | null): { text: string; keyboard: InlineKeyboard | undefined } {
  const i = c.incident;
  const lines: string[] = [];
  if (c.escalation) lines.push('❗ <b>Эскалация: срок первого ответа истёк</b>');
  lines.push(`<b>Обращение №${i.id}</b>${i.priority === 'high' ? ' · 🔴 высокий приоритет' : ''}`);
  if (i.resonant) lines.push(`📢 <b>Резонансное: пишут ${i.authorsCount} ${pluralRu(i.authorsCount, ['автор', 'автора', 'авторов'])} — приоритет повышен</b>`);
  if (c.origin) {
    const o = c.origin;
    lines.push(`Автор: ${escapeHtml(o.authorName?.trim() || 'не указан')}`);
    lines.push(`Где: ${escapeHtml(platformName(o.platform))}${o.sourceName ? ` · ${escapeHtml(o.sourceName)}` : ''}`);
    lines.push(`Опубликовано: ${formatLocal(o.publishedAt, c.timezone)}`);
  }
  lines.push(`Вид: ${kindName(i.kind)}`);
  lines.push(`Тема: ${escapeHtml(topicName(i.topic))}`);
  lines.push(`Муниципалитет: ${escapeHtml(c.municipalityName ?? NOT_SET.municipality)}`);
  lines.push(`Приоритет: ${priorityName(i.priority)}`);
  lines.push(`Статус: ${escapeHtml(STATUS_RU[i.status] ?? i.status)}`);
  if (!c.escalation && i.escalatedAt && !i.firstResponseAt && ACTIONABLE_STATUSES.has(i.status)) lines.push('⚠️ <b>Срок первого ответа истёк — сообщено руководителю</b>');
  if (c.ownerName) lines.push(`Ответственный: ${escapeHtml(c.ownerName)}`);
  if (c.handover && !c.passedTo) {
    lines.push(`Передано от: ${escapeHtml(c.handover.fromName)}${c.handover.note ? ` — причина: «${escapeHtml(trimText(c.handover.note, 300))}»` : ''}`);
  }
  if (i.firstResponseAt) lines.push(`Ответ опубликован: ${formatLocal(i.firstResponseAt, c.timezone)}`);
  else if (i.responseDueAt && ACTIONABLE_STATUSES.has(i.status)) lines.push(`Срок ответа: ${formatDeadline(i.responseDueAt, c.now, c.timezone)}`);
  if (i.resolutionDueAt && ACTIONABLE_STATUSES.has(i.status)) lines.push(`Срок решения: до ${formatLocal(i.resolutionDueAt, c.timezone, false)}`);
  if (c.promise) lines.push(`Обещание: ${escapeHtml(trimText(c.promise.text, 200))} — до ${formatLocal(c.promise.dueAt, c.timezone)}`);
  if (i.resolvedAt) lines.push(`Решено: ${formatLocal(i.resolvedAt, c.timezone)}`);
  lines.push('', `<blockquote>${escapeHtml(trimText(c.message.text, CARD_TEXT_CHARS))}</blockquote>`);
  const more = followUpsLine(i.messagesCount, i.authorsCount);
  if (more) lines.push(`➕ ${more}`);
  if (c.message.permalink && /^https?:\/\/\S+$/.test(c.message.permalink)) {
    lines.push(`<a href="${escapeHtml(c.message.permalink)}">Открыть исходную публикацию</a>`);
  }
  if (c.passedTo) lines.push('', `➡️ Передано: ${escapeHtml(c.passedTo)}`);
  const text = lines.join('\n');
  if (!sign || c.passedTo || !ACTIONABLE_STATUSES.has(i.status)) return { text, keyboard: undefined };
  const b = (label: string, action: CallbackAction): InlineButton => ({ text: label, callback_data: sign(action) });
  const first = i.takenAt ? [b('Ответить', 'reply')] : [b('Взять в работу', 'take'), b('Ответить', 'reply')];
  return {
    text,
    keyboard: [first, [b('Переназначить', 'reassign'), b('Не наш вопрос', 'notOurs')], [b('Обещание', 'promise'), b('Решено', 'resolve')]],
  };
}
