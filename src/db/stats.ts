/**
 * Response-time statistics for the governor's office, computed in SQL from the incident clocks
 * (never stored twice). Runs on PostgreSQL 15+ and PGlite. Definitions are written once, below.
 */
import { TOPIC_NAMES_RU, type TopicCode } from '../domain/types';
import { NOT_SET_ALONE } from '../domain/wording';
import { OPEN_LIST } from './incidents';
import type { Sql } from './sql';

/** How every number is counted; shown next to the numbers on the dashboard, in the CSV and the API. */
export function statsDefinitions(targetMinutes: number, minIncidents: number): { term: string; text: string }[] {
  const target = formatTarget(targetMinutes);
  return [
    {
      term: 'Время ответа',
      text:
        'От публикации поста гражданина до первого ответа, опубликованного под этим постом. ' +
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

/** Builds `$n` placeholders for a growing parameter list. */
function params() {
  const values: unknown[] = [];
  return { values, p: (v: unknown) => `$${values.push(v)}` };
}

function whereClause(f: StatsFilter, p: (v: unknown) => string, alias = 'i'): string {
  // A post the duty officer's triage found not to be an appeal ('dismissed', never answered) is no incident here.
  const parts = [`${alias}.opened_at >= ${p(f.from)}`, `${alias}.opened_at < ${p(f.to)}`, `${alias}.status <> 'dismissed'`];
  if (f.municipalityId) parts.push(`${alias}.municipality_id = ${p(f.municipalityId)}`);
  if (f.topic) parts.push(`${alias}.topic = ${p(f.topic)}`);
  if (f.officialId) parts.push(`${alias}.official_id = ${p(f.officialId)}`);
  return parts.join(' AND ');
}

/** The municipality / topic / official part of a filter (no period), each as ` AND …`. */
function dimsFilter(f: StatsFilter, p: (v: unknown) => string, alias: string): string {
  const parts: string[] = [];
  if (f.municipalityId) parts.push(`${alias}.municipality_id = ${p(f.municipalityId)}`);
  if (f.topic) parts.push(`${alias}.topic = ${p(f.topic)}`);
  if (f.officialId) parts.push(`${alias}.official_id = ${p(f.officialId)}`);
  return parts.map((x) => ` AND ${x}`).join('');
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
/** The per-key numbers of a summary as SQL (or the fast path) gives them, before labels and promises. */
type AggRow = Row & { key: string | null; is_total: boolean };

/** Whether the rollup can answer for this target: it must be a band bound (a multiple of 10 minutes up to 24 h, …). */
export function stats_band(m: number): number {
  if (m <= 1440) return Math.floor((m + 9) / 10) * 10;
  if (m <= 10080) return Math.floor((m + 59) / 60) * 60;
  return Math.floor((m + 1439) / 1440) * 1440;
}
/** How often the fast path found the rollup disagreeing with incidents and answered exactly instead (expected: 0). */
export const rollupFallbacks = { count: 0 };
const rollupServes = (targetMinutes: number) => Number.isInteger(targetMinutes) && targetMinutes >= 0 && stats_band(targetMinutes) === targetMinutes;

const PERCENTILES = [
  ['median', 0.5],
  ['p90', 0.9],
] as const;

/** The exact numbers, one pass over the period's incidents: the definition the fast path must equal. */
async function exactRows(q: Sql, f: StatsFilter, group: StatsGroup, ctx: StatsContext): Promise<AggRow[]> {
  const { values, p } = params();
  const where = whereClause(f, p);
  const key = keyExpr(group, ctx, p, 'base');
  const target = p(ctx.targetMinutes);
  const now = p(ctx.now);
  const lateAt = `base.opened_at + ${target}::int * interval '1 minute'`;
  const r = await q.query<AggRow>(
    `WITH base AS (
       SELECT i.municipality_id, i.official_id, i.topic, i.opened_at, i.response_due_at, i.escalated_at, i.resolved_at,
              i.resonant, i.status, CASE WHEN i.first_response_at IS NOT NULL -- greatest() would turn NULL into 0
              THEN greatest(extract(epoch FROM i.first_response_at - i.opened_at)::float8 / 60, 0) END AS rt,
              greatest(extract(epoch FROM i.first_response_at - i.opened_at), 0) AS rt_s
       FROM incidents i WHERE ${where}
     )
     SELECT ${key} AS key, ${isTotal(group, key)} AS is_total,
       count(*)::int AS incidents,
       count(rt)::int AS answered,
       count(*) FILTER (WHERE rt <= ${target}::float8)::int AS within_target,
       count(*) FILTER (WHERE rt IS NOT NULL OR ${lateAt} <= ${now})::int AS measured,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY rt) AS median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY rt) AS p90,
       -- the mean from the exact sum in microseconds, so that the rollup (sums of sums) gives the very same number
       (sum(rt_s) * 1000000)::bigint::text AS rt_us,
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
     FROM base GROUP BY ${grouping(group, key)}`,
    values,
  );
  return r.rows;
}

const grouping = (group: StatsGroup, k: string) => (group === 'none' ? '()' : `GROUPING SETS ((${k}), ())`);
const isTotal = (group: StatsGroup, k: string) => (group === 'none' ? 'true' : `GROUPING(${k}) = 1`);
const TOTAL = '\u0000total';
const mapKey = (x: { key: unknown; is_total: unknown }) => (x.is_total ? TOTAL : String(x.key));

/** Promises kept / broken / pending per key (small: promises join their incidents of the period). */
async function promiseRows(q: Sql, f: StatsFilter, group: StatsGroup, ctx: StatsContext): Promise<Row[]> {
  const pp = params();
  const pwhere = whereClause(f, pp.p);
  const pkey = keyExpr(group, ctx, pp.p, 'i');
  const pnow = pp.p(ctx.now);
  const r = await q.query<Row>(
    `SELECT ${pkey} AS key, ${isTotal(group, pkey)} AS is_total,
       count(*) FILTER (WHERE pr.kept_at IS NOT NULL AND pr.kept_at <= pr.due_at)::int AS kept,
       count(*) FILTER (WHERE pr.broken_at IS NOT NULL OR pr.kept_at > pr.due_at
                        OR (pr.kept_at IS NULL AND pr.due_at < ${pnow}))::int AS broken,
       count(*) FILTER (WHERE pr.kept_at IS NULL AND pr.broken_at IS NULL AND pr.due_at >= ${pnow})::int AS pending
     FROM promises pr JOIN incidents i ON i.id = pr.incident_id
     WHERE ${pwhere}
     GROUP BY ${grouping(group, pkey)}`,
    pp.values,
  );
  return r.rows;
}

/**
 * The same numbers from the daily rollup (answered incidents of whole local days, by band), the raw incidents of
 * the partial days at the edges of the period, and the raw unanswered incidents (what depends on the clock).
 * Percentiles: the bands' counts locate the band and the place in it of each rank percentile_cont reads; the
 * raw answered incidents of those few bands give the exact values, interpolated exactly as PostgreSQL does.
 * Returns null when the rollup and the raw rows disagree (never expected; the caller answers exactly then).
 */
async function fastRows(q: Sql, f: StatsFilter, group: StatsGroup, ctx: StatsContext): Promise<AggRow[] | null> {
  const b = await q.query<{ d0: string; d1: string; s0: Date; s1: Date }>(
    `SELECT d0::text, d1::text,
            CASE WHEN d0 < d1 THEN d0::timestamp AT TIME ZONE $3::text ELSE $2::timestamptz END AS s0,
            CASE WHEN d0 < d1 THEN d1::timestamp AT TIME ZONE $3::text ELSE $2::timestamptz END AS s1
     FROM (SELECT CASE WHEN (f0::timestamp AT TIME ZONE $3::text) = $1::timestamptz THEN f0 ELSE f0 + 1 END AS d0, t0 AS d1
           FROM (SELECT ($1::timestamptz AT TIME ZONE $3::text)::date AS f0, ($2::timestamptz AT TIME ZONE $3::text)::date AS t0) a) b`,
    [f.from, f.to, ctx.timezone],
  );
  const { d0, d1, s0, s1 } = b.rows[0];

  // Answered: counts and exact second sums per key and band, per key, and in total.
  const a = params();
  const dims = (alias: string) => dimsFilter(f, a.p, alias);
  const rollKey = group === 'day' ? `to_char(r.day, 'YYYY-MM-DD')` : group === 'none' ? `'all'::text` : `r.${group === 'municipality' ? 'municipality_id' : group === 'official' ? 'official_id' : 'topic'}`;
  const rawKey = keyExpr(group, ctx, a.p, 'i');
  const rawAnswered = (lo: string, hi: string) =>
    `SELECT ${rawKey} AS key, stats_band(stats_minute(i.first_response_at, i.opened_at)) AS band, 1 AS n,
            greatest(extract(epoch FROM i.first_response_at - i.opened_at), 0) AS rt_s,
            (i.escalated_at IS NOT NULL)::int AS esc, (i.resolved_at IS NOT NULL)::int AS res, i.resonant::int AS reso
     FROM incidents i WHERE i.first_response_at IS NOT NULL AND i.opened_at >= ${lo} AND i.opened_at < ${hi}${dims('i')}`;
  const pFrom = a.p(f.from);
  const pTo = a.p(f.to);
  const pS0 = a.p(s0);
  const pS1 = a.p(s1);
  const rollup = `SELECT ${rollKey} AS key, r.band, r.answered AS n, r.rt_seconds AS rt_s, r.escalated AS esc, r.resolved AS res, r.resonant AS reso
     FROM stats_daily r WHERE r.day >= ${a.p(d0)}::date AND r.day < ${a.p(d1)}::date AND r.answered > 0${dims('r')}`; // 0: all moved away
  const ans = await q.query<Row>(
    `WITH x AS (${rollup} UNION ALL ${rawAnswered(pFrom, pS0)} UNION ALL ${rawAnswered(pS1, pTo)})
     SELECT key, band, sum(n)::int AS n, (sum(rt_s) * 1000000)::bigint::text AS rt_us,
            sum(esc)::int AS escalated, sum(res)::int AS resolved, sum(reso)::int AS resonant
     FROM x GROUP BY key, band ORDER BY band`,
    a.values,
  );

  // Unanswered: straight from incidents (few; their lateness depends on the clock and the target).
  const u = params();
  const uwhere = whereClause(f, u.p);
  const ukey = keyExpr(group, ctx, u.p, 'i');
  const lateAt = `i.opened_at + ${u.p(ctx.targetMinutes)}::int * interval '1 minute'`;
  const unow = u.p(ctx.now);
  const un = await q.query<Row>(
    `SELECT ${ukey} AS key, ${isTotal(group, ukey)} AS is_total, count(*)::int AS incidents,
       count(*) FILTER (WHERE ${lateAt} <= ${unow})::int AS late,
       count(*) FILTER (WHERE i.status IN (${OPEN_LIST}) AND coalesce(i.response_due_at, ${lateAt}) < ${unow})::int AS overdue,
       count(i.escalated_at)::int AS escalated, count(i.resolved_at)::int AS resolved, count(*) FILTER (WHERE i.resonant)::int AS resonant
     FROM incidents i WHERE i.first_response_at IS NULL AND ${uwhere}
     GROUP BY ${grouping(group, ukey)}`,
    u.values,
  );

  // Per key: the bands (ascending), and the sums.
  interface Acc { key: string | null; total: boolean; bands: [number, number][]; rtUs: bigint; esc: number; res: number; reso: number; un?: Row }
  const accs = new Map<string, Acc>();
  const acc = (key: string | null, total: boolean) => {
    const k = total ? TOTAL : String(key);
    let x = accs.get(k);
    if (!x) accs.set(k, (x = { key: total ? null : key, total, bands: [], rtUs: 0n, esc: 0, res: 0, reso: 0 }));
    return x;
  };
  acc(null, true);
  for (const r of ans.rows) {
    // Rows come by band: each key's bands, and the total's, are ascending. With group 'none' the key is the total.
    for (const x of group === 'none' ? [acc(null, true)] : [acc((r.key as string) ?? null, false), acc(null, true)]) {
      const last = x.bands[x.bands.length - 1];
      if (last && last[0] === r.band) last[1] += r.n as number;
      else x.bands.push([r.band as number, r.n as number]);
      x.rtUs += BigInt(r.rt_us as string);
      x.esc += r.escalated as number;
      x.res += r.resolved as number;
      x.reso += r.resonant as number;
    }
  }
  for (const r of un.rows) acc((r.key as string) ?? null, Boolean(r.is_total)).un = r;

  // Which (key, band, rank) values percentile_cont reads.
  interface Want { acc: Acc; band: number; rank: number }
  const wants: Want[] = [];
  const plan = new Map<Acc, { p: string; lo: Want; hi: Want; frac: number }[]>();
  const locate = (x: Acc, rank: number): Want => {
    let before = 0;
    for (const [band, n] of x.bands) {
      if (rank < before + n) return { acc: x, band, rank: rank - before };
      before += n;
    }
    return { acc: x, band: -1, rank }; // cannot happen (n counts the bands); found by no row → exact answer
  };
  for (const x of accs.values()) {
    const n = x.bands.reduce((s, [, c]) => s + c, 0);
    if (n === 0) continue;
    const list = PERCENTILES.map(([name, pct]) => {
      const pos = pct * (n - 1);
      const lo = locate(x, Math.floor(pos));
      const hi = locate(x, Math.ceil(pos));
      wants.push(lo, hi);
      return { p: name, lo, hi, frac: pos - Math.floor(pos) };
    });
    plan.set(x, list);
  }
  const values = new Map<string, number>();
  const wantId = (total: boolean, key: string | null, band: number, rank: number) => `${total ? TOTAL : String(key)}\u0001${band}\u0001${rank}`;
  const rtExpr = 'greatest(extract(epoch FROM i.first_response_at - i.opened_at)::float8 / 60, 0)';
  const bandExpr = 'stats_band(stats_minute(i.first_response_at, i.opened_at))';
  // Per day, a group's band holds a few rows of that day: fetched by index, one (day, band) at a time.
  const byDay = group === 'day' ? wants.filter((x) => !x.acc.total) : [];
  const onePass = group === 'day' ? wants.filter((x) => x.acc.total) : wants;
  if (byDay.length > 0) {
    const w = params();
    const tz = w.p(ctx.timezone);
    const r = await q.query<{ key: string; band: number; rk: number; rt: number }>(
      `SELECT w.k AS key, w.b AS band, w.n AS rk, v.rt
       FROM unnest(${w.p(byDay.map((x) => x.acc.key))}::text[], ${w.p(byDay.map((x) => x.band))}::int[], ${w.p(byDay.map((x) => x.rank))}::int[]) AS w(k, b, n)
       CROSS JOIN LATERAL (
         SELECT ${rtExpr} AS rt FROM incidents i
         WHERE i.first_response_at IS NOT NULL AND ${bandExpr} = w.b
           AND i.opened_at >= greatest(${w.p(f.from)}::timestamptz, w.k::date::timestamp AT TIME ZONE ${tz}::text)
           AND i.opened_at < least(${w.p(f.to)}::timestamptz, (w.k::date + 1)::timestamp AT TIME ZONE ${tz}::text)
           ${dimsFilter(f, w.p, 'i')}
         ORDER BY 1 OFFSET w.n LIMIT 1) v`,
      w.values,
    );
    for (const x of r.rows) values.set(wantId(false, x.key, x.band, x.rk), Number(x.rt));
  }
  if (onePass.length > 0) {
    // One pass over the answered incidents of the few bands wanted, ranked within (band, key) and within band.
    const w = params();
    const wkey = keyExpr(group, ctx, w.p, 'i');
    const wwhere = whereClause(f, w.p);
    const groupWants = onePass.filter((x) => !x.acc.total);
    const totalWants = onePass.filter((x) => x.acc.total);
    const NUL = `chr(1)`; // stands for the NULL key (no municipality, official, topic) in the hashed lists
    const r = await q.query<{ key: string | null; band: number; rk: number; rk_total: number; rt: number }>(
      `WITH x AS (
         SELECT ${wkey} AS key, ${bandExpr} AS band, ${rtExpr} AS rt
         FROM incidents i WHERE i.first_response_at IS NOT NULL AND ${wwhere} AND ${bandExpr} = ANY(${w.p([...new Set(onePass.map((x) => x.band))])}::int[])
       ), r AS (
         SELECT key, band, rt, (row_number() OVER (PARTITION BY band, key ORDER BY rt) - 1)::int AS rk,
                (row_number() OVER (PARTITION BY band ORDER BY rt) - 1)::int AS rk_total
         FROM x
       )
       SELECT key, band, rk, rk_total, rt FROM r
       WHERE (coalesce(key, ${NUL}), band, rk) IN (SELECT coalesce(k, ${NUL}), b, n FROM unnest(${w.p(groupWants.map((x) => x.acc.key))}::text[],
                                                      ${w.p(groupWants.map((x) => x.band))}::int[], ${w.p(groupWants.map((x) => x.rank))}::int[]) AS g(k, b, n))
          OR (band, rk_total) IN (SELECT b, n FROM unnest(${w.p(totalWants.map((x) => x.band))}::int[], ${w.p(totalWants.map((x) => x.rank))}::int[]) AS t(b, n))`,
      w.values,
    );
    for (const x of r.rows) {
      values.set(wantId(false, x.key, x.band, x.rk), Number(x.rt));
      values.set(wantId(true, null, x.band, x.rk_total), Number(x.rt));
    }
  }

  const out: AggRow[] = [];
  for (const x of accs.values()) {
    const un = x.un;
    const ni = (r: Row | undefined, k: string) => (r ? (r[k] as number) : 0);
    const upTo = (lo: number, hi: number) => x.bands.reduce((sum, [band, n]) => sum + (band > lo && band <= hi ? n : 0), 0);
    const answered = x.bands.reduce((sum, [, n]) => sum + n, 0);
    const within = upTo(-1, ctx.targetMinutes);
    const row: AggRow = {
      key: x.key,
      is_total: x.total,
      incidents: answered + ni(un, 'incidents'),
      answered,
      within_target: within,
      measured: answered + ni(un, 'late'),
      rt_us: String(x.rtUs),
      b0: upTo(-1, 60),
      b1: upTo(60, 240),
      b2: upTo(240, 480),
      b3: upTo(480, 1440),
      b4: upTo(1440, Infinity),
      late: ni(un, 'late'),
      overdue: ni(un, 'overdue'),
      escalated: x.esc + ni(un, 'escalated'),
      resolved: x.res + ni(un, 'resolved'),
      resonant: x.reso + ni(un, 'resonant'),
      median: null,
      p90: null,
    };
    for (const pl of plan.get(x) ?? []) {
      const lo = values.get(wantId(x.total, x.key, pl.lo.band, pl.lo.rank));
      const hi = values.get(wantId(x.total, x.key, pl.hi.band, pl.hi.rank));
      if (lo === undefined || hi === undefined) return null;
      // float8_lerp, as percentile_cont computes it (no interpolation when both ranks are one row).
      row[pl.p] = pl.lo.band === pl.hi.band && pl.lo.rank === pl.hi.rank ? lo : lo + pl.frac * (hi - lo);
    }
    out.push(row);
  }
  if (!out.some((r) => r.is_total)) out.push({ key: null, is_total: true } as AggRow);
  return out;
}

/** Mean response time from the exact sum of microseconds (a string: beyond 2^53 it is still exact). */
const meanMinutes = (rtUs: unknown, answered: number): number | null =>
  answered > 0 && rtUs !== null && rtUs !== undefined ? Number(BigInt(rtUs as string)) / answered / 60e6 : null;

/** Turns per-key numbers into labelled StatsRows (total apart), ordered by key. */
function assemble(group: StatsGroup, m: AggRow[], pr: Row[], labels: Map<string, string>): { total: StatsRow; groups: StatsRow[] } {
  const promiseByKey = new Map(pr.map((x) => [mapKey(x as AggRow), x]));
  const toRow = (x: Row | undefined, keyValue: string | null, total: boolean): StatsRow => {
    const n = (k: string) => (x ? ((x[k] as number) ?? 0) : 0);
    const prow = promiseByKey.get(total ? TOTAL : String(keyValue));
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
      meanMinutes: num(meanMinutes(x?.rt_us, n('answered'))),
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
  const totalRow = m.find((x) => x.is_total);
  const groups = group === 'none' ? [] : m.filter((x) => !x.is_total).map((x) => toRow(x, (x.key as string) ?? null, false));
  groups.sort((a, b) => String(a.key ?? '\uffff').localeCompare(String(b.key ?? '\uffff')));
  return { total: toRow(totalRow, null, true), groups };
}

/** Queries behind the dashboard, the CSV export and the digests. */
export const statsQueries = (sql: Sql) => ({
  /**
   * One row per group plus the total, labels in Russian; rows are ordered by key (rank them with rankRows).
   * Answered from the daily rollup (migration 0005) when it can, with numbers identical to summaryExact.
   */
  async summary(f: StatsFilter, group: StatsGroup, ctx: StatsContext): Promise<{ total: StatsRow; groups: StatsRow[] }> {
    if (!rollupServes(ctx.targetMinutes)) return this.summaryExact(f, group, ctx);
    const labels = this.labels(group);
    const run = () =>
      sql.transaction(async (tx) => {
        // One snapshot for the rollup, the raw edges and the refinement; jit costs more than it saves here.
        await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        const st = await tx.query<{ timezone: string | null }>('SELECT timezone FROM stats_rollup_state');
        if (st.rows[0]?.timezone !== ctx.timezone) return 'rebuild' as const;
        await tx.query(`SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)`);
        return fastRows(tx, f, group, ctx);
      });
    // Promises on another connection meanwhile (a small join; it never shared a snapshot with the rest).
    const pr = promiseRows(sql, f, group, ctx);
    let m = await run();
    if (m === 'rebuild') {
      await this.rebuildRollup(ctx.timezone);
      m = await run();
    }
    if (!m || m === 'rebuild') {
      rollupFallbacks.count++;
      await pr.catch(() => undefined);
      return this.summaryExact(f, group, ctx);
    }
    return assemble(group, m, await pr, await labels);
  },

  /** The same summary by definition, straight from incidents (GROUPING SETS: one pass over the period). */
  async summaryExact(f: StatsFilter, group: StatsGroup, ctx: StatsContext): Promise<{ total: StatsRow; groups: StatsRow[] }> {
    const [m, pr, labels] = await Promise.all([exactRows(sql, f, group, ctx), promiseRows(sql, f, group, ctx), this.labels(group)]);
    return assemble(group, m, pr, labels);
  },

  /** Builds the rollup for `timezone` unless it is already kept in it; true when it (re)built. */
  async ensureRollup(timezone: string): Promise<boolean> {
    const st = await sql.query<{ timezone: string | null }>('SELECT timezone FROM stats_rollup_state');
    if (st.rows[0]?.timezone === timezone) return false;
    await this.rebuildRollup(timezone);
    return true;
  },

  /** (Re)builds the daily rollup with days counted in `timezone` (done by the first summary in a new time zone). */
  async rebuildRollup(timezone: string): Promise<void> {
    await sql.query('SELECT stats_daily_rebuild($1::text)', [timezone]);
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
      return key === null ? NOT_SET_ALONE.municipality : (labels.get(key) ?? key);
    case 'official':
      return key === null ? NOT_SET_ALONE.official : (labels.get(key) ?? key);
    case 'topic':
      return key === null ? 'Тема не определена' : (TOPIC_NAMES_RU[key as TopicCode] ?? key);
    case 'day':
      return key === null ? '—' : `${key.slice(8, 10)}.${key.slice(5, 7)}.${key.slice(0, 4)}`;
    case 'none':
      return 'Всего';
  }
}

export type StatsQueries = ReturnType<typeof statsQueries>;
