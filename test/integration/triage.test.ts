/**
 * Message kinds, triage and corrections on the real app (real Redis, PostgreSQL and PGlite): an unsure incident
 * waits on the duty officer's list instead of reaching an official; a person's decision on the web routes it (to the
 * official of the corrected place and topic) and is stored as a correction with who and when; questions are
 * incidents of their own kind; thanks open nothing and show on the incident they thank; corrections come back as
 * training examples.
 */
import { DB_KINDS } from '../helpers/db';
import { startTestApp, type TestApp } from '../helpers/app';
import { getAs, signIn } from '../helpers/auth';
import { waitFor } from '../helpers/env';
import { pinnedAnalysis } from '../helpers/analysis';
import { startFakeTelegram, type FakeTelegram, type TgSentMessage } from '../emulators/telegram';
import type { Analysis } from '../../classifiers';
import type { TopicCode } from '../../src/domain/types';

/** No place in the text: the analysis cannot route it. */
const NO_PLACE = 'Во дворе нашего дома третью неделю не вывозят мусор, баки переполнены, крысы бегают';
/** A place, but the analysis is pinned unsure of it. */
const UNSURE = 'На Советской 70 в Черногорске какая-то беда с двором, третий день всё разрыто и непонятно что делают';
const NOT_AN_APPEAL = 'Продам гараж на Пушкина в Абакане, недорого, звоните вечером';
const QUESTION = 'Подскажите, когда в Абакане на улице Пушкина 45 включат горячую воду? Обещали до пятницы';
const HOT_WATER = 'Третий день нет горячей воды в Абакане на Пушкина 45, в управляющую компанию не дозвониться!';
const ROADS = 'В Абакане на улице Ленина 3 огромная яма на дороге, пробили колесо, когда заделают?';
const THANKS = 'Огромное спасибо, горячую воду на Пушкина 45 дали, всё работает!';
const STRAY_THANKS = 'Спасибо всем, кто помог найти собаку!';

const POTHOLES = 'Ямы на дороге, невозможно проехать, все колёса побили';
const BURST_PIPE = 'В Абакане на Кирова 20 прорвало трубу в подвале, вода везде';

/**
 * What the analysis says of these texts, pinned: these tests are about what the pipeline, the web and the bot do with
 * each verdict (the analysis is being retrained meanwhile; its own tests and evaluation cover its verdicts).
 */
const sure = (topic: TopicCode, municipality: string) => ({ kind: 'complaint' as const, complaint: true, confident: true, confidence: 0.95, topic, municipality, priority: 'normal' as const });
const PINS: Record<string, Partial<Analysis>> = {
  [NO_PLACE]: { kind: 'complaint', complaint: true, confident: false, confidence: 0.9, topic: 'waste', municipality: null, priority: 'normal' },
  [UNSURE]: { kind: 'complaint', complaint: true, confident: false, confidence: 0.41, topic: 'landscaping', municipality: 'chernogorsk', priority: 'normal' },
  [NOT_AN_APPEAL]: { kind: 'complaint', complaint: true, confident: false, confidence: 0.3, topic: 'other', municipality: 'abakan', priority: 'normal' },
  [QUESTION]: { ...sure('housing', 'abakan'), kind: 'question', complaint: false },
  [HOT_WATER]: sure('housing', 'abakan'),
  [ROADS]: sure('roads', 'abakan'),
  [BURST_PIPE]: sure('housing', 'abakan'),
  [POTHOLES]: { kind: 'complaint', complaint: true, confident: false, confidence: 0.9, topic: 'roads', municipality: null, priority: 'normal' },
  [THANKS]: { kind: 'gratitude', complaint: false, topic: null, municipality: null },
  [STRAY_THANKS]: { kind: 'gratitude', complaint: false, topic: null, municipality: null },
};

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe.each(DB_KINDS)('message kinds, triage and corrections (%s)', (kind) => {
  let app: TestApp;
  let duty: string;
  const postForm = async (cookie: string, url: string, form: Record<string, string>) => {
    const r = await fetch(`${app.url}${url}`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(), redirect: 'manual' });
    return { status: r.status, location: r.headers.get('location'), text: await r.text() };
  };
  const post = async (text: string, who: { name: string; contact?: string }) => (await app.post('/api/comments', { text, ...who })).body.id as string;
  const incidentOf = (messageId: string, status: string) =>
    waitFor(() => app.db.incidents.byMessage(messageId), (i) => i?.status === status, { what: `incident ${status}` }).then((i) => i!);

  beforeAll(async () => {
    app = await startTestApp(kind, {
      analysis: pinnedAnalysis(PINS),
    });
    duty = await signIn(app, 'khakassia-duty');
  });
  afterAll(async () => app.stop());

  it('puts an incident the analysis cannot place, or is unsure of, on the triage list, not with an official', async () => {
    const noPlace = await incidentOf(await post(NO_PLACE, { name: 'Анна' }), 'needs_review');
    const unsure = await incidentOf(await post(UNSURE, { name: 'Борис' }), 'needs_review');
    for (const i of [noPlace, unsure]) {
      expect(i.officialId).toBeNull();
      // No card to anyone: the duty officer gets the triage message (undeliverable here: no bot in this app).
      const sent = await waitFor(() => app.db.notifications.forIncident(i.id), (n) => n.length > 0, { what: 'the triage message' });
      expect(sent.map((n) => [n.kind, n.officialId])).toEqual([['triage', 'khakassia-duty']]);
      expect((await app.db.incidents.events(i.id)).map((e) => e.kind)).toEqual(['incident.opened', 'incident.needs-review', 'notification.undeliverable']);
    }
    const page = await getAs(app, duty, '/triage');
    expect(page.status).toBe(200);
    expect(page.text).toContain('>Разбор</a>'); // the navigation item
    expect(page.text).toContain(`Обращение №${noPlace.id}`);
    expect(page.text).toContain('крысы бегают');
    expect(page.text).toMatch(/уверенность 41/);
    // Oldest post first: its clock has run longest.
    expect(page.text.indexOf(`№${noPlace.id}`)).toBeLessThan(page.text.indexOf(`№${unsure.id}`));
    // A municipality's official has no triage list; Chernogorsk's head sees Chernogorsk's only.
    const official = await signIn(app, 'abakan-housing');
    expect((await getAs(app, official, '/triage')).status).toBe(403);
    expect((await getAs(app, official, '/')).text).not.toContain('>Разбор</a>');
    const head = await getAs(app, await signIn(app, 'chernogorsk-head'), '/triage');
    expect(head.text).toContain(`№${unsure.id}`);
    expect(head.text).not.toContain(`№${noPlace.id}`);
  });

  it('routes a corrected incident to the official of the corrected place and topic, and records the correction with who', async () => {
    const incident = (await app.db.incidents.byMessage((await app.db.sql.query<{ id: string }>('SELECT id::text FROM messages WHERE text = $1', [NO_PLACE])).rows[0].id))!;
    const page = await getAs(app, duty, '/triage');
    const r = await postForm(duty, `/triage/${incident.id}`, { csrf: csrfOf(page.text), decision: 'appeal', kind: 'complaint', topic: 'waste', municipality: 'sayanogorsk', priority: 'high' });
    expect(r.status).toBe(303);
    expect(r.location).toBe('/triage?done=routed');
    const routed = await waitFor(() => app.db.incidents.get(incident.id), (i) => i?.status === 'assigned', { what: 'assignment after triage' });
    expect(routed).toMatchObject({ officialId: 'sayanogorsk-housing', municipalityId: 'sayanogorsk', topic: 'waste', priority: 'high', kind: 'complaint' });
    // The clock ran from the post's publication all along.
    expect(routed!.responseDueAt!.getTime() - routed!.openedAt.getTime()).toBe(240 * 60_000);
    const corrections = await app.db.corrections.forIncident(incident.id);
    expect(corrections.map((c) => [c.field, c.oldValue, c.newValue, c.officialId])).toEqual([
      ['kind', 'complaint', 'complaint', 'khakassia-duty'],
      ['topic', 'waste', 'waste', 'khakassia-duty'],
      ['municipality', null, 'sayanogorsk', 'khakassia-duty'],
      ['priority', 'normal', 'high', 'khakassia-duty'],
    ]);
    expect(corrections.every((c) => c.messageId === incident.primaryMessageId)).toBe(true);
    const ev = (await app.db.incidents.events(incident.id)).find((e) => e.kind === 'incident.triaged');
    expect(ev).toMatchObject({ actor: 'official:khakassia-duty', data: { changed: ['municipality', 'priority'] } });
    // Gone from the list; a second decision on it changes nothing.
    expect((await getAs(app, duty, '/triage')).text).not.toContain(`№${incident.id}<`);
    const again = await postForm(duty, `/triage/${incident.id}`, { csrf: csrfOf(page.text), decision: 'not-appeal', kind: 'complaint', topic: 'waste', municipality: '', priority: 'normal' });
    expect(again.status).toBe(409);
    expect((await app.db.incidents.get(incident.id))!.status).toBe('assigned');
  });

  it('refuses a triage form without the session\'s CSRF token, or from someone who may not triage', async () => {
    const incident = await incidentOf(await post(NOT_AN_APPEAL, { name: 'Продавец' }), 'needs_review');
    const form = { decision: 'not-appeal', kind: 'complaint', topic: 'other', municipality: '', priority: 'normal' };
    expect((await postForm(duty, `/triage/${incident.id}`, { ...form, csrf: 'forged' })).status).toBe(403);
    const official = await signIn(app, 'abakan-roads');
    const theirs = csrfOf((await getAs(app, official, '/press')).text);
    expect((await postForm(official, `/triage/${incident.id}`, { ...form, csrf: theirs })).status).toBe(403);
    expect((await app.db.incidents.get(incident.id))!.status).toBe('needs_review');
  });

  it('dismisses what is not an appeal: no official, out of the statistics, a correction of its kind', async () => {
    const incident = (await app.db.incidents.byMessage((await app.db.sql.query<{ id: string }>('SELECT id::text FROM messages WHERE text = $1', [NOT_AN_APPEAL])).rows[0].id))!;
    const before = await getAs(app, duty, '/api/stats?group=none');
    const r = await postForm(duty, `/triage/${incident.id}`, { csrf: csrfOf((await getAs(app, duty, '/triage')).text), decision: 'not-appeal', kind: 'complaint', topic: 'other', municipality: '', priority: 'normal' });
    expect(r.location).toBe('/triage?done=dismissed');
    expect(await app.db.incidents.get(incident.id)).toMatchObject({ status: 'dismissed', officialId: null });
    expect((await app.db.corrections.forIncident(incident.id)).map((c) => [c.field, c.newValue, c.officialId])).toEqual([['kind', 'none', 'khakassia-duty']]);
    const after = await getAs(app, duty, '/api/stats?group=none');
    expect(after.body.total.incidents).toBe(before.body.total.incidents - 1);
    expect((await app.db.notifications.forIncident(incident.id)).filter((n) => n.kind !== 'triage')).toEqual([]);
  });

  it('makes a question an incident of kind question, with the same clock and card', async () => {
    const incident = await incidentOf(await post(QUESTION, { name: 'Вера' }), 'assigned');
    expect(incident).toMatchObject({ kind: 'question', municipalityId: 'abakan' });
    expect(incident.responseDueAt!.getTime() - incident.openedAt.getTime()).toBe(240 * 60_000);
    const page = await getAs(app, duty, `/incidents/${incident.id}`);
    expect(page.text).toMatch(/<th>Вид<\/th><td>Вопрос<\/td>/);
  });

  it('records thanks without an incident or a clock, on the incident it thanks', async () => {
    const contact = '+7 913 777-45-45';
    const incident = await incidentOf(await post(HOT_WATER, { name: 'Ольга', contact }), 'assigned');
    await app.db.tx(async (tx) => tx.bot.resolve(incident.id, new Date()));
    const thanksId = await post(THANKS, { name: 'Ольга', contact });
    const m = await waitFor(() => app.db.messages.get(thanksId), (x) => x?.status !== 'received', { what: 'thanks detected' });
    expect(m).toMatchObject({ status: 'gratitude', incidentId: incident.id });
    expect(await app.db.incidents.byMessage(thanksId)).toBeNull();
    expect((await app.db.incidents.events(incident.id)).map((e) => e.kind)).toContain('incident.thanked');
    // The official it thanks is told (no bot here: recorded as undeliverable, which is what notify does without one).
    const n = await waitFor(() => app.db.notifications.forIncident(incident.id), (ns) => ns.some((x) => x.kind === `thanks-${thanksId}`), { what: 'thanks notification' });
    expect(n.find((x) => x.kind === `thanks-${thanksId}`)!.officialId).toBe(incident.officialId);
    const page = await getAs(app, duty, `/incidents/${incident.id}`);
    expect(page.text).toContain('Благодарность (1)');
    expect(page.text).toContain('горячую воду на Пушкина 45 дали');
    // Thanks from someone with no answered incident is recorded, linked to nothing.
    const stray = await post(STRAY_THANKS, { name: 'Пётр', contact: '+7 913 000-11-22' });
    const s = await waitFor(() => app.db.messages.get(stray), (x) => x?.status !== 'received');
    expect(s).toMatchObject({ status: 'gratitude', incidentId: null });
  });

  it('corrects an assigned incident on its page: the owner changes with the place, each change is a correction', async () => {
    const incident = await incidentOf(await post(ROADS, { name: 'Игорь' }), 'assigned');
    expect(incident.officialId).toBe('abakan-roads');
    const page = await getAs(app, duty, `/incidents/${incident.id}`);
    expect(page.text).toContain(`action="/incidents/${incident.id}/labels"`);
    const form = { csrf: csrfOf(page.text), decision: 'appeal', kind: 'question', topic: 'roads', municipality: 'chernogorsk', priority: 'normal' };
    const r = await postForm(duty, `/incidents/${incident.id}/labels`, form);
    expect(r.status).toBe(303);
    expect(r.location).toBe(`/incidents/${incident.id}?done=reassigned#labels`);
    expect(await app.db.incidents.get(incident.id)).toMatchObject({ kind: 'question', municipalityId: 'chernogorsk', officialId: 'chernogorsk-roads', status: 'assigned' });
    await waitFor(() => app.db.notifications.forIncident(incident.id), (ns) => ns.some((x) => x.officialId === 'chernogorsk-roads' && x.kind === 'card'), { what: 'card to the new owner' });
    // Corrected again (the place back): the latest value is the label.
    await postForm(duty, `/incidents/${incident.id}/labels`, { ...form, municipality: 'abakan' });
    const c = await app.db.corrections.forIncident(incident.id);
    expect(c.map((x) => [x.field, x.oldValue, x.newValue, x.officialId])).toEqual([
      ['kind', 'complaint', 'question', 'khakassia-duty'],
      ['municipality', 'abakan', 'chernogorsk', 'khakassia-duty'],
      ['municipality', 'chernogorsk', 'abakan', 'khakassia-duty'],
    ]);
    // The press service sees the page but has no form.
    const press = await getAs(app, await signIn(app, 'khakassia-press'), `/incidents/${incident.id}`);
    expect(press.text).not.toContain('/labels"');
    // An unchanged form stores nothing.
    const same = await postForm(duty, `/incidents/${incident.id}/labels`, { ...form, municipality: 'abakan' });
    expect(same.location).toContain('done=unchanged');
    expect(await app.db.corrections.forIncident(incident.id)).toHaveLength(3);
  });

  it('returns the corrected labels as training examples: the latest value per text and field', async () => {
    const examples = await app.db.corrections.trainingExamples();
    expect(examples).toEqual(
      expect.arrayContaining([
        { text: NO_PLACE, kind: 'complaint', topic: 'waste', municipality: 'sayanogorsk', priority: 'high' },
        { text: NOT_AN_APPEAL, kind: 'none' },
        { text: ROADS, kind: 'question', municipality: 'abakan' },
      ]),
    );
    expect(examples).toHaveLength(3);
  });
});

describe.each(DB_KINDS)('triage in the bot, through the Telegram emulator (%s)', (kind) => {
  const DUTY = 100001;
  const ABAKAN_ROADS = 100005;
  const ABAKAN_HOUSING = 100004;
  let tg: FakeTelegram;
  let app: TestApp;
  const button = (m: TgSentMessage, label: string): string => {
    const b = (m.replyMarkup?.inline_keyboard ?? []).flat().find((x) => x.text === label);
    if (!b?.callback_data) throw new Error(`no button "${label}" on message ${m.messageId}: ${JSON.stringify(m.replyMarkup)}`);
    return b.callback_data;
  };
  const labels = (m: TgSentMessage) => (m.replyMarkup?.inline_keyboard ?? []).flat().map((b) => b.text);
  const current = (m: TgSentMessage) => tg.sent.find((x) => x.chatId === m.chatId && x.messageId === m.messageId)!;
  const press = async (m: TgSentMessage, label: string, from = DUTY) => {
    const edits = current(m).edits;
    tg.pressButton({ from: { id: from }, chatId: m.chatId, messageId: m.messageId, data: button(current(m), label) });
    return waitFor(async () => current(m), (x) => x.edits > edits, { what: `edit after «${label}»` });
  };

  beforeAll(async () => {
    tg = await startFakeTelegram();
    app = await startTestApp(kind, {
      roles: ['api', 'pipeline', 'bot'],
      env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_URL: tg.url },
      analysis: pinnedAnalysis(PINS),
    });
    await tg.waitForPoller();
    for (const id of [DUTY, ABAKAN_ROADS, ABAKAN_HOUSING]) {
      tg.userSends({ from: { id, first_name: 'Сотрудник' }, text: '/start' });
      await tg.waitForSent((m) => m.chatId === id && m.text.includes('Вы подключены'));
    }
  });
  afterAll(async () => {
    await tg.waitForPoller();
    await app.stop();
    await tg.stop();
  });

  it('lists the unsure incidents to the duty officer with signed buttons; a picked place routes it and is recorded', async () => {
    const res = await app.post('/api/comments', { text: POTHOLES, name: 'Денис' });
    const incident = (await waitFor(() => app.db.incidents.byMessage(res.body.id), (i) => i?.status === 'needs_review', { what: 'needs review' }))!;
    // It comes to the duty officer by itself, with its buttons …
    const msg = await tg.waitForSent((m) => m.chatId === DUTY && m.text.includes(`На разбор: обращение №${incident.id}`));
    expect(tg.sentIn(ABAKAN_ROADS).some((m) => m.text.includes(`№${incident.id}`))).toBe(false);
    // … and /triage lists it too.
    tg.userSends({ from: { id: DUTY, first_name: 'Дежурный' }, text: '/triage' });
    const listed = await tg.waitForSent((m) => m.chatId === DUTY && m.messageId !== msg.messageId && m.text.includes(`На разбор: обращение №${incident.id}`));
    expect(labels(listed)).toEqual(labels(msg));
    expect(msg.text).toContain('Ямы на дороге');
    expect(msg.text).toMatch(/Предложено: Жалоба · Дороги · не определён/);
    expect(labels(msg)).toEqual(['Подтвердить', 'Другая тема', 'Другой муниципалитет', 'Не обращение']);
    for (const b of msg.replyMarkup!.inline_keyboard!.flat()) expect(Buffer.byteLength(b.callback_data!)).toBeLessThanOrEqual(64);

    const places = await press(msg, 'Другой муниципалитет');
    expect(labels(places)).toContain('город Абакан');
    const picked = await press(msg, 'город Абакан');
    expect(picked.text).toMatch(/Выбрано: Дороги · город Абакан/);
    const done = await press(msg, 'Подтвердить выбранное');
    expect(done.text).toContain('разобрано');
    expect(done.replyMarkup).toBeUndefined();
    // The message the /triage list showed is no longer pressable: it says so.
    tg.pressButton({ from: { id: DUTY }, chatId: DUTY, messageId: listed.messageId, data: button(current(listed), 'Подтвердить') });
    await waitFor(async () => current(listed), (x) => x.text.includes('уже разобрано'), { what: 'the stale list message' });

    const routed = await waitFor(() => app.db.incidents.get(incident.id), (i) => i?.status === 'assigned', { what: 'assigned after triage' });
    expect(routed).toMatchObject({ municipalityId: 'abakan', topic: 'roads', officialId: 'abakan-roads' });
    await tg.waitForSent((m) => m.chatId === ABAKAN_ROADS && m.text.includes(`Обращение №${incident.id}`));
    const c = await app.db.corrections.forIncident(incident.id);
    expect(c.filter((x) => x.oldValue !== x.newValue).map((x) => [x.field, x.oldValue, x.newValue, x.officialId])).toEqual([['municipality', null, 'abakan', 'khakassia-duty']]);
    // Nothing left to decide.
    tg.userSends({ from: { id: DUTY, first_name: 'Дежурный' }, text: '/triage' });
    await tg.waitForSent((m) => m.chatId === DUTY && m.text.startsWith('Разбирать нечего'));
  });

  it('marks «не обращение» from the bot, and shows no triage to an official', async () => {
    const res = await app.post('/api/comments', { text: NOT_AN_APPEAL, name: 'Продавец' });
    const incident = (await waitFor(() => app.db.incidents.byMessage(res.body.id), (i) => i?.status === 'needs_review'))!;
    const pushed = await tg.waitForSent((m) => m.chatId === DUTY && m.text.includes(`На разбор: обращение №${incident.id}`));
    tg.userSends({ from: { id: DUTY, first_name: 'Дежурный' }, text: '/triage' });
    const msg = await tg.waitForSent((m) => m.chatId === DUTY && m.messageId !== pushed.messageId && m.text.includes(`На разбор: обращение №${incident.id}`));
    const topics = await press(msg, 'Другая тема');
    expect(labels(topics)).toHaveLength(12); // the eleven topics (the current one ticked) and «Назад»
    expect(labels(topics).filter((l) => l.startsWith('✓ '))).toHaveLength(1);
    expect(labels(topics)).toEqual(expect.arrayContaining(['Назад']));
    await press(msg, 'Назад');
    const done = await press(msg, 'Не обращение');
    expect(done.text).toContain('не обращение');
    expect(await app.db.incidents.get(incident.id)).toMatchObject({ status: 'dismissed', officialId: null });
    expect((await app.db.corrections.forIncident(incident.id)).map((x) => [x.field, x.newValue, x.officialId])).toEqual([['kind', 'none', 'khakassia-duty']]);
    // The message pushed earlier says what was decided, without buttons.
    const settled = await waitFor(async () => current(pushed), (x) => x.text.includes('не обращение') && !x.replyMarkup, { what: 'the pushed message settled' });
    expect(settled.text).toContain(`Обращение №${incident.id}`);

    tg.userSends({ from: { id: ABAKAN_HOUSING, first_name: 'Сотрудник' }, text: '/triage' });
    const refusal = await tg.waitForSent((m) => m.chatId === ABAKAN_HOUSING && m.text.includes('Разбор обращений доступен'));
    expect(refusal.replyMarkup).toBeUndefined();
  });

  it('tells the official of a resolved incident about the author’s thanks, in a short message', async () => {
    const contact = '+7 913 444-12-12';
    const res = await app.post('/api/comments', { text: HOT_WATER, name: 'Ольга', contact });
    const incident = (await waitFor(() => app.db.incidents.byMessage(res.body.id), (i) => i?.status === 'assigned'))!;
    expect(incident.officialId).toBe('abakan-housing');
    await tg.waitForSent((m) => m.chatId === ABAKAN_HOUSING && m.text.includes(`Обращение №${incident.id}`));
    await app.db.tx(async (tx) => tx.bot.resolve(incident.id, new Date()));
    await app.post('/api/comments', { text: THANKS, name: 'Ольга', contact });
    const thanks = await tg.waitForSent((m) => m.chatId === ABAKAN_HOUSING && m.text.includes(`Благодарность по обращению №${incident.id}`));
    expect(thanks.text).toContain('горячую воду на Пушкина 45 дали');
    expect(thanks.replyMarkup).toBeUndefined();
  });

  it('passes an incident corrected on the web to the official of the new place: the former owner\'s card says so', async () => {
    const res = await app.post('/api/comments', { text: BURST_PIPE, name: 'Семён' });
    const incident = (await waitFor(() => app.db.incidents.byMessage(res.body.id), (i) => i?.status === 'assigned'))!;
    expect(incident.officialId).toBe('abakan-housing');
    const card = await tg.waitForSent((m) => m.chatId === ABAKAN_HOUSING && m.text.includes(`Обращение №${incident.id}`));
    const duty = await signIn(app, 'khakassia-duty');
    const page = await getAs(app, duty, `/incidents/${incident.id}`);
    const r = await fetch(`${app.url}/incidents/${incident.id}/labels`, {
      method: 'POST',
      headers: { cookie: duty, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrfOf(page.text), decision: 'appeal', kind: 'complaint', topic: 'housing', municipality: 'chernogorsk', priority: 'normal' }).toString(),
      redirect: 'manual',
    });
    expect(r.headers.get('location')).toContain('done=reassigned');
    const passed = await waitFor(async () => current(card), (x) => x.text.includes('Передано') && !x.replyMarkup, { what: 'the former owner\'s card' });
    expect(passed.text).toContain('Муниципалитет: город Черногорск');
    expect((await app.db.incidents.get(incident.id))!.officialId).toBe('chernogorsk-housing');
  });
});
