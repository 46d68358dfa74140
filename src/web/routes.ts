/**
 * The dashboard (`/`, `/incidents`, `/incidents/:id`, `/stats`), its assets (served locally, no CDN) and
 * the statistics API (`/api/stats`, `/api/stats.csv`, `/api/overview`, `/api/incidents/:id`).
 * Every route here sits behind the session hook of auth.ts and narrows its data to the viewer's scope.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db';
import { rankRows, STATS_GROUPS, statsDefinitions, formatTarget, type StatsGroup } from '../db/stats';
import { addLocalDays, lastDays, localDate, parseLocalDate } from '../domain/periods';
import { TOPICS } from '../domain/types';
import { canSee, scopeFilter, type Viewer } from './access';
import { badRequest, forbidden, viewerOf } from './auth';
import { statsCsv } from './csv';
import { page, raw } from './html';
import { loadOverview, type StatsSettings } from './overview';
import { incidentBody, incidentListBody, overviewMain, statsBody } from './views';
import { incidentActions } from './triage';
import { staffActions } from './staff-actions';

export interface DashboardDeps {
  db: Db;
  now: () => Date;
  settings: StatsSettings;
  regionName: string;
}

const ASSETS_DIR = path.join(__dirname, 'assets');
/** chart.js's exports hide dist/chart.umd.js; it sits beside the CommonJS entry. */
const chartJsFile = () => path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js');

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).max(100);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const StatsQuery = z.object({
  from: day.optional(),
  to: day.optional(),
  group: z.enum(STATS_GROUPS).default('municipality'),
  municipality: z.union([slug, z.literal('')]).optional(),
  topic: z.union([z.enum(TOPICS), z.literal('')]).optional(),
  official: z.union([slug, z.literal('')]).optional(),
});

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

const sendPage = (reply: FastifyReply, body: string, status = 200) =>
  reply.status(status).headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(body);

/** Registers the dashboard and the statistics API on the server. */
export function registerDashboard(app: FastifyInstance, deps: DashboardDeps): void {
  const { db, settings } = deps;
  const tz = settings.timezone;
  const target = formatTarget(settings.targetMinutes);
  const frame = (title: string, viewer: Viewer, active: 'overview' | 'incidents' | 'stats', scripts: string[] = []) => ({ title, viewer, regionName: deps.regionName, active, scripts });

  // Assets: public (the sign-in page uses the stylesheet), read once, cached by the browser for an hour.
  const assets: Record<string, { file: string; type: string }> = {
    '/assets/chart.umd.js': { file: chartJsFile(), type: 'application/javascript; charset=utf-8' },
    '/assets/dashboard.js': { file: path.join(ASSETS_DIR, 'dashboard.js'), type: 'application/javascript; charset=utf-8' },
    '/assets/style.css': { file: path.join(ASSETS_DIR, 'style.css'), type: 'text/css; charset=utf-8' },
    '/favicon.svg': { file: path.join(ASSETS_DIR, 'favicon.svg'), type: 'image/svg+xml' },
  };
  for (const [url, a] of Object.entries(assets)) {
    const body = fs.readFileSync(a.file);
    app.get(url, { config: { public: true } }, async (_req, reply) =>
      reply.type(a.type).header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff').send(body),
    );
  }
  // Browsers ask for /favicon.ico by themselves: the SVG is the one icon.
  app.get('/favicon.ico', { config: { public: true } }, async (_req, reply) => reply.header('cache-control', 'public, max-age=86400').redirect('/favicon.svg', 301));

  /** Parses period and filters, applies the viewer's scope; null after answering 400/403. */
  const statsRequest = (viewer: Viewer, query: unknown, reply: FastifyReply) => {
    const parsed = StatsQuery.safeParse(query);
    if (!parsed.success) {
      void badRequest(reply.request, reply, { error: 'Некорректные параметры', details: parsed.error.issues.map((i) => i.path.join('.')) });
      return null;
    }
    const q = parsed.data;
    const now = deps.now();
    const def = lastDays(now, 30, tz);
    const from = q.from ? parseLocalDate(q.from, tz) : def.from;
    const toDay = q.to ? parseLocalDate(q.to, tz) : null;
    const to = toDay ? addLocalDays(toDay, 1, tz) : def.to; // `to` is inclusive: up to the end of that day
    if (!from || (q.to && !toDay) || from >= to || to.getTime() - from.getTime() > 5 * 366 * 86_400_000) {
      void badRequest(reply.request, reply, { error: 'Некорректный период (from ≤ to, не больше 5 лет, формат ГГГГ-ММ-ДД)' });
      return null;
    }
    const scoped = scopeFilter(viewer.scope, { municipalityId: q.municipality, officialId: q.official });
    if (scoped === 'forbidden') {
      void forbidden(reply.request, reply); // a page for /stats, JSON for the API
      return null;
    }
    return {
      now,
      group: q.group as StatsGroup,
      filter: { from, to, municipalityId: scoped.municipalityId, officialId: scoped.officialId, topic: q.topic || null },
      fromDay: localDate(from, tz),
      toDay: localDate(new Date(to.getTime() - 1), tz),
      q,
    };
  };

  const loadStats = async (r: NonNullable<ReturnType<typeof statsRequest>>) => {
    const res = await db.stats.summary(r.filter, r.group, { targetMinutes: settings.targetMinutes, timezone: tz, now: r.now });
    const ranked = r.group === 'municipality' || r.group === 'official';
    return { total: res.total, groups: ranked ? rankRows(res.groups, settings.minIncidents) : res.groups };
  };

  app.get('/api/stats', async (req, reply) => {
    const r = statsRequest(viewerOf(req), req.query, reply);
    if (!r) return reply;
    const s = await loadStats(r);
    return {
      period: { from: r.filter.from, to: r.filter.to, fromDay: r.fromDay, toDay: r.toDay, timezone: tz },
      filters: { municipality: r.filter.municipalityId, official: r.filter.officialId, topic: r.filter.topic },
      group: r.group,
      targetMinutes: settings.targetMinutes,
      minIncidents: settings.minIncidents,
      generatedAt: r.now,
      total: s.total,
      groups: s.groups,
      definitions: statsDefinitions(settings.targetMinutes, settings.minIncidents),
    };
  });

  app.get('/api/stats.csv', async (req, reply) => {
    const r = statsRequest(viewerOf(req), req.query, reply);
    if (!r) return reply;
    const s = await loadStats(r);
    const titles: Record<StatsGroup, string> = { municipality: 'Муниципалитет', official: 'Ответственный', topic: 'Тема', day: 'День', none: 'Итого' };
    const period = `${r.fromDay.split('-').reverse().join('.')} — ${r.toDay.split('-').reverse().join('.')} (${tz})`;
    const body = statsCsv(s.groups, s.total, titles[r.group], { period, target }, statsDefinitions(settings.targetMinutes, settings.minIncidents));
    return reply
      .type('text/csv; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="otklik-stats-${r.group}-${r.fromDay}_${r.toDay}.csv"`)
      .send(body);
  });

  app.get('/api/overview', async (req) => loadOverview(db, viewerOf(req).scope, settings, deps.now()));

  app.get<{ Querystring: { part?: string } }>('/', async (req, reply) => {
    const viewer = viewerOf(req);
    const main = overviewMain(await loadOverview(db, viewer.scope, settings, deps.now()));
    if (req.query.part === 'main') return sendPage(reply, main);
    return sendPage(reply, page(frame('Обзор', viewer, 'overview', ['/assets/chart.umd.js', '/assets/dashboard.js']), { __html: `<div id="live">${main}</div>` }));
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/stats', async (req, reply) => {
    const viewer = viewerOf(req);
    const r = statsRequest(viewer, req.query, reply);
    if (!r) return reply;
    const s = await loadStats(r);
    const names = viewer.scope.kind === 'all' ? (await db.dashboard.names()).municipalities : null;
    const body = statsBody(s, { from: r.fromDay, to: r.toDay, group: r.group, municipality: r.q.municipality || undefined, topic: r.q.topic || undefined }, names, target, settings.minIncidents, statsDefinitions(settings.targetMinutes, settings.minIncidents));
    return sendPage(reply, page(frame('Статистика', viewer, 'stats'), body));
  });

  const ListQuery = z.object({
    status: z.union([z.enum(['new', 'needs_review', 'classified', 'assigned', 'in_progress', 'answered', 'resolved', 'closed']), z.literal('')]).optional(),
    municipality: z.union([slug, z.literal('')]).optional(),
    topic: z.union([z.enum(TOPICS), z.literal('')]).optional(),
    overdue: z.enum(['1', '']).optional(),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  });
  app.get('/incidents', async (req, reply) => {
    const viewer = viewerOf(req);
    const parsed = ListQuery.safeParse(req.query);
    if (!parsed.success) return badRequest(req, reply, { error: 'Некорректные параметры' });
    const q = parsed.data;
    const scoped = scopeFilter(viewer.scope, { municipalityId: q.municipality });
    if (scoped === 'forbidden') return forbidden(req, reply);
    const now = deps.now();
    const limit = 50;
    const list = await db.dashboard.incidentList({
      status: q.status || null,
      municipalityId: scoped.municipalityId,
      officialId: scoped.officialId,
      topic: q.topic || null,
      overdueAt: q.overdue === '1' ? now : null,
      targetMinutes: settings.targetMinutes,
      limit,
      offset: q.offset,
    });
    const names = viewer.scope.kind === 'all' ? (await db.dashboard.names()).municipalities : null;
    const body = incidentListBody(list.items, list.total, { status: q.status || undefined, municipality: q.municipality || undefined, topic: q.topic || undefined, overdue: q.overdue === '1', offset: q.offset, limit }, names, tz, now);
    return sendPage(reply, page(frame('Обращения', viewer, 'incidents'), body));
  });

  /** The incident with everything the page shows, or null when missing or outside the scope. */
  const incidentDetail = async (viewer: Viewer, id: string) => {
    if (!/^\d{1,18}$/.test(id)) return null;
    const incident = await db.incidents.get(id);
    if (!incident || !canSee(viewer.scope, incident)) return null;
    const [messages, events, replies, promises, names] = await Promise.all([
      db.dashboard.incidentMessages(id),
      db.incidents.events(id),
      db.replies.forIncident(id),
      db.dashboard.promises(id),
      db.dashboard.names(),
    ]);
    return {
      incident,
      messages,
      events,
      replies,
      promises,
      municipalityName: incident.municipalityId ? (names.municipalities.get(incident.municipalityId) ?? incident.municipalityId) : null,
      officialName: incident.officialId ? (names.officials.get(incident.officialId) ?? incident.officialId) : null,
      /** For the page: who did what, by name (the timeline's actors are `official:<id>`). */
      officialNames: names.officials,
    };
  };

  app.get<{ Params: { id: string }; Querystring: { done?: string; error?: string } }>('/incidents/:id', async (req, reply) => {
    const viewer = viewerOf(req);
    const d = await incidentDetail(viewer, req.params.id);
    if (!d) return sendPage(reply, page(frame('Не найдено', viewer, 'incidents'), { __html: '<div class="card"><h1>Обращение не найдено</h1><p>Его нет или оно вне вашей зоны ответственности. <a href="/incidents">К списку</a></p></div>' }), 404);
    // The action section (labels form: a correction; the citizens' thanks) is src/web/triage.ts's.
    const o = { timezone: tz, done: req.query.done, error: req.query.error };
    // Reassign, notes, reopen and «Ответить» are src/web/staff-actions.ts's.
    const [labels, staff] = await Promise.all([incidentActions(db, req, d.incident, o), staffActions(db, req, d.incident, o)]);
    const actions = raw(staff.__html + labels.__html);
    return sendPage(reply, page(frame(`Обращение №${d.incident.id}`, viewer, 'incidents'), incidentBody(d.incident, { ...d, actions }, tz, deps.now())));
  });

  app.get<{ Params: { id: string } }>('/api/incidents/:id', async (req, reply) => {
    const d = await incidentDetail(viewerOf(req), req.params.id);
    if (!d) return reply.status(404).send({ error: 'Обращение не найдено' });
    const { officialNames: _names, ...body } = d;
    return body;
  });
}
