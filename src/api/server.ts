/** The HTTP server (fastify, one port): health, metrics, incidents, public comment intake. */
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { Gauge } from 'prom-client';
import { ingestMessage } from '../ingest/ingest';
import { errorFields } from '../errors';
import { withTimeout } from '../lib/timeout';
import type { StageDeps } from '../pipeline/stage';
import { CommentBody, commentToMessage } from './comments';
import type { IncidentStatus } from '../db/incidents';
import { registerAuth, viewerOf, forbidden } from '../web/auth';
import { scopeFilter } from '../web/access';
import { registerDashboard } from '../web/routes';
import { registerPress } from '../web/press';
import { registerAuthorSuggestions } from '../web/authors';
import { registerTriage } from '../web/triage';
import { registerStaffActions } from '../web/staff-actions';
import { registerConnectorRoutes } from '../ingest/http';

export interface HttpServer {
  app: FastifyInstance;
  listen(o: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
}

const BODY_LIMIT = 64 * 1024;
const REDIS_TIMEOUT_MS = 2000;

/** Builds the server; routes of later issues (webhooks, dashboard, stats) register on `app`. */
export async function buildServer(deps: StageDeps, opts: { commentsPerMinute?: number } = {}): Promise<HttpServer> {
  const { db, queues, log, metrics } = deps;
  const app = Fastify({ bodyLimit: BODY_LIMIT, logger: false, trustProxy: true });

  app.setErrorHandler((err: { statusCode?: number; validation?: unknown; code?: string; message: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) log.error('http.error', { route: req.routeOptions.url, ...errorFields(err) });
    const messages: Record<number, string> = {
      400: 'Некорректный запрос',
      413: 'Слишком большой запрос',
      415: 'Неподдерживаемый формат: нужен application/json',
      429: 'Слишком много запросов, повторите позже',
    };
    void reply.status(status).send({ error: messages[status] ?? (status >= 500 ? 'Внутренняя ошибка сервера' : 'Ошибка запроса') });
  });

  await app.register(rateLimit, { global: false });
  // Sign-in first: its hook guards every route registered after it (public ones are listed in web/auth.ts).
  await registerAuth(app, { db, log, now: deps.now, cfg: deps.cfg, regionName: deps.analyzer.region.name });

  app.get('/healthz', async (_req, reply) => {
    const check = async (p: () => Promise<unknown>) => {
      try {
        await withTimeout(p(), REDIS_TIMEOUT_MS, 'check');
        return 'ok';
      } catch {
        return 'down';
      }
    };
    const [database, redis] = await Promise.all([check(() => db.sql.query('SELECT 1')), check(() => queues.connection.ping())]);
    const ok = database === 'ok' && redis === 'ok';
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', database, redis });
  });

  const depth = new Gauge({ name: 'otklik_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'], registers: [metrics.registry] });
  const incidents = new Gauge({ name: 'otklik_incidents', help: 'Incidents by status', labelNames: ['status'], registers: [metrics.registry] });
  const messages = new Gauge({ name: 'otklik_messages', help: 'Messages by status', labelNames: ['status'], registers: [metrics.registry] });
  app.get('/metrics', async (_req, reply) => {
    try {
      for (const [queue, counts] of Object.entries(await withTimeout(queues.depths(), REDIS_TIMEOUT_MS, 'queue depths'))) {
        for (const [state, n] of Object.entries(counts)) depth.set({ queue, state }, n);
      }
    } catch (err) {
      log.warn('metrics.queues-unavailable', errorFields(err));
    }
    for (const [status, n] of Object.entries(await deps.db.incidents.countByStatus())) incidents.set({ status }, n);
    for (const [status, n] of Object.entries(await deps.db.messages.countByStatus())) messages.set({ status }, n);
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get<{ Querystring: { status?: IncidentStatus; municipality?: string; official?: string; limit?: string; offset?: string } }>(
    '/api/incidents',
    async (req, reply) => {
      const q = req.query;
      const scoped = scopeFilter(viewerOf(req).scope, { municipalityId: q.municipality, officialId: q.official });
      if (scoped === 'forbidden') return forbidden(req, reply);
      const list = await db.incidents.list({
        status: q.status,
        municipalityId: scoped.municipalityId ?? undefined,
        officialId: scoped.officialId ?? undefined,
        limit: Math.min(Math.max(Number(q.limit) || 50, 1), 500),
        offset: Math.max(Number(q.offset) || 0, 0),
      });
      const withText = await Promise.all(
        list.map(async (i) => {
          const m = await db.messages.get(i.primaryMessageId);
          const { analysis, ...rest } = i;
          return {
            ...rest,
            text: m?.text ?? null,
            platform: m?.platform ?? null,
            permalink: m?.permalink ?? null,
            reasons: analysis
              ? { complaint: analysis.complaintReasons, topic: analysis.topicReasons, municipality: analysis.municipalityReason, priority: analysis.priorityReasons }
              : null,
          };
        }),
      );
      return { incidents: withText };
    },
  );

  app.post(
    '/api/comments',
    { config: { rateLimit: { max: opts.commentsPerMinute ?? 30, timeWindow: 60_000 } } },
    async (req, reply) => {
      const parsed = CommentBody.safeParse(req.body);
      if (!parsed.success) {
        return reply.status(400).send({
          error: 'Некорректное обращение',
          details: parsed.error.issues.map((i) => ({ field: i.path.join('.') || null, message: i.message })),
        });
      }
      const source = parsed.data.source ? await db.sources.get(parsed.data.source) : null;
      if (parsed.data.source && !source) return reply.status(400).send({ error: `Неизвестный источник ${parsed.data.source}` });
      const raw = commentToMessage(parsed.data, source?.id ?? null, deps.now());
      try {
        const r = await withTimeout(ingestMessage(deps, raw), REDIS_TIMEOUT_MS * 2, 'intake');
        return reply.status(202).send({ id: r.messageId, duplicate: !r.created, status: 'accepted' });
      } catch (err) {
        // Stored but not queued (Redis down): reconcile will queue it; the citizen's comment is not lost.
        const stored = await db.messages.byExternalId('web', raw.externalId).catch(() => null);
        log.warn('intake.degraded', { stored: !!stored, ...errorFields(err) });
        if (stored) return reply.status(202).send({ id: stored.id, duplicate: false, status: 'accepted' });
        return reply.status(503).send({ error: 'Сервис временно недоступен, повторите попытку позже' });
      }
    },
  );

  // VK Callback API and the embeddable comment form (issue 3).
  registerConnectorRoutes(app, deps);

  registerDashboard(app, {
    db,
    now: deps.now,
    regionName: deps.analyzer.region.name,
    settings: { targetMinutes: deps.cfg.SLA_TARGET_MINUTES, minIncidents: deps.cfg.STATS_MIN_INCIDENTS, timezone: deps.analyzer.region.timezone },
  });

  // The press service's replies (issue 6): the same sign-in, forms with a per-session CSRF token.
  await registerPress(app, {
    db,
    queues,
    log,
    now: deps.now,
    cfg: deps.cfg,
    regionName: deps.analyzer.region.name,
    timezone: deps.analyzer.region.timezone,
  });

  // Name-only author suggestions (issue 4): the control centre confirms or rejects; nothing merges by itself.
  await registerAuthorSuggestions(app, { db, log, now: deps.now, regionName: deps.analyzer.region.name, timezone: deps.analyzer.region.timezone });

  // Triage of unsure incidents and corrections of labels (issue 14): the duty officer's list, the incident page's form.
  await registerTriage(app, { db, queues, log, now: deps.now, regionName: deps.analyzer.region.name, timezone: deps.analyzer.region.timezone, targetMinutes: deps.cfg.SLA_TARGET_MINUTES, cards: deps.cards });
  // The incident page's reassign, notes and reopen (issue 15).
  await registerStaffActions(app, { db, queues, log, now: deps.now, regionName: deps.analyzer.region.name, cards: deps.cards });

  return {
    app,
    listen: (o) => app.listen(o),
    close: () => app.close(),
  };
}
