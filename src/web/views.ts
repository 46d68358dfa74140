/** Server-rendered pages of the dashboard (Russian). Every citizen's text passes through escapeHtml via `html`. */
import type { IncidentListItem, IncidentMessage, PromiseRow } from '../db/dashboard';
import type { Incident, IncidentEvent } from '../db/incidents';
import type { Reply } from '../db/replies';
import { formatTarget, type StatsGroup, type StatsRow } from '../db/stats';
import { formatLocal } from '../domain/periods';
import { TOPIC_NAMES_RU, TOPICS } from '../domain/types';
import { attachReason, NOT_SET, NOT_SET_ALONE, platformName, REPLY_STAGE_NAMES_RU, REPLY_STATUS_NAMES_RU, statusName, topicName } from '../domain/wording';
import { analysisInWords, subtopicName } from './analysis-words';
import { formatInt, formatMinutes, formatShare, html, jsonForScript, raw, safeUrl, type RawHtml } from './html';
import type { Overview } from './overview';
import { kindName } from '../domain/kinds';

const shareClass = (s: number | null) => (s === null ? 'na' : s >= 0.8 ? 'good' : s >= 0.5 ? 'warn' : 'bad');

/** A share as a coloured bar with its number. */
function shareBar(s: number | null): RawHtml {
  const pct = s === null ? 0 : Math.round(s * 100);
  return html`<div class="share ${shareClass(s)}"><span class="bar" style="width:${pct}%"></span><b>${formatShare(s)}</b></div>`;
}

function kpi(label: string, value: string, cls = '', hint = ''): RawHtml {
  return html`<div class="kpi ${cls}"><div class="label">${label}</div><div class="value">${value}</div>${hint ? html`<div class="hint">${hint}</div>` : ''}</div>`;
}

function kpiBlock(title: string, since: string, t: StatsRow, target: string): RawHtml {
  return html`<div class="card kpis"><h2>${title} <span class="muted small">${since}</span></h2><div class="row">
    ${kpi('Обращений', formatInt(t.incidents), '', `отвечено ${formatInt(t.answered)}`)}
    ${kpi(`Ответ в срок ${target}`, formatShare(t.withinTargetShare), shareClass(t.withinTargetShare), t.measured ? `${t.withinTarget} из ${t.measured}` : 'срок ещё не наступил')}
    ${kpi('Медиана ответа', formatMinutes(t.medianMinutes), '', `90 %: ${formatMinutes(t.p90Minutes)}`)}
    ${kpi('Просрочено сейчас', formatInt(t.overdueNow), t.overdueNow > 0 ? 'bad' : 'good', `эскалаций ${t.escalated}`)}
  </div></div>`;
}

const GROUP_TITLES: Record<StatsGroup, string> = {
  municipality: 'Муниципалитет',
  official: 'Ответственный',
  topic: 'Тема',
  day: 'День',
  none: '',
};

/** A statistics table (ranking first, unranked below). */
export function statsTable(rows: StatsRow[], total: StatsRow | null, group: StatsGroup, target: string, minIncidents: number, ranked: boolean): RawHtml {
  const line = (r: StatsRow, cls = '') => html`<tr class="${cls}">
    ${ranked ? html`<td class="num">${r.rank ?? ''}</td>` : ''}
    <td>${r.label}</td><td class="num">${formatInt(r.incidents)}</td><td class="sharecell">${shareBar(r.withinTargetShare)}</td>
    <td class="num">${formatMinutes(r.medianMinutes)}</td><td class="num">${formatMinutes(r.p90Minutes)}</td>
    <td class="num ${r.overdueNow ? 'bad-text' : ''}">${r.overdueNow}</td><td class="num">${r.escalated}</td>
    <td class="num">${formatShare(r.resolvedShare)}</td><td class="num">${r.promisesKept}/${r.promisesBroken}</td><td class="num">${r.resonant}</td></tr>`;
  const rankedRows = rows.filter((r) => r.rank);
  const rest = rows.filter((r) => !r.rank);
  const cols = ranked ? 11 : 10;
  return html`<div class="table-wrap"><table class="stats"><thead><tr>${ranked ? html`<th>Место</th>` : ''}<th>${GROUP_TITLES[group]}</th><th>Обращений</th>
    <th>Ответ в срок ${target}</th><th>Медиана</th><th>90 %</th><th>Просрочено сейчас</th><th>Эскалаций</th><th>Решено</th>
    <th title="выполнено / не выполнено">Обещания</th><th>Резонансных</th></tr></thead><tbody>
    ${(ranked ? rankedRows : rows).map((r) => line(r))}
    ${ranked && rest.length ? html`<tr class="sep"><td colspan="${cols}">Вне рейтинга — меньше ${minIncidents} обращений за период или срок ещё не наступил</td></tr>${rest.map((r) => line(r, 'muted'))}` : ''}
    ${total ? line(total, 'total') : ''}
  </tbody></table></div>`;
}

function overdueTable(items: Overview['overdue']['items'], tz: string): RawHtml {
  if (items.length === 0) return html`<p class="ok-note">Просроченных обращений нет.</p>`;
  return html`<div class="table-wrap"><table class="overdue stack"><thead><tr><th>№</th><th>Муниципалитет · тема</th><th>Ответственный</th><th>Просрочка</th><th>Текст обращения</th></tr></thead><tbody>
    ${items.map(
      (i) => html`<tr><td><a href="/incidents/${i.id}">№${i.id}</a>${i.priority === 'high' ? html` <span class="badge high">срочно</span>` : ''}</td>
        <td>${i.municipalityName ?? NOT_SET_ALONE.municipality}<div class="muted small">${topicName(i.topic, true)}</div></td>
        <td data-label="Ответственный">${i.officialName ?? NOT_SET.official}${i.escalated ? html`<div class="badge esc">эскалация</div>` : ''}</td>
        <td class="bad-text nowrap" data-label="Просрочка">${formatMinutes(i.overdueMinutes)}<div class="muted small">срок ${formatLocal(i.dueAt, tz)}</div></td>
        <td class="excerpt">${i.excerpt}</td></tr>`,
    )}
  </tbody></table></div>`;
}

const BUCKET_LABELS = ['до 1 ч', '1–4 ч', '4–8 ч', '8–24 ч', 'более 24 ч', 'нет ответа после срока'];
const TOPIC_COLORS: Record<string, string> = {
  housing: '#1f77b4', roads: '#ff7f0e', waste: '#2ca02c', transport: '#9467bd', healthcare: '#d62728', education: '#8c564b',
  landscaping: '#17becf', social: '#e377c2', safety: '#7f7f7f', ecology: '#bcbd22', other: '#aec7e8',
};

/** Chart data for dashboard.js (embedded as JSON, not executed). */
function chartData(o: Overview) {
  const days: string[] = [];
  for (let t = o.topicsByDay.period.from.getTime(); t < o.topicsByDay.period.to.getTime(); t += 86_400_000) {
    days.push(new Date(t + 12 * 3_600_000).toISOString().slice(0, 10)); // noon avoids DST edges in any zone
  }
  const localDays = [...new Set([...days.map((d) => d), ...o.topicsByDay.rows.map((r) => r.day)])].sort().slice(-14);
  const topics = TOPICS.filter((t) => o.topicsByDay.rows.some((r) => r.topic === t));
  const b = o.month.total.buckets;
  const targetH = o.settings.targetMinutes / 60;
  const bucketEnds = [1, 4, 8, 24, Infinity];
  return {
    topics: {
      labels: localDays.map((d) => `${d.slice(8, 10)}.${d.slice(5, 7)}`),
      datasets: topics.map((t) => ({
        label: TOPIC_NAMES_RU[t],
        backgroundColor: TOPIC_COLORS[t],
        data: localDays.map((d) => o.topicsByDay.rows.find((r) => r.day === d && r.topic === t)?.incidents ?? 0),
      })),
    },
    distribution: {
      labels: BUCKET_LABELS,
      data: [b.upTo1h, b.h1to4, b.h4to8, b.h8to24, b.over24h, b.unansweredLate],
      colors: [...bucketEnds.map((end) => (end <= targetH ? '#2e7d32' : '#e65100')), '#b71c1c'],
    },
  };
}

/** The live part of the front page (re-fetched every 30 s by dashboard.js). */
export function overviewMain(o: Overview): string {
  const tz = o.settings.timezone;
  const target = formatTarget(o.settings.targetMinutes);
  const rankingTitle = o.month.rankingBy === 'municipality' ? 'Рейтинг муниципалитетов' : 'Ответственные';
  return html`<div class="titlebar"><h1>Ответы на обращения граждан</h1>
      <span class="muted small" id="updated">Данные на ${formatLocal(o.generatedAt, tz)} (${tz}) · обновляются каждые 30 секунд</span></div>
    <div class="grid2">
      ${kpiBlock('Сегодня', `с ${formatLocal(o.today.period.from, tz)}`, o.today.total, target)}
      ${kpiBlock('Эта неделя', `с ${formatLocal(o.week.period.from, tz, false)}`, o.week.total, target)}
    </div>
    <div class="card"><h2>Просрочено сейчас: ${formatInt(o.overdue.total)} <a class="small" href="/incidents?overdue=1">все просроченные →</a></h2>
      ${overdueTable(o.overdue.items, tz)}</div>
    <div class="card"><h2>${rankingTitle} за 30 дней <span class="muted small">${formatLocal(o.month.period.from, tz, false)} — ${formatLocal(new Date(o.month.period.to.getTime() - 1), tz, false)}</span>
      <a class="small" href="/stats">подробнее и выгрузка →</a></h2>
      ${statsTable(o.month.ranking, o.month.total, o.month.rankingBy, target, o.settings.minIncidents, true)}</div>
    <div class="grid2">
      <div class="card"><h2>Темы обращений по дням</h2><div class="chart"><canvas id="chart-topics" aria-label="Темы обращений по дням"></canvas></div></div>
      <div class="card"><h2>Время первого ответа за 30 дней</h2><div class="chart"><canvas id="chart-distribution" aria-label="Распределение времени ответа"></canvas></div></div>
    </div>
    ${definitionsBlock(o.definitions)}
    <script type="application/json" id="chart-data">${raw(jsonForScript(chartData(o)))}</script>`.__html;
}

export function definitionsBlock(defs: { term: string; text: string }[]): RawHtml {
  return html`<details class="card definitions" open><summary><h2>Как считаются показатели</h2></summary><dl>
    ${defs.map((d) => html`<dt>${d.term}</dt><dd>${d.text}</dd>`)}</dl></details>`;
}

/** Statuses the list can be filtered by (routes.ts ListQuery). */
const LIST_STATUSES = ['new', 'needs_review', 'classified', 'assigned', 'in_progress', 'answered', 'resolved', 'closed'];

/** The incident list. */
export function incidentListBody(
  items: IncidentListItem[],
  total: number,
  q: { status?: string; municipality?: string; topic?: string; overdue?: boolean; offset: number; limit: number },
  municipalities: Map<string, string> | null,
  tz: string,
  now: Date,
): RawHtml {
  const opt = (value: string, label: string, selected: string | undefined) =>
    html`<option value="${value}" ${selected === value ? raw('selected') : ''}>${label}</option>`;
  const qs = (offset: number) => {
    const u = new URLSearchParams();
    if (q.status) u.set('status', q.status);
    if (q.municipality) u.set('municipality', q.municipality);
    if (q.topic) u.set('topic', q.topic);
    if (q.overdue) u.set('overdue', '1');
    u.set('offset', String(offset));
    return `/incidents?${u.toString()}`;
  };
  return html`<div class="titlebar"><h1>Обращения</h1><span class="muted">найдено ${formatInt(total)}</span></div>
  <form class="filters card" method="get" action="/incidents">
    <label>Статус<select name="status">${opt('', 'все', q.status)}${LIST_STATUSES.map((k) => opt(k, statusName(k), q.status))}</select></label>
    ${municipalities ? html`<label>Муниципалитет<select name="municipality">${opt('', 'все', q.municipality)}${[...municipalities].map(([k, v]) => opt(k, v, q.municipality))}</select></label>` : ''}
    <label>Тема<select name="topic">${opt('', 'все', q.topic)}${TOPICS.map((t) => opt(t, TOPIC_NAMES_RU[t], q.topic))}</select></label>
    <label class="check"><input type="checkbox" name="overdue" value="1" ${q.overdue ? raw('checked') : ''}> только просроченные</label>
    <button type="submit">Показать</button>
  </form>
  <div class="card"><div class="table-wrap"><table class="incidents stack"><thead><tr><th>№</th><th>Опубликовано</th><th>Муниципалитет · тема</th><th>Статус</th><th>Ответственный</th><th>Ответ</th><th>Текст обращения</th></tr></thead><tbody>
  ${items.map((i) => {
    const late = !i.firstResponseAt && i.dueAt < now && ['new', 'needs_review', 'classified', 'assigned', 'in_progress'].includes(i.status);
    const rt = i.firstResponseAt ? (i.firstResponseAt.getTime() - i.openedAt.getTime()) / 60_000 : null;
    return html`<tr class="${late ? 'late' : ''}"><td><a href="/incidents/${i.id}">№${i.id}</a>${i.priority === 'high' ? html` <span class="badge high">срочно</span>` : ''}${i.resonant ? html` <span class="badge res">резонанс</span>` : ''}</td>
      <td class="nowrap" data-label="Опубликовано">${formatLocal(i.openedAt, tz)}</td>
      <td>${i.municipalityName ?? NOT_SET_ALONE.municipality}<div class="muted small">${topicName(i.topic, true)}</div></td>
      <td>${statusName(i.status)}${i.escalated ? html`<div class="badge esc">эскалация</div>` : ''}</td>
      <td data-label="Ответственный">${i.officialName ?? '—'}</td>
      <td class="nowrap" data-label="Ответ">${rt !== null ? formatMinutes(rt) : late ? html`<span class="bad-text">просрочен</span>` : html`<span class="muted">до ${formatLocal(i.dueAt, tz)}</span>`}</td>
      <td class="excerpt">${i.excerpt}</td></tr>`;
  })}
  </tbody></table></div>
  <div class="pager">${q.offset > 0 ? html`<a href="${qs(Math.max(q.offset - q.limit, 0))}">← предыдущие</a>` : ''}
    ${q.offset + q.limit < total ? html`<a href="${qs(q.offset + q.limit)}">следующие →</a>` : ''}</div></div>`;
}

const EVENT_NAMES_RU: Record<string, string> = {
  'incident.opened': 'Обращение зарегистрировано',
  'incident.classified': 'Определены тема и муниципалитет',
  'incident.assigned': 'Назначен ответственный',
  'message.attached': 'Присоединено повторное сообщение',
  'incident.taken': 'Взято в работу',
  'incident.escalated': 'Эскалация руководителю',
  'incident.reassigned': 'Передано другому ответственному',
  'incident.returned-to-triage': 'Возвращено на разбор дежурному: муниципалитет не определён',
  'incident.answered': 'Опубликован ответ',
  'incident.resolved': 'Отмечено как решённое',
  'incident.reopened': 'Возвращено в работу',
  'incident.resolution-overdue': 'Истёк срок решения',
  'incident.closed': 'Закрыто',
  'notification.sent': 'Карточка отправлена в Telegram',
  'notification.undeliverable': 'Карточку не удалось доставить в Telegram',
  'sla.reminder': 'Напоминание о сроке',
  'promise.made': 'Дано обещание со сроком',
  'promise.broken': 'Обещание не выполнено в срок',
  'reply.drafted': 'Подготовлен ответ',
  'reply.approved': 'Ответ согласован',
  'reply.published': 'Ответ опубликован',
  'reply.failed': 'Ответ не удалось опубликовать',
  'reply.retried': 'Публикация ответа запущена повторно',
  'job.failed': 'Сбой обработки (сообщено дежурному)',
  'incident.dismissed': 'Снято при разборе: не обращение',
  'incident.needs-review': 'Направлено на разбор дежурному: автоматический разбор не уверен',
  'incident.triaged': 'Разобрано: вид, тема, муниципалитет и приоритет подтверждены',
  'incident.corrected': 'Исправлены вид, тема, муниципалитет или приоритет',
  'incident.thanked': 'Благодарность от автора',
};

/**
 * Who did something, by name: `official:<id>` → the official's name, `system` → «автоматически»; any other
 * actor tag is an internal code and is not shown ('').
 */
export function actorName(actor: string, officials: Map<string, string> | undefined): string {
  if (actor === 'system') return 'автоматически';
  const id = /^official:(.+)$/.exec(actor)?.[1];
  return id ? (officials?.get(id) ?? 'сотрудник') : '';
}

/** The incident page: messages, classification with reasons, timeline, replies, promises. */
export function incidentBody(
  i: Incident,
  d: { messages: IncidentMessage[]; events: IncidentEvent[]; replies: Reply[]; promises: PromiseRow[]; municipalityName: string | null; officialName: string | null; officialNames?: Map<string, string>; actions?: RawHtml },
  tz: string,
  now: Date,
): RawHtml {
  const a = i.analysis ? analysisInWords(i.analysis, (d.messages.find((m) => m.reason === 'first') ?? d.messages[0])?.text ?? '') : null;
  const who = (actor: string) => actorName(actor, d.officialNames);
  /** The official an assignment or a hand-over went to, by name. */
  const toWhom = (e: IncidentEvent) => {
    const id = e.kind === 'incident.assigned' ? e.data.officialId : e.kind === 'incident.reassigned' ? e.data.to : null;
    return typeof id === 'string' ? (d.officialNames?.get(id) ?? null) : null;
  };
  const rt = i.firstResponseAt ? (i.firstResponseAt.getTime() - i.openedAt.getTime()) / 60_000 : null;
  const late = !i.firstResponseAt && i.responseDueAt !== null && i.responseDueAt < now;
  const reasons = (list: string[]) => (list.length ? html`<ul class="reasons">${list.map((r) => html`<li>${r}</li>`)}</ul>` : '');
  const when = (x: Date | null) => (x ? formatLocal(x, tz) : '—');
  return html`<div class="titlebar"><h1>Обращение №${i.id}</h1>
    <span class="badge">${statusName(i.status)}</span>${i.priority === 'high' ? html` <span class="badge high">срочно</span>` : ''}
    ${i.resonant ? html` <span class="badge res">резонанс: ${i.authorsCount} авторов</span>` : ''}${i.escalatedAt ? html` <span class="badge esc">эскалация</span>` : ''}</div>
  <div class="grid2">
    <div class="card"><h2>Сроки</h2><table class="facts">
      <tr><th>Опубликовано гражданином</th><td>${when(i.openedAt)}</td></tr>
      <tr><th>Срок первого ответа</th><td class="${late ? 'bad-text' : ''}">${when(i.responseDueAt)}${late ? ' — просрочено' : ''}</td></tr>
      <tr><th>Первый ответ</th><td>${when(i.firstResponseAt)}${rt !== null ? html` <b>(${formatMinutes(rt)})</b>` : ''}</td></tr>
      <tr><th>Решено</th><td>${when(i.resolvedAt)}</td></tr>
      <tr><th>Вид</th><td>${kindName(i.kind)}</td></tr>
      <tr><th>Муниципалитет</th><td>${d.municipalityName ?? NOT_SET.municipality}</td></tr>
      <tr><th>Тема</th><td>${topicName(i.topic)}${subtopicName(i.subtopic) ? ` · ${subtopicName(i.subtopic)}` : ''}</td></tr>
      <tr><th>Ответственный</th><td>${d.officialName ?? NOT_SET.official}</td></tr>
    </table></div>
    <div class="card analysis" data-version="${i.analysis?.version ?? ''}"><h2>Как система поняла обращение</h2>${
      a
        ? html`<table class="facts">
      <tr><th>Вид</th><td><b>${a.kind}</b>${reasons(a.kindReasons)}</td></tr>
      <tr><th>Тема</th><td><b>${a.topic}${a.subtopic ? ` · ${a.subtopic}` : ''}</b>${reasons(a.topicReasons)}</td></tr>
      <tr><th>Муниципалитет</th><td><b>${d.municipalityName ?? NOT_SET.municipality}</b>${a.placeReason ? html`<div class="small">${a.placeReason}${a.settlement ? ` (населённый пункт: ${a.settlement})` : ''}</div>` : ''}</td></tr>
      <tr><th>Приоритет</th><td><b>${a.urgent ? 'срочно' : 'обычный'}</b>${reasons(a.priorityReasons)}</td></tr>
      ${a.confidence ? html`<tr><th>Уверенность</th><td><b>${a.confidence}</b><div class="muted small">насколько система уверена в виде, теме и месте вместе</div></td></tr>` : ''}
      </table>`
        : html`<p class="muted">Анализа текста нет.</p>`
    }</div>
  </div>
  ${d.actions ?? ''}
  <div class="card"><h2>Сообщения граждан (${d.messages.length})</h2>
    ${d.messages.map((m) => {
      const link = safeUrl(m.permalink);
      return html`<article class="message"><div class="meta">${platformName(m.platform)} · ${m.authorName ?? 'автор не указан'} · ${formatLocal(m.publishedAt, tz)}
        ${m.reason !== 'first' ? html` · <span class="muted">присоединено: ${attachReason(m.reason)}</span>` : ''}${link ? html` · <a href="${link}" rel="noopener noreferrer" target="_blank">открыть источник</a>` : ''}</div>
        <div class="text">${m.text}</div></article>`;
    })}</div>
  <div class="grid2">
    <div class="card"><h2>Ход работы</h2><ol class="timeline">
      ${d.events.map((e) => html`<li><span class="nowrap muted">${formatLocal(e.at, tz)}</span> ${EVENT_NAMES_RU[e.kind] ?? e.kind}${toWhom(e) ? `: ${toWhom(e)}` : ''}${typeof e.data.note === 'string' ? ` — причина: «${e.data.note}»` : ''}${who(e.actor) ? html` <span class="muted small">· ${who(e.actor)}</span>` : ''}</li>`)}
    </ol></div>
    <div class="card"><h2>Ответы гражданину</h2>
      ${d.replies.length === 0 ? html`<p class="muted">Ответов пока нет.</p>` : ''}
      ${d.replies.map((r) => html`<article class="reply"><div class="meta">${REPLY_STATUS_NAMES_RU[r.status] ?? r.status} · ${r.publishedAt ? formatLocal(r.publishedAt, tz) : formatLocal(r.createdAt, tz)}${r.stage ? ` · ${REPLY_STAGE_NAMES_RU[r.stage] ?? ''}` : ''}${who(r.draftedBy) ? ` · подготовил(а): ${who(r.draftedBy)}` : ''}</div><div class="text">${r.text}</div></article>`)}
      ${d.promises.length ? html`<h3>Обещания</h3><ul>${d.promises.map((p) => html`<li>${p.text} — до ${formatLocal(p.dueAt, tz, false)}: ${p.keptAt ? 'выполнено' : p.brokenAt || p.dueAt < now ? html`<span class="bad-text">не выполнено</span>` : 'в работе'}</li>`)}</ul>` : ''}
    </div>
  </div>`;
}

/** The statistics page: filters, table, CSV link, definitions. */
export function statsBody(
  r: { total: StatsRow; groups: StatsRow[] },
  q: { from: string; to: string; group: StatsGroup; municipality?: string; topic?: string },
  municipalities: Map<string, string> | null,
  target: string,
  minIncidents: number,
  defs: { term: string; text: string }[],
): RawHtml {
  const opt = (value: string, label: string, selected: string | undefined) =>
    html`<option value="${value}" ${selected === value ? raw('selected') : ''}>${label}</option>`;
  const csv = new URLSearchParams({ from: q.from, to: q.to, group: q.group });
  if (q.municipality) csv.set('municipality', q.municipality);
  if (q.topic) csv.set('topic', q.topic);
  const ranked = q.group === 'municipality' || q.group === 'official';
  return html`<div class="titlebar"><h1>Статистика ответов</h1></div>
  <form class="filters card" method="get" action="/stats">
    <label>С<input type="date" name="from" value="${q.from}"></label><label>По<input type="date" name="to" value="${q.to}"></label>
    <label>Группировка<select name="group">${opt('municipality', 'по муниципалитетам', q.group)}${opt('official', 'по ответственным', q.group)}${opt('topic', 'по темам', q.group)}${opt('day', 'по дням', q.group)}</select></label>
    ${municipalities ? html`<label>Муниципалитет<select name="municipality">${opt('', 'все', q.municipality)}${[...municipalities].map(([k, v]) => opt(k, v, q.municipality))}</select></label>` : ''}
    <label>Тема<select name="topic">${opt('', 'все', q.topic)}${TOPICS.map((t) => opt(t, TOPIC_NAMES_RU[t], q.topic))}</select></label>
    <button type="submit">Показать</button> <a class="button secondary" href="/api/stats.csv?${csv.toString()}">Скачать CSV (Excel)</a>
  </form>
  <div class="card">${statsTable(r.groups, r.total, q.group, target, minIncidents, ranked)}</div>
  ${definitionsBlock(defs)}`;
}
