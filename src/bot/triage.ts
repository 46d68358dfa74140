/**
 * The duty officer's triage in the bot: `/triage` lists the incidents the analysis was unsure of, one message each
 * with buttons — «Подтвердить» (as suggested, or with the topic and municipality picked meanwhile), «Тема …»,
 * «Муниципалитет …», «Не обращение». Buttons are signed (src/bot/callback.ts) and stateless: each carries the labels
 * chosen so far (`<topic>_<municipality>`), so a pick re-draws the message and no dialogue state is kept. What a
 * decision does is src/triage/actions.ts's, shared with the web.
 */
import type { CallbackQuery } from 'node-telegram-bot-api';
import type { Incident } from '../db/incidents';
import type { Official } from '../db/officials';
import type { TriageItem } from '../db/triage';
import { mayTriage, triageScope } from '../domain/incident-actions';
import { kindName } from '../domain/kinds';
import { formatLocal } from '../domain/periods';
import { TOPICS, type TopicCode } from '../domain/types';
import { NOT_SET, topicName } from '../domain/wording';
import { escapeHtml } from '../lib/html';
import type { StageDeps } from '../pipeline/stage';
import { decideTriage, mayTriageIncident, type TriageActor } from '../triage/actions';
import { signCallback, type CallbackAction, type CallbackData } from './callback';
import type { InlineKeyboard } from './card';
import type { TelegramOffice } from './telegram';
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

const actorOf = (o: Official): TriageActor => ({ officialId: o.id, role: o.role, duty: o.duty, municipalityId: o.municipalityId });

/** The triage part of the officials' bot. */
export class TriageBot {
  constructor(
    private readonly deps: StageDeps,
    private readonly office: TelegramOffice,
  ) {}

  private sign(incidentId: string) {
    return (action: CallbackAction, arg: string) => signCallback(this.office.secret, { action, incidentId, epoch: '0', arg });
  }

  private options(view: TriageView, municipalities: { id: string; name: string }[]) {
    return { view, municipalities, now: this.deps.now(), timezone: this.deps.analyzer.region.timezone, targetMinutes: this.deps.cfg.SLA_TARGET_MINUTES };
  }

  /** `/triage`: the waiting incidents, the oldest first, one message each. */
  async list(official: Official, chatId: string): Promise<void> {
    if (!mayTriage(official)) {
      await this.office.send(chatId, 'Разбор обращений доступен дежурному Центра управления регионом и главам муниципалитетов.');
      return;
    }
    const [list, municipalities] = await Promise.all([
      this.deps.db.triage.list({ municipalityId: triageScope(official), limit: TRIAGE_LIST_MAX }),
      this.deps.db.officials.municipalities(),
    ]);
    if (list.total === 0) {
      await this.office.send(chatId, 'Разбирать нечего: все обращения направлены.');
      return;
    }
    await this.office.send(
      chatId,
      `<b>На разбор: ${list.total}</b>${list.total > list.items.length ? ` (показаны ${list.items.length} самых давних)` : ''}. Автоматический разбор не уверен в них или не нашёл муниципалитет: подтвердите или исправьте, и обращение уйдёт ответственному.`,
    );
    for (const item of list.items) {
      const r = renderTriage(item, { topic: (item.topic as TopicCode | null) ?? 'other', municipalityId: item.municipalityId }, this.options('main', municipalities), this.sign(item.id));
      await this.office.send(chatId, r.text, r.keyboard);
    }
    this.deps.log.info('bot.triage-listed', { officialId: official.id, shown: list.items.length, total: list.total });
  }

  /** A triage button. */
  async onButton(actor: Official, q: CallbackQuery, data: CallbackData): Promise<{ text: string; alert?: boolean }> {
    const { db } = this.deps;
    const incident = await db.incidents.get(data.incidentId);
    if (!incident) return { text: 'Обращение не найдено.', alert: true };
    const chatId = q.message ? String(q.message.chat.id) : null;
    const messageId = q.message ? String(q.message.message_id) : null;
    if (incident.status !== 'needs_review') {
      if (chatId && messageId) await this.office.edit(chatId, messageId, `Обращение №${incident.id} уже разобрано.`).catch(() => undefined);
      return { text: 'Это обращение уже разобрано.', alert: true };
    }
    if (!mayTriageIncident(actorOf(actor), incident)) return { text: 'У вас нет прав на разбор этого обращения.', alert: true };
    const municipalities = await db.officials.municipalities();
    const pick = decodePick(data.arg, new Set(municipalities.map((m) => m.id)));
    if (!pick) return { text: 'Эта кнопка устарела. Наберите /triage ещё раз.', alert: true };
    const redraw = async (view: TriageView) => {
      if (!chatId || !messageId) return;
      const item = await db.triage.item(incident.id);
      if (!item) return;
      const r = renderTriage(item, pick, this.options(view, municipalities), this.sign(incident.id));
      await this.office.edit(chatId, messageId, r.text, r.keyboard);
    };
    switch (data.action) {
      case 'triageTopics':
        await redraw('topics');
        return { text: 'Выберите тему' };
      case 'triageMunicipalities':
        await redraw('municipalities');
        return { text: 'Выберите муниципалитет' };
      case 'triageSet':
        await redraw('main');
        return { text: 'Выбрано' };
      case 'triageConfirm':
      case 'triageNone': {
        const r = await decideTriage(
          this.deps,
          actorOf(actor),
          incident.id,
          data.action === 'triageNone' ? { decision: 'not-appeal' } : { decision: 'appeal', kind: incident.kind, topic: pick.topic, municipalityId: pick.municipalityId, priority: incident.priority },
        );
        if (r.kind === 'refused') return { text: r.reason === 'not-allowed' ? 'У вас нет прав на разбор этого обращения.' : 'Это обращение уже разобрано.', alert: true };
        // decideTriage brought the triage messages sent to duty officers up to date; this one may be from /triage.
        const decided = await db.incidents.get(incident.id);
        if (chatId && messageId && decided) await this.office.edit(chatId, messageId, triageDoneText(decided, municipalities));
        return { text: r.kind === 'dismissed' ? 'Отмечено: не обращение' : 'Направлено ответственному' };
      }
      default:
        return { text: 'Эта кнопка устарела. Наберите /triage ещё раз.', alert: true };
    }
  }
}
