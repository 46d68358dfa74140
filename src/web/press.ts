/**
 * The press service's web page (issue 6): `/press` (the queue), `/press/incidents/:id` (suggestions,
 * preview, edit, approve), and three forms — reply, approve a draft, retry a failed publication. Behind
 * the same sign-in as the dashboard; scope as everywhere (a municipality's people see and act on their
 * municipality only); role rules and reply rules come from src/replies/actions.ts, shared with the bot.
 * Forms are urlencoded, parsed only in this plugin (as the sign-in form), and carry the session's CSRF token.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db';
import type { Incident } from '../db/incidents';
import { ACTIONABLE_STATUSES, mayApproveReplies, mayClaim, mayPublishDirectly, PRESS_CLAIM_MS } from '../domain/incident-actions';
import { TOPICS } from '../domain/types';
import { PRESS_QUEUE_WORDS } from '../domain/wording';
import type { Logger } from '../log';
import type { Queues } from '../pipeline/queues';
import { approveReply, loadReplyContext, retryReply, submitReply, suggestReplies, templateSet, type ReplyActor } from '../replies/actions';
import { render, REPLY_STAGES, type ReplyStage } from '../replies/templates';
import { replyVars } from '../replies/flow';
import { canSee, scopeFilter, type Viewer } from './access';
import { csrfOk, forbidden, viewerOf } from './auth';
import { page, sendStrictPage } from './html';
import { NOTICES, pressIncidentBody, pressQueueBody, pressQueueMain, QUEUE_STAGES, REFUSALS, type QueueOptions, type QueueStage } from './press-views';

export interface PressDeps {
  db: Db;
  queues: Queues;
  log: Logger;
  now: () => Date;
  cfg: { OFFICIALS_MAY_PUBLISH: boolean; DASHBOARD_URL?: string };
  regionName: string;
  timezone: string;
}

const ASSETS = {
  '/assets/press.css': { file: path.join(__dirname, 'assets', 'press.css'), type: 'text/css; charset=utf-8' },
  '/assets/press.js': { file: path.join(__dirname, 'assets', 'press.js'), type: 'application/javascript; charset=utf-8' },
};
const ID = /^\d{1,18}$/;
const SLUG = /^[a-z0-9][a-z0-9_-]*$/;

type Form = Record<string, string | undefined>;

const actorOf = (v: Viewer): ReplyActor => ({ id: v.officialId, role: v.role });

/** Registers the press pages and forms (after registerAuth, whose hook guards them). */
export async function registerPress(app: FastifyInstance, deps: PressDeps): Promise<void> {
  const { db, timezone: tz } = deps;
  const frame = (title: string, viewer: Viewer) => ({ title, viewer, regionName: deps.regionName, active: 'press' as const, styles: ['/assets/press.css'], scripts: ['/assets/press.js'] });
  const send = sendStrictPage;
  const notFound = (reply: FastifyReply, viewer: Viewer) =>
    send(reply, page(frame('Не найдено', viewer), { __html: '<div class="card"><h1>Обращение не найдено</h1><p>Его нет или оно вне вашей зоны ответственности. <a href="/press">К очереди ответов</a></p></div>' }), 404);

  for (const [url, a] of Object.entries(ASSETS)) {
    const body = fs.readFileSync(a.file);
    app.get(url, { config: { public: true } }, async (_req, reply) =>
      reply.type(a.type).header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff').send(body),
    );
  }

  /** An incident the viewer may see, or null. */
  const visibleIncident = async (viewer: Viewer, id: string): Promise<Incident | null> => {
    if (!ID.test(id)) return null;
    const incident = await db.incidents.get(id);
    return incident && canSee(viewer.scope, incident) ? incident : null;
  };

  /** The queue's filters (issue 15): municipality, topic, stage; anything else is ignored. */
  const queueFilters = (q: Record<string, string | undefined>): QueueOptions['filters'] => ({
    municipality: q.municipality && SLUG.test(q.municipality) ? q.municipality : '',
    topic: q.topic && (TOPICS as readonly string[]).includes(q.topic) ? q.topic : '',
    stage: q.stage && (QUEUE_STAGES as readonly string[]).includes(q.stage) ? (q.stage as QueueStage) : '',
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/press', async (req, reply) => {
    const viewer = viewerOf(req);
    const filters = queueFilters(req.query);
    const scoped = scopeFilter(viewer.scope, { municipalityId: filters.municipality });
    if (scoped === 'forbidden') return forbidden(req, reply);
    const now = deps.now();
    const q = await db.replies.pressQueue({ ...scoped, topic: filters.topic || null, limit: 200 });
    const stageOf = (status: string) => status as QueueStage;
    const shown = {
      replies: q.replies.filter((r) => !filters.stage || stageOf(r.replyStatus) === filters.stage),
      awaiting: filters.stage && filters.stage !== 'awaiting' ? [] : q.awaiting,
    };
    const ids = [...new Set([...shown.replies, ...shown.awaiting].map((x) => x.incidentId))];
    const claims = await db.pressClaims.inForce(ids, now);
    const o = { csrf: req.csrfToken ?? '', mayApprove: mayApproveReplies(viewer), tz, now, notice: NOTICES[req.query.done ?? ''] ?? null, error: REFUSALS[req.query.error ?? ''] ?? null, claims, viewerId: viewer.officialId, filters };
    const live = pressQueueMain(shown, o);
    if (req.query.part === 'main') return send(reply, live.__html);
    const municipalities = viewer.scope.kind === 'all' ? (await db.dashboard.names()).municipalities : null;
    return send(reply, page(frame('Ответы гражданам', viewer), pressQueueBody(live, { ...o, municipalities })));
  });

  /** Renders the incident page (also after a refused form, keeping the text). */
  const incidentPage = async (req: FastifyRequest, reply: FastifyReply, viewer: Viewer, incident: Incident, o: { stage?: string; template?: string; text?: string; error?: string; notice?: string; status?: number; targets?: string[] }) => {
    const stageAsked = REPLY_STAGES.includes(o.stage as ReplyStage) ? (o.stage as ReplyStage) : null;
    const s = await suggestReplies(db, incident, tz, stageAsked, 5);
    let selected = s.options.find((x) => x.templateId === o.template) ?? null;
    if (!selected && o.template) {
      // A template not among the first suggestions (still of this stage): render it for the editor if it can be.
      const t = templateSet().byId.get(o.template);
      if (t && t.stage === s.stage && t.id !== s.history.lastTemplateIdForCitizen) {
        try {
          selected = { templateId: t.id, text: render(t, replyVars((await loadReplyContext(db, incident, tz)).context)) };
        } catch {
          selected = null; // a value is missing for it: not offered
        }
      }
    }
    const [message, names, posts, claims] = await Promise.all([db.messages.get(incident.primaryMessageId), db.dashboard.names(), db.replies.replyTargets(incident.id), db.pressClaims.inForce([incident.id], deps.now())]);
    const body = pressIncidentBody({
      incident,
      message: { text: message?.text ?? '', authorName: message?.authorName ?? null, platform: message?.platform ?? 'web', permalink: message?.permalink ?? null, publishedAt: message?.publishedAt ?? incident.openedAt },
      municipalityName: incident.municipalityId ? (names.municipalities.get(incident.municipalityId) ?? incident.municipalityId) : null,
      officialName: incident.officialId ? (names.officials.get(incident.officialId) ?? incident.officialId) : null,
      officialNames: names.officials,
      replies: s.replies,
      stage: s.stage,
      defaultStage: s.defaultStage,
      options: s.options,
      selected,
      posts,
      chosenPosts: o.targets ?? null,
      text: o.text ?? null,
      csrf: req.csrfToken ?? '',
      mayApprove: mayApproveReplies(viewer),
      mayPublishDirectly: mayPublishDirectly(viewer, deps.cfg.OFFICIALS_MAY_PUBLISH),
      actionable: ACTIONABLE_STATUSES.has(incident.status),
      notice: o.notice ?? null,
      error: o.error ?? null,
      tz,
      now: deps.now(),
      claim: claims.get(incident.id) ?? null,
      viewerId: viewer.officialId,
    });
    return send(reply, page(frame(`Ответ на обращение №${incident.id}`, viewer), body), o.status ?? 200);
  };

  app.get<{ Params: { id: string }; Querystring: { stage?: string; template?: string; done?: string } }>('/press/incidents/:id', async (req, reply) => {
    const viewer = viewerOf(req);
    const incident = await visibleIncident(viewer, req.params.id);
    if (!incident) return notFound(reply, viewer);
    return incidentPage(req, reply, viewer, incident, { stage: req.query.stage, template: req.query.template, notice: NOTICES[req.query.done ?? ''] });
  });

  await app.register(async (scope) => {
    // Urlencoded bodies are parsed here only (as the sign-in form); a reply of 4000 Cyrillic letters is ~24 KB encoded.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      const params = new URLSearchParams(body as string);
      // Checkboxes repeat their name: the chosen posts of a reply arrive as one comma-separated field.
      done(null, { ...Object.fromEntries(params), target: params.getAll('target').join(',') });
    });

    /** Every form: a session and its CSRF token, else 403 (nothing changes). */
    const guard = (req: FastifyRequest<{ Body: Form }>, reply: FastifyReply): Viewer | null => {
      const viewer = viewerOf(req);
      if (!csrfOk(req, req.body?.csrf)) {
        deps.log.warn('press.csrf-rejected', { officialId: viewer.officialId, route: req.routeOptions.url });
        void send(reply, page(frame('Форма устарела', viewer), { __html: `<div class="card"><p class="error">${REFUSALS.csrf}</p><p><a href="/press">К очереди ответов</a></p></div>` }), 403);
        return null;
      }
      return viewer;
    };

    /** Someone else's claim in force on the incident (they are answering it), or null. */
    const claimedByOther = async (viewer: Viewer, incidentId: string) => {
      const claim = (await db.pressClaims.inForce([incidentId], deps.now())).get(incidentId) ?? null;
      return claim && !mayClaim(claim, viewer.officialId) ? claim : null;
    };
    /** Back to the queue with its filters (only a /press address is followed). */
    const backToQueue = (reply: FastifyReply, back: string | undefined, q: string) => {
      const base = back && /^\/press(\?[\w=&%.-]*)?$/.test(back) ? back : '/press';
      return reply.redirect(`${base}${base.includes('?') ? '&' : '?'}${q}`, 303);
    };

    scope.post<{ Params: { id: string }; Body: Form }>('/press/incidents/:id/claim', async (req, reply) => {
      const viewer = guard(req, reply);
      if (!viewer) return reply;
      const incident = await visibleIncident(viewer, req.params.id);
      if (!incident) return forbidden(req, reply);
      const at = deps.now();
      const r = await db.pressClaims.claim(incident.id, viewer.officialId, at, new Date(at.getTime() + PRESS_CLAIM_MS));
      if (!r.claimed) return backToQueue(reply, req.body.back, 'error=claimed');
      deps.log.info('press.claimed', { incidentId: incident.id, officialId: viewer.officialId });
      return req.body.back === 'incident' ? reply.redirect(`/press/incidents/${incident.id}?done=claimed`, 303) : backToQueue(reply, req.body.back, 'done=claimed');
    });

    scope.post<{ Params: { id: string }; Body: Form }>('/press/incidents/:id/release', async (req, reply) => {
      const viewer = guard(req, reply);
      if (!viewer) return reply;
      const incident = await visibleIncident(viewer, req.params.id);
      if (!incident) return forbidden(req, reply);
      if (await db.pressClaims.release(incident.id, viewer.officialId)) deps.log.info('press.released', { incidentId: incident.id, officialId: viewer.officialId });
      return backToQueue(reply, req.body.back, 'done=released');
    });

    scope.post<{ Params: { id: string }; Body: Form }>('/press/incidents/:id/reply', async (req, reply) => {
      const viewer = guard(req, reply);
      if (!viewer) return reply;
      const incident = await visibleIncident(viewer, req.params.id);
      if (!incident) return forbidden(req, reply);
      const text = (req.body.text ?? '').slice(0, 8000);
      const stage = REPLY_STAGES.includes(req.body.stage as ReplyStage) ? (req.body.stage as ReplyStage) : null;
      // The posts to answer under (a resonant incident's checkbox list); only the incident's own, at least one.
      const posts = req.body.targetsShown ? (await db.replies.replyTargets(incident.id)).map((p) => p.messageId) : null;
      const targets = posts ? (req.body.target ?? '').split(',').filter((id) => posts.includes(id)) : undefined;
      const keep = { stage: req.body.stage, template: req.body.templateId, text, targets };
      if (!ACTIONABLE_STATUSES.has(incident.status)) return incidentPage(req, reply, viewer, incident, { ...keep, error: REFUSALS.closed, status: 409 });
      if (!stage) return reply.status(400).send({ error: 'Некорректный вид ответа' });
      if (targets && targets.length === 0) return incidentPage(req, reply, viewer, incident, { ...keep, error: REFUSALS['no-targets'], status: 422 });
      const other = await claimedByOther(viewer, incident.id);
      if (other) return incidentPage(req, reply, viewer, incident, { ...keep, error: PRESS_QUEUE_WORDS.takenByOther(other.officialName ?? 'другой сотрудник'), status: 409 });
      const r = await submitReply(deps, actorOf(viewer), incident, { templateId: req.body.templateId || null, stage, text, targets });
      if (r.kind === 'refused') return incidentPage(req, reply, viewer, incident, { ...keep, error: REFUSALS[r.reason], status: 422 });
      deps.log.info('press.reply-submitted', { incidentId: incident.id, replyId: r.replyId, officialId: viewer.officialId, kind: r.kind });
      return reply.redirect(`/press/incidents/${incident.id}?done=${r.kind}`, 303);
    });

    scope.post<{ Params: { id: string }; Body: Form }>('/press/replies/:id/approve', async (req, reply) => {
      const viewer = guard(req, reply);
      if (!viewer) return reply;
      const existing = ID.test(req.params.id) ? await db.replies.get(req.params.id) : null;
      const incident = existing ? await visibleIncident(viewer, existing.incidentId) : null;
      if (!existing || !incident || !mayApproveReplies(viewer)) return forbidden(req, reply);
      const posts = req.body.targetsShown ? (await db.replies.replyTargets(incident.id)).map((p) => p.messageId) : null;
      const targets = posts ? (req.body.target ?? '').split(',').filter((id) => posts.includes(id)) : undefined;
      if (targets && targets.length === 0) return incidentPage(req, reply, viewer, incident, { text: req.body.text, targets, error: REFUSALS['no-targets'], status: 422 });
      const other = await claimedByOther(viewer, incident.id);
      if (other) return incidentPage(req, reply, viewer, incident, { text: req.body.text, targets, error: PRESS_QUEUE_WORDS.takenByOther(other.officialName ?? 'другой сотрудник'), status: 409 });
      const r = await approveReply(deps, actorOf(viewer), existing.id, typeof req.body.text === 'string' ? req.body.text.slice(0, 8000) : null, targets);
      if (r.kind === 'refused') {
        if (r.reason === 'not-allowed') return forbidden(req, reply);
        return incidentPage(req, reply, viewer, incident, { text: req.body.text, error: REFUSALS[r.reason], status: r.reason === 'already-decided' ? 409 : 422 });
      }
      return reply.redirect(`/press/incidents/${incident.id}?done=approved`, 303);
    });

    scope.post<{ Params: { id: string }; Body: Form }>('/press/replies/:id/retry', async (req, reply) => {
      const viewer = guard(req, reply);
      if (!viewer) return reply;
      const existing = ID.test(req.params.id) ? await db.replies.get(req.params.id) : null;
      const incident = existing ? await visibleIncident(viewer, existing.incidentId) : null;
      if (!existing || !incident || !mayApproveReplies(viewer)) return forbidden(req, reply);
      const r = await retryReply(deps, actorOf(viewer), existing.id);
      if (r.kind === 'refused') return incidentPage(req, reply, viewer, incident, { error: REFUSALS[r.reason], status: 409 });
      return reply.redirect(`/press/incidents/${incident.id}?done=retried`, 303);
    });
  });
}
