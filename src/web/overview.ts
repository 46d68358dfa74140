/** The numbers of the overview (dashboard front page and digests), for one viewer's scope. */
import type { Db } from '../db';
import { rankRows, statsDefinitions, type OverdueItem, type StatsFilter, type StatsGroup, type StatsRow } from '../db/stats';
import { lastDays, thisWeek, today, type Period } from '../domain/periods';
import type { Scope } from './access';

export interface StatsSettings {
  targetMinutes: number;
  minIncidents: number;
  timezone: string;
}

export interface Overview {
  generatedAt: Date;
  settings: StatsSettings;
  today: { period: Period; total: StatsRow };
  week: { period: Period; total: StatsRow };
  /** Last 30 days: the ranking (municipalities, or a municipality's officials) and the distribution. */
  month: { period: Period; total: StatsRow; rankingBy: StatsGroup; ranking: StatsRow[] };
  topicsByDay: { period: Period; rows: { day: string; topic: string; incidents: number }[] };
  overdue: { items: OverdueItem[]; total: number };
  definitions: { term: string; text: string }[];
}

/** Scope → the filter columns it fixes. */
export function scopeColumns(scope: Scope): { municipalityId: string | null; officialId: string | null } {
  if (scope.kind === 'municipality') return { municipalityId: scope.municipalityId, officialId: null };
  if (scope.kind === 'own') return { municipalityId: null, officialId: scope.officialId };
  return { municipalityId: null, officialId: null };
}

/** Everything on the front page, in one go. */
export async function loadOverview(db: Db, scope: Scope, s: StatsSettings, now: Date, overdueLimit = 15): Promise<Overview> {
  const cols = scopeColumns(scope);
  const ctx = { targetMinutes: s.targetMinutes, timezone: s.timezone, now };
  const f = (p: Period): StatsFilter => ({ ...p, ...cols });
  const day = today(now, s.timezone);
  const week = thisWeek(now, s.timezone);
  const month = lastDays(now, 30, s.timezone);
  const fortnight = lastDays(now, 14, s.timezone);
  const rankingBy: StatsGroup = scope.kind === 'all' ? 'municipality' : 'official';
  const [d, w, m, t, o] = await Promise.all([
    db.stats.summary(f(day), 'none', ctx),
    db.stats.summary(f(week), 'none', ctx),
    db.stats.summary(f(month), rankingBy, ctx),
    db.stats.topicsByDay(f(fortnight), s.timezone),
    db.stats.overdue(cols, ctx, overdueLimit),
  ]);
  return {
    generatedAt: now,
    settings: s,
    today: { period: day, total: d.total },
    week: { period: week, total: w.total },
    month: { period: month, total: m.total, rankingBy, ranking: rankRows(m.groups, s.minIncidents) },
    topicsByDay: { period: fortnight, rows: t },
    overdue: o,
    definitions: statsDefinitions(s.targetMinutes, s.minIncidents),
  };
}
