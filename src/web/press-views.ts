/** Server-rendered pages of the press service (Russian). Every citizen's text passes through escapeHtml via `html`. */
import type { Incident } from '../db/incidents';
import type { PressQueueIncident, PressQueueReply, Reply, ReplyTargetPost } from '../db/replies';
import { formatLocal } from '../domain/periods';
import { NOT_SET, NOT_SET_ALONE, platformName, PRESS_QUEUE_WORDS as Q, REPLY_STAGE_NAMES_RU, REPLY_STATUS_NAMES_RU, REPLY_TARGET_WORDS, statusName, topicName } from '../domain/wording';
import type { PressClaim } from '../db/press-claims';
import { TOPIC_NAMES_RU, TOPICS } from '../domain/types';
import type { ReplyOption } from '../replies/flow';
import { REPLY_STAGES, type ReplyStage } from '../replies/templates';
import { formatMinutes, html, raw, safeUrl, type RawHtml } from './html';
import { actorName } from './views';

/** Reply stages as the press service calls them. */
export const STAGE_NAMES_RU = REPLY_STAGE_NAMES_RU as Record<ReplyStage, string>;
const REPLY_STATUS_RU = REPLY_STATUS_NAMES_RU;

/** Outcomes shown after a form (Post/Redirect/Get). */
export const NOTICES: Record<string, string> = {
  published: 'Ответ одобрен и отправлен на публикацию. Время публикации будет учтено как время ответа.',
  drafted: 'Ответ отправлен на согласование в пресс-службу.',
  approved: 'Черновик одобрен и отправлен на публикацию.',
  retried: 'Публикация запущена повторно.',
  claimed: Q.claimed,
  released: Q.released,
};

/** Refusals in plain words. */
export const REFUSALS: Record<string, string> = {
  'too-short': 'Текст ответа слишком короткий.',
  duplicate: 'Такой ответ уже есть в этой ветке. Измените текст.',
  'same-template': 'Этот шаблон уже использовался в последнем ответе этому гражданину. Выберите другой или измените текст.',
  'unknown-template': 'Шаблон не найден. Обновите страницу.',
  'not-allowed': 'У вас нет прав на это действие.',
  'already-decided': 'Этот ответ уже согласован или отменён.',
  'not-found': 'Ответ не найден.',
  'not-failed': 'Этот ответ не нуждается в повторной публикации.',
  closed: 'Обращение закрыто: ответ через эту форму уже не отправить.',
  'no-targets': 'Отметьте хотя бы одно сообщение, под которым опубликовать ответ.',
  csrf: 'Форма устарела. Обновите страницу и повторите действие.',
  claimed: 'Это обращение уже взял(а) другой сотрудник: отметка стоит в очереди.',
};

/** The queue's stages, as its filter offers them (the reply statuses, and incidents still without a reply). */
export const QUEUE_STAGES = ['failed', 'draft', 'approved', 'awaiting'] as const;
export type QueueStage = (typeof QUEUE_STAGES)[number];

/** The queue's options: filters, claims in force, and who looks. */
export interface QueueOptions {
  csrf: string;
  mayApprove: boolean;
  tz: string;
  now: Date;
  notice: string | null;
  error: string | null;
  claims: Map<string, PressClaim>;
  viewerId: string;
  filters: { municipality: string; topic: string; stage: QueueStage | '' };
}

/** The queue's address with its filters (also where a claim form returns). */
export function queueHref(f: QueueOptions['filters'], extra: Record<string, string> = {}): string {
  const u = new URLSearchParams();
  if (f.municipality) u.set('municipality', f.municipality);
  if (f.topic) u.set('topic', f.topic);
  if (f.stage) u.set('stage', f.stage);
  for (const [k, v] of Object.entries(extra)) u.set(k, v);
  const qs = u.toString();
  return qs ? `/press?${qs}` : '/press';
}

/** Who holds an incident: «Взять» when free, «вы взяли» with «Отпустить», or «взял(а) …» for another officer. */
function claimCell(incidentId: string, o: QueueOptions): RawHtml {
  const claim = o.claims.get(incidentId) ?? null;
  const back = html`<input type="hidden" name="back" value="${queueHref(o.filters)}">`;
  if (!claim) return html`<form method="post" action="/press/incidents/${incidentId}/claim" class="inline"><input type="hidden" name="csrf" value="${o.csrf}">${back}<button type="submit" class="secondary">${Q.claim}</button></form>`;
  if (claim.officialId === o.viewerId) {
    return html`<span class="claim mine small">${Q.claimedByYou(formatLocal(claim.expiresAt, o.tz))}</span>
      <form method="post" action="/press/incidents/${incidentId}/release" class="inline"><input type="hidden" name="csrf" value="${o.csrf}">${back}<button type="submit" class="secondary">${Q.release}</button></form>`;
  }
  return html`<span class="claim other small">${Q.claimedBy(claim.officialName ?? 'другой сотрудник')}</span>`;
}

/** A publication error in plain words for the press service (the technical text stays beside it, small). */
export function failureInWords(error: string | null): string {
  const e = error ?? '';
  const vk = /^vk [\w.]+: error (\d+)/.exec(e);
  if (vk) {
    const code = Number(vk[1]);
    if ([1, 6, 9, 10, 29].includes(code)) return 'ВКонтакте временно не принимает ответы (перегрузка или лимит). Повторите позже.';
    if ([15, 7, 18, 210, 212, 213].includes(code)) return 'ВКонтакте отказал: комментарии закрыты, запись удалена или у сообщества нет прав.';
    return 'ВКонтакте отклонил ответ.';
  }
  if (/^telegram (403|400)/.test(e)) return 'Telegram отказал: сообщение удалено или бот исключён из чата.';
  if (/^telegram/.test(e)) return 'Telegram временно недоступен. Повторите позже.';
  if (/reply target/.test(e)) return 'Неизвестно, куда отвечать: у сообщения нет адреса для ответа.';
  return 'Техническая ошибка при публикации.';
}

/** "осталось 2 ч 05 мин" / "просрочено на 40 мин" with the deadline. */
function deadline(due: Date | null, now: Date, tz: string): RawHtml {
  if (!due) return html`<span class="muted">срок не задан</span>`;
  const left = (due.getTime() - now.getTime()) / 60_000;
  return left >= 0
    ? html`<span class="due ${left < 60 ? 'soon' : ''}">осталось ${formatMinutes(left)}</span><div class="muted small">до ${formatLocal(due, tz)}</div>`
    : html`<span class="due late">просрочено на ${formatMinutes(-left)}</span><div class="muted small">срок был ${formatLocal(due, tz)}</div>`;
}

const place = (x: PressQueueIncident) => html`${x.municipalityName ?? NOT_SET_ALONE.municipality}<div class="muted small">${topicName(x.topic, true)}</div>`;
const num = (x: PressQueueIncident) =>
  html`<a href="/press/incidents/${x.incidentId}">№${x.incidentId}</a>${x.priority === 'high' ? html` <span class="badge high">срочно</span>` : ''}${x.escalated ? html` <span class="badge esc">эскалация</span>` : ''}`;

/** A form button that posts with the session's CSRF token. */
export function postButton(action: string, csrf: string, label: string, cls = ''): RawHtml {
  return html`<form method="post" action="${action}" class="inline"><input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="${cls}">${label}</button></form>`;
}

/** The queue's page: title, filters, and the live part (re-fetched every 30 s by press.js). */
export function pressQueueBody(live: RawHtml, o: QueueOptions & { municipalities: Map<string, string> | null }): RawHtml {
  const opt = (value: string, label: string, selected: string) => html`<option value="${value}" ${selected === value ? raw('selected') : ''}>${label}</option>`;
  const f = o.filters;
  return html`<div class="titlebar"><h1>Ответы гражданам</h1></div>
    <form class="filters card" method="get" action="/press">
      ${o.municipalities ? html`<label>Муниципалитет<select name="municipality">${opt('', Q.all, f.municipality)}${[...o.municipalities].map(([k, v]) => opt(k, v, f.municipality))}</select></label>` : ''}
      <label>Тема<select name="topic">${opt('', Q.all, f.topic)}${TOPICS.map((t) => opt(t, TOPIC_NAMES_RU[t], f.topic))}</select></label>
      <label>${Q.stage}<select name="stage">${opt('', Q.all, f.stage)}${QUEUE_STAGES.map((x) => opt(x, Q.stages[x], f.stage))}</select></label>
      <button type="submit">${Q.show}</button>
    </form>
    <div id="press-live" data-src="${queueHref(f, { part: 'main' })}">${live}</div>`;
}

/** The live part of the queue: failed publications, drafts to approve, incidents without a reply, with claims. */
export function pressQueueMain(q: { replies: PressQueueReply[]; awaiting: PressQueueIncident[] }, o: QueueOptions): RawHtml {
  const failed = q.replies.filter((r) => r.replyStatus === 'failed');
  const drafts = q.replies.filter((r) => r.replyStatus === 'draft');
  const publishing = q.replies.filter((r) => r.replyStatus === 'approved');
  return html`<p class="muted small" id="updated">Данные на ${formatLocal(o.now, o.tz)} · ${Q.refreshed}</p>
    ${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
    <div class="counters">
      <a href="#failed" class="counter ${failed.length ? 'bad' : ''}"><b>${failed.length}</b> не опубликовано</a>
      <a href="#drafts" class="counter ${drafts.length ? 'warn' : ''}"><b>${drafts.length}</b> на согласовании</a>
      <a href="#awaiting" class="counter"><b>${q.awaiting.length}</b> ждут ответа</a>
      ${publishing.length ? html`<span class="counter"><b>${publishing.length}</b> публикуются</span>` : ''}
    </div>
    ${failed.length
      ? html`<div class="card alert" id="failed"><h2>Не удалось опубликовать (${failed.length})</h2>
      <div class="table-wrap"><table class="press failed stack"><thead><tr><th>№</th><th>Муниципалитет · тема</th><th>Текст ответа</th><th>Причина</th><th></th></tr></thead><tbody>
      ${failed.map(
        (r) => html`<tr data-reply="${r.replyId}"><td class="nowrap">${num(r)}<div class="muted small">${platformName(r.platform)}</div></td><td>${place(r)}</td>
          <td class="excerpt">${r.replyText}</td>
          <td class="small"><span class="bad-text">${failureInWords(r.lastError)}</span><div class="muted">${r.lastError ?? ''} · попыток: ${r.attempts}</div></td>
          <td class="actions">${o.mayApprove ? postButton(`/press/replies/${r.replyId}/retry`, o.csrf, 'Повторить') : ''}
            <a class="button secondary" href="/press/incidents/${r.incidentId}">Открыть</a></td></tr>`,
      )}</tbody></table></div></div>`
      : ''}
    <div class="card" id="drafts"><h2>На согласовании (${drafts.length})</h2>
    ${drafts.length === 0
      ? html`<p class="muted">Черновиков нет.</p>`
      : html`<div class="table-wrap"><table class="press drafts stack"><thead><tr><th>№</th><th>Муниципалитет · тема</th><th>Подготовил(а)</th><th>Текст ответа</th><th></th></tr></thead><tbody>
      ${drafts.map(
        (r) => html`<tr data-reply="${r.replyId}"><td class="nowrap">${num(r)}</td><td>${place(r)}</td><td data-label="Подготовил(а)">${r.officialName ?? '—'}<div class="muted small">${formatLocal(r.createdAt, o.tz)}</div></td>
          <td class="excerpt">${r.replyText}</td>
          <td class="actions">${claimCell(r.incidentId, o)} <a class="button" href="/press/incidents/${r.incidentId}">${o.mayApprove ? 'Проверить и одобрить' : 'Открыть'}</a></td></tr>`,
      )}</tbody></table></div>`}
    </div>
    <div class="card" id="awaiting"><h2>Ждут ответа (${q.awaiting.length})</h2>
    ${q.awaiting.length === 0
      ? html`<p class="ok-note">Все обращения получили ответ.</p>`
      : html`<div class="table-wrap"><table class="press awaiting stack"><thead><tr><th>№</th><th>Срок ответа</th><th>Муниципалитет · тема</th><th>Ответственный</th><th>Текст обращения</th><th></th></tr></thead><tbody>
      ${q.awaiting.map(
        (x) => html`<tr data-incident="${x.incidentId}"><td class="nowrap">${num(x)}<div class="muted small">${platformName(x.platform)}</div></td>
          <td class="nowrap">${deadline(x.responseDueAt, o.now, o.tz)}</td><td>${place(x)}</td><td data-label="Ответственный">${x.officialName ?? NOT_SET.official}</td>
          <td class="excerpt">${x.excerpt}</td><td class="actions">${claimCell(x.incidentId, o)} <a class="button" href="/press/incidents/${x.incidentId}">Ответить</a></td></tr>`,
      )}</tbody></table></div>`}
    </div>`;
}

export interface PressIncidentView {
  incident: Incident;
  message: { text: string; authorName: string | null; platform: string; permalink: string | null; publishedAt: Date };
  municipalityName: string | null;
  officialName: string | null;
  replies: Reply[];
  stage: ReplyStage;
  defaultStage: ReplyStage;
  options: ReplyOption[];
  /** The chosen template (its rendered text fills the editor), if any. */
  selected: ReplyOption | null;
  /** Text to keep in the editor after a refusal. */
  text: string | null;
  /** The incident's posts a reply can go under (one per author); a list of checkboxes when more than one. */
  posts?: ReplyTargetPost[];
  /** The posts chosen in a refused form (null: all, the default). */
  chosenPosts?: string[] | null;
  csrf: string;
  mayApprove: boolean;
  mayPublishDirectly: boolean;
  actionable: boolean;
  notice: string | null;
  error: string | null;
  tz: string;
  now: Date;
  /** Officials' names by id: who drafted a reply. */
  officialNames?: Map<string, string>;
  /** The press claim in force on the incident, and who looks (to tell «вы взяли» from «взял(а) …»). */
  claim?: PressClaim | null;
  viewerId?: string;
}

/** Where a reply to a resonant incident goes: a checkbox per author's post, all checked unless chosen otherwise. */
function targetsField(v: PressIncidentView): RawHtml | '' {
  const posts = v.posts ?? [];
  if (posts.length < 2) return '';
  const checked = (id: string) => (v.chosenPosts ? v.chosenPosts.includes(id) : true);
  return html`<fieldset class="targets"><legend>${REPLY_TARGET_WORDS.legend(posts.length)}</legend>
    <input type="hidden" name="targetsShown" value="1">
    ${posts.map(
      (p) => html`<label class="target"><input type="checkbox" name="target" value="${p.messageId}" ${checked(p.messageId) ? html`checked` : ''}>
        <span>${platformName(p.platform)} · ${p.authorName ?? 'автор не указан'} · ${formatLocal(p.publishedAt, v.tz)}${p.isPrimary ? html` <span class="muted small">(первое сообщение)</span>` : ''}
        <span class="muted small excerpt">${p.excerpt}</span></span></label>`,
    )}
    <p class="muted small">${REPLY_TARGET_WORDS.hint}</p></fieldset>`;
}

/** Who answers this incident: «взял(а) …», «вы взяли», or a «Взять» button while it is free and open. */
function claimLine(v: PressIncidentView): RawHtml | '' {
  const c = v.claim ?? null;
  if (c && c.officialId !== v.viewerId) return html`<p class="error claim other" role="status">${Q.takenByOther(c.officialName ?? 'другой сотрудник')}</p>`;
  if (c) return html`<p class="notice claim mine">${Q.claimedByYou(formatLocal(c.expiresAt, v.tz))}</p>`;
  if (!v.actionable) return '';
  return html`<form method="post" action="/press/incidents/${v.incident.id}/claim" class="inline claim-form"><input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="back" value="incident"><button type="submit" class="secondary">${Q.claim}</button> <span class="muted small">чтобы другие сотрудники видели, что ответ готовите вы</span></form>`;
}

/** One incident: the citizen's post, the thread, then the draft to approve or the editor with suggestions. */
export function pressIncidentBody(v: PressIncidentView): RawHtml {
  const i = v.incident;
  const link = safeUrl(v.message.permalink);
  const draft = v.replies.find((r) => r.status === 'draft') ?? null;
  const failed = v.replies.filter((r) => r.status === 'failed');
  const publishing = v.replies.find((r) => r.status === 'approved') ?? null;
  const editorText = v.text ?? v.selected?.text ?? '';
  const stageLink = (s: ReplyStage) =>
    html`<a href="/press/incidents/${i.id}?stage=${s}#reply" class="tab ${s === v.stage ? 'active' : ''}">${STAGE_NAMES_RU[s]}${s === v.defaultStage ? html` <span class="muted small">· рекомендуем</span>` : ''}</a>`;
  const submitLabel = v.mayPublishDirectly ? 'Одобрить и опубликовать' : 'Отправить на согласование';

  const editor = html`<div class="card" id="reply"><h2>Новый ответ</h2>
    <nav class="tabs" aria-label="Вид ответа">${REPLY_STAGES.map(stageLink)}</nav>
    ${v.options.length === 0
      ? html`<p class="muted">Для этого вида ответа нет подходящих шаблонов (или все уже использованы в этой ветке). Напишите свой текст.</p>`
      : html`<ol class="options">${v.options.map(
          (o, n) => html`<li class="option ${v.selected?.templateId === o.templateId ? 'selected' : ''}" data-template="${o.templateId}">
            <div class="text">${o.text}</div>
            <div class="pick">${v.selected?.templateId === o.templateId
              ? html`<span class="badge ok">выбран</span>`
              : html`<a class="button secondary" href="/press/incidents/${i.id}?stage=${v.stage}&amp;template=${o.templateId}#reply">Выбрать вариант ${n + 1}</a>`}</div></li>`,
        )}</ol>`}
    <form method="post" action="/press/incidents/${i.id}/reply" class="reply-form">
      <input type="hidden" name="csrf" value="${v.csrf}">
      <input type="hidden" name="stage" value="${v.stage}">
      <input type="hidden" name="templateId" value="${v.selected?.templateId ?? ''}">
      <label for="reply-text">Текст ответа <span class="muted small">(можно исправить перед отправкой)</span></label>
      <textarea id="reply-text" name="text" rows="7" maxlength="4000" required placeholder="Выберите вариант выше или напишите свой текст">${editorText}</textarea>
      ${targetsField(v)}
      <div class="preview"><div class="muted small">Так ответ увидит гражданин под своим сообщением (${platformName(v.message.platform)}):</div>
        <div class="bubble" id="reply-preview">${editorText || html`<span class="muted">Текст ответа появится здесь</span>`}</div></div>
      <div class="submit"><button type="submit">${submitLabel}</button>
        <span class="muted small">${v.mayPublishDirectly ? 'Ответ уйдёт под сообщение гражданина; время публикации станет временем ответа.' : 'Ответ уйдёт на согласование в пресс-службу.'}</span></div>
    </form></div>`;

  const draftCard = draft
    ? html`<div class="card draft" id="draft"><h2>Черновик на согласовании</h2>
      <p class="muted small">Подготовил(а): ${actorName(draft.draftedBy, v.officialNames) || 'сотрудник'} · ${formatLocal(draft.createdAt, v.tz)}${draft.stage ? html` · ${STAGE_NAMES_RU[draft.stage as ReplyStage] ?? draft.stage}` : ''}</p>
      ${v.mayApprove
        ? html`<form method="post" action="/press/replies/${draft.id}/approve" class="reply-form">
          <input type="hidden" name="csrf" value="${v.csrf}">
          <label for="reply-text">Текст ответа <span class="muted small">(можно исправить перед одобрением)</span></label>
          <textarea id="reply-text" name="text" rows="7" maxlength="4000" required>${v.text ?? draft.text}</textarea>
          ${targetsField(v)}
          <div class="preview"><div class="muted small">Так ответ увидит гражданин:</div><div class="bubble" id="reply-preview">${v.text ?? draft.text}</div></div>
          <div class="submit"><button type="submit">Одобрить и опубликовать</button></div></form>`
        : html`<div class="bubble">${draft.text}</div><p class="muted small">Одобрить ответ может пресс-служба.</p>`}
    </div>`
    : null;

  return html`<p class="crumbs"><a href="/press">← Очередь ответов</a></p>
  <div class="titlebar"><h1>Ответ на обращение №${i.id}</h1>
    <span class="badge">${statusName(i.status)}</span>${i.priority === 'high' ? html` <span class="badge high">срочно</span>` : ''}${i.escalatedAt ? html` <span class="badge esc">эскалация</span>` : ''}
    ${i.firstResponseAt ? html`<span class="ok-note small">Первый ответ опубликован ${formatLocal(i.firstResponseAt, v.tz)}</span>` : html`<span class="small">Срок ответа: ${deadline(i.responseDueAt, v.now, v.tz)}</span>`}</div>
  ${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}
  ${v.error ? html`<p class="error" role="alert">${v.error}</p>` : ''}
  ${claimLine(v)}
  <div class="press-grid">
    <div>
      <div class="card"><h2>Сообщение гражданина</h2>
        <article class="message"><div class="meta">${platformName(v.message.platform)} · ${v.message.authorName ?? 'автор не указан'} · ${formatLocal(v.message.publishedAt, v.tz)}${link ? html` · <a href="${link}" rel="noopener noreferrer" target="_blank">открыть источник</a>` : ''}</div>
          <div class="text">${v.message.text}</div></article>
        <table class="facts small"><tr><th>Муниципалитет</th><td>${v.municipalityName ?? NOT_SET.municipality}</td></tr>
          <tr><th>Тема</th><td>${topicName(i.topic)}</td></tr><tr><th>Ответственный</th><td>${v.officialName ?? NOT_SET.official}</td></tr></table>
      </div>
      <div class="card"><h2>Ответы в этой ветке (${v.replies.length})</h2>
        ${v.replies.length === 0 ? html`<p class="muted">Ответов ещё не было.</p>` : ''}
        ${v.replies.map(
          (r) => html`<article class="reply status-${r.status}" data-reply="${r.id}"><div class="meta">${REPLY_STATUS_RU[r.status] ?? r.status} · ${formatLocal(r.publishedAt ?? r.createdAt, v.tz)}${r.stage ? html` · ${STAGE_NAMES_RU[r.stage as ReplyStage] ?? r.stage}` : ''}</div>
            <div class="text">${r.text}</div>
            ${r.status === 'failed'
              ? html`<div class="failure"><span class="bad-text small">Не опубликован: ${failureInWords(r.lastError)} <span class="muted">(${r.lastError ?? '—'}; попыток: ${r.attempts})</span></span>
                ${v.mayApprove ? postButton(`/press/replies/${r.id}/retry`, v.csrf, 'Повторить') : ''}</div>`
              : ''}</article>`,
        )}
      </div>
    </div>
    <div>
      ${failed.length ? html`<p class="error">Ответ не удалось опубликовать — проверьте текст и нажмите «Повторить» в ветке слева.</p>` : ''}
      ${publishing ? html`<p class="notice">Ответ публикуется — обновите страницу через несколько секунд.</p>` : ''}
      ${draftCard ?? (v.actionable ? editor : html`<div class="card"><p class="muted">Обращение закрыто: новые ответы через эту страницу не отправляются.</p></div>`)}
    </div>
  </div>`;
}
