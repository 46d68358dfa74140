import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAnalyzer } from '../../classifiers';
import { seedRegion } from '../../src/app';
import type { Db } from '../../src/db';
import { migrate, migrationFiles } from '../../src/db/migrate';
import type { RawMessage } from '../../src/domain/types';
import { InputError } from '../../src/errors';
import { importFile } from '../../src/import';
import { rawMessage } from '../helpers/complaints';
import { DB_KINDS, openTestDb } from '../helpers/db';

const raw = (over: Partial<RawMessage> = {}): RawMessage =>
  rawMessage({
    externalId: 'wall-1_10_100',
    author: { platformId: '42', displayName: 'Анна', profileUrl: 'https://vk.com/id42' },
    text: 'Яма на дороге у школы',
    publishedAt: new Date('2026-11-20T03:00:00Z'),
    ...over,
  });

const YAML_OK = `officials:
  - id: abakan-head
    name: Глава Абакана
    role: supervisor
    municipality: abakan
    telegram: 100003
  - id: abakan-housing
    name: Иванов Иван Иванович
    position: заместитель главы города по ЖКХ
    telegram: 100001
    role: official
    municipality: abakan
    topics: [housing, waste]
    supervisor: abakan-head
sources:
  - id: vk-abakan
    platform: vk
    kind: wall
    external_id: -123
    municipality: abakan
`;

describe.each(DB_KINDS)('database on %s', (kind) => {
  let db: Db;
  let close: () => Promise<void>;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'otklik-db-'));
  const file = (name: string, text: string) => {
    const p = path.join(tmp, name);
    fs.writeFileSync(p, text);
    return p;
  };

  beforeAll(async () => {
    ({ db, close } = await openTestDb(kind));
    await seedRegion(db, createAnalyzer('khakassia').region);
  });
  afterAll(async () => close());

  it('applies every migration once; running migrate again applies nothing', async () => {
    const applied = await db.sql.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(applied.rows.map((r) => r.name)).toEqual(migrationFiles());
    expect(await migrate(db.sql)).toEqual([]);
  });

  it('stores a message once per platform + external id, and updates the text of an edited repeat', async () => {
    const first = await db.messages.upsert(raw(), null, new Date());
    const again = await db.messages.upsert(raw(), null, new Date());
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false, status: 'received' });
    await db.messages.upsert(raw({ text: 'Яма на дороге у школы №5', edited: true }), null, new Date());
    expect((await db.messages.get(first.id))?.text).toBe('Яма на дороге у школы №5');
    const other = await db.messages.upsert(raw({ platform: 'telegram' }), null, new Date());
    expect(other.id).not.toBe(first.id);
  });

  it('keeps the region\'s 13 municipalities', async () => {
    const ids = (await db.officials.municipalities('khakassia')).map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['abakan', 'chernogorsk', 'sayanogorsk', 'ust-abakansky', 'shirinsky']));
    expect(ids).toHaveLength(13);
  });

  it('imports officials, routing and sources; the same file twice changes nothing', async () => {
    const f = file('ok.yaml', YAML_OK);
    const first = await importFile(db, f);
    expect(first.officials).toEqual({ total: 2, changed: 2 });
    expect(first.rules).toEqual({ total: 2, added: 2, removed: 0 });
    const snapshot = async () => ({
      officials: await db.sql.query('SELECT * FROM officials ORDER BY id'),
      rules: await db.officials.rules(),
      sources: await db.sql.query('SELECT * FROM sources ORDER BY id'),
    });
    const before = await snapshot();
    const second = await importFile(db, f);
    expect(second.officials.changed).toBe(0);
    expect(second.rules).toEqual({ total: 2, added: 0, removed: 0 });
    expect(second.sources.changed).toBe(0);
    expect(await snapshot()).toEqual(before);
    expect((await db.officials.get('abakan-housing'))?.telegramId).toBe('100001');
  });

  it('rejects malformed YAML naming the line, and writes nothing', async () => {
    const bad = file('bad.yaml', 'officials:\n  - id: x-1\n    name: Пётр\n    topics: [housing\n');
    await expect(importFile(db, bad)).rejects.toThrow(/bad\.yaml:\d+: ошибка YAML/);
    const invalid = file(
      'invalid.yaml',
      'officials:\n  - id: new-one\n    name: Новый\n    municipality: abakan\n  - id: broken\n    name: Сломанный\n    role: king\n',
    );
    const err = await importFile(db, invalid).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/invalid\.yaml:7: officials\.1\.role/);
    expect(await db.officials.get('new-one')).toBeNull();
  });

  it('writes nothing when a reference is wrong (all-or-nothing)', async () => {
    const f = file('ref.yaml', 'officials:\n  - id: lonely\n    name: Один\n    municipality: atlantis\n');
    await expect(importFile(db, f)).rejects.toThrow(/atlantis/);
    expect(await db.officials.get('lonely')).toBeNull();
  });

  it('resolves one author across platforms through a hashed contact, and never merges on name alone', async () => {
    const a = await db.authors.resolve({ platform: 'web', platformId: 'w1', displayName: 'Ольга', profileUrl: null, contactHash: 'h1' });
    const b = await db.authors.resolve({ platform: 'web', platformId: 'w2', displayName: 'Ольга П.', profileUrl: null, contactHash: 'h1' });
    const c = await db.authors.resolve({ platform: 'vk', platformId: '77', displayName: 'Ольга', profileUrl: null, contactHash: null });
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(await db.authors.resolve({ platform: 'web', platformId: 'w1', displayName: null, profileUrl: null, contactHash: null })).toBe(a);
  });

  it('starts an incident\'s clock at its earliest post, also when an older repeat is found later (until deadlines are set)', async () => {
    const at = new Date('2026-11-21T05:00:00Z');
    const post = async (n: number, publishedAt: string) => {
      const m = await db.messages.upsert(raw({ externalId: `wall-1_10_${900 + n}`, author: { platformId: `9${n}`, displayName: null, profileUrl: null }, publishedAt: new Date(publishedAt) }), null, at);
      await db.sql.query(`UPDATE messages SET status = 'complaint' WHERE id = $1`, [m.id]);
      const author = await db.authors.resolve({ platform: 'vk', platformId: `9${n}`, displayName: null, profileUrl: null, contactHash: null });
      return { messageId: m.id, authorId: author };
    };
    const analysis = { priority: 'normal', complaintScore: 0.9 } as never;
    // One batch: the post that opens the incident is newer than the repeat attached to it.
    const [p1, p2, p3, p4] = [await post(1, '2026-11-21T04:00:00Z'), await post(2, '2026-11-21T03:00:00Z'), await post(3, '2026-11-21T02:00:00Z'), await post(4, '2026-11-21T01:00:00Z')];
    const settled = await db.incidents.settleDedupe(
      [{ ...p1, publishedAt: new Date('2026-11-21T04:00:00Z'), analysis, at }],
      [{ ...p2, incidentId: null, opensIndex: 0, reason: 'near-duplicate', similarity: 0.9, at }],
      3,
    );
    const incidentId = settled.get(p1.messageId)!.incidentId;
    expect((await db.incidents.get(incidentId))!.openedAt.toISOString()).toBe('2026-11-21T03:00:00.000Z');
    // A later batch brings an even older post: the clock moves back while no deadline is set…
    await db.incidents.settleDedupe([], [{ ...p3, incidentId, opensIndex: null, reason: 'near-duplicate', similarity: 0.9, at }], 3);
    expect((await db.incidents.get(incidentId))!.openedAt.toISOString()).toBe('2026-11-21T02:00:00.000Z');
    // …and stays once the deadlines were computed from it (assignment).
    await db.sql.query(`UPDATE incidents SET response_due_at = opened_at + interval '4 hours' WHERE id = $1`, [incidentId]);
    await db.incidents.settleDedupe([], [{ ...p4, incidentId, opensIndex: null, reason: 'near-duplicate', similarity: 0.9, at }], 3);
    expect(await db.incidents.get(incidentId)).toMatchObject({ openedAt: new Date('2026-11-21T02:00:00Z'), messagesCount: 4, authorsCount: 4, resonant: true });
  });

  it('resolves authors asked at the same moment (one batch) as if asked one by one', async () => {
    const ask = (platformId: string, contactHash: string | null) => ({ platform: 'telegram', platformId, displayName: 'Житель', profileUrl: null, contactHash });
    // The same account twice, a second account with the first one's contact, and a stranger — all at once.
    const [x1, x2, y, z] = await Promise.all([ask('t1', 'hx'), ask('t1', null), ask('t2', 'hx'), ask('t3', null)].map((a) => db.authors.resolve(a)));
    expect(x2).toBe(x1);
    expect(y).toBe(x1);
    expect(z).not.toBe(x1);
    const authors = await db.sql.query<{ n: number }>(
      `SELECT count(DISTINCT author_id)::int AS n FROM author_identities WHERE (platform = 'telegram' AND key IN ('t1', 't2', 't3')) OR key = 'hx'`,
    );
    expect(authors.rows[0].n).toBe(2);
  });
});
