/**
 * Pages of triage and corrections (Russian): the duty officer's list `/triage` (one form per incident: confirm or
 * correct kind, topic, municipality, priority, or «Не обращение»), and the incident page's action section (the
 * same labels as a correction, and the citizens' thanks). Citizens' texts pass through `html` (escaped).
 */
import type { TriageItem } from '../db/triage';
import { INCIDENT_KINDS, KIND_NAMES_RU, kindName } from '../domain/kinds';
import { formatLocal } from '../domain/periods';
import { TOPIC_NAMES_RU, TOPICS } from '../domain/types';
import { NOT_SET, platformName, topicName } from '../domain/wording';
import { formatShare, html, raw, safeUrl, type RawHtml } from './html';

/** Notices after a form, by `?done=`. */
export const TRIAGE_NOTICES: Record<string, string> = {
  routed: 'Решение сохранено: обращение направлено ответственному.',
  dismissed: 'Отмечено: не обращение. Ответственному не направляется.',
  corrected: 'Исправление сохранено.',
  reassigned: 'Исправление сохранено, обращение передано ответственному по новым данным.',
  unchanged: 'Ничего не изменилось.',
};

/** Why a form was refused, in words. */
export const TRIAGE_REFUSALS: Record<string, string> = {
  'not-waiting': 'Это обращение уже разобрано (или закрыто). Обновите страницу.',
  'not-allowed': 'У вас нет прав на это действие.',
  'unknown-municipality': 'Такого муниципалитета нет в справочнике.',
  csrf: 'Форма устарела. Обновите страницу и повторите.',
  invalid: 'Некорректные данные формы.',
};

export const PRIORITY_NAMES_RU: Record<string, string> = { normal: 'обычный', high: 'срочно' };

const opt = (value: string, label: string, selected: string | null | undefined) =>
  html`<option value="${value}" ${selected === value ? raw('selected') : ''}>${label}</option>`;

/** The four selects of kind, topic, municipality and priority, set to `v`. */
function labelFields(v: { kind: string; topic: string | null; municipalityId: string | null; priority: string }, municipalities: Map<string, string>): RawHtml {
  return html`<label>Вид<select name="kind">${INCIDENT_KINDS.map((k) => opt(k, KIND_NAMES_RU[k], v.kind))}</select></label>
    <label>Тема<select name="topic">${TOPICS.map((t) => opt(t, TOPIC_NAMES_RU[t], v.topic ?? 'other'))}</select></label>
    <label>Муниципалитет<select name="municipality">${opt('', NOT_SET.municipality, v.municipalityId ?? '')}${[...municipalities].map(([id, name]) => opt(id, name, v.municipalityId))}</select></label>
    <label>Приоритет<select name="priority">${opt('normal', PRIORITY_NAMES_RU.normal, v.priority)}${opt('high', PRIORITY_NAMES_RU.high, v.priority)}</select></label>`;
}

/** The triage list. */
export function triageBody(
  items: TriageItem[],
  total: number,
  o: { csrf: string; municipalities: Map<string, string>; tz: string; now: Date; targetMinutes: number; notice: string | null; error: string | null },
): RawHtml {
  return html`<div class="titlebar"><h1>Разбор обращений</h1><span class="muted">ждут решения: ${total}</span></div>
  ${o.notice ? html`<p class="notice">${o.notice}</p>` : ''}${o.error ? html`<p class="error">${o.error}</p>` : ''}
  <p class="muted small">Здесь обращения, в которых автоматический разбор не уверен или не нашёл муниципалитет. Проверьте вид, тему, муниципалитет и приоритет и нажмите «Подтвердить и направить» — обращение уйдёт ответственному. Срок ответа идёт с момента публикации.</p>
  ${items.length === 0 ? html`<div class="card"><p class="ok-note">Разбирать нечего.</p></div>` : ''}
  ${items.map((i) => {
    const due = new Date(i.openedAt.getTime() + o.targetMinutes * 60_000);
    const link = safeUrl(i.permalink);
    return html`<article class="card triage-item" id="triage-${i.id}">
      <h2><a href="/incidents/${i.id}">Обращение №${i.id}</a> ${i.priority === 'high' ? html`<span class="badge high">срочно</span>` : ''}</h2>
      <div class="meta muted small">${platformName(i.platform)} · опубликовано ${formatLocal(i.openedAt, o.tz)} ·
        ${due < o.now ? html`<span class="bad-text">срок ответа истёк ${formatLocal(due, o.tz)}</span>` : html`срок ответа до ${formatLocal(due, o.tz)}`}
        ${link ? html` · <a href="${link}" rel="noopener noreferrer" target="_blank">открыть источник</a>` : ''}</div>
      <div class="text">${i.text}</div>
      <p class="small">Предложено: <b>${kindName(i.kind)}</b> · ${topicName(i.topic, true)} · ${i.municipalityId ? (o.municipalities.get(i.municipalityId) ?? i.municipalityId) : html`<span class="bad-text">муниципалитет ${NOT_SET.municipality}</span>`} · ${PRIORITY_NAMES_RU[i.priority] ?? i.priority} · уверенность ${formatShare(i.confidence)}</p>
      <form class="filters" method="post" action="/triage/${i.id}">
        <input type="hidden" name="csrf" value="${o.csrf}">
        ${labelFields(i, o.municipalities)}
        <button type="submit" name="decision" value="appeal">Подтвердить и направить</button>
        <button type="submit" name="decision" value="not-appeal" class="secondary">Не обращение</button>
      </form></article>`;
  })}`;
}

/** The incident page's action section: correct kind, topic, municipality, priority (or triage it); the thanks. */
export function incidentActionsSection(o: {
  incident: { id: string; status: string; kind: string; topic: string | null; municipalityId: string | null; priority: string };
  csrf: string;
  municipalities: Map<string, string>;
  mayCorrect: boolean;
  thanks: { text: string; authorName: string | null; platform: string; publishedAt: Date }[];
  tz: string;
  notice: string | null;
  error: string | null;
}): RawHtml {
  const i = o.incident;
  const triage = i.status === 'needs_review';
  const thanks = o.thanks.length
    ? html`<div class="card thanks"><h2>Благодарность (${o.thanks.length})</h2>${o.thanks.map(
        (t) => html`<article class="message"><div class="meta">${platformName(t.platform)} · ${t.authorName ?? 'автор не указан'} · ${formatLocal(t.publishedAt, o.tz)}</div><div class="text">${t.text}</div></article>`,
      )}</div>`
    : '';
  const open = !['resolved', 'closed', 'dismissed'].includes(i.status);
  const form =
    o.mayCorrect && open
      ? html`<div class="card actions" id="labels"><h2>${triage ? 'Разбор: подтвердите или исправьте' : 'Вид, тема, муниципалитет, приоритет'}</h2>
    ${o.notice ? html`<p class="notice">${o.notice}</p>` : ''}${o.error ? html`<p class="error">${o.error}</p>` : ''}
    <form class="filters" method="post" action="/incidents/${i.id}/labels">
      <input type="hidden" name="csrf" value="${o.csrf}">
      ${labelFields(i, o.municipalities)}
      <button type="submit" name="decision" value="appeal">${triage ? 'Подтвердить и направить' : 'Сохранить исправление'}</button>
      ${triage ? html`<button type="submit" name="decision" value="not-appeal" class="secondary">Не обращение</button>` : ''}
    </form>
    <p class="muted small">${triage ? 'После подтверждения обращение уйдёт ответственному по этим данным.' : 'Исправления учитываются при обучении автоматического разбора. Если после исправления темы или муниципалитета ответственный по правилам другой, обращение передаётся ему.'}</p></div>`
      : '';
  return html`${thanks}${form}`;
}
