/** The page of name-only author suggestions (issue 4), in Russian. Every name passes through escapeHtml via `html`. */
import type { AuthorSuggestion, SuggestedAuthor } from '../db/author-suggestions';
import { formatLocal } from '../domain/periods';
import { platformName } from '../domain/wording';
import { formatInt, formatShare, html, safeUrl, type RawHtml } from './html';
import { postButton } from './press-views';

/** Outcomes shown after a decision (Post/Redirect/Get). */
export const AUTHOR_NOTICES: Record<string, string> = {
  confirmed: 'Авторы объединены: их сообщения и обращения теперь числятся за одним человеком.',
  rejected: 'Отмечено: это разные люди. Эта пара больше не будет предложена.',
  decided: 'Это предложение уже рассмотрено.',
  missing: 'Предложение не найдено.',
};

const REASONS_RU: Record<string, string> = {
  exact: 'имена совпадают',
  reordered: 'другой порядок слов',
  transliterated: 'одно имя латиницей, другое кириллицей',
  spelling: 'написание немного отличается',
  'patronymic-one-side': 'отчество указано только у одного',
  diminutive: 'уменьшительная форма имени',
};

/** "name:reordered+transliterated" in plain words. */
export function reasonInWords(reason: string): string {
  const [, flags = ''] = /^name:(.*)$/.exec(reason) ?? [];
  const words = flags.split('+').filter(Boolean).map((f) => REASONS_RU[f] ?? f);
  return words.length ? `Совпадение по имени: ${words.join(', ')}` : reason;
}

function authorCell(a: SuggestedAuthor): RawHtml {
  const accounts = a.accounts.map((x) => {
    const name = platformName(x.platform);
    const link = safeUrl(x.profileUrl);
    return link ? html`<a href="${link}" rel="noopener noreferrer" target="_blank">${name}</a>` : html`${name}`;
  });
  return html`<div class="author-name"><b>${a.displayName ?? 'имя не указано'}</b> <span class="muted small">автор №${a.id}</span></div>
    <div class="small">${accounts.length ? accounts.map((x, i) => html`${i ? ', ' : ''}${x}`) : html`<span class="muted">аккаунтов нет</span>`}</div>
    <div class="muted small">сообщений: ${formatInt(a.messages)} · обращений: ${formatInt(a.incidents)}</div>`;
}

/** The list of pending suggestions with the two decisions. */
export function authorSuggestionsBody(
  items: AuthorSuggestion[],
  total: number,
  o: { csrf: string; notice: string | null; offset: number; limit: number; tz: string },
): RawHtml {
  return html`<div class="titlebar"><h1>Возможно, один и тот же человек</h1><span class="muted">на рассмотрении ${formatInt(total)}</span></div>
  ${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}
  <div class="card"><p class="muted">Эти авторы похожи только по имени. Тёзки встречаются часто, даже в одном сообществе, поэтому
    система ничего не объединяет сама. Объединяйте, только если уверены — например, по профилям или по содержанию обращений.
    После объединения сообщения и обращения обоих авторов будут числиться за одним человеком.</p>
  ${items.length === 0
    ? html`<p class="ok-note">Новых предложений нет.</p>`
    : html`<div class="table-wrap"><table class="author-suggestions"><thead><tr><th>Первый автор</th><th>Второй автор</th><th>Сходство имён</th><th>Почему предложено</th><th>Решение</th></tr></thead><tbody>
    ${items.map(
      (s) => html`<tr data-suggestion="${s.id}"><td>${authorCell(s.a)}</td><td>${authorCell(s.b)}</td>
        <td class="num">${formatShare(s.score)}</td>
        <td>${reasonInWords(s.reason)}<div class="muted small">предложено ${formatLocal(s.createdAt, o.tz)}</div></td>
        <td class="nowrap">${postButton(`/authors/suggestions/${s.id}/confirm`, o.csrf, 'Это один человек')}
          ${postButton(`/authors/suggestions/${s.id}/reject`, o.csrf, 'Разные люди', 'secondary')}</td></tr>`,
    )}</tbody></table></div>
    <div class="pager">${o.offset > 0 ? html`<a href="/authors/suggestions?offset=${Math.max(o.offset - o.limit, 0)}">← предыдущие</a>` : ''}
      ${o.offset + o.limit < total ? html`<a href="/authors/suggestions?offset=${o.offset + o.limit}">следующие →</a>` : ''}</div>`}
  </div>`;
}
