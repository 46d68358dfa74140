/**
 * The duty officer's triage in the bot, the handlers: `/triage`, the signed buttons, the decision (src/triage/actions.ts,
 * shared with the web). The messages themselves are drawn by src/bot/triage.ts.
 */
import type { CallbackQuery } from 'node-telegram-bot-api';
import type { Official } from '../db/officials';
import { mayTriage, triageScope } from '../domain/incident-actions';
import type { TopicCode } from '../domain/types';
import type { StageDeps } from '../pipeline/stage';
import { decideTriage, mayTriageIncident, type TriageActor } from '../triage/actions';
import { signCallback, type CallbackAction, type CallbackData } from './callback';
import type { TelegramOffice } from './telegram';
import { decodePick, renderTriage, triageDoneText, TRIAGE_LIST_MAX, type TriageView } from './triage';

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
