/**
 * The duty officer's triage in the bot: `/triage` lists the incidents the analysis was unsure of, one message each
 * with buttons — «Подтвердить» (as suggested, or with the topic and municipality picked meanwhile), «Тема …»,
 * «Муниципалитет …», «Не обращение». Buttons are signed (src/bot/callback.ts) and stateless: each carries the labels
 * chosen so far (`<topic>_<municipality>`), so a pick re-draws the message and no dialogue state is kept. What a
 * decision does is src/triage/actions.ts's, shared with the web.
 */
import type { Incident } from '../db/incidents';
import type { TriageItem } from '../db/triage';
import { kindName } from '../domain/kinds';
import { formatLocal } from '../domain/periods';
import { TOPICS, type TopicCode } from '../domain/types';
import { NOT_SET, topicName } from '../domain/wording';
import { escapeHtml } from '../lib/html';
import type { CallbackAction } from './callback';
import type { InlineKeyboard } from './card';
import { formatDeadline, trimText } from './texts';

/** The buttons of triage messages. */
const TRIAGE_ACTIONS = ['triageConfirm', 'triageTopics', 'triageMunicipalities', 'triageSet', 'triageNone'] as const;
export type TriageAction = (typeof TRIAGE_ACTIONS)[number];
export const isTriageAction = (a: CallbackAction): a is TriageAction => (TRIAGE_ACTIONS as readonly string[]).includes(a);

/** At most this many incidents are listed by one /triage (the oldest first); the rest after these are decided. */
export const TRIAGE_LIST_MAX = 10;

/** The labels chosen on a triage message. */
export interface TriagePick {
  topic: TopicCode;
  municipalityId: string | null;
}

/** `<topic>_<municipality>` (municipality ids never contain '_'; none is empty). */
export const encodePick = (p: TriagePick) => `${p.topic}_${p.municipalityId ?? ''}`;

/** The pick of a button's arg, or null when it is not one (a topic or municipality not known). */
export function decodePick(arg: string, municipalities: ReadonlySet<string>): TriagePick | null {
  const m = /^([a-z]+)_([a-z0-9-]*)$/.exec(arg);
  if (!m || !(TOPICS as readonly string[]).includes(m[1])) return null;
  if (m[2] !== '' && !municipalities.has(m[2])) return null;
  return { topic: m[1] as TopicCode, municipalityId: m[2] || null };
}

export type TriageView = 'main' | 'topics' | 'municipalities';

/** Renders one triage message. Pure (the caller passes names, `now` and the signer). */
export function renderTriage(
  item: Pick<TriageItem, 'id' | 'kind' | 'topic' | 'municipalityId' | 'priority' | 'openedAt' | 'text' | 'confidence'>,
  pick: TriagePick,
  o: { view: TriageView; municipalities: { id: string; name: string }[]; now: Date; timezone: string; targetMinutes: number },
  sign: (action: CallbackAction, arg: string) => string,
): { text: string; keyboard: InlineKeyboard } {
  const name = (id: string | null) => (id ? (o.municipalities.find((m) => m.id === id)?.name ?? id) : NOT_SET.municipality);
  const due = new Date(item.openedAt.getTime() + o.targetMinutes * 60_000);
  const changed = pick.topic !== (item.topic ?? 'other') || pick.municipalityId !== item.municipalityId;
  const lines = [
    `🔎 <b>На разбор: обращение №${item.id}</b>${item.priority === 'high' ? ' · 🔴 высокий приоритет' : ''}`,
    `Опубликовано: ${formatLocal(item.openedAt, o.timezone)} · ответ ${formatDeadline(due, o.now, o.timezone)}`,
    `Предложено: ${kindName(item.kind)} · ${escapeHtml(topicName(item.topic))} · ${escapeHtml(name(item.municipalityId))}${item.confidence !== null ? ` · уверенность ${Math.round(item.confidence * 100)}%` : ''}`,
    ...(changed ? [`<b>Выбрано:</b> ${escapeHtml(topicName(pick.topic))} · ${escapeHtml(name(pick.municipalityId))}`] : []),
    '',
    `<blockquote>${escapeHtml(trimText(item.text, 1200))}</blockquote>`,
  ];
  const arg = encodePick(pick);
  let keyboard: InlineKeyboard;
  if (o.view === 'topics') {
    const buttons = TOPICS.map((t) => ({ text: `${t === pick.topic ? '✓ ' : ''}${topicName(t)}`, callback_data: sign('triageSet', encodePick({ ...pick, topic: t })) }));
    keyboard = [...pairs(buttons), [{ text: 'Назад', callback_data: sign('triageSet', arg) }]];
    lines.push('', 'Выберите тему:');
  } else if (o.view === 'municipalities') {
    const buttons = o.municipalities.map((m) => ({ text: `${m.id === pick.municipalityId ? '✓ ' : ''}${m.name}`, callback_data: sign('triageSet', encodePick({ ...pick, municipalityId: m.id })) }));
    keyboard = [...pairs(buttons), [{ text: 'Назад', callback_data: sign('triageSet', arg) }]];
    lines.push('', 'Выберите муниципалитет:');
  } else {
    keyboard = [
      [{ text: changed ? 'Подтвердить выбранное' : 'Подтвердить', callback_data: sign('triageConfirm', arg) }],
      [
        { text: 'Другая тема', callback_data: sign('triageTopics', arg) },
        { text: 'Другой муниципалитет', callback_data: sign('triageMunicipalities', arg) },
      ],
      [{ text: 'Не обращение', callback_data: sign('triageNone', arg) }],
    ];
  }
  return { text: lines.join('\n'), keyboard };
}

/** What a triage message says once the incident is decided (no buttons). */
export function triageDoneText(i: Pick<Incident, 'id' | 'status' | 'topic' | 'municipalityId'>, municipalities: { id: string; name: string }[]): string {
  if (i.status === 'dismissed') return `✖️ Обращение №${i.id}: отмечено «не обращение», ответственному не направляется.`;
  const place = i.municipalityId ? (municipalities.find((m) => m.id === i.municipalityId)?.name ?? i.municipalityId) : NOT_SET.municipality;
  return `✅ Обращение №${i.id} разобрано: ${escapeHtml(topicName(i.topic))} · ${escapeHtml(place)}. Направлено ответственному.`;
}

const pairs = <T>(xs: T[]): T[][] => Array.from({ length: Math.ceil(xs.length / 2) }, (_, i) => xs.slice(2 * i, 2 * i + 2));
