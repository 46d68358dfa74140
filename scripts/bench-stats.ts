/**
 * Statistics benchmark: fills a PostgreSQL database with N incidents (default 1,000,000) over a year via
 * generate_series, then times the dashboard's queries through src/db/stats.ts and prints their plans.
 *
 *   npx tsx scripts/bench-stats.ts [--incidents 1000000] [--keep] [--exact]
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5439/postgres (default: TEST_DATABASE_URL or that URL)
 *
 * It creates (and drops, unless --keep) its own database `otklik_bench` on that server.
 */
import pg from 'pg';
import { createAnalyzer } from '../classifiers';
import { seedRegion } from '../src/app';
import { openDb } from '../src/db';
import { rankRows, type StatsFilter, type StatsGroup } from '../src/db/stats';
import { DEMO_OFFICIALS_FILE } from '../src/demo/feed';
import { lastDays, thisWeek, today } from '../src/domain/periods';
import { importFile } from '../src/import';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const N = Number(arg('incidents') ?? 1_000_000);
const KEEP = process.argv.includes('--keep');
/** Also time summaryExact (the definition, straight from incidents) and check the numbers are identical. */
const EXACT = process.argv.includes('--exact');
const ADMIN = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5439/postgres';
const NAME = 'otklik_bench';
const TZ = 'Asia/Krasnoyarsk';
const out = (s: string) => process.stdout.write(`${s}\n`);

async function admin(q: string) {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
}

async function main() {
  await admin(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${NAME}`);
  const url = new URL(ADMIN);
  url.pathname = `/${NAME}`;
  const db = await openDb({ url: url.toString(), dataDir: 'unused' });
  const now = new Date();
  try {
    await seedRegion(db, createAnalyzer('khakassia').region);
    await importFile(db, DEMO_OFFICIALS_FILE);
    // The full-text index is not what we measure and makes the fill 10× slower.
    await db.sql.exec('DROP INDEX IF EXISTS messages_fts_idx');

    let t = Date.now();
    // Municipalities weighted like Khakassia (Abakan, Chernogorsk, Sayanogorsk most); response times
    // exponential with a 2-hour mean; 3% never answered; 2% escalated; 60% resolved; 1% resonant.
    await db.sql.query(
      `INSERT INTO messages (id, platform, external_id, author_platform_id, text, published_at, received_at, status)
       SELECT g, 'web', 'bench-' || g, 'bench-author-' || (g % 50000), 'Жалоба номер ' || g,
              $2::timestamptz - (random() * interval '365 days'), $2::timestamptz, 'incident'
       FROM generate_series(1, $1::int) g`,
      [N, now],
    );
    out(`messages: ${N} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
    await db.sql.query(
      `WITH m AS (SELECT id, published_at, random() AS r1, random() AS r2, random() AS r3, random() AS r4 FROM messages),
       muns AS (SELECT array_agg(id ORDER BY id) AS ids FROM municipalities),
       topics AS (SELECT ARRAY['housing','housing','housing','waste','waste','roads','roads','transport','healthcare','education','landscaping','social','safety','ecology','other'] AS t)
       INSERT INTO incidents (id, status, primary_message_id, topic, municipality_id, official_id, opened_at, detected_at,
         assigned_at, first_response_at, response_due_at, escalated_at, resolved_at, resonant, updated_at)
       SELECT m.id,
              CASE WHEN m.r2 < 0.03 THEN 'assigned' WHEN m.r3 < 0.6 THEN 'resolved' ELSE 'answered' END,
              m.id,
              (SELECT t[1 + floor(m.r4 * array_length(t, 1))::int] FROM topics),
              mun,
              mun || '-head',
              m.published_at, m.published_at + interval '1 minute', m.published_at + interval '2 minutes',
              CASE WHEN m.r2 < 0.03 THEN NULL ELSE m.published_at + (-ln(greatest(m.r1, 1e-9)) * 120) * interval '1 minute' END,
              m.published_at + interval '240 minutes',
              CASE WHEN m.r3 > 0.98 THEN m.published_at + interval '240 minutes' END,
              CASE WHEN m.r3 < 0.6 AND m.r2 >= 0.03 THEN m.published_at + interval '2 days' END,
              m.r4 > 0.99,
              m.published_at
       FROM m, muns,
            LATERAL (SELECT muns.ids[CASE WHEN m.r4 < 0.35 THEN 1 WHEN m.r4 < 0.55 THEN 3 WHEN m.r4 < 0.7 THEN 11
                                          ELSE 1 + floor(((m.r4 - 0.7) / 0.3) * array_length(muns.ids, 1))::int END] AS mun) x`,
      [],
    );
    await db.sql.query(`INSERT INTO incident_messages (message_id, incident_id, reason, attached_at) SELECT id, id, 'first', opened_at FROM incidents`);
    await db.sql.query(`SELECT setval('incidents_id_seq', $1::bigint), setval('messages_id_seq', $1::bigint)`, [N]);
    await db.sql.query(
      `INSERT INTO promises (incident_id, text, due_at, created_at, kept_at)
       SELECT id, 'обещание', opened_at + interval '3 days', opened_at + interval '1 hour',
              CASE WHEN id % 3 = 0 THEN NULL ELSE opened_at + interval '2 days' END
       FROM incidents WHERE id % 20 = 0`,
    );
    out(`incidents: ${N} (+ promises on 5%) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
    await db.sql.exec('VACUUM ANALYZE');
    out(`VACUUM ANALYZE in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
    await db.stats.rebuildRollup(TZ); // what the first summary in a new time zone does (migration 0005)
    await db.sql.exec('VACUUM ANALYZE stats_daily');
    const size = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM stats_daily');
    out(`rollup built in ${((Date.now() - t) / 1000).toFixed(1)} s: ${size.rows[0].n} rows`);

    const ctx = { targetMinutes: 240, timezone: TZ, now };
    const cases: { name: string; run: () => Promise<unknown>; exact?: () => Promise<unknown> }[] = [];
    const summary = (name: string, f: StatsFilter, g: StatsGroup) =>
      cases.push({
        name,
        run: async () => db.stats.summary(f, g, ctx),
        exact: async () => db.stats.summaryExact(f, g, ctx),
      });
    summary('today, total', today(now, TZ), 'none');
    summary('this week, total', thisWeek(now, TZ), 'none');
    summary('30 days by municipality (ranking)', lastDays(now, 30, TZ), 'municipality');
    summary('30 days by official', lastDays(now, 30, TZ), 'official');
    summary('90 days by day', lastDays(now, 90, TZ), 'day');
    summary('365 days by municipality (whole table)', lastDays(now, 366, TZ), 'municipality');
    summary('365 days by topic, one municipality', { ...lastDays(now, 366, TZ), municipalityId: 'abakan' }, 'topic');
    cases.push({ name: 'topics by day, 14 days', run: () => db.stats.topicsByDay(lastDays(now, 14, TZ), TZ) });
    cases.push({ name: 'overdue now, top 20 (region)', run: () => db.stats.overdue({}, ctx, 20) });
    cases.push({ name: 'overdue now, top 20 (abakan)', run: () => db.stats.overdue({ municipalityId: 'abakan' }, ctx, 20) });

    const time = async (run: () => Promise<unknown>) => {
      await run();
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const s = process.hrtime.bigint();
        await run();
        times.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
      times.sort((a, b) => a - b);
      return `${times[2].toFixed(1).padStart(8)}   (min ${times[0].toFixed(1)}, max ${times[4].toFixed(1)})`;
    };
    out(`\n${N.toLocaleString('en')} incidents — median of 5 runs after one warm-up (ms)${EXACT ? '; exact = straight from incidents' : ''}:`);
    let differ = 0;
    for (const c of cases) {
      out(`  ${c.name.padEnd(42)} ${await time(c.run)}`);
      if (c.exact && EXACT) {
        out(`  ${'  exact'.padEnd(42)} ${await time(c.exact)}`);
        const [a, b] = [JSON.stringify(rankRows([...((await c.run()) as { groups: [] }).groups], 5)), JSON.stringify(rankRows([...((await c.exact()) as { groups: [] }).groups], 5))];
        const [ta, tb] = [JSON.stringify(((await c.run()) as { total: unknown }).total), JSON.stringify(((await c.exact()) as { total: unknown }).total)];
        if (a !== b || ta !== tb) {
          differ++;
          out(`    DIFFERENT from the exact numbers:\n    fast  ${ta}\n    exact ${tb}`);
        }
      }
    }
    if (EXACT) out(differ === 0 ? '  fast and exact numbers are identical in every case' : `  ${differ} case(s) differ`);

    out('\nPlans (EXPLAIN ANALYZE), top nodes:');
    const explain = async (label: string, q: string, params: unknown[]) => {
      const r = await db.sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q}`, params);
      const lines = r.rows.map((x) => x['QUERY PLAN']).filter((l) => /Scan|Aggregate|Sort|Execution Time|Heap Fetches/.test(l));
      out(`  ${label}:`);
      for (const l of lines.slice(0, 8)) out(`    ${l.trim()}`);
    };
    const m30 = lastDays(now, 30, TZ);
    await explain('30-day range scan', `SELECT municipality_id, count(*), count(first_response_at) FROM incidents WHERE opened_at >= $1 AND opened_at < $2 GROUP BY 1`, [m30.from, m30.to]);
    await explain('overdue now', `SELECT id FROM incidents i WHERE first_response_at IS NULL AND status IN ('new','needs_review','classified','assigned','in_progress','answered')
      AND coalesce(response_due_at, opened_at + interval '240 minutes') < $1 ORDER BY coalesce(response_due_at, opened_at + interval '240 minutes') LIMIT 20`, [now]);
  } finally {
    await db.close();
    if (!KEEP) await admin(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  }
}

main().catch((err) => {
  process.stderr.write(`bench-stats: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
