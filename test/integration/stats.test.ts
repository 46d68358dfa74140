/** Statistics against hand-computed expectations on a fixed history, on PostgreSQL and PGlite. */
import { createAnalyzer } from '../../classifiers';
import { seedRegion } from '../../src/app';
import type { Db } from '../../src/db';
import { rankRows, type StatsRow } from '../../src/db/stats';
import { DEMO_OFFICIALS_FILE } from '../../src/demo/feed';
import { lastDays, thisWeek, today } from '../../src/domain/periods';
import { importFile } from '../../src/import';
import { DB_KINDS, openTestDb } from '../helpers/db';
import { insertHistory, NOW } from '../helpers/history';

const TZ = 'Asia/Krasnoyarsk';
const ctx = { targetMinutes: 240, timezone: TZ, now: NOW };
const month = lastDays(NOW, 30, TZ);

describe.each(DB_KINDS)('response-time statistics (%s)', (kind) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openTestDb(kind));
    await seedRegion(db, createAnalyzer('khakassia').region);
    await importFile(db, DEMO_OFFICIALS_FILE);
    await insertHistory(db);
  });
  afterAll(async () => close());

  const by = (rows: StatsRow[], key: string | null) => rows.find((r) => r.key === key)!;

  it('computes medians, p90, means, shares, buckets, overdue, escalations and promises per municipality', async () => {
    const { total, groups } = await db.stats.summary(month, 'municipality', ctx);
    const abakan = by(groups, 'abakan');
    expect(abakan).toMatchObject({
      label: 'город Абакан', incidents: 6, answered: 5, withinTarget: 3, measured: 6, withinTargetShare: 0.5,
      medianMinutes: 240, p90Minutes: 480, meanMinutes: 252,
      buckets: { upTo1h: 1, h1to4: 2, h4to8: 1, h8to24: 1, over24h: 0, unansweredLate: 1 },
      overdueNow: 1, escalated: 2, resolved: 1, resonant: 1, promisesKept: 1, promisesBroken: 1, promisesPending: 0,
    });
    expect(abakan.resolvedShare).toBeCloseTo(1 / 6);
    const chern = by(groups, 'chernogorsk');
    expect(chern).toMatchObject({
      incidents: 5, answered: 4, withinTarget: 3, measured: 4, withinTargetShare: 0.75, medianMinutes: 75, p90Minutes: 1430, meanMinutes: 542.5,
      buckets: { upTo1h: 2, h1to4: 1, h4to8: 0, h8to24: 0, over24h: 1, unansweredLate: 0 }, overdueNow: 0,
      promisesKept: 0, promisesBroken: 1, promisesPending: 1,
    });
    expect(by(groups, 'sayanogorsk')).toMatchObject({ incidents: 2, withinTargetShare: 1, medianMinutes: 12.5 });
    // The unassigned incident: no deadline stored, so the target from publication applies.
    expect(by(groups, null)).toMatchObject({ label: 'муниципалитет не определён', incidents: 1, answered: 0, measured: 1, overdueNow: 1, withinTargetShare: 0 });
    expect(total).toMatchObject({
      label: 'Всего', incidents: 14, answered: 11, withinTarget: 8, measured: 13, medianMinutes: 90, p90Minutes: 600, meanMinutes: 314.1,
      overdueNow: 2, escalated: 2, resolved: 1, promisesKept: 1, promisesBroken: 2, promisesPending: 1,
      buckets: { upTo1h: 5, h1to4: 3, h4to8: 1, h8to24: 1, over24h: 1, unansweredLate: 2 },
    });
    expect(total.withinTargetShare).toBeCloseTo(8 / 13);
  });

  it('ranks only municipalities with enough incidents, by share within target', async () => {
    const { groups } = await db.stats.summary(month, 'municipality', ctx);
    const ranked = rankRows(groups, 5);
    expect(ranked.map((r) => [r.key, r.rank])).toEqual([
      ['chernogorsk', 1],
      ['abakan', 2],
      ['sayanogorsk', null],
      [null, null],
    ]);
    expect(rankRows(groups, 2).find((r) => r.key === 'sayanogorsk')!.rank).toBe(1);
  });

  it('counts days in the region\'s time zone and filters by topic, official and period', async () => {
    const days = await db.stats.summary(month, 'day', ctx);
    expect(days.groups.map((r) => [r.key, r.incidents])).toEqual([
      ['2026-11-21', 5],
      ['2026-11-22', 5],
      ['2026-11-23', 4],
    ]);
    expect(days.groups[2].label).toBe('23.11.2026');
    // Today began at 00:00 Krasnoyarsk = 17:00 UTC the day before; S2 was published exactly then.
    const t = today(NOW, TZ);
    expect(t.from.toISOString()).toBe('2026-11-22T17:00:00.000Z');
    expect((await db.stats.summary(t, 'none', ctx)).total.incidents).toBe(4);
    expect(thisWeek(NOW, TZ).from.toISOString()).toBe('2026-11-22T17:00:00.000Z'); // Monday
    const roads = await db.stats.summary({ ...month, topic: 'roads' }, 'topic', ctx);
    expect(roads.groups.map((r) => [r.label, r.incidents])).toEqual([['Дороги', 5]]);
    const official = await db.stats.summary({ ...month, officialId: 'abakan-housing' }, 'official', ctx);
    expect(official.total.incidents).toBe(6);
    expect(official.groups[0].label).toContain('Кузнецова');
    const topics = await db.stats.topicsByDay(month, TZ);
    expect(topics).toContainEqual({ day: '2026-11-23', topic: 'other', incidents: 1 });
    expect(topics).toContainEqual({ day: '2026-11-22', topic: 'roads', incidents: 4 });
  });

  it('lists overdue incidents, the longest first, within a scope', async () => {
    const all = await db.stats.overdue({}, ctx);
    expect(all.total).toBe(2);
    expect(all.items.map((i) => i.municipalityId)).toEqual(['abakan', null]);
    expect(all.items[0].overdueMinutes).toBe(6 * 60);
    const chern = await db.stats.overdue({ municipalityId: 'chernogorsk' }, ctx);
    expect(chern.total).toBe(0);
  });
});
