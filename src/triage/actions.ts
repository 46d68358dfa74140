/**
 * What a person does to what the analysis decided, shared by the bot and the web (as src/replies/actions.ts):
 * confirm or correct an incident waiting in triage (then on to assignment), dismiss it as not an appeal, or
 * correct kind, topic, place or priority of an open incident. Every change is stored in `corrections` with who and
 * when, in the transaction of the change itself: the region's model learns from them (`train`, nightly).
 */
import type { Db } from '../db';
import type { CorrectionField, Correction } from '../db/corrections';
import type { Incident } from '../db/incidents';
import type { Official } from '../db/officials';
import { mayActOn, mayTriage, triageScope } from '../domain/incident-actions';
import type { IncidentKind } from '../domain/kinds';
import { decideRouting } from '../domain/routing';
import type { Priority, TopicCode } from '../domain/types';
import type { Logger } from '../log';
import type { CardBoard } from '../pipeline/ports';
import type { Queues } from '../pipeline/queues';

/** `cards`: the messages already in officials' chats (the triage messages sent to duty officers among them). */
export type TriageDeps = { db: Db; queues: Queues; log: Logger; now: () => Date; cards?: CardBoard | null };

/** Who acts: an official (from the bot) or a signed-in account (from the web). */
export type TriageActor = Pick<Official, 'role' | 'duty' | 'municipalityId'> & { officialId: string };

/** What a person decided about an incident's labels. */
export interface Labels {
  kind: IncidentKind;
  topic: TopicCode;
  municipalityId: string | null;
  priority: Priority;
}

export type TriageChoice = ({ decision: 'appeal' } & Labels) | { decision: 'not-appeal' };

export type TriageResult =
  | { kind: 'routed'; changed: CorrectionField[] }
  | { kind: 'dismissed' }
  | { kind: 'refused'; reason: 'not-allowed' | 'not-waiting' | 'unknown-municipality' };

const actorTag = (a: TriageActor) => `official:${a.officialId}`;

/** The analysis's suggestion for an incident waiting in triage, as labels a person confirms or changes. */
export function suggested(i: Incident): Labels {
  return { kind: i.kind, topic: i.topic ?? 'other', municipalityId: i.municipalityId, priority: i.priority };
}

/** The corrections of `from` → `to` (every field when `all`: a confirmation in triage is a checked label). */
function diff(i: Incident, from: Labels, to: Partial<Labels>, actor: TriageActor, at: Date, all: boolean): Correction[] {
  const pairs: [CorrectionField, string | null, string | null | undefined][] = [
    ['kind', from.kind, to.kind],
    ['topic', from.topic, to.topic],
    ['municipality', from.municipalityId, to.municipalityId],
    ['priority', from.priority, to.priority],
  ];
  return pairs
    .filter(([, old, next]) => next !== undefined && (all || next !== old))
    .map(([field, oldValue, newValue]) => ({ incidentId: i.id, messageId: i.primaryMessageId, field, oldValue, newValue: newValue ?? null, officialId: actor.officialId, at }));
}

/** Whether this actor may decide this incident's triage (a municipality's head: their municipality only). */
export function mayTriageIncident(actor: TriageActor, i: Pick<Incident, 'municipalityId'>): boolean {
  if (!mayTriage(actor)) return false;
  const scope = triageScope(actor);
  return scope === null || i.municipalityId === scope;
}

/**
 * Confirms or corrects an incident waiting in triage and sends it on to assignment, or dismisses it as not an
 * appeal. The clock keeps running from the post's publication (assign computes the deadline from it).
 */
export async function decideTriage(deps: TriageDeps, actor: TriageActor, incidentId: string, choice: TriageChoice): Promise<TriageResult> {
  const { db } = deps;
  const incident = await db.incidents.get(incidentId);
  if (!incident || incident.status !== 'needs_review') return { kind: 'refused', reason: 'not-waiting' };
  if (!mayTriageIncident(actor, incident)) return { kind: 'refused', reason: 'not-allowed' };
  const at = deps.now();
  const from = suggested(incident);
  if (choice.decision === 'not-appeal') {
    const ok = await db.tx(async (tx) => {
      if (!(await tx.incidents.dismiss(incident.id, at))) return false;
      await tx.corrections.record({ incidentId: incident.id, messageId: incident.primaryMessageId, field: 'kind', oldValue: from.kind, newValue: 'none', officialId: actor.officialId, at });
      await tx.incidents.addEvent(incident.id, 'incident.dismissed', actorTag(actor), at, { officialId: actor.officialId });
      return true;
    });
    if (!ok) return { kind: 'refused', reason: 'not-waiting' };
    deps.log.info('incident.dismissed', { incidentId: incident.id, officialId: actor.officialId });
    await refreshMessages(deps, incident.id);
    return { kind: 'dismissed' };
  }
  if (choice.municipalityId !== null && !(await knownMunicipality(db, choice.municipalityId))) return { kind: 'refused', reason: 'unknown-municipality' };
  const to: Labels = { kind: choice.kind, topic: choice.topic, municipalityId: choice.municipalityId, priority: choice.priority };
  const corrections = diff(incident, from, to, actor, at, true);
  const changed = corrections.filter((c) => c.oldValue !== c.newValue).map((c) => c.field);
  const ok = await db.tx(async (tx) => {
    if (!(await tx.incidents.confirmTriage(incident.id, to, at))) return false;
    await tx.corrections.record(corrections);
    await tx.incidents.addEvent(incident.id, 'incident.triaged', actorTag(actor), at, { officialId: actor.officialId, changed, ...to });
    return true;
  });
  if (!ok) return { kind: 'refused', reason: 'not-waiting' };
  deps.log.info('incident.triaged', { incidentId: incident.id, officialId: actor.officialId, changed });
  // Persist, then enqueue (reconcile re-adds a 'classified' incident whose job was lost).
  await deps.queues.enqueue('assign', { incidentId: incident.id }, { suffix: 'triage' });
  await refreshMessages(deps, incident.id);
  return { kind: 'routed', changed };
}

export type CorrectResult =
  | { kind: 'corrected'; changed: CorrectionField[]; reassignedTo: string | null }
  | { kind: 'unchanged' }
  | TriageResult;

/**
 * A correction of an open incident's kind, topic, place or priority (the web incident page). One waiting in triage
 * is triaged with these labels. A changed topic or place routes it again: when the rules now name another
 * official, it is passed to them (a new card) in the same transaction.
 */
export async function correctIncident(deps: TriageDeps, actor: TriageActor & { owner: Official | null; self: Official | null }, incidentId: string, to: Labels): Promise<CorrectResult> {
  const { db } = deps;
  const incident = await db.incidents.get(incidentId);
  if (!incident) return { kind: 'refused', reason: 'not-waiting' };
  if (incident.status === 'needs_review') return decideTriage(deps, actor, incidentId, { decision: 'appeal', ...to });
  const allowed = mayTriage(actor) || (actor.self !== null && mayActOn(actor.self, actor.owner));
  if (!allowed) return { kind: 'refused', reason: 'not-allowed' };
  if (to.municipalityId !== null && !(await knownMunicipality(db, to.municipalityId))) return { kind: 'refused', reason: 'unknown-municipality' };
  const at = deps.now();
  const corrections = diff(incident, suggested(incident), to, actor, at, false);
  if (corrections.length === 0) return { kind: 'unchanged' };
  const changed = corrections.map((c) => c.field);
  // Routed again only when what routing reads changed, and only an assigned incident (not yet answered).
  let reassignTo: string | null = null;
  if ((changed.includes('topic') || changed.includes('municipality')) && incident.officialId && (incident.status === 'assigned' || incident.status === 'in_progress')) {
    const [rules, officials] = await Promise.all([db.officials.rules(), db.officials.all()]);
    const load = await db.incidents.openLoad(officials.map((o) => o.id));
    const d = decideRouting({ id: incident.id, topic: to.topic, municipalityId: to.municipalityId }, rules, officials, load);
    if (d.kind === 'assigned' && d.officialId !== incident.officialId) reassignTo = d.officialId;
  }
  const result = await db.tx(async (tx) => {
    if (!(await tx.incidents.correct(incident.id, { kind: to.kind, topic: to.topic, municipalityId: to.municipalityId, priority: to.priority }, at))) return null;
    await tx.corrections.record(corrections);
    await tx.incidents.addEvent(incident.id, 'incident.corrected', actorTag(actor), at, { officialId: actor.officialId, changed, ...to });
    if (reassignTo && incident.officialId) {
      const epoch = await tx.bot.reassign(incident.id, { fromOfficialId: incident.officialId, toOfficialId: reassignTo, reason: 'corrected', actor: actorTag(actor) }, at);
      if (!epoch) return { moved: null };
      await tx.incidents.addEvent(incident.id, 'incident.reassigned', actorTag(actor), at, { from: incident.officialId, to: reassignTo, reason: 'corrected' });
      return { moved: reassignTo };
    }
    return { moved: null };
  });
  if (!result) return { kind: 'refused', reason: 'not-waiting' };
  deps.log.info('incident.corrected', { incidentId: incident.id, officialId: actor.officialId, changed, reassignedTo: result.moved });
  if (result.moved) await deps.queues.enqueue('notify', { incidentId: incident.id, officialId: result.moved, kind: 'card' });
  // The cards already sent show the new kind, topic and place (the former owner's: passed on, without buttons).
  await refreshMessages(deps, incident.id);
  return { kind: 'corrected', changed, reassignedTo: result.moved };
}

/** The duty officers' triage messages say what was decided (a failure there must not undo the decision). */
async function refreshMessages(deps: TriageDeps, incidentId: string): Promise<void> {
  await deps.cards?.refresh(incidentId).catch((err: unknown) => deps.log.warn('triage.refresh-failed', { incidentId, errName: (err as Error).name }));
}

async function knownMunicipality(db: Db, id: string): Promise<boolean> {
  return (await db.officials.municipalities()).some((m) => m.id === id);
}
