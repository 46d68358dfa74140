/**
 * Name-only author suggestions (issue 4) on the dashboard: `/authors/suggestions` (the page, with «Это один
 * человек» / «Разные люди» forms) and `/api/author-suggestions` (JSON: the list, confirm, reject). For the
 * control centre only (access.ts: mayManageAuthors). Every POST carries the session's CSRF token — the forms
 * as a `csrf` field (urlencoded, parsed in this plugin only, as the press forms), JSON clients in the
 * `x-csrf-token` header (the list returns the token). Logs carry ids, never names (152-ФЗ).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db';
import type { Logger } from '../log';
import { mayManageAuthors, type Viewer } from './access';
import { acceptForms, badRequest, csrfOk, forbidden, viewerOf } from './auth';
import { AUTHOR_NOTICES, authorSuggestionsBody } from './author-views';
import { page, sendStrictPage } from './html';

export interface AuthorsDeps {
  db: Db;
  log: Logger;
  now: () => Date;
  regionName: string;
  timezone: string;
}

const ID = /^\d{1,18}$/;
const PAGE_SIZE = 50;
const ListQuery = z.object({
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(PAGE_SIZE),
});

type Decision = 'confirm' | 'reject';
type Outcome = 'confirmed' | 'rejected' | 'decided' | 'missing';

/** Registers the page, its forms and the JSON API (after registerAuth, whose hook guards them). */
export async function registerAuthorSuggestions(app: FastifyInstance, deps: AuthorsDeps): Promise<void> {
  const { db, log } = deps;
  const send = sendStrictPage;

  /** The signed-in manager, or null after answering 403. */
  const manager = (req: FastifyRequest, reply: FastifyReply): Viewer | null => {
    const viewer = viewerOf(req);
    if (mayManageAuthors(viewer)) return viewer;
    void forbidden(req, reply);
    return null;
  };

  /** A person's decision; the merge or rejection is guarded by the suggestion's status, so a second click changes nothing. */
  const decide = async (viewer: Viewer, id: string, decision: Decision): Promise<{ outcome: Outcome; merged?: { keptAuthorId: string; mergedAuthorId: string; moved: { identities: number; messages: number; incidents: number } } }> => {
    const actor = `official:${viewer.officialId}`;
    if (!ID.test(id)) return { outcome: 'missing' };
    if (decision === 'confirm') {
      const r = await db.authorSuggestions.confirm(id, actor, deps.now());
      if (r.kind === 'not-found') return { outcome: 'missing' };
      if (r.kind === 'already-decided') return { outcome: 'decided' };
      log.info('authors.merged', { suggestionId: id, keptAuthorId: r.keptAuthorId, mergedAuthorId: r.mergedAuthorId, officialId: viewer.officialId, messages: r.messages, incidents: r.incidents });
      return { outcome: 'confirmed', merged: { keptAuthorId: r.keptAuthorId, mergedAuthorId: r.mergedAuthorId, moved: { identities: r.identities, messages: r.messages, incidents: r.incidents } } };
    }
    const r = await db.authorSuggestions.reject(id, actor, deps.now());
    if (r.kind === 'not-found') return { outcome: 'missing' };
    if (r.kind === 'already-decided') return { outcome: 'decided' };
    log.info('authors.suggestion-rejected', { suggestionId: id, officialId: viewer.officialId });
    return { outcome: 'rejected' };
  };

  app.get<{ Querystring: Record<string, string | undefined> }>('/authors/suggestions', async (req, reply) => {
    const viewer = manager(req, reply);
    if (!viewer) return reply;
    const q = ListQuery.safeParse(req.query);
    if (!q.success) return badRequest(req, reply, { error: 'Некорректные параметры' });
    const list = await db.authorSuggestions.pending({ limit: PAGE_SIZE, offset: q.data.offset });
    const body = authorSuggestionsBody(list.items, list.total, {
      csrf: req.csrfToken ?? '',
      notice: AUTHOR_NOTICES[req.query.done ?? ''] ?? null,
      offset: q.data.offset,
      limit: PAGE_SIZE,
      tz: deps.timezone,
    });
    return send(reply, page({ title: 'Возможно, один и тот же человек', viewer, regionName: deps.regionName, active: 'authors' }, body));
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/api/author-suggestions', async (req, reply) => {
    if (!manager(req, reply)) return reply;
    const q = ListQuery.safeParse(req.query);
    if (!q.success) return reply.status(400).send({ error: 'Некорректные параметры' });
    const list = await db.authorSuggestions.pending(q.data);
    return { suggestions: list.items, total: list.total, csrfToken: req.csrfToken };
  });

  for (const decision of ['confirm', 'reject'] as const) {
    app.post<{ Params: { id: string }; Body: unknown }>(`/api/author-suggestions/:id/${decision}`, async (req, reply) => {
      const viewer = manager(req, reply);
      if (!viewer) return reply;
      const given = req.headers['x-csrf-token'] ?? (req.body as { csrf?: unknown } | null)?.csrf;
      if (!csrfOk(req, given)) {
        log.warn('authors.csrf-rejected', { officialId: viewer.officialId, route: req.routeOptions.url });
        return reply.status(403).send({ error: 'Нет или неверный CSRF-токен (x-csrf-token из GET /api/author-suggestions)' });
      }
      const r = await decide(viewer, req.params.id, decision);
      if (r.outcome === 'missing') return reply.status(404).send({ error: 'Предложение не найдено' });
      if (r.outcome === 'decided') {
        const s = await db.authorSuggestions.get(req.params.id);
        return reply.status(409).send({ error: 'Предложение уже рассмотрено', status: s?.status ?? null });
      }
      return { status: r.outcome, ...(r.merged ?? {}) };
    });
  }

  await app.register(async (scope) => {
    acceptForms(scope, 4096);
    for (const decision of ['confirm', 'reject'] as const) {
      scope.post<{ Params: { id: string }; Body: Record<string, string | undefined> | null }>(`/authors/suggestions/:id/${decision}`, async (req, reply) => {
        const viewer = manager(req, reply);
        if (!viewer) return reply;
        if (!csrfOk(req, req.body?.csrf)) {
          log.warn('authors.csrf-rejected', { officialId: viewer.officialId, route: req.routeOptions.url });
          return send(reply, page({ title: 'Форма устарела', viewer, regionName: deps.regionName, active: 'authors' }, { __html: '<div class="card"><p class="error">Форма устарела. Обновите страницу и повторите действие.</p><p><a href="/authors/suggestions">К списку</a></p></div>' }), 403);
        }
        const r = await decide(viewer, req.params.id, decision);
        return reply.redirect(`/authors/suggestions?done=${r.outcome}`, 303);
      });
    }
  });
}
