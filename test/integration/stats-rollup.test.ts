/**
 * The fast statistics (daily rollup kept by triggers + exact refinement of percentiles, migration 0005) equal the
 * exact definition (summaryExact, straight from incidents) on a randomized history, on PostgreSQL and PGlite —
 * through inserts (one row and many per statement), late answers, escalations, moves, deletions and odd periods.
 */
import { seededRandom } from '../../classifiers/linear-model';
import { createAnalyzer } from '../../classifiers';
import { seedRegion } from '../../src/app';
import type { Db } from '../../src/db';
import { rollupFallbacks, STATS_GROUPS, type StatsFilter } from '../../src/db/stats';
import { DEMO_OFFICIALS_FILE } from '../../src/demo/feed';
import { lastDays, thisWeek, today } from '../../src/domain/periods';
import { importFile } from '../../src/import';
import { DB_KINDS, openTestDb } from '../helpers/db';

const TZ = 'Asia/Krasnoyarsk';
const NOW = new Date('2026-11-23T12:00:00Z');
const MIN = 60_000;

/** mulberry32: the same "random" history on every run and both databases. */
const rng = seededRandom;

describe.each(DB_KINDS)('fast statistics equal the exact ones on a random history (%s)', (kind) => {
  let db: Db;
  let close: () => Promise<void>;
  const rand = rng(kind === 'pg' ? 7 : 11);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  let muns: (string | null)[] = [];
  let officials: (string | null)[] = [];
  const topics = [null, 'housing', 'roads', 'waste', 'transport', 'other'];
  let serial = 0;

  /** Random incidents as one INSERT … SELECT (statement trigger with many rows); response times in µs precision. */
  async function insertRandom(n: number) {
    const rows = Array.from({ length: n }, () => {
      serial++;
      const r = rand();
      // Response minutes: whole minutes, band and bucket bounds, fractions, negative (answer before the post), days.
      const rt =
        r < 0.12 ? null : r < 0.3 ? pick([0, 10, 60, 240, 480, 1440, 10080, 59, 61, 239, 241]) : r < 0.35 ? -5 : r < 0.9 ? rand() * 600 : rand() * 20000;
      return {
        k: `rnd-${serial}`,
        opened_ago_us: Math.floor(rand() * 40 * 24 * 60 * 60e6), // 40 days back, microseconds
        rt_us: rt === null ? null : Math.round(rt * 60e6) + (rand() < 0.5 ? 0 : Math.floor(rand() * 1000)),
        mun: pick(muns),
        off: pick(officials),
        topic: pick(topics),
        status: pick(['new', 'needs_review', 'assigned', 'in_progress', 'answered', 'resolved', 'closed']),
        due: rand() < 0.8,
        esc: rand() < 0.1,
        res: rand() < 0.4,
        reso: rand() < 0.05,
      };
    });
    await db.sql.query(
      `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(k text, opened_ago_us bigint, rt_us bigint, mun text, off text, topic text,
                                                                  status text, due boolean, esc boolean, res boolean, reso boolean)),
       m AS (INSERT INTO messages (platform, external_id, author_platform_id, text, published_at, received_at, status)
             SELECT 'web', x.k, 'a', 'Жалоба', $2::timestamptz - x.opened_ago_us * interval '1 microsecond', $2::timestamptz, 'incident' FROM x
             RETURNING id, external_id, published_at)
       INSERT INTO incidents (status, primary_message_id, topic, municipality_id, official_id, opened_at, detected_at, first_response_at,
                              response_due_at, escalated_at, resolved_at, resonant, updated_at)
       SELECT x.status, m.id, x.topic, x.mun, x.off, m.published_at, m.published_at,
              m.published_at + x.rt_us * interval '1 microsecond',
              CASE WHEN x.due THEN m.published_at + interval '240 minutes' END,
              CASE WHEN x.esc THEN m.published_at + interval '5 hours' END,
              CASE WHEN x.res THEN m.published_at + interval '2 days' END, x.reso, m.published_at
       FROM x JOIN m ON m.external_id = x.k`,
      [JSON.stringify(rows), NOW],
    );
    await db.sql.query(
      `INSERT INTO promises (incident_id, text, due_at, created_at, kept_at)
       SELECT id, 'обещание', opened_at + interval '3 days', opened_at, CASE WHEN id % 3 = 0 THEN NULL ELSE opened_at + (id % 5) * interval '1 day' END
       FROM incidents i WHERE id % 4 = 0 AND NOT EXISTS (SELECT 1 FROM promises p WHERE p.incident_id = i.id)`,
    );
  }

  const periods = (): [string, StatsFilter][] => {
    const odd = new Date(NOW.getTime() - 17 * 24 * 60 * MIN - 137 * MIN - 1234);
    return [
      ['today', today(NOW, TZ)],
      ['week', thisWeek(NOW, TZ)],
      ['30 days', lastDays(NOW, 30, TZ)],
      ['45 days', lastDays(NOW, 45, TZ)],
      ['unaligned', { from: odd, to: new Date(NOW.getTime() - 3 * 24 * 60 * MIN + 77 * MIN) }],
      ['within one day', { from: new Date(NOW.getTime() - 20 * 60 * MIN), to: new Date(NOW.getTime() - 5 * 60 * MIN) }],
      ['abakan, 30 days', { ...lastDays(NOW, 30, TZ), municipalityId: 'abakan' }],
      ['roads, unaligned', { from: odd, to: NOW, topic: 'roads' }],
      ['official, 45 days', { ...lastDays(NOW, 45, TZ), officialId: officials.find((o) => o !== null) }],
      ['empty', { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2020-02-01T00:00:00Z') }],
    ];
  };

  async function expectSame(targetMinutes = 240) {
    const ctx = { targetMinutes, timezone: TZ, now: NOW };
    for (const [name, f] of periods()) {
      for (const group of STATS_GROUPS) {
        const [fast, exact] = await Promise.all([db.stats.summary(f, group, ctx), db.stats.summaryExact(f, group, ctx)]);
        expect([name, group, fast]).toEqual([name, group, exact]);
      }
    }
  }

  /** The rollup the triggers kept equals one built from scratch. */
  async function expectRollupFresh() {
    const dump = async () =>
      (
        await db.sql.query(
          `SELECT day::text, municipality_id, official_id, topic, band, answered, rt_seconds::text, escalated, resolved, resonant
           FROM stats_daily WHERE answered <> 0 OR escalated <> 0 OR resolved <> 0 OR resonant <> 0 OR rt_seconds <> 0
           ORDER BY 1, 2, 3, 4, 5`,
        )
      ).rows;
    const kept = await dump();
    await db.stats.rebuildRollup(TZ);
    expect(await dump()).toEqual(kept);
  }

  beforeAll(async () => {
    ({ db, close } = await openTestDb(kind));
    await seedRegion(db, createAnalyzer('khakassia').region);
    await importFile(db, DEMO_OFFICIALS_FILE);
    muns = [null, ...(await db.sql.query<{ id: string }>('SELECT id FROM municipalities ORDER BY id LIMIT 6')).rows.map((r) => r.id), 'abakan'];
    officials = [null, ...(await db.sql.query<{ id: string }>('SELECT id FROM officials ORDER BY id LIMIT 5')).rows.map((r) => r.id)];
    rollupFallbacks.count = 0;
  });
  afterAll(async () => close());

  it('builds the rollup on first use and answers exactly', async () => {
    await insertRandom(300);
    expect((await db.sql.query<{ timezone: string | null }>('SELECT timezone FROM stats_rollup_state')).rows[0].timezone).toBeNull();
    await expectSame();
    expect((await db.sql.query<{ timezone: string | null }>('SELECT timezone FROM stats_rollup_state')).rows[0].timezone).toBe(TZ);
    expect(rollupFallbacks.count).toBe(0);
  });

  it('stays exact through inserts, late answers, escalations, moves and deletions', async () => {
    await insertRandom(200); // many rows in one statement
    await insertRandom(1); // and one
    // Late answers (one statement, many rows), then one at a time.
    await db.sql.query(`UPDATE incidents SET first_response_at = opened_at + (id % 500) * interval '1 minute 1 second', status = 'answered'
                        WHERE first_response_at IS NULL AND id % 2 = 0`);
    const one = await db.sql.query<{ id: string }>(`SELECT id::text FROM incidents WHERE first_response_at IS NULL ORDER BY id LIMIT 1`);
    await db.sql.query(`UPDATE incidents SET first_response_at = opened_at + interval '240 minutes' WHERE id = $1`, [one.rows[0].id]);
    // Escalated and resolved later; an answer corrected; moved to another municipality, official and topic; reopened.
    await db.sql.query(`UPDATE incidents SET escalated_at = opened_at + interval '4 hours' WHERE id % 7 = 0 AND escalated_at IS NULL`);
    await db.sql.query(`UPDATE incidents SET resolved_at = opened_at + interval '3 days', status = 'resolved' WHERE id % 5 = 1 AND resolved_at IS NULL`);
    await db.sql.query(`UPDATE incidents SET first_response_at = first_response_at + interval '61 minutes' WHERE id % 11 = 3 AND first_response_at IS NOT NULL`);
    await db.sql.query(`UPDATE incidents SET municipality_id = 'abakan', official_id = NULL, topic = 'roads' WHERE id % 13 = 2`);
    await db.sql.query(`UPDATE incidents SET opened_at = opened_at - interval '9 hours' WHERE id % 17 = 4`);
    await db.sql.query(`UPDATE incidents SET resonant = NOT resonant WHERE id % 19 = 5`);
    await db.sql.query(`UPDATE incidents SET first_response_at = NULL WHERE id % 23 = 6`);
    await db.sql.query(`UPDATE incidents SET status = status, updated_at = now()`); // touches no counted column
    // Deleted (with what refers to them).
    await db.sql.query(`DELETE FROM promises WHERE incident_id IN (SELECT id FROM incidents WHERE id % 29 = 7)`);
    await db.sql.query(`DELETE FROM incidents WHERE id % 29 = 7`);
    // Writes inside a transaction that rolls back leave no trace.
    await expect(
      db.tx(async (t) => {
        await t.sql.query(`UPDATE incidents SET first_response_at = opened_at WHERE first_response_at IS NULL`);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await expectSame();
    await expectSame(90); // another target on a band bound
    await expectSame(45); // not a band bound: answered exactly
    await expectRollupFresh();
    expect(rollupFallbacks.count).toBe(0);
  });

  it('rebuilds for another time zone', async () => {
    const ctx = { targetMinutes: 240, timezone: 'Europe/Moscow', now: NOW };
    const f = lastDays(NOW, 30, 'Europe/Moscow');
    for (const group of STATS_GROUPS) expect(await db.stats.summary(f, group, ctx)).toEqual(await db.stats.summaryExact(f, group, ctx));
    expect((await db.sql.query<{ timezone: string }>('SELECT timezone FROM stats_rollup_state')).rows[0].timezone).toBe('Europe/Moscow');
    expect(rollupFallbacks.count).toBe(0);
  });
});
