/**
 * Alerts to the control centre when a job fails for the last time (it stays in BullMQ's failed set):
 * an `job.failed` event on the incident when the job names one, and a Telegram message to the duty
 * officers, at most ALERT_BUDGET.max per window per process so a storm of failures does not flood the chat.
 * Ids only: no citizen text reaches an alert.
 */
import { errorFields } from '../errors';
import type { StageDeps } from './stage';

/** At most `max` alert messages per `windowMs` (per process); the rest are counted and reported later. */
export const ALERT_BUDGET = { max: 5, windowMs: 10 * 60_000 };

export interface FailureAlert {
  queue: string;
  jobId: string;
  incidentId: string | null;
  attempts: number;
  errName: string;
  errMessage: string;
}

/** A fixed-window budget. Pure apart from its own counters; the clock is passed in. */
export class AlertBudget {
  private windowStart = -Infinity;
  private sent = 0;
  private suppressed = 0;

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** May an alert go out at `nowMs`? `suppressed`: alerts held back since the last one sent; `last`: the window's final one. */
  take(nowMs: number): { send: boolean; suppressed: number; last: boolean } {
    if (nowMs - this.windowStart >= this.windowMs) {
      this.windowStart = nowMs;
      this.sent = 0;
    }
    if (this.sent >= this.max) {
      this.suppressed++;
      return { send: false, suppressed: this.suppressed, last: false };
    }
    this.sent++;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    return { send: true, suppressed, last: this.sent === this.max };
  }
}

const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);

/** Pure: the alert as Telegram HTML (escaped), in the officials' language. */
export function alertText(a: FailureAlert, suppressed: number, last: boolean, windowMinutes: number): string {
  const lines = [
    `⚠️ <b>Сбой обработки</b>: задача <code>${esc(a.jobId)}</code> (очередь ${esc(a.queue)}) не выполнена после ${a.attempts} попыт${a.attempts === 1 ? 'ки' : 'ок'}.`,
    // startStage wraps a PermanentError as BullMQ's UnrecoverableError, whose message names the original.
    `Ошибка: <code>${esc((a.errName === 'UnrecoverableError' ? a.errMessage : `${a.errName}: ${a.errMessage}`).slice(0, 300))}</code>`,
  ];
  if (a.incidentId) lines.push(`Инцидент №${esc(a.incidentId)}.`);
  lines.push(`Задача сохранена в списке неудачных; повтор после исправления: <code>npx tsx scripts/replay-failed.ts ${esc(a.queue)}</code>`);
  if (suppressed > 0) lines.push(`Кроме того, ${suppressed} сбо${suppressed === 1 ? 'й' : 'ев'} не показаны отдельно (ограничение частоты).`);
  if (last) lines.push(`Следующие сбои в ближайшие ${windowMinutes} мин. будут сведены в одно сообщение.`);
  return lines.join('\n');
}

const budgets = new WeakMap<StageDeps, AlertBudget>();

/** Records and sends the alert of a final failure. Never throws: an alert that fails is logged. */
export async function alertFinalFailure(deps: StageDeps, a: FailureAlert): Promise<void> {
  const at = deps.now();
  if (a.incidentId) {
    await deps.db.incidents
      .addEvent(a.incidentId, 'job.failed', 'system', at, { queue: a.queue, jobId: a.jobId, attempts: a.attempts, errName: a.errName })
      .catch((err) => deps.log.warn('alert.event-failed', { jobId: a.jobId, incidentId: a.incidentId, ...errorFields(err) }));
  }
  if (!deps.messenger) return;
  let budget = budgets.get(deps);
  if (!budget) budgets.set(deps, (budget = new AlertBudget(ALERT_BUDGET.max, ALERT_BUDGET.windowMs)));
  const slot = budget.take(at.getTime());
  if (!slot.send) {
    deps.log.warn('alert.suppressed', { jobId: a.jobId, suppressed: slot.suppressed });
    return;
  }
  try {
    const duty = (await deps.db.officials.all()).filter((o) => o.duty && !o.away && o.telegramId);
    if (duty.length === 0) {
      deps.log.warn('alert.no-recipients', { jobId: a.jobId });
      return;
    }
    const text = alertText(a, slot.suppressed, slot.last, Math.round(budget.windowMs / 60_000));
    for (const o of duty) {
      await deps.messenger
        .sendText(o.telegramId as string, text)
        .then(() => deps.log.info('alert.sent', { jobId: a.jobId, officialId: o.id }))
        .catch((err) => deps.log.warn('alert.send-failed', { jobId: a.jobId, officialId: o.id, ...errorFields(err) }));
    }
  } catch (err) {
    deps.log.warn('alert.failed', { jobId: a.jobId, ...errorFields(err) });
  }
}
