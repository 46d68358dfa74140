/** The four-hour clock: deadlines, reminder times and what a timer does when it fires. Pure. */
import { localMidnight, localParts } from './periods';
import type { TopicCode } from './types';

export type SlaKind = 'half' | 'three-quarters' | 'breach';

/**
 * Every timer an incident can have: the response clock (SlaKind), the resolution deadline
 * (a warning before it, and the breach) and a promise's due date (`ref` = the promise id).
 */
export type TimerKind = SlaKind | 'resolution-warn' | 'resolution-breach' | 'promise-due';

/** When the clock runs: around the clock, or on working days between two local hours (Mon–Fri). */
export type SlaCalendar =
  | { kind: '24x7' }
  | { kind: 'workdays'; startHour: number; endHour: number; timezone: string };

/** Parses `SLA_CALENDAR` ('24x7' | 'workdays-9-18'); the time zone is the region's. Throws on a bad spec. */
export function parseSlaCalendar(spec: string, timezone: string): SlaCalendar {
  if (spec === '24x7') return { kind: '24x7' };
  const m = /^workdays-(\d{1,2})-(\d{1,2})$/.exec(spec);
  if (!m || Number(m[1]) >= Number(m[2]) || Number(m[2]) > 24) throw new Error(`bad SLA calendar "${spec}": 24x7 or workdays-H1-H2`);
  return { kind: 'workdays', startHour: Number(m[1]), endHour: Number(m[2]), timezone };
}

/**
 * `minutes` of clock time after `start`: plain addition for 24/7; for a working-hours calendar only
 * the time inside Mon–Fri [startHour, endHour) of the region's local time counts (public holidays are
 * not modelled). A start outside working hours begins counting at the next working hour.
 */
export function addClockMinutes(start: Date, minutes: number, cal: SlaCalendar = { kind: '24x7' }): Date {
  if (cal.kind === '24x7') return new Date(start.getTime() + minutes * MINUTE);
  let t = start.getTime();
  let left = Math.round(minutes * MINUTE);
  for (let guard = 0; guard < 10_000; guard++) {
    const p = localParts(new Date(t), cal.timezone);
    const midnight = localMidnight(p.year, p.month, p.day, cal.timezone).getTime();
    const open = midnight + cal.startHour * 60 * MINUTE;
    const close = midnight + cal.endHour * 60 * MINUTE;
    const workday = p.weekday >= 1 && p.weekday <= 5;
    if (!workday || t >= close) {
      // the next local day's midnight (+26 h always lands on the next calendar day, DST or not)
      const n = localParts(new Date(midnight + 26 * 60 * MINUTE), cal.timezone);
      t = localMidnight(n.year, n.month, n.day, cal.timezone).getTime() + cal.startHour * 60 * MINUTE;
      continue;
    }
    if (t < open) t = open;
    if (left <= close - t) return new Date(t + left);
    left -= close - t;
    t = close;
  }
  throw new Error('addClockMinutes: calendar has no working time');
}

/** Fractions of the response target at which each timer fires (reminders at ½ and ¾, escalation at 1). */
export const SLA_FRACTIONS: Record<SlaKind, number> = { half: 0.5, 'three-quarters': 0.75, breach: 1 };

/** Days to resolve a problem, by topic (the first response target is separate: SLA_TARGET_MINUTES). */
export const RESOLUTION_DAYS: Record<TopicCode, number> = {
  housing: 3,
  roads: 14,
  waste: 2,
  transport: 7,
  healthcare: 5,
  education: 10,
  landscaping: 14,
  social: 10,
  safety: 2,
  ecology: 10,
  other: 10,
};

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The first-response deadline: the clock runs from the post's publication, not from our detection. */
export function responseDeadline(openedAt: Date, targetMinutes: number, cal?: SlaCalendar): Date {
  return addClockMinutes(openedAt, targetMinutes, cal);
}

/** The resolution deadline for a topic (null topic: the 'other' deadline). */
export function resolutionDeadline(openedAt: Date, topic: TopicCode | null): Date {
  return new Date(openedAt.getTime() + RESOLUTION_DAYS[topic ?? 'other'] * 24 * 60 * MINUTE);
}

/** When each timer fires. */
export function slaSchedule(openedAt: Date, targetMinutes: number, cal?: SlaCalendar): { kind: SlaKind; at: Date }[] {
  return (Object.keys(SLA_FRACTIONS) as SlaKind[]).map((kind) => ({
    kind,
    at: addClockMinutes(openedAt, SLA_FRACTIONS[kind] * targetMinutes, cal),
  }));
}

/**
 * Every timer of a newly assigned incident: the response clock, and for the resolution deadline a
 * warning one day before it (at half of the period when that is shorter than two days) and the breach.
 */
export function incidentTimers(
  openedAt: Date,
  targetMinutes: number,
  resolutionDueAt: Date | null,
  cal?: SlaCalendar,
): { kind: TimerKind; ref: string; at: Date }[] {
  const out: { kind: TimerKind; ref: string; at: Date }[] = slaSchedule(openedAt, targetMinutes, cal).map((t) => ({ ...t, ref: '' }));
  if (resolutionDueAt) {
    const span = resolutionDueAt.getTime() - openedAt.getTime();
    const warn = span >= 2 * DAY ? resolutionDueAt.getTime() - DAY : openedAt.getTime() + span / 2;
    out.push({ kind: 'resolution-warn', ref: '', at: new Date(warn) }, { kind: 'resolution-breach', ref: '', at: resolutionDueAt });
  }
  return out;
}

export type LongTimerDecision =
  | { kind: 'skip'; reason: 'closed' | 'not-yet' | 'not-assigned' | 'kept' | 'superseded' }
  | { kind: 'remind' }
  | { kind: 'escalate' };

/**
 * What a resolution or promise timer does at `now` (`dueAt` is the timer's own time): nothing once the
 * incident is resolved or closed, or the promise kept; a resolution warning is superseded by the breach.
 * A due promise escalates (the promise is broken), a resolution breach escalates, a warning reminds.
 */
export function decideLongTimer(
  i: { status: string; officialId: string | null; resolutionDueAt: Date | null },
  kind: 'resolution-warn' | 'resolution-breach' | 'promise-due',
  dueAt: Date,
  now: Date,
  promise?: { keptAt: Date | null; brokenAt: Date | null } | null,
): LongTimerDecision {
  if (i.status === 'resolved' || i.status === 'closed') return { kind: 'skip', reason: 'closed' };
  if (!i.officialId) return { kind: 'skip', reason: 'not-assigned' };
  if (now.getTime() < dueAt.getTime()) return { kind: 'skip', reason: 'not-yet' };
  if (kind === 'promise-due') return promise && !promise.keptAt ? { kind: 'escalate' } : { kind: 'skip', reason: 'kept' };
  if (kind === 'resolution-warn') {
    return i.resolutionDueAt && now.getTime() >= i.resolutionDueAt.getTime() ? { kind: 'skip', reason: 'superseded' } : { kind: 'remind' };
  }
  return { kind: 'escalate' };
}

export type SlaDecision =
  | { kind: 'skip'; reason: 'answered' | 'closed' | 'not-assigned' | 'superseded' | 'not-yet' }
  | { kind: 'remind'; fraction: number }
  | { kind: 'escalate' };

/**
 * What a timer does at `now`: nothing once the incident is answered or closed; a reminder is skipped
 * when the breach is already due (the escalation says more); fires only when its time has come.
 */
export function decideSla(
  i: { status: string; firstResponseAt: Date | null; officialId: string | null; openedAt: Date },
  kind: SlaKind,
  now: Date,
  targetMinutes: number,
  cal?: SlaCalendar,
): SlaDecision {
  if (i.firstResponseAt) return { kind: 'skip', reason: 'answered' };
  if (i.status === 'resolved' || i.status === 'closed') return { kind: 'skip', reason: 'closed' };
  if (!i.officialId) return { kind: 'skip', reason: 'not-assigned' };
  const due = (k: SlaKind) => addClockMinutes(i.openedAt, SLA_FRACTIONS[k] * targetMinutes, cal).getTime();
  if (now.getTime() < due(kind)) return { kind: 'skip', reason: 'not-yet' };
  if (kind === 'breach') return { kind: 'escalate' };
  if (now.getTime() >= due('breach')) return { kind: 'skip', reason: 'superseded' };
  if (kind === 'half' && now.getTime() >= due('three-quarters')) return { kind: 'skip', reason: 'superseded' };
  return { kind: 'remind', fraction: SLA_FRACTIONS[kind] };
}
