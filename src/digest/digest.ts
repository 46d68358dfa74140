/** The governor's-office digest: headline numbers and the worst overdue items as Telegram HTML. Pure. */
import type { OverdueItem, StatsRow } from '../db/stats';
import { formatTarget } from '../db/stats';
import { formatLocal } from '../domain/periods';
import { formatMinutes, NOT_SET_ALONE, topicName } from '../domain/wording';
import { escapeHtml } from '../lib/html';

export type DigestKind = 'daily' | 'weekly';

export interface DigestInput {
  kind: DigestKind;
  /** The period summed up: [from, to). */
  period: { from: Date; to: Date };
  total: StatsRow;
  /** Ranked municipalities of the period (rank null = too few incidents). */
  municipalities: StatsRow[];
  overdue: { items: OverdueItem[]; total: number };
  targetMinutes: number;
  timezone: string;
  dashboardUrl?: string | null;
}

/** Escapes text for Telegram's HTML parse mode (it refuses unescaped <, > and &): the one escaper, lib/html.ts. */
export const escapeTelegramHtml = escapeHtml;

const e = escapeTelegramHtml;
const pct = (s: number | null) => (s === null ? '—' : `${Math.round(s * 100)} %`);
const dur = (min: number | null) => formatMinutes(min, ' ');
const oneLine = (s: string, max: number) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** Telegram limits a message to 4096 characters; the digest stays well under it. */
export const DIGEST_MAX_CHARS = 3900;

/** The digest text (Telegram HTML, every outside string escaped). */
export function buildDigest(d: DigestInput, opts: { worstOverdue?: number; worstMunicipalities?: number } = {}): string {
  const target = formatTarget(d.targetMinutes);
  const tz = d.timezone;
  const title = d.kind === 'daily' ? 'Сводка за сутки' : 'Сводка за неделю';
  const until = new Date(d.period.to.getTime() - 1);
  const lines: string[] = [
    `<b>${title}</b> · ${e(formatLocal(d.period.from, tz, d.kind === 'daily'))} — ${e(formatLocal(until, tz, d.kind === 'daily'))}`,
    '',
    `Обращений: <b>${d.total.incidents}</b>, отвечено ${d.total.answered}`,
    `Ответ в срок ${e(target)}: <b>${pct(d.total.withinTargetShare)}</b>${d.total.measured ? ` (${d.total.withinTarget} из ${d.total.measured})` : ''}`,
    `Медиана ответа: <b>${e(dur(d.total.medianMinutes))}</b>, 90 %: ${e(dur(d.total.p90Minutes))}`,
    `Эскалаций: ${d.total.escalated} · решено: ${pct(d.total.resolvedShare)} · резонансных: ${d.total.resonant}`,
    `Просрочено сейчас: <b>${d.overdue.total}</b>`,
  ];
  const ranked = d.municipalities.filter((m) => m.rank);
  const worst = [...ranked].reverse().slice(0, opts.worstMunicipalities ?? 3).filter((m) => (m.withinTargetShare ?? 1) < 1);
  if (worst.length) {
    lines.push('', '<b>Хуже всего отвечают:</b>');
    for (const m of worst) lines.push(`• ${e(m.label)} — ${pct(m.withinTargetShare)} в срок, медиана ${e(dur(m.medianMinutes))}, обращений ${m.incidents}`);
  }
  if (d.overdue.items.length) {
    lines.push('', '<b>Самые долгие без ответа:</b>');
    for (const i of d.overdue.items.slice(0, opts.worstOverdue ?? 5)) {
      const link = d.dashboardUrl ? `<a href="${e(`${d.dashboardUrl.replace(/\/$/, '')}/incidents/${i.id}`)}">№${e(i.id)}</a>` : `№${e(i.id)}`;
      const topic = topicName(i.topic, true);
      lines.push(
        `• ${link} ${e(i.municipalityName ?? NOT_SET_ALONE.municipality)}, ${e(topic)} — просрочено на ${e(dur(i.overdueMinutes))}` +
          `${i.officialName ? `, ${e(i.officialName)}` : ''}\n  «${e(oneLine(i.excerpt, 90))}»`,
      );
    }
  } else {
    lines.push('', 'Просроченных обращений нет.');
  }
  if (d.dashboardUrl) lines.push('', `<a href="${e(d.dashboardUrl)}">Открыть панель</a>`);
  let text = lines.join('\n');
  if (text.length > DIGEST_MAX_CHARS) text = `${text.slice(0, text.lastIndexOf('\n', DIGEST_MAX_CHARS))}\n…`;
  return text;
}
