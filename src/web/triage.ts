/**
 * Triage and corrections on the web: `/triage` (the duty officer's list, nav «Разбор»), its form `POST /triage/:id`,
 * and the incident page's label form `POST /incidents/:id/labels`. Behind the same sign-in as the dashboard; who may
 * act comes from src/domain/incident-actions.ts (mayTriage, mayActOn), what happens from src/triage/actions.ts
 * (shared with the bot). Forms are urlencoded, parsed only in this plugin, and carry the session's CSRF token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db';
import type { Incident } from '../db/incidents';
import { mayActOn, mayTriage, triageScope } from '../domain/incident-actions';
import { INCIDENT_KINDS } from '../domain/kinds';
import { TOPICS } from '../domain/types';
import type { Logger } from '../log';
import type { CardBoard } from '../pipeline/ports';
import type { Queues } from '../pipeline/queues';
import { correctIncident, decideTriage, type TriageActor } from '../triage/actions';
import { canSee, type Viewer } from './access';
import { acceptForms, csrfOk, forbidden, viewerOf } from './auth';
import { page, sendStrictPage, type RawHtml } from './html';
import { incidentActionsSection, TRIAGE_NOTICES, TRIAGE_REFUSALS, triageBody } from './triage-views';

export interface TriageWebDeps {
  db: Db;
  queues: Queues;
  log: Logger;
  now: () => Date;
  regionName: string;
  timezone: string;
  targetMinutes: number;
  /** The duty officers' triage messages in Telegram, brought up to date after a decision here. */
  cards?: CardBoard | null;
}

const ID = /^\d{1,18}$/;
const LabelsForm = z.object({
  csrf: z.string().optional(),
  decision: z.enum(['appeal', 'not-appeal']).default('appeal'),
  kind: z.enum(INCIDENT_KINDS),
  topic: z.enum(TOPICS),
  municipality: z.union([z.literal(''), z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).max(100)]),
  priority: z.enum(['normal', 'high']),
});
type Form = Record<string, string | undefined>;

const actorOf = (v: Viewer): TriageActor => ({ officialId: v.officialId, role: v.role, duty: v.duty, municipalityId: v.municipalityId });

/** Municipality names by id, ordered by name (for the selects). */
async function municipalityNames(db: Db): Promise<Map<string, string>> {
  return (await db.dashboard.names()).municipalities;
}

/** May this viewer correct this incident's labels? The control centre and triagers, its owner, the owner's head. */
async function mayCorrect(db: Db, viewer: Viewer, incident: Incident): Promise<boolean> {
  if (viewer.readOnly) return false;
  if (mayTriage(viewer)) return true;
  const [self, owner] = await Promise.all([db.officials.get(viewer.officialId), incident.officialId ? db.officials.get(incident.officialId) : null]);
  return !!self && mayActOn(self, owner);
}

/** The incident page's action section for this viewer (labels form, thanks). */
export async function incidentActions(
  db: Db,
  req: FastifyRequest,
  incident: Incident,
  o: { timezone: string; done?: string; error?: string },
): Promise<RawHtml> {
  const viewer = viewerOf(req);
  const [municipalities, thanks, allowed] = await Promise.all([municipalityNames(db), db.messages.thanksFor(incident.id), mayCorrect(db, viewer, incident)]);
  return incidentActionsSection({
    incident,
    csrf: req.csrfToken ?? '',
    municipalities,
    mayCorrect: allowed,
    thanks,
    tz: o.timezone,
    notice: o.done ? (TRIAGE_NOTICES[o.done] ?? null) : null,
    error: o.error ? (TRIAGE_REFUSALS[o.error] ?? null) : null,
  });
}

/** Registers `/triage` and the forms (after registerAuth, whose hook guards them). */
export async function registerTriage(app: FastifyInstance, deps: TriageWebDeps): Promise<void> {
  const { db } = deps;
  const frame = (title: string, viewer: Viewer) => ({ title, viewer, regionName: deps.regionName, active: 'triage' as const });

  const listPage = async (req: FastifyRequest, reply: FastifyReply, viewer: Viewer, o: { notice?: string | null; error?: string | null; status?: number }) => {
    const [list, municipalities] = await Promise.all([db.triage.list({ municipalityId: triageScope(viewer), limit: 100 }), municipalityNames(db)]);
    const body = triageBody(list.items, list.total, {
      csrf: req.csrfToken ?? '',
      municipalities,
      tz: deps.timezone,
      now: deps.now(),
      targetMinutes: deps.targetMinutes,
      notice: o.notice ?? null,
      error: o.error ?? null,
    });
    return sendStrictPage(reply, page(frame('Разбор обращений', viewer), body), o.status ?? 200);
  };

  app.get<{ Querystring: { done?: string } }>('/triage', async (req, reply) => {
    const viewer = viewerOf(req);
    if (!mayTriage(viewer) || viewer.readOnly) return forbidden(req, reply);
    return listPage(req, reply, viewer, { notice: TRIAGE_NOTICES[req.query.done ?? ''] ?? null });
  });

  await app.register(async (scope) => {
    acceptForms(scope, 16 * 1024);

    /** A form's viewer, its parsed labels and the incident, or null after answering. */
    const read = async (req: FastifyRequest<{ Params: { id: string }; Body: Form }>, reply: FastifyReply) => {
      const viewer = viewerOf(req);
      if (!csrfOk(req, req.body?.csrf)) {
        deps.log.warn('triage.csrf-rejected', { officialId: viewer.officialId, route: req.routeOptions.url });
        void sendStrictPage(reply, page(frame('Форма устарела', viewer), { __html: `<div class="card"><p class="error">${TRIAGE_REFUSALS.csrf}</p><p><a href="/triage">К разбору</a></p></div>` }), 403);
        return null;
      }
      const incident = ID.test(req.params.id) ? await db.incidents.get(req.params.id) : null;
      if (!incident || !canSee(viewer.scope, incident)) {
        void forbidden(req, reply);
        return null;
      }
      const form = LabelsForm.safeParse(req.body ?? {});
      if (!form.success) {
        void reply.status(400).send({ error: TRIAGE_REFUSALS.invalid });
        return null;
      }
      const f = form.data;
      return { viewer, incident, decision: f.decision, labels: { kind: f.kind, topic: f.topic, municipalityId: f.municipality || null, priority: f.priority } };
    };

    scope.post<{ Params: { id: string }; Body: Form }>('/triage/:id', async (req, reply) => {
      const r = await read(req, reply);
      if (!r) return reply;
      if (!mayTriage(r.viewer) || r.viewer.readOnly) return forbidden(req, reply);
      const result = await decideTriage(deps, actorOf(r.viewer), r.incident.id, r.decision === 'not-appeal' ? { decision: 'not-appeal' } : { decision: 'appeal', ...r.labels });
      if (result.kind === 'refused') {
        if (result.reason === 'not-allowed') return forbidden(req, reply);
        return listPage(req, reply, r.viewer, { error: TRIAGE_REFUSALS[result.reason], status: 409 });
      }
      return reply.redirect(`/triage?done=${result.kind}`, 303);
    });

    scope.post<{ Params: { id: string }; Body: Form }>('/incidents/:id/labels', async (req, reply) => {
      const r = await read(req, reply);
      if (!r) return reply;
      if (!(await mayCorrect(db, r.viewer, r.incident))) return forbidden(req, reply);
      const back = (q: string) => reply.redirect(`/incidents/${r.incident.id}?${q}#labels`, 303);
      if (r.decision === 'not-appeal') {
        const d = await decideTriage(deps, actorOf(r.viewer), r.incident.id, { decision: 'not-appeal' });
        return back(d.kind === 'refused' ? `error=${d.reason}` : `done=${d.kind}`);
      }
      const [self, owner] = await Promise.all([db.officials.get(r.viewer.officialId), r.incident.officialId ? db.officials.get(r.incident.officialId) : null]);
      const result = await correctIncident(deps, { ...actorOf(r.viewer), self, owner }, r.incident.id, r.labels);
      if (result.kind === 'refused') return back(`error=${result.reason}`);
      if (result.kind === 'corrected') return back(`done=${result.reassignedTo ? 'reassigned' : 'corrected'}`);
      return back(`done=${result.kind}`);
    });
  });
}
