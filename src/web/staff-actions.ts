/**
 * The incident page's staff actions (issue 15), beside the labels form of triage.ts: «Переназначить» to any official
 * with a reason (stored on the `incident.reassigned` event, shown on the timeline and on the new owner's card),
 * internal «Заметки» (staff only, never published, never logged), «Вернуть в работу» for a resolved or closed
 * incident, and the link «Ответить» to the press page. Who may act is the bot's rule (mayActOn in
 * src/domain/incident-actions.ts). Forms are urlencoded, parsed only in this plugin, and carry the session's CSRF token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db';
import type { Incident } from '../db/incidents';
import type { IncidentNote } from '../db/notes';
import type { Official } from '../db/officials';
import { ACTIONABLE_STATUSES, mayActOn, reassignCandidates, REOPENABLE_STATUSES } from '../domain/incident-actions';
import { formatLocal } from '../domain/periods';
import { INCIDENT_ACTION_WORDS as W } from '../domain/wording';
import type { Logger } from '../log';
import type { CardBoard } from '../pipeline/ports';
import type { Queues } from '../pipeline/queues';
import { canSee, type Viewer } from './access';
import { acceptForms, csrfOk, forbidden, viewerOf } from './auth';
import { html, page, raw, sendStrictPage, type RawHtml } from './html';

export interface StaffActionDeps {
  db: Db;
  queues: Queues;
  log: Logger;
  now: () => Date;
  regionName: string;
  /** The officials' cards in Telegram, brought up to date after a hand-over or a reopen. */
  cards?: CardBoard | null;
}

const ID = /^\d{1,18}$/;
const SLUG = /^[a-z0-9][a-z0-9_-]*$/;
type Form = Record<string, string | undefined>;

/** May this viewer hand over or reopen this incident: not read-only, and the bot's rule for its owner. */
async function mayAct(db: Db, viewer: Viewer, incident: Incident): Promise<{ allowed: boolean; self: Official | null; owner: Official | null }> {
  if (viewer.readOnly || !incident.officialId) return { allowed: false, self: null, owner: null };
  const [self, owner] = await Promise.all([db.officials.get(viewer.officialId), db.officials.get(incident.officialId)]);
  return { allowed: !!self && mayActOn(self, owner), self, owner };
}

/** The staff action section of the incident page for this viewer. */
export async function staffActions(db: Db, req: FastifyRequest, incident: Incident, o: { timezone: string; done?: string; error?: string }): Promise<RawHtml> {
  const viewer = viewerOf(req);
  const [{ allowed }, notes, officials, names] = await Promise.all([mayAct(db, viewer, incident), db.notes.forIncident(incident.id), db.officials.all(), db.dashboard.names()]);
  return staffActionsSection({
    incident,
    csrf: req.csrfToken ?? '',
    mayReassign: allowed && ACTIONABLE_STATUSES.has(incident.status),
    mayReopen: allowed && REOPENABLE_STATUSES.has(incident.status),
    candidates: reassignCandidates(officials, incident.officialId),
    municipalities: names.municipalities,
    notes,
    tz: o.timezone,
    notice: o.done ? (W.notices[o.done] ?? null) : null,
    error: o.error ? (W.refusals[o.error] ?? null) : null,
  });
}

/** Drawing of the section (pure). */
export function staffActionsSection(o: {
  incident: Pick<Incident, 'id' | 'status'>;
  csrf: string;
  mayReassign: boolean;
  mayReopen: boolean;
  candidates: Official[];
  municipalities: Map<string, string>;
  notes: IncidentNote[];
  tz: string;
  notice: string | null;
  error: string | null;
}): RawHtml {
  const i = o.incident;
  const csrf = html`<input type="hidden" name="csrf" value="${o.csrf}">`;
  const groups = new Map<string, Official[]>();
  for (const c of o.candidates) {
    const key = c.municipalityId ? (o.municipalities.get(c.municipalityId) ?? c.municipalityId) : W.regionWide;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const reassign = o.mayReassign
    ? html`<form class="filters staff-form" method="post" action="/incidents/${i.id}/reassign">${csrf}
        <label>${W.reassignTo}<select name="to" required><option value="">${W.pickOfficial}</option>${[...groups].map(
          ([group, list]) => html`<optgroup label="${group}">${list.map((c) => html`<option value="${c.id}">${c.name}${c.position ? ` — ${c.position}` : ''}</option>`)}</optgroup>`,
        )}</select></label>
        <label class="wide">${W.reassignReason}<input type="text" name="reason" required minlength="3" maxlength="500"></label>
        <button type="submit">${W.reassignButton}</button></form>`
    : '';
  const reopen = o.mayReopen
    ? html`<form method="post" action="/incidents/${i.id}/reopen" class="inline">${csrf}<button type="submit">${W.reopenButton}</button></form> <span class="muted small">${W.reopenHint}</span>`
    : '';
  return html`<div class="card actions" id="staff">
    <div class="titlebar"><h2>Действия</h2><a class="button" href="/press/incidents/${i.id}">${W.replyLink}</a>${raw(reopen ? ' ' : '')}${reopen}</div>
    ${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
    ${reassign ? html`<h3>${W.reassignTitle}</h3>${reassign}` : ''}
    <h3>${W.notesTitle}</h3><p class="muted small">${W.notesHint}</p>
    ${o.notes.length === 0 ? html`<p class="muted">${W.noNotes}</p>` : html`<ul class="notes">${o.notes.map((n) => html`<li class="note"><div class="meta muted small">${n.officialName ?? 'сотрудник'} · ${formatLocal(n.createdAt, o.tz)}</div><div class="text">${n.text}</div></li>`)}</ul>`}
    <form method="post" action="/incidents/${i.id}/notes" class="note-form">${csrf}
      <label for="note-text">${W.noteLabel}</label>
      <textarea id="note-text" name="text" rows="3" maxlength="4000" required></textarea>
      <button type="submit">${W.noteButton}</button></form>
  </div>`;
}

/** Registers the forms (after registerAuth, whose hook guards them). */
export async function registerStaffActions(app: FastifyInstance, deps: StaffActionDeps): Promise<void> {
  const { db } = deps;
  await app.register(async (scope) => {
    acceptForms(scope, 32 * 1024);

    /** The form's viewer and incident, or null after answering (403 for a stale form or an incident out of sight). */
    const read = async (req: FastifyRequest<{ Params: { id: string }; Body: Form }>, reply: FastifyReply) => {
      const viewer = viewerOf(req);
      if (!csrfOk(req, req.body?.csrf)) {
        deps.log.warn('incident-actions.csrf-rejected', { officialId: viewer.officialId, route: req.routeOptions.url });
        const frame = { title: 'Форма устарела', viewer, regionName: deps.regionName, active: 'incidents' as const };
        void sendStrictPage(reply, page(frame, html`<div class="card"><p class="error">Форма устарела. Обновите страницу и повторите.</p><p><a href="/incidents/${ID.test(req.params.id) ? req.params.id : ''}">К обращению</a></p></div>`), 403);
        return null;
      }
      const incident = ID.test(req.params.id) ? await db.incidents.get(req.params.id) : null;
      if (!incident || !canSee(viewer.scope, incident)) {
        void forbidden(req, reply);
        return null;
      }
      return { viewer, incident };
    };
    const back = (reply: FastifyReply, id: string, q: string) => reply.redirect(`/incidents/${id}?${q}#staff`, 303);
    const refreshCards = async (incidentId: string) =>
      deps.cards?.refresh(incidentId).catch((err: unknown) => deps.log.warn('incident-actions.refresh-failed', { incidentId, errName: (err as Error).name }));

    scope.post<{ Params: { id: string }; Body: Form }>('/incidents/:id/reassign', async (req, reply) => {
      const r = await read(req, reply);
      if (!r) return reply;
      const { viewer, incident } = r;
      const { allowed, owner } = await mayAct(db, viewer, incident);
      if (!allowed || !owner) return forbidden(req, reply);
      const toId = req.body.to ?? '';
      const note = (req.body.reason ?? '').replace(/\s+/g, ' ').trim().slice(0, 500);
      const to = SLUG.test(toId) ? reassignCandidates(await db.officials.all(), owner.id).find((o) => o.id === toId) : undefined;
      if (!to) return back(reply, incident.id, 'error=unknown-official');
      if (note.length < 3) return back(reply, incident.id, 'error=no-reason');
      const at = deps.now();
      const actor = `official:${viewer.officialId}`;
      // Handed to someone of another municipality: the incident moves there too (a correction the analysis learns from).
      const moves = to.municipalityId !== null && to.municipalityId !== incident.municipalityId;
      const epoch = await db.tx(async (tx) => {
        const id = await tx.bot.reassign(incident.id, { fromOfficialId: owner.id, toOfficialId: to.id, reason: 'colleague', actor }, at);
        if (!id) return null;
        await tx.incidents.addEvent(incident.id, 'incident.reassigned', actor, at, { from: owner.id, to: to.id, reason: 'colleague', note });
        if (moves) {
          await tx.incidents.correct(incident.id, { municipalityId: to.municipalityId }, at);
          await tx.corrections.record({ incidentId: incident.id, messageId: incident.primaryMessageId, field: 'municipality', oldValue: incident.municipalityId, newValue: to.municipalityId, officialId: viewer.officialId, at });
          await tx.incidents.addEvent(incident.id, 'incident.corrected', actor, at, { officialId: viewer.officialId, changed: ['municipality'], municipalityId: to.municipalityId });
        }
        return id;
      });
      if (!epoch) return back(reply, incident.id, 'error=stale');
      deps.log.info('incident.reassigned', { incidentId: incident.id, from: owner.id, to: to.id, officialId: viewer.officialId, via: 'web' });
      // The new owner gets a card (once per official: an earlier card of theirs is brought up to date instead).
      if (!(await db.notifications.get(incident.id, to.id, 'card'))) await deps.queues.enqueue('notify', { incidentId: incident.id, officialId: to.id, kind: 'card' });
      await refreshCards(incident.id);
      return back(reply, incident.id, 'done=handed-over');
    });

    scope.post<{ Params: { id: string }; Body: Form }>('/incidents/:id/notes', async (req, reply) => {
      const r = await read(req, reply);
      if (!r) return reply;
      const text = (req.body.text ?? '').trim().slice(0, 4000);
      if (!text) return back(reply, r.incident.id, 'error=empty-note');
      const noteId = await db.notes.add({ incidentId: r.incident.id, officialId: r.viewer.officialId, text }, deps.now());
      // Ids only: a note is internal and may hold personal data.
      deps.log.info('incident.noted', { incidentId: r.incident.id, noteId, officialId: r.viewer.officialId });
      return back(reply, r.incident.id, 'done=noted');
    });

    scope.post<{ Params: { id: string }; Body: Form }>('/incidents/:id/reopen', async (req, reply) => {
      const r = await read(req, reply);
      if (!r) return reply;
      const { viewer, incident } = r;
      if (!(await mayAct(db, viewer, incident)).allowed) return forbidden(req, reply);
      if (!REOPENABLE_STATUSES.has(incident.status)) return back(reply, incident.id, 'error=not-reopenable');
      const at = deps.now();
      const ok = await db.tx(async (tx) => {
        const undone = await tx.incidents.reopen(incident.id, at);
        if (undone === undefined) return false;
        await tx.incidents.addEvent(incident.id, 'incident.reopened', `official:${viewer.officialId}`, at, { officialId: incident.officialId, from: incident.status });
        return true;
      });
      if (!ok) return back(reply, incident.id, 'error=not-reopenable');
      deps.log.info('incident.reopened', { incidentId: incident.id, officialId: viewer.officialId, via: 'web' });
      await refreshCards(incident.id);
      return back(reply, incident.id, 'done=reopened');
    });
  });
}
