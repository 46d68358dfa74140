/**
 * Name-only author suggestions (issue 4) on the real app (real Redis; PostgreSQL and PGlite): complaints by
 * "Иван Петров" in Telegram and "Petrov Ivan" in VK go through the pipeline, the sweep suggests them as one
 * person, nothing merges until the control centre confirms on the dashboard; a rejected pair never comes back;
 * forged and unauthorized decisions are refused. Plus the merge bookkeeping on the database alone.
 */
import type { Db } from '../../src/db';
import type { RawMessage } from '../../src/domain/types';
import { ingestMessage } from '../../src/ingest/ingest';
import { createRootLogger } from '../../src/log';
import { suggestAuthorMatches } from '../../src/timers/author-suggestions';
import { startTestApp, type TestApp } from '../helpers/app';
import { getAs, signIn } from '../helpers/auth';
import { rawMessage } from '../helpers/complaints';
import { DB_KINDS, openTestDb } from '../helpers/db';
import { waitFor } from '../helpers/env';

const quiet = createRootLogger({ LOG_LEVEL: 'error', NODE_ENV: 'test' }, 'test');

describe.each(DB_KINDS)('author suggestions on the dashboard (%s)', (kind) => {
  let app: TestApp;
  let duty: string;
  let seq = 0;

  /** A citizen's complaint through ingest and the pipeline; resolves with its message and incident once deduped. */
  async function complaint(platform: 'vk' | 'telegram', platformId: string, name: string, text: string) {
    seq += 1;
    const raw: RawMessage = rawMessage({
      platform,
      externalId: platform === 'vk' ? `wall-1000001_${seq}_${900 + seq}` : `tg-100500_${seq}`,
      author: { platformId, displayName: name, profileUrl: platform === 'vk' ? `https://vk.com/id${platformId}` : null },
      text,
      publishedAt: new Date(Date.now() - 10 * 60_000),
    });
    const r = await ingestMessage(app.deps, raw);
    const incident = await waitFor(() => app.db.incidents.byMessage(r.messageId), (i) => !!i?.authorId, { timeoutMs: 30_000, what: 'incident with its author' });
    return { messageId: r.messageId, incidentId: incident!.id, authorId: incident!.authorId! };
  }
  /** One sweep run (new authors are taken at once: no settle time in tests), repeated if another process held the cursor. */
  const sweep = () => suggestAuthorMatches({ db: app.db, now: () => new Date(), log: quiet }, { settleSeconds: 0 });
  const pendingApi = async (cookie: string) => (await getAs(app, cookie, '/api/author-suggestions')).body;
  const postForm = async (cookie: string, url: string, form: Record<string, string>) => {
    const r = await fetch(`${app.url}${url}`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(), redirect: 'manual' });
    return { status: r.status, location: r.headers.get('location'), text: await r.text() };
  };
  const postJson = async (cookie: string | null, url: string, csrf: string | null, body: unknown = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (cookie) headers.cookie = cookie;
    if (csrf) headers['x-csrf-token'] = csrf;
    const r = await fetch(`${app.url}${url}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

  beforeAll(async () => {
    app = await startTestApp(kind, { roles: ['api', 'pipeline'] });
    duty = await signIn(app, 'khakassia-duty'); // governor_office: the control centre
  });
  afterAll(async () => app?.stop());

  it('suggests "Иван Петров" (Telegram) and "Petrov Ivan" (VK) as one person, merges only when a person confirms', async () => {
    const tg = await complaint('telegram', '500100', 'Иван Петров', 'Третий день нет горячей воды в Абакане на улице Пушкина 45, управляющая компания не отвечает');
    const vk = await complaint('vk', '700200', 'Petrov Ivan', 'В Черногорске на улице Юбилейной огромная яма на дороге, машины бьют колёса, сделайте что-нибудь');
    expect(tg.authorId).not.toBe(vk.authorId);

    await waitFor(async () => (await sweep(), (await app.db.authorSuggestions.pending({ limit: 10, offset: 0 })).total), (n) => n === 1, { what: 'one suggestion' });
    await sweep(); // again: nothing new
    const list = await pendingApi(duty);
    expect(list.total).toBe(1);
    const s = list.suggestions[0];
    expect([s.a.displayName, s.b.displayName]).toEqual(['Иван Петров', 'Petrov Ivan']);
    expect(s).toMatchObject({ status: 'pending', reason: 'name:reordered+transliterated', score: 1 });
    expect(s.a).toMatchObject({ id: tg.authorId, messages: 1, incidents: 1, accounts: [{ platform: 'telegram', profileUrl: null }] });
    expect(s.b).toMatchObject({ id: vk.authorId, messages: 1, incidents: 1, accounts: [{ platform: 'vk', profileUrl: 'https://vk.com/id700200' }] });

    // Not merged until confirmed.
    expect((await app.db.incidents.get(vk.incidentId))!.authorId).toBe(vk.authorId);

    const page = await getAs(app, duty, '/authors/suggestions');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Возможно, один и тот же человек');
    expect(page.text).toContain('Иван Петров');
    expect(page.text).toContain('Petrov Ivan');
    expect(page.text).toContain('Это один человек');
    expect(page.text).toContain('Разные люди');
    expect(page.text).toContain('href="/authors/suggestions"'); // in the navigation of the control centre

    const r = await postForm(duty, `/authors/suggestions/${s.id}/confirm`, { csrf: csrfOf(page.text) });
    expect([r.status, r.location]).toEqual([303, '/authors/suggestions?done=confirmed']);
    const after = await getAs(app, duty, '/authors/suggestions?done=confirmed');
    expect(after.text).toContain('Авторы объединены');
    expect(after.text).not.toContain('Petrov Ivan');

    // Both incidents and both messages now show one author; the VK account resolves to that author from now on.
    for (const id of [tg.incidentId, vk.incidentId]) expect((await app.db.incidents.get(id))!.authorId).toBe(tg.authorId);
    for (const id of [tg.messageId, vk.messageId]) expect((await app.db.messages.get(id))!.authorId).toBe(tg.authorId);
    const again = await complaint('vk', '700200', 'Petrov Ivan', 'В Саяногорске не вывозят мусор со двора дома 12 по улице Ленинградской уже неделю');
    expect(again.authorId).toBe(tg.authorId);
    expect((await app.db.messages.get(again.messageId))!.authorId).toBe(tg.authorId);
    const incidentApi = await getAs(app, duty, `/api/incidents/${vk.incidentId}`);
    expect(incidentApi.body.incident.authorId).toBe(tg.authorId);

    // A second click on the same decision changes nothing.
    const twice = await postJson(duty, `/api/author-suggestions/${s.id}/confirm`, list.csrfToken);
    expect(twice).toEqual({ status: 409, body: { error: 'Предложение уже рассмотрено', status: 'confirmed' } });
  });

  it('a merge recounts a mass complaint: three accounts of which two are one person are no longer resonant', async () => {
    const text = 'В Абакане на улице Щорса 30 третий день нет горячей воды, управляющая компания трубку не берёт';
    const maria = await complaint('telegram', '500900', 'Мария Кузнецова', text);
    const oleg = await complaint('vk', '700901', 'Олег Белов', text);
    const kuz = await complaint('vk', '700900', 'Kuznetsova Maria', text);
    expect(new Set([maria.incidentId, oleg.incidentId, kuz.incidentId]).size).toBe(1);
    expect(await app.db.incidents.get(maria.incidentId)).toMatchObject({ authorsCount: 3, resonant: true, priority: 'high' });

    const kuzAuthor = (await app.db.messages.get(kuz.messageId))!.authorId!; // the incident's author is Мария's
    const s = await waitFor(async () => (await sweep(), app.db.authorSuggestions.between(maria.authorId, kuzAuthor)), (x) => !!x, { what: 'the suggestion' });
    expect(await app.db.authorSuggestions.confirm(s!.id, 'official:khakassia-duty', new Date())).toMatchObject({ kind: 'merged' });
    // Two people now: not a mass complaint any more; the priority it was given stays (someone may have acted on it).
    expect(await app.db.incidents.get(maria.incidentId)).toMatchObject({ authorsCount: 2, resonant: false, priority: 'high' });
  });

  it('a rejected pair is never suggested again; names are escaped', async () => {
    await complaint('vk', '700300', 'Анна Смирнова', 'В Абакане на улице Чертыгашева не горят фонари во дворе дома 100, темно и страшно');
    await complaint('telegram', '500300', 'Смирнова Анна <img src=x onerror=alert(1)>', 'В Черногорске автобус номер 5 не пришёл утром, ждали час на остановке у дома');
    const list = await waitFor(async () => (await sweep(), pendingApi(duty)), (l) => l.total === 1, { what: 'the second suggestion' });
    const s = list.suggestions[0];
    expect(s.b.displayName).toBe('Смирнова Анна <img src=x onerror=alert(1)>');
    const page = await getAs(app, duty, '/authors/suggestions');
    expect(page.text).toContain('Смирнова Анна &lt;img src=x onerror=alert(1)&gt;');
    expect(page.text).not.toContain('<img src=x');

    const r = await postJson(duty, `/api/author-suggestions/${s.id}/reject`, list.csrfToken);
    expect(r).toEqual({ status: 200, body: { status: 'rejected' } });
    expect((await pendingApi(duty)).total).toBe(0);

    // Every author read again from the start: the rejected pair stays rejected, nothing new is pending.
    await app.db.sql.query('UPDATE author_suggestion_cursor SET last_author_id = 0');
    await sweep();
    expect((await pendingApi(duty)).total).toBe(0);
    expect((await app.db.authorSuggestions.get(s.id))!.status).toBe('rejected');
  });

  it('refuses forged and unauthorized decisions, changing nothing', async () => {
    const first = await complaint('vk', '700400', 'Ольга Кузнецова', 'В Абакане прорвало трубу в подъезде дома 7 на улице Советской, вода течёт по стенам');
    await complaint('telegram', '500400', 'Olga Kuznetsova', 'В Сорске третий день нет отопления в школе, дети сидят в куртках');
    const list = await waitFor(async () => (await sweep(), pendingApi(duty)), (l) => l.total === 1, { what: 'the third suggestion' });
    const id: string = list.suggestions[0].id;
    const official = await signIn(app, 'abakan-housing'); // a municipality's official
    const press = await signIn(app, 'khakassia-press'); // the press service: sees everything, changes no authors
    const officialPage = await getAs(app, official, '/authors/suggestions');
    expect(officialPage.status).toBe(403);
    expect(officialPage.text).not.toContain('Ольга Кузнецова'); // the suggested author (the header names the signed-in official)
    expect(officialPage.text).not.toContain('Olga');
    expect((await getAs(app, official, '/')).text).not.toContain('href="/authors/suggestions"');
    expect((await getAs(app, official, '/api/author-suggestions')).status).toBe(403);
    expect((await getAs(app, press, '/api/author-suggestions')).status).toBe(403);
    // A genuine token of another session (the press officer's reply form).
    await waitFor(() => app.db.incidents.get(first.incidentId), (i) => i?.status === 'assigned', { timeoutMs: 30_000, what: 'assigned incident' });
    const pressCsrf = csrfOf((await getAs(app, press, `/press/incidents/${first.incidentId}`)).text);
    expect(pressCsrf).not.toBe('');

    const attempts = [
      postForm(official, `/authors/suggestions/${id}/confirm`, { csrf: 'forged' }), // the wrong role
      postForm(press, `/authors/suggestions/${id}/confirm`, { csrf: pressCsrf }), // a valid token, the wrong role
      postForm(duty, `/authors/suggestions/${id}/confirm`, { csrf: 'forged' }), // the right role, a forged token
      postForm(duty, `/authors/suggestions/${id}/confirm`, {}), // no token
      postForm(duty, `/authors/suggestions/${id}/reject`, { csrf: pressCsrf }), // another session's token
    ];
    for (const r of await Promise.all(attempts)) expect(r.status).toBe(403);
    expect((await postJson(duty, `/api/author-suggestions/${id}/confirm`, 'forged')).status).toBe(403);
    expect((await postJson(duty, `/api/author-suggestions/${id}/confirm`, null)).status).toBe(403);
    expect((await postJson(press, `/api/author-suggestions/${id}/reject`, pressCsrf)).status).toBe(403);
    expect((await postJson(duty, `/api/author-suggestions/${id}/reject`, pressCsrf)).status).toBe(403);
    expect((await postJson(null, `/api/author-suggestions/${id}/confirm`, list.csrfToken)).status).toBe(401);
    const anon = await fetch(`${app.url}/authors/suggestions/${id}/confirm`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=x', redirect: 'manual' });
    expect(anon.status).toBe(401);

    const still = await app.db.authorSuggestions.get(id);
    expect(still!.status).toBe('pending');
    expect(still!.a.id).not.toBe(still!.b.id);
    expect((await pendingApi(duty)).total).toBe(1);
  });
});

describe.each(DB_KINDS)('author merges on the database (%s)', (kind) => {
  let db: Db;
  let close: () => Promise<void>;
  const sweep = () => suggestAuthorMatches({ db, now: () => new Date(), log: quiet }, { settleSeconds: 0 });
  const author = (platform: string, platformId: string, displayName: string | null) =>
    db.authors.resolve({ platform, platformId, displayName, profileUrl: null, contactHash: null });

  beforeAll(async () => ({ db, close } = await openTestDb(kind)));
  afterAll(async () => close());

  it('suggests every pair once, carries a merged author\'s other suggestions over, and confirms once', async () => {
    const a = await author('telegram', '1', 'Иван Петров');
    const b = await author('vk', '2', 'Petrov Ivan');
    const c = await author('web', '3', 'Петров Иван Сергеевич');
    await author('vk', '4', 'Иван Сидоров'); // same first name, different surname
    await author('vk', '5', 'Аноним');
    await author('telegram', '6', 'Гость');
    await author('vk', '7', 'Петрова Ивана'); // never with Петров Иван
    const first = await sweep();
    expect(first).toMatchObject({ authors: 7, suggestions: 3 });
    expect(await sweep()).toMatchObject({ authors: 0, suggestions: 0 });
    const pending = await db.authorSuggestions.pending({ limit: 10, offset: 0 });
    expect(pending.items.map((s) => [s.a.id, s.b.id]).sort()).toEqual([[a, b], [a, c], [b, c]].sort());

    const bc = (await db.authorSuggestions.between(b, c))!;
    const ab = (await db.authorSuggestions.between(a, b))!;
    expect(await db.authorSuggestions.reject(bc.id, 'official:test', new Date())).toEqual({ kind: 'rejected' });
    const merged = await db.authorSuggestions.confirm(ab.id, 'official:test', new Date());
    expect(merged).toMatchObject({ kind: 'merged', keptAuthorId: a, mergedAuthorId: b, identities: 1 });
    expect(await db.authorSuggestions.confirm(ab.id, 'official:test', new Date())).toEqual({ kind: 'already-decided', status: 'confirmed' });
    // B and C are different people, and B is A now: A ~ C is rejected too, and nothing about B is pending.
    expect((await db.authorSuggestions.between(a, c))!.status).toBe('rejected');
    expect((await db.authorSuggestions.pending({ limit: 10, offset: 0 })).total).toBe(0);
    // B's account belongs to A now; a new author with the same name is compared with A, not with the tombstone.
    expect(await author('vk', '2', 'Petrov Ivan')).toBe(a);
    const d = await author('telegram', '8', 'Ivan Petrov');
    await sweep();
    const next = await db.authorSuggestions.pending({ limit: 10, offset: 0 });
    expect(next.items.map((s) => [s.a.id, s.b.id]).sort()).toEqual([[a, d], [c, d]].sort());
    expect(next.items.find((s) => s.a.id === a)!.a.accounts.map((x) => x.platform).sort()).toEqual(['telegram', 'vk']);

    // A pipeline job that resolved B just before the merge committed writes B afterwards: the sweep re-points it.
    await db.sql.query(`UPDATE author_identities SET author_id = $1 WHERE kind = 'account' AND platform = 'vk' AND key = '2'`, [b]);
    expect((await sweep()).repaired).toBe(1);
    expect(await author('vk', '2', 'Petrov Ivan')).toBe(a);
  });
});
