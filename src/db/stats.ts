/**
 * Response-time statistics for the governor's office, computed in SQL from the incident clocks
 * (never stored twice). Runs on PostgreSQL 15+ and PGlite. Definitions are written once, below.
 */
import { TOPIC_NAMES_RU, type TopicCode } from '../domain/types';
import { OPEN_STATUSES } from './incidents';
import type { Sql } from './sql';

/** How every number is counted; shown next to the numbers on the dashboard, in the CSV and the API. */
export function statsDefinitions(targetMinutes: number, minIncidents: number): { term: string; text: string }[] {
  const target = formatTarget(targetMinutes);
  return [
    {
      term: 'Время ответа',
      text:
        'От публикации поста гражданина до первого ответа, опубликованного под этим постом (first_response_at − opened_at). ' +
        'Промежуточный ответ («обращение принято, разбираемся») тоже считается ответом: он опубликован и гражданин его видит.',
    },
    {
      term: `Доля в срок (${target})`,
      text:
        `Ответы, данные не позже чем через ${target} после публикации, делённые на все обращения, по которым срок уже наступил: ` +
        'отвеченные плюс оставшиеся без ответа после истечения срока (они считаются нарушением срока). ' +
        'Обращения без ответа, у которых срок ещё не истёк, в долю не входят.',
    },
    {
      term: 'Медиана, 90-й процентиль, среднее',
      text: 'По отвеченным обращениям: половина ответов быстрее медианы, 90 % — быстрее 90-го процентиля.',
    },
    {
      term: 'Распределение',
      text: 'Отвеченные обращения по времени ответа: до 1 ч, 1–4 ч, 4–8 ч, 8–24 ч, более 24 ч (граница входит в меньший интервал); отдельно — без ответа после истечения срока.',
    },
    {
      term: 'Просрочено сейчас',
      text: `Открытые обращения без ответа, у которых срок ответа (назначенный при распределении, иначе ${target} от публикации) уже прошёл.`,
    },
    { term: 'Эскалации', text: 'Обращения, переданные руководителю после нарушения срока ответа.' },
    { term: 'Решено', text: 'Доля обращений, отмеченных как решённые.' },
    {
      term: 'Обещания',
      text: 'Выполнено — отмечено выполненным не позже обещанного срока; не выполнено — отмечено невыполненным, выполнено с опозданием или срок прошёл без отметки.',
    },
    { term: 'Резонансные', text: 'Обращения, к которым присоединились жалобы нескольких разных авторов на одну проблему.' },
    {
      term: 'Период и рейтинг',
      text:
        `Обращение относится к периоду по дате публикации (часовой пояс региона). В рейтинге — только те, у кого не меньше ${minIncidents} обращений за период, ` +
        'чтобы один удачный ответ не выводил на первое место; порядок: доля в срок, затем медиана.',
    },
  ];
}

/** '4 ч' / '90 мин' */
export function formatTarget(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} ч` : `${minutes} мин`;
}

export interface StatsFilter {
  /** Incidents published in [from, to). */
  from: Date;
  to: Date;
  municipalityId?: string | null;
  topic?: string | null;
  officialId?: string | null;
}

export const STATS_GROUPS = ['municipality', 'official', 'topic', 'day', 'none'] as const;
export type StatsGroup = (typeof STATS_GROUPS)[number];

/** What the numbers depend on besides the filter: the target, the region's time zone and the clock. */
export interface StatsContext {
  targetMinutes: number;
  timezone: string;
  now: Date;
}

export interface ResponseBuckets {
  upTo1h: number;
  h1to4: number;
  h4to8: number;
  h8to24: number;
  over24h: number;
  /** Unanswered after the target passed (not among the answered, shown beside them). */
  unansweredLate: number;
}

export interface StatsRow {
  /** Municipality id, official id, topic code, 'YYYY-MM-DD' (local) — null for "not set" or the total. */
  key: string | null;
  label: string;
  incidents: number;
  answered: number;
  withinTarget: number;
  /** Answered + unanswered past the target: the denominator of withinTargetShare. */
  measured: number;
  withinTargetShare: number | null;
  medianMinutes: number | null;
  p90Minutes: number | null;
  meanMinutes: number | null;
  buckets: ResponseBuckets;
  overdueNow: number;
  escalated: number;
  resolved: number;
  resolvedShare: number | null;
  promisesKept: number;
  promisesBroken: number;
  promisesPending: number;
  resonant: number;
  /** Place in the ranking (1 = best), null when not ranked (too few incidents). */
  rank?: number | null;
}

export interface OverdueItem {
  id: string;
  municipalityId: string | null;
  municipalityName: string | null;
  topic: string | null;
  officialId: string | null;
  officialName: string | null;
  priority: string;
  status: string;
  openedAt: Date;
  dueAt: Date;
  overdueMinutes: number;
  escalated: boolean;
  /** The first 200 characters of the citizen's text: escape it wherever it is shown. */
  excerpt: string;
}

type Row = Record<string, unknown>;
const OPEN_LIST = OPEN_STATUSES.map((s) => `'${s}'`).join(', '); // constants, not input

/** Builds `$n` placeholders for a growing parameter list. */
function params() {
  const values: unknown[] = [];
  return { values, p: (v: unknown) => `$${values.push(v)}` };
}

function whereClause(f: StatsFilter, p: (v: unknown) => string, alias = 'i'): string {
  const parts = [`${alias}.opened_at >= ${p(f.from)}`, `${alias}.opened_at < ${p(f.to)}`];
  if (f.municipalityId) parts.push(`${alias}.municipality_id = ${p(f.municipalityId)}`);
  if (f.topic) parts.push(`${alias}.topic = ${p(f.topic)}`);
  if (f.officialId) parts.push(`${alias}.official_id = ${p(f.officialId)}`);
  return parts.join(' AND ');
}

function keyExpr(group: StatsGroup, ctx: StatsContext, p: (v: unknown) => string, alias: string): string {
  switch (group) {
    case 'municipality':
      return `${alias}.municipality_id`;
    case 'official':
      return `${alias}.official_id`;
    case 'topic':
      return `${alias}.topic`;
    case 'day':
      return `to_char(${alias}.opened_at AT TIME ZONE ${p(ctx.timezone)}::text, 'YYYY-MM-DD')`;
    case 'none':
      return `'all'::text`;
  }
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
const share = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** Places rows with at least `minIncidents` (and something measured) 1..n by share within target, then median. */
export function rankRows(rows: StatsRow[], minIncidents: number): StatsRow[] {
  const eligible = rows.filter((r) => r.key !== null && r.incidents >= minIncidents && r.measured > 0);
  eligible.sort(
    (a, b) =>
      (b.withinTargetShare ?? 0) - (a.withinTargetShare ?? 0) ||
      (a.medianMinutes ?? Infinity) - (b.medianMinutes ?? Infinity) ||
      b.incidents - a.incidents ||
      String(a.key).localeCompare(String(b.key)),
  );
  const rank = new Map(eligible.map((r, i) => [r, i + 1]));
  const ranked = rows.map((r) => ({ ...r, rank: rank.get(r) ?? null }));
  return ranked.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || b.incidents - a.incidents || String(a.key).localeCompare(String(b.key)));
}

/** Queries behind the dashboard, the CSV export and the digests. */
export const statsQueries = (sql: Sql) => ({
  /**
   * One row per group plus the total (GROUPING SETS: one pass over the period), labels in Russian.
   * Rows are ordered by key; rank them with rankRows.
   */
  async summary(f: StatsFilter, group: StatsGroup, ctx: StatsContext): Promise<{ total: StatsRow; groups: StatsRow[] }> {
    const { values, p } = params();
    const where = whereClause(f, p);
    const key = keyExpr(group, ctx, p, 'base');
    const target = p(ctx.targetMinutes);
    const now = p(ctx.now);
    const lateAt = `base.opened_at + ${target}::int * interval '1 minute'`;
    const grouping = (k: string) => (group === 'none' ? '()' : `GROUPING SETS ((${k}), ())`);
    const isTotal = (k: string) => (group === 'none' ? 'true' : `GROUPING(${k}) = 1`);
    const main = sql.query<Row>(
      `WITH base AS (
         SELECT i.municipality_id, i.official_id, i.topic, i.opened_at, i.response_due_at, i.escalated_at, i.resolved_at,
                i.resonant, i.status, CASE WHEN i.first_response_at IS NOT NULL -- greatest() would turn NULL into 0
                THEN greatest(extract(epoch FROM i.first_response_at - i.opened_at)::float8 / 60, 0) END AS rt
         FROM incidents i WHERE ${where}
       )
       SELECT ${key} AS key, ${isTotal(key)} AS is_total,
         count(*)::int AS incidents,
         count(rt)::int AS answered,
         count(*) FILTER (WHERE rt <= ${target}::float8)::int AS within_target,
         count(*) FILTER (WHERE rt IS NOT NULL OR ${lateAt} <= ${now})::int AS measured,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY rt) AS median,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY rt) AS p90,
         avg(rt)::float8 AS mean,
         count(*) FILTER (WHERE rt <= 60)::int AS b0,
         count(*) FILTER (WHERE rt > 60 AND rt <= 240)::int AS b1,
         count(*) FILTER (WHERE rt > 240 AND rt <= 480)::int AS b2,
         count(*) FILTER (WHERE rt > 480 AND rt <= 1440)::int AS b3,
         count(*) FILTER (WHERE rt > 1440)::int AS b4,
         count(*) FILTER (WHERE rt IS NULL AND ${lateAt} <= ${now})::int AS late,
         count(*) FILTER (WHERE rt IS NULL AND status IN (${OPEN_LIST})
                          AND coalesce(response_due_at, ${lateAt}) < ${now})::int AS overdue,
         count(escalated_at)::int AS escalated,
         count(resolved_at)::int AS resolved,
         count(*) FILTER (WHERE resonant)::int AS resonant
       FROM base GROUP BY ${grouping(key)}`,
      values,
    );
    const pp = params();
    const pwhere = whereClause(f, pp.p);
    const pkey = keyExpr(group, ctx, pp.p, 'i');
    const pnow = pp.p(ctx.now);
    const promises = sql.query<Row>(
      `SELECT ${pkey} AS key, ${isTotal(pkey)} AS is_total,
         count(*) FILTER (WHERE pr.kept_at IS NOT NULL AND pr.kept_at <= pr.due_at)::int AS kept,
         count(*) FILTER (WHERE pr.broken_at IS NOT NULL OR pr.kept_at > pr.due_at
                          OR (pr.kept_at IS NULL AND pr.due_at < ${pnow}))::int AS broken,
         count(*) FILTER (WHERE pr.kept_at IS NULL AND pr.broken_at IS NULL AND pr.due_at >= ${pnow})::int AS pending
       FROM promises pr JOIN incidents i ON i.id = pr.incident_id
       WHERE ${pwhere}
       GROUP BY ${grouping(pkey)}`,
      pp.values,
    );
    const [m, pr, labels] = await Promise.all([main, promises, this.labels(group)]);
    const promiseByKey = new Map(pr.rows.map((x) => [x.is_total ? '\u0000total' : String(x.key), x]));
    const toRow = (x: Row | undefined, keyValue: string | null, total: boolean): StatsRow => {
      const n = (k: string) => (x ? (x[k] as number) : 0);
      const prow = promiseByKey.get(total ? '\u0000total' : String(keyValue));
      return {
        key: total ? null : keyValue,
        label: total ? 'Всего' : labelFor(group, keyValue, labels),
        incidents: n('incidents'),
        answered: n('answered'),
        withinTarget: n('within_target'),
        measured: n('measured'),
        withinTargetShare: share(n('within_target'), n('measured')),
        medianMinutes: num(x?.median),
        p90Minutes: num(x?.p90),
        meanMinutes: num(x?.mean),
        buckets: { upTo1h: n('b0'), h1to4: n('b1'), h4to8: n('b2'), h8to24: n('b3'), over24h: n('b4'), unansweredLate: n('late') },
        overdueNow: n('overdue'),
        escalated: n('escalated'),
        resolved: n('resolved'),
        resolvedShare: share(n('resolved'), n('incidents')),
        promisesKept: (prow?.kept as number) ?? 0,
        promisesBroken: (prow?.broken as number) ?? 0,
        promisesPending: (prow?.pending as number) ?? 0,
        resonant: n('resonant'),
      };
    };
    const totalRow = m.rows.find((x) => x.is_total);
    const groups = group === 'none' ? [] : m.rows.filter((x) => !x.is_total).map((x) => toRow(x, (x.key as string) ?? null, false));
    groups.sort((a, b) => String(a.key ?? '\uffff').localeCompare(String(b.key ?? '\uffff')));
    return { total: toRow(totalRow, null, true), groups };
  },

  /** Incident counts per local day and topic (topics over time). */
  async topicsByDay(f: StatsFilter, timezone: string): Promise<{ day: string; topic: string; incidents: number }[]> {
    const { values, p } = params();
    const where = whereClause(f, p);
    const r = await sql.query<{ day: string; topic: string; n: number }>(
      `SELECT to_char(i.opened_at AT TIME ZONE ${p(timezone)}::text, 'YYYY-MM-DD') AS day, coalesce(i.topic, 'other') AS topic,
              count(*)::int AS n
       FROM incidents i WHERE ${where} GROUP BY 1, 2 ORDER BY 1, 2`,
      values,
    );
    return r.rows.map((x) => ({ day: x.day, topic: x.topic, incidents: x.n }));
  },

  /** Open incidents without a first response whose deadline has passed, the longest overdue first. */
  async overdue(
    scope: { municipalityId?: string | null; officialId?: string | null },
    ctx: Pick<StatsContext, 'targetMinutes' | 'now'>,
    limit = 20,
  ): Promise<{ items: OverdueItem[]; total: number }> {
    const { values, p } = params();
    const due = `coalesce(i.response_due_at, i.opened_at + ${p(ctx.targetMinutes)}::int * interval '1 minute')`;
    const conds = [`i.first_response_at IS NULL`, `i.status IN (${OPEN_LIST})`, `${due} < ${p(ctx.now)}`];
    if (scope.municipalityId) conds.push(`i.municipality_id = ${p(scope.municipalityId)}`);
    if (scope.officialId) conds.push(`i.official_id = ${p(scope.officialId)}`);
    const where = conds.join(' AND ');
    // The few rows shown are joined after the limit; the count needs no join (partial index on unanswered).
    const lim = p(limit);
    const [r, c] = await Promise.all([
      sql.query<Row>(
        `WITH od AS (SELECT i.id, ${due} AS due_at FROM incidents i WHERE ${where} ORDER BY due_at, i.id LIMIT ${lim})
         SELECT i.id::text, i.municipality_id, mu.name AS municipality_name, i.topic, i.official_id, o.name AS official_name,
                i.priority, i.status, i.opened_at, od.due_at, i.escalated_at, left(m.text, 200) AS excerpt
         FROM od JOIN incidents i ON i.id = od.id
         JOIN messages m ON m.id = i.primary_message_id
         LEFT JOIN municipalities mu ON mu.id = i.municipality_id
         LEFT JOIN officials o ON o.id = i.official_id
         ORDER BY od.due_at, i.id`,
        values,
      ),
      sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents i WHERE ${where}`, values.slice(0, -1)),
    ]);
    const items = r.rows.map((x) => ({
      id: x.id as string,
      municipalityId: (x.municipality_id as string) ?? null,
      municipalityName: (x.municipality_name as string) ?? null,
      topic: (x.topic as string) ?? null,
      officialId: (x.official_id as string) ?? null,
      officialName: (x.official_name as string) ?? null,
      priority: x.priority as string,
      status: x.status as string,
      openedAt: x.opened_at as Date,
      dueAt: x.due_at as Date,
      overdueMinutes: Math.floor((ctx.now.getTime() - (x.due_at as Date).getTime()) / 60_000),
      escalated: x.escalated_at !== null,
      excerpt: x.excerpt as string,
    }));
    return { items, total: c.rows[0].n };
  },

  /** Russian labels of the keys of a grouping (municipality and official names). */
  async labels(group: StatsGroup): Promise<Map<string, string>> {
    if (group === 'municipality') {
      const r = await sql.query<{ id: string; name: string }>('SELECT id, name FROM municipalities');
      return new Map(r.rows.map((x) => [x.id, x.name]));
    }
    if (group === 'official') {
      const r = await sql.query<{ id: string; name: string; position: string | null }>('SELECT id, name, position FROM officials');
      return new Map(r.rows.map((x) => [x.id, x.position ? `${x.name} (${x.position})` : x.name]));
    }
    return new Map();
  },
});

function labelFor(group: StatsGroup, key: string | null, labels: Map<string, string>): string {
  switch (group) {
    case 'municipality':
      return key === null ? 'Не определено' : (labels.get(key) ?? key);
    case 'official':
      return key === null ? 'Не назначено' : (labels.get(key) ?? key);
    case 'topic':
      return key === null ? 'Тема не определена' : (TOPIC_NAMES_RU[key as TopicCode] ?? key);
    case 'day':
      return key === null ? '—' : `${key.slice(8, 10)}.${key.slice(5, 7)}.${key.slice(0, 4)}`;
    case 'none':
      return 'Всего';
  }
}

export type StatsQueries = ReturnType<typeof statsQueries>;
