/** Who may do what to an incident from the bot, and the pure parts of its actions. No I/O, no clock. */
import type { Official, RoutingRule } from '../db/officials';
import type { ReplyStage } from '../replies/templates';
import { localMidnight, localParts } from './periods';
import { decideRouting, type RoutingDecision } from './routing';

/** Roles of the control centre that may act on any incident. */
const DISPATCHER_ROLES = new Set(['governor_office', 'admin']);
/** Incident statuses in which the card's buttons still act. */
export const ACTIONABLE_STATUSES = new Set(['assigned', 'in_progress', 'answered']);

/** The assigned official, their supervisor, or a dispatcher of the control centre (governor_office, admin). */
export function mayActOn(actor: Official, owner: Official | null): boolean {
  if (DISPATCHER_ROLES.has(actor.role)) return true;
  if (!owner) return false;
  return actor.id === owner.id || (owner.supervisorId !== null && actor.id === owner.supervisorId);
}

/**
 * Who works the triage list (incidents the analysis was unsure of): the control centre (governor's office,
 * administrators, duty officers) for every municipality, a municipality's head (supervisor) for their own.
 */
export function mayTriage(actor: Pick<Official, 'role' | 'duty' | 'municipalityId'>): boolean {
  return DISPATCHER_ROLES.has(actor.role) || actor.duty || (actor.role === 'supervisor' && actor.municipalityId !== null);
}

/** The municipality a triager is limited to (a municipality's head), or null for the whole region. */
export function triageScope(actor: Pick<Official, 'role' | 'duty' | 'municipalityId'>): string | null {
  return DISPATCHER_ROLES.has(actor.role) || actor.duty ? null : actor.municipalityId;
}

/** The press service and the control centre approve replies drafted by officials. */
export function mayApproveReplies(actor: Pick<Official, 'role'>): boolean {
  return actor.role === 'press' || DISPATCHER_ROLES.has(actor.role);
}

/** An official publishes directly where the region allows it; the press service and dispatchers always may. */
export function mayPublishDirectly(actor: Pick<Official, 'role'>, officialsMayPublish: boolean): boolean {
  return officialsMayPublish || mayApproveReplies(actor);
}

/**
 * Colleagues an incident may be handed to by name: officials and heads of the same municipality
 * (region-wide staff for a region-wide owner), present, other than the owner; at most `max`, by name.
 */
export function colleaguesFor(owner: Official, officials: Official[], max = 8): Official[] {
  return officials
    .filter((o) => o.id !== owner.id && !o.away && (o.role === 'official' || o.role === 'supervisor' || o.role === 'governor_office'))
    .filter((o) => o.municipalityId === owner.municipalityId || (o.role === 'governor_office' && o.duty))
    .sort((a, b) => a.name.localeCompare(b.name, 'ru'))
    .slice(0, max);
}

/** "Не наш вопрос": route again as the assign stage would, with the current official left out. */
export function decideNotOurs(
  incident: { id: string; topic: string | null; municipalityId: string | null },
  currentOfficialId: string,
  rules: RoutingRule[],
  officials: Official[],
  openLoad: Record<string, number>,
): RoutingDecision {
  return decideRouting(incident, rules.filter((r) => r.officialId !== currentOfficialId), officials.filter((o) => o.id !== currentOfficialId), openLoad);
}

export type ParsedPromise = { kind: 'ok'; dueAt: Date; text: string } | { kind: 'error'; reason: 'format' | 'past' | 'too-far' | 'no-text' };

/**
 * Parses an official's promise: "ДД.ММ[.ГГГГ] [ЧЧ:ММ] что будет сделано", in the region's time zone.
 * Without a time the promise is due at 18:00 local; without a year, the next such date. At most a year ahead.
 */
export function parsePromise(input: string, now: Date, timeZone: string): ParsedPromise {
  const m = /^\s*(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2}))?(?:\s+(\d{1,2}):(\d{2}))?\s*(.*)$/s.exec(input);
  if (!m) return { kind: 'error', reason: 'format' };
  const [day, month] = [Number(m[1]), Number(m[2])];
  const hour = m[4] === undefined ? 18 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return { kind: 'error', reason: 'format' };
  const text = m[6].replace(/\s+/g, ' ').trim();
  if (text.length < 3) return { kind: 'error', reason: 'no-text' };
  const local = localParts(now, timeZone);
  const at = (year: number) => {
    const check = new Date(Date.UTC(year, month - 1, day));
    if (check.getUTCMonth() !== month - 1) return null;
    return new Date(localMidnight(year, month, day, timeZone).getTime() + (hour * 60 + minute) * 60_000);
  };
  let due: Date | null;
  if (m[3] !== undefined) due = at(m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]));
  else {
    due = at(local.year);
    if (due && due.getTime() <= now.getTime()) due = at(local.year + 1);
  }
  if (!due) return { kind: 'error', reason: 'format' };
  if (due.getTime() <= now.getTime()) return { kind: 'error', reason: 'past' };
  if (due.getTime() - now.getTime() > 366 * 86_400_000) return { kind: 'error', reason: 'too-far' };
  return { kind: 'ok', dueAt: due, text: text.slice(0, 500) };
}

/**
 * Which kind of reply fits now: "решено" after resolution, a promise with its date, else "принято в работу" —
 * unless the citizen was already told so (an acknowledgement was published): then the next stage, a promise.
 */
export function replyStageFor(status: string, hasOpenPromise: boolean, acknowledged = false): ReplyStage {
  if (status === 'resolved' || status === 'closed') return 'resolved';
  if (hasOpenPromise || acknowledged) return 'promise';
  return 'ack';
}

/**
 * Whom an incident may be handed to from its web page (issue 15): anyone who can own incidents (officials, heads,
 * the governor's office), present, other than the current owner; by municipality (region-wide staff last), then name.
 * Who may hand it over is the bot's rule: mayActOn.
 */
export function reassignCandidates(officials: Official[], ownerId: string | null): Official[] {
  return officials
    .filter((o) => o.id !== ownerId && !o.away && (o.role === 'official' || o.role === 'supervisor' || o.role === 'governor_office'))
    .sort((a, b) => (a.municipalityId === null ? 1 : 0) - (b.municipalityId === null ? 1 : 0) || (a.municipalityId ?? '').localeCompare(b.municipalityId ?? '') || a.name.localeCompare(b.name, 'ru'));
}

/** Statuses «Вернуть в работу» acts on from the web: a resolved or closed incident. */
export const REOPENABLE_STATUSES = new Set(['resolved', 'closed']);

/** How long a press officer's «Взять» holds an incident for them (then anyone may take it). */
export const PRESS_CLAIM_MS = 30 * 60_000;

/** May this press officer (or dispatcher) take the incident now: nobody holds it, or they do themselves. */
export function mayClaim(claim: { officialId: string } | null, actorId: string): boolean {
  return claim === null || claim.officialId === actorId;
}
