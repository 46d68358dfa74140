/**
 * Issue 15, the web, on the real app (real Redis, PostgreSQL and PGlite): the incident page's staff actions —
 * «Переназначить» to an official of another municipality with a reason (on the timeline; the new owner gets a card),
 * internal notes (staff only, never on the press page), «Вернуть в работу» for a resolved incident, the link
 * «Ответить» — and the press queue's filters, «Взять» (the other officer sees «взял(а) …» and cannot answer; the
 * claim lapses after 30 minutes) and its live part re-fetched every 30 s.
 */
import { DB_KINDS } from '../helpers/db';
import { startTestApp, type TestApp } from '../helpers/app';
import { getAs, signIn } from '../helpers/auth';
import { waitFor } from '../helpers/env';
import { pinnedAnalysis } from '../helpers/analysis';
import type { Analysis } from '../../classifiers';
import type { TopicCode } from '../../src/domain/types';

const HOT_WATER = 'Третий день нет горячей воды в Абакане на Пушкина 45, в управляющую компанию не дозвониться!';
const ROADS = 'В Абакане на улице Ленина 3 огромная яма на дороге, пробили колесо, когда заделают?';
const WASTE = 'В Абакане на Щетинкина 12 вторую неделю не вывозят мусор с контейнерной площадки';
const LEAK = 'В Абакане на Вяткина 8 течёт крыша, в подъезде на пятом этаже мокрый потолок и штукатурка падает';

const sure = (topic: TopicCode, municipality: string): Partial<Analysis> => ({ kind: 'complaint', complaint: true, confident: true, confidence: 0.95, topic, municipality, priority: 'normal' });
const PINS: Record<string, Partial<Analysis>> = {
  [HOT_WATER]: sure('housing', 'abakan'),
  [ROADS]: sure('roads', 'abakan'),
  [WASTE]: sure('waste', 'abakan'),
  [LEAK]: sure('housing', 'abakan'),
};

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe.each(DB_KINDS)('incident page actions and the press queue (%s)', (kind) => {
  let app: TestApp;
  /** Minutes the app's clock runs ahead of the real one (a claim's lapse is tested by moving it). */
  let shiftMinutes = 0;
  let duty: string;
  let owner: string;
  let stranger: string;
  let press: string;
  /** The roads incident of the press queue's tests. */
  let roadsId = '';
  /** A session's CSRF token (every incident page has the notes form). */
  const csrfFor = async (cookie: string, incidentId: string) => csrfOf((await getAs(app, cookie, `/incidents/${incidentId}`)).text);
  const postForm = async (cookie: string, url: string, form: Record<string, string>) => {
    const r = await fetch(`${app.url}${url}`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(), redirect: 'manual' });
    return { status: r.status, location: r.headers.get('location'), text: await r.text() };
  };
  const assigned = async (text: string, name: string) => {
    const id = (await app.post('/api/comments', { text, name })).body.id as string;
    return (await waitFor(() => app.db.incidents.byMessage(id), (i) => i?.status === 'assigned', { what: 'assigned incident' }))!;
  };
  const nameOf = async (id: string) => (await app.db.officials.get(id))!.name;

  beforeAll(async () => {
    app = await startTestApp(kind, { analysis: pinnedAnalysis(PINS), now: () => new Date(Date.now() + shiftMinutes * 60_000) });
    duty = await signIn(app, 'khakassia-duty');
    owner = await signIn(app, 'abakan-housing');
    stranger = await signIn(app, 'abakan-roads');
    press = await signIn(app, 'khakassia-press');
  });
  afterAll(async () => app.stop());

  it('reassigns from the incident page to an official of another municipality, with the reason on the timeline', async () => {
    const incident = await assigned(HOT_WATER, 'Ольга');
    expect(incident.officialId).toBe('abakan-housing');
    const page = await getAs(app, duty, `/incidents/${incident.id}`);
    expect(page.status).toBe(200);
    // A select of officials grouped by municipality, and the link to the press page.
    expect(page.text).toContain(`action="/incidents/${incident.id}/reassign"`);
    expect(page.text).toMatch(/<optgroup label="[^"]+"><option value="[a-z-]+">/);
    expect(page.text).toContain('<option value="chernogorsk-housing">');
    expect(page.text).toContain(`href="/press/incidents/${incident.id}">Ответить</a>`);
    // No reason: nothing moves.
    const bare = await postForm(duty, `/incidents/${incident.id}/reassign`, { csrf: csrfOf(page.text), to: 'chernogorsk-housing', reason: '' });
    expect(bare.location).toBe(`/incidents/${incident.id}?error=no-reason#staff`);
    expect((await app.db.incidents.get(incident.id))!.officialId).toBe('abakan-housing');
    // A forged token, or someone who may not act on it (another official of the municipality, the press service): refused.
    expect((await postForm(duty, `/incidents/${incident.id}/reassign`, { csrf: 'forged', to: 'chernogorsk-housing', reason: 'Адрес в Черногорске' })).status).toBe(403);
    const strangerPage = await getAs(app, stranger, `/incidents/${incident.id}`);
    expect(strangerPage.text).not.toContain('/reassign"');
    expect((await postForm(stranger, `/incidents/${incident.id}/reassign`, { csrf: csrfOf(strangerPage.text), to: 'abakan-roads', reason: 'Заберу себе' })).status).toBe(403);
    expect((await getAs(app, press, `/incidents/${incident.id}`)).text).not.toContain('/reassign"');

    const r = await postForm(duty, `/incidents/${incident.id}/reassign`, { csrf: csrfOf(page.text), to: 'chernogorsk-housing', reason: 'Адрес на самом деле в Черногорске' });
    expect(r.status).toBe(303);
    expect(r.location).toBe(`/incidents/${incident.id}?done=handed-over#staff`);
    const moved = (await app.db.incidents.get(incident.id))!;
    expect(moved).toMatchObject({ officialId: 'chernogorsk-housing', municipalityId: 'chernogorsk', status: 'assigned' });
    const ev = (await app.db.incidents.events(incident.id)).find((e) => e.kind === 'incident.reassigned');
    expect(ev).toMatchObject({ actor: 'official:khakassia-duty', data: { from: 'abakan-housing', to: 'chernogorsk-housing', note: 'Адрес на самом деле в Черногорске' } });
    // The place moved with it: a correction the analysis learns from.
    expect((await app.db.corrections.forIncident(incident.id)).map((c) => [c.field, c.oldValue, c.newValue, c.officialId])).toEqual([['municipality', 'abakan', 'chernogorsk', 'khakassia-duty']]);
    // The new owner is sent a card (undeliverable here: no bot in this app).
    await waitFor(() => app.db.notifications.forIncident(incident.id), (n) => n.some((x) => x.officialId === 'chernogorsk-housing' && x.kind === 'card'), { what: 'the new owner\'s card' });
    const after = await getAs(app, duty, `/incidents/${incident.id}?done=handed-over`);
    expect(after.text).toContain('Обращение передано.');
    expect(after.text).toContain(`Передано другому ответственному: ${await nameOf('chernogorsk-housing')} — причина: «Адрес на самом деле в Черногорске»`);
    // The new owner sees it now (Chernogorsk's scope); the former one does not.
    expect((await getAs(app, await signIn(app, 'chernogorsk-housing'), `/incidents/${incident.id}`)).status).toBe(200);
    expect((await getAs(app, owner, `/incidents/${incident.id}`)).status).toBe(404);
  });

  it('keeps internal notes with who and when, for staff only: never on the press page or to anyone signed out', async () => {
    const incident = await assigned(WASTE, 'Пётр');
    const page = await getAs(app, owner, `/incidents/${incident.id}`);
    expect(page.text).toContain('Заметок пока нет.');
    const note = 'Звонил в УК «Чистый город», обещали вывезти завтра утром';
    const r = await postForm(owner, `/incidents/${incident.id}/notes`, { csrf: csrfOf(page.text), text: note });
    expect(r.location).toBe(`/incidents/${incident.id}?done=noted#staff`);
    expect((await postForm(owner, `/incidents/${incident.id}/notes`, { csrf: csrfOf(page.text), text: '   ' })).location).toBe(`/incidents/${incident.id}?error=empty-note#staff`);
    const seen = await getAs(app, duty, `/incidents/${incident.id}`);
    expect(seen.text).toContain('Звонил в УК «Чистый город», обещали вывезти завтра утром');
    expect(seen.text).toContain(await nameOf('abakan-housing'));
    expect((await app.db.notes.forIncident(incident.id)).map((n) => [n.officialId, n.text])).toEqual([['abakan-housing', note]]);
    // Not on the timeline, the press page, the API of the incident, nor to anyone signed out.
    expect((await app.db.incidents.events(incident.id)).some((e) => JSON.stringify(e.data).includes('Чистый город'))).toBe(false);
    expect((await getAs(app, press, `/press/incidents/${incident.id}`)).text).not.toContain('Чистый город');
    expect((await getAs(app, duty, `/api/incidents/${incident.id}`)).text).not.toContain('Чистый город');
    const out = await getAs(app, null, `/incidents/${incident.id}`);
    expect(out.status).not.toBe(200);
    expect(out.text).not.toContain('Чистый город');
  });

  it('returns a resolved incident to work from its page («Вернуть в работу»), for its owner only', async () => {
    const incident = await assigned(LEAK, 'Зоя');
    expect(incident.officialId).toBe('abakan-housing');
    const open = await getAs(app, owner, `/incidents/${incident.id}`);
    expect(open.text).not.toContain('/reopen"');
    const at = new Date(Date.now() + shiftMinutes * 60_000);
    await app.db.tx(async (tx) => {
      await tx.bot.resolve(incident.id, at);
      await tx.incidents.addEvent(incident.id, 'incident.resolved', 'official:abakan-housing', at, {});
    });
    expect((await getAs(app, stranger, `/incidents/${incident.id}`)).text).not.toContain('/reopen"');
    const page = await getAs(app, owner, `/incidents/${incident.id}`);
    expect(page.text).toContain('Вернуть в работу');
    expect((await postForm(stranger, `/incidents/${incident.id}/reopen`, { csrf: csrfOf(page.text) })).status).toBe(403);
    const r = await postForm(owner, `/incidents/${incident.id}/reopen`, { csrf: csrfOf(page.text) });
    expect(r.location).toBe(`/incidents/${incident.id}?done=reopened#staff`);
    expect((await app.db.incidents.get(incident.id))!).toMatchObject({ status: 'assigned', resolvedAt: null, officialId: 'abakan-housing' });
    const after = await getAs(app, owner, `/incidents/${incident.id}?done=reopened`);
    expect(after.text).toContain('Обращение возвращено в работу.');
    expect(after.text).toMatch(/Возвращено в работу <span class="muted small">· /);
    // Not resolved any more: a second press changes nothing.
    expect((await postForm(owner, `/incidents/${incident.id}/reopen`, { csrf: csrfOf(page.text) })).location).toBe(`/incidents/${incident.id}?error=not-reopenable#staff`);
  });

  it('filters the press queue by municipality, topic and stage; the live part refreshes every 30 s', async () => {
    const roads = await assigned(ROADS, 'Игорь');
    roadsId = roads.id;
    const all = await getAs(app, press, '/press');
    expect(all.status).toBe(200);
    expect(all.text).toContain(`data-incident="${roads.id}"`);
    expect(all.text).toContain('<select name="municipality">');
    expect(all.text).toContain('/assets/press.js');
    expect(all.text).toContain('id="press-live" data-src="/press?part=main"');
    const byTopic = await getAs(app, press, '/press?topic=roads');
    expect(byTopic.text).toContain(`data-incident="${roads.id}"`);
    expect(byTopic.text).toMatch(/Ждут ответа \(1\)/);
    expect(byTopic.text).toContain('<option value="roads" selected>');
    expect((await getAs(app, press, '/press?topic=waste')).text).not.toContain(`data-incident="${roads.id}"`);
    expect((await getAs(app, press, '/press?municipality=chernogorsk')).text).not.toContain(`data-incident="${roads.id}"`);
    expect((await getAs(app, press, '/press?stage=draft')).text).toMatch(/Ждут ответа \(0\)/);
    // Outside one's scope: refused (an Abakan official asking for Chernogorsk).
    expect((await getAs(app, owner, '/press?municipality=chernogorsk')).status).toBe(403);
    // The live part alone, with the filters kept, as press.js fetches it.
    const part = await getAs(app, press, '/press?topic=roads&part=main');
    expect(part.text.startsWith('<!doctype')).toBe(false);
    expect(part.text).toContain('обновляется каждые 30 секунд');
    expect(part.text).toContain(`data-incident="${roads.id}"`);
  });

  it('lets one press officer take an incident: the other sees «взял(а) …» and cannot answer it; the claim lapses in 30 minutes', async () => {
    const roads = (await app.db.incidents.get(roadsId))!;
    const queue = await getAs(app, press, '/press?topic=roads');
    const claim = await postForm(press, `/press/incidents/${roads.id}/claim`, { csrf: csrfOf(queue.text), back: '/press?topic=roads' });
    expect(claim.status).toBe(303);
    expect(claim.location).toBe('/press?topic=roads&done=claimed');
    const mine = await getAs(app, press, '/press?topic=roads&done=claimed');
    expect(mine.text).toContain('Обращение за вами на 30 минут');
    expect(mine.text).toMatch(/вы взяли · до \d/);
    // The other officer (the duty officer here) sees who took it, and no «Взять» for it.
    const pressName = await nameOf('khakassia-press');
    const other = await getAs(app, duty, '/press?topic=roads');
    expect(other.text).toContain(`взял(а) ${pressName}`);
    expect(other.text).not.toContain(`/press/incidents/${roads.id}/claim"`);
    expect((await postForm(duty, `/press/incidents/${roads.id}/claim`, { csrf: await csrfFor(duty, roads.id), back: '/press' })).location).toBe('/press?error=claimed');
    const page = await getAs(app, duty, `/press/incidents/${roads.id}`);
    expect(page.text).toContain(`Это обращение уже взял(а) ${pressName}`);
    const refused = await postForm(duty, `/press/incidents/${roads.id}/reply`, { csrf: csrfOf(page.text), stage: 'ack', templateId: '', text: 'Здравствуйте! Ваше обращение принято в работу, ответственный специалист уже занимается.' });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain(`уже взял(а) ${pressName}`);
    expect(await app.db.replies.forIncident(roads.id)).toEqual([]);
    // 31 minutes later the claim has lapsed: the other officer may take it.
    shiftMinutes = 31;
    const later = await getAs(app, duty, '/press?topic=roads');
    expect(later.text).not.toContain(`взял(а) ${pressName}`);
    expect(later.text).toContain(`/press/incidents/${roads.id}/claim"`);
    expect((await postForm(duty, `/press/incidents/${roads.id}/claim`, { csrf: await csrfFor(duty, roads.id), back: '/press' })).location).toBe('/press?done=claimed');
    expect((await getAs(app, press, '/press')).text).toContain(`взял(а) ${await nameOf('khakassia-duty')}`);
    // «Отпустить»: free again at once.
    expect((await postForm(duty, `/press/incidents/${roads.id}/release`, { csrf: await csrfFor(duty, roads.id), back: '/press?topic=roads' })).location).toBe('/press?topic=roads&done=released');
    expect((await getAs(app, press, '/press?topic=roads')).text).toContain(`/press/incidents/${roads.id}/claim"`);
    shiftMinutes = 0;
  });
});
