/** CSV export of statistics for Excel with a Russian locale: UTF-8 with BOM, ';' separators, decimal commas. Pure. */
import type { StatsRow } from '../db/stats';

const BOM = '\ufeff';

/** One cell: quoted when needed; a leading = + - @ is neutralized so Excel never runs it as a formula. */
export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v).replace('.', ',');
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[";\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const pct = (s: number | null) => (s === null ? null : Math.round(s * 1000) / 10);

/** The whole file: header, one line per group, the total, then the definitions. */
export function statsCsv(rows: StatsRow[], total: StatsRow, groupTitle: string, meta: { period: string; target: string }, defs: { term: string; text: string }[]): string {
  const header = [
    groupTitle, 'Место в рейтинге', 'Обращений', 'Отвечено', `Ответ в срок ${meta.target}`, 'Срок наступил', `Доля в срок ${meta.target}, %`,
    'Медиана, мин', '90-й процентиль, мин', 'Среднее, мин', 'До 1 ч', '1–4 ч', '4–8 ч', '8–24 ч', 'Более 24 ч', 'Без ответа после срока',
    'Просрочено сейчас', 'Эскалаций', 'Решено', 'Доля решённых, %', 'Обещаний выполнено', 'Обещаний не выполнено', 'Обещаний в работе', 'Резонансных',
  ];
  const line = (r: StatsRow) =>
    [
      r.label, r.rank ?? null, r.incidents, r.answered, r.withinTarget, r.measured, pct(r.withinTargetShare), r.medianMinutes, r.p90Minutes,
      r.meanMinutes, r.buckets.upTo1h, r.buckets.h1to4, r.buckets.h4to8, r.buckets.h8to24, r.buckets.over24h, r.buckets.unansweredLate,
      r.overdueNow, r.escalated, r.resolved, pct(r.resolvedShare), r.promisesKept, r.promisesBroken, r.promisesPending, r.resonant,
    ].map(csvCell).join(';');
  const out = [
    csvCell(`Отклик: статистика ответов на обращения граждан, ${meta.period}`),
    header.map(csvCell).join(';'),
    ...rows.map(line),
    line(total),
    '',
    csvCell('Определения'),
    ...defs.map((d) => [csvCell(d.term), csvCell(d.text)].join(';')),
  ];
  return BOM + out.join('\r\n') + '\r\n';
}
