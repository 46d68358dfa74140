/** The four-hour clock: deadlines, reminder times and what a timer does when it fires. Pure. */
import type { TopicCode } from './types';

export type SlaKind = 'half' | 'three-quarters' | 'breach';

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

/** The first-response deadline: the clock runs from the post's publication, not from our detection. */
export function responseDeadline(openedAt: Date, targetMinutes: number): Date {
  return new Date(openedAt.getTime() + targetMinutes * MINUTE);
}

/** The resolution deadline for a topic (null topic: the 'other' deadline). */
export function resolutionDeadline(openedAt: Date, topic: TopicCode | null): Date {
  return new Date(openedAt.getTime() + RESOLUTION_DAYS[topic ?? 'other'] * 24 * 60 * MINUTE);
}

/** When each timer fires. */
export function slaSchedule(openedAt: Date, targetMinutes: number): { kind: SlaKind; at: Date }[] {
  return (Object.keys(SLA_FRACTIONS) as SlaKind[]).map((kind) => ({
    kind,
    at: new Date(openedAt.getTime() + SLA_FRACTIONS[kind] * targetMinutes * MINUTE),
  }));
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
): SlaDecision {
  if (i.firstResponseAt) return { kind: 'skip', reason: 'answered' };
  if (i.status === 'resolved' || i.status === 'closed') return { kind: 'skip', reason: 'closed' };
  if (!i.officialId) return { kind: 'skip', reason: 'not-assigned' };
  const due = (k: SlaKind) => i.openedAt.getTime() + SLA_FRACTIONS[k] * targetMinutes * MINUTE;
  if (now.getTime() < due(kind)) return { kind: 'skip', reason: 'not-yet' };
  if (kind === 'breach') return { kind: 'escalate' };
  if (now.getTime() >= due('breach')) return { kind: 'skip', reason: 'superseded' };
  if (kind === 'half' && now.getTime() >= due('three-quarters')) return { kind: 'skip', reason: 'superseded' };
  return { kind: 'remind', fraction: SLA_FRACTIONS[kind] };
}
