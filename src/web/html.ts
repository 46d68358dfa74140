/** HTML building blocks of the pages: the one escaper, the page frame, Russian number formats, the strict page sender. */
import type { Viewer } from './access';
import { mayManageAuthors, ROLE_NAMES_RU } from './access';

import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../lib/html';
import { mayTriage } from '../domain/incident-actions';

/** Headers of the pages that need no inline style (press service, authors): nothing but our own files runs. */
const STRICT_PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Sends an HTML page with STRICT_PAGE_HEADERS. */
export const sendStrictPage = (reply: FastifyReply, body: string, status = 200) =>
  reply.status(status).headers(STRICT_PAGE_HEADERS).type('text/html; charset=utf-8').send(body);

/** A tagged template that escapes every interpolation except `raw(...)` fragments. */
export interface RawHtml {
  readonly __html: string;
}
export const raw = (s: string): RawHtml => ({ __html: s });
export function html(strings: TemplateStringsArray, ...values: unknown[]): RawHtml {
  let out = strings[0];
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1];
  });
  return raw(out);
}
function render(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  if (typeof v === 'object' && '__html' in (v as object)) return (v as RawHtml).__html;
  return escapeHtml(v);
}

/** JSON for a `<script type="application/json">` block: `<` is escaped so no text can close the tag. */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Only http(s) links from citizens' posts become links. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** Durations, shares and status names come from the one home of the wording (re-exported for the pages). */
export { formatMinutes, formatShare, STATUS_NAMES_RU } from '../domain/wording';

/** '1 234' with a non-breaking space. */
export const formatInt = (n: number) => n.toLocaleString('ru-RU').replace(/\s/g, '\u00a0');

export interface PageOptions {
  title: string;
  viewer: Viewer | null;
  regionName: string;
  active?: 'overview' | 'incidents' | 'triage' | 'stats' | 'press' | 'authors';
  scripts?: string[];
  styles?: string[];
}

/** The page frame: header with navigation and the signed-in person, then `body`. */
export function page(o: PageOptions, body: RawHtml): string {
  const nav = (href: string, key: PageOptions['active'], label: string) =>
    html`<a href="${href}" class="${o.active === key ? 'active' : ''}">${label}</a>`;
  const who = o.viewer
    ? html`<div class="who"><span>${o.viewer.name}</span> <span class="muted">· ${ROLE_NAMES_RU[o.viewer.role]}${o.viewer.readOnly && o.active !== 'press' ? ' (только просмотр)' : ''}</span>
        <form method="post" action="/logout"><button type="submit" class="link">Выйти</button></form></div>`
    : '';
  return `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)} — Отклик</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/assets/style.css">
${(o.styles ?? []).map((s) => `<link rel="stylesheet" href="${escapeHtml(s)}">`).join('')}
${(o.scripts ?? []).map((s) => `<script src="${escapeHtml(s)}" defer></script>`).join('')}
</head><body>
<header class="top"><div class="brand"><b>Отклик</b> <span class="muted">· ${escapeHtml(o.regionName)}</span></div>
${o.viewer ? html`<nav>${nav('/', 'overview', 'Обзор')}${nav('/incidents', 'incidents', 'Обращения')}${mayTriage(o.viewer) && !o.viewer.readOnly ? nav('/triage', 'triage', 'Разбор') : ''}${nav('/stats', 'stats', 'Статистика')}${nav('/press', 'press', 'Ответы гражданам')}${mayManageAuthors(o.viewer) ? nav('/authors/suggestions', 'authors', 'Авторы') : ''}</nav>`.__html : ''}
${render(who)}</header>
<main>${body.__html}</main>
</body></html>`;
}
