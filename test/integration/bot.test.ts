/**
 * The officials' bot against the Telegram emulator with the real node-telegram-bot-api 2.1.0, the real
 * pipeline on real Redis and PostgreSQL, and an injected clock (no sleeping for the four-hour target).
 */
import { randomBytes } from 'node:crypto';
import { createAnalyzer } from '../../classifiers';
import { seedRegion, startApp, type App } from '../../src/app';
import { callbackSecret, signCallback } from '../../src/bot/callback';
import { DEMO_OFFICIALS_FILE } from '../../src/demo/feed';
import { importFile } from '../../src/import';
import { sweepTimers } from '../../src/timers/sweep';
import { startFakeTelegram, type FakeTelegram, type TgSentMessage } from '../emulators/telegram';
import { button, labels, startOfficials } from '../helpers/bot';
import { startTestApp, type TestApp } from '../helpers/app';
import { failFirstWrites } from '../helpers/db';
import { freshPgDatabase, testConfig, uniquePrefix, waitFor } from '../helpers/env';

const DUTY = 100001;
const PRESS = 100002;
const ABAKAN_HEAD = 100003;
const HOUSING = 100004;
const ROADS = 100005;
const STRANGER = 555_000;
const T0 = Date.parse('2026-11-23T03:00:00Z'); // 10:00 in Abakan (UTC+7)


/** A press on data the emulator would not offer (forged, or a button removed since): the update Telegram would send. */
function pressRaw(tg: FakeTelegram, from: number, chatId: number, messageId: number, data: string): string {
  const id = BigInt(`0x${randomBytes(8).toString('hex')}`).toString();
  // The emulator only presses buttons that exist; forged data needs its internals (a documented workaround).
  (tg as unknown as { queries: Map<string, { answered: boolean }> }).queries.set(id, { answered: false });
  const message = tg.sent.find((s) => s.chatId === chatId && s.messageId === messageId)!.message;
  (tg as unknown as { pushUpdate(u: unknown): unknown }).pushUpdate({ callback_query: { id, from: { id: from, is_bot: false, first_name: 'X' }, message, chat_instance: '1', data } });
  return id;
}


async function complain(app: TestApp | App, post: (b: unknown) => Promise<{ body: { id: string } }>, text: string, name: string) {
  const res = await post({ text, name, contact: `+7 913 ${randomBytes(3).toString('hex')}` });
  const incident = await waitFor(() => app.db.incidents.byMessage(res.body.id), (i) => i?.status === 'assigned', { what: 'assigned incident' });
  return incident!;
}

/** The emulator signals new messages only: an edit in place is awaited by polling its record. */
const editedTo = (tg: FakeTelegram, chatId: number, messageId: number, until: (m: TgSentMessage) => boolean) =>
  waitFor(async () => tg.sent.find((m) => m.chatId === chatId && m.messageId === messageId)!, until, { what: `edit of message ${messageId}` });

const cardOf = (tg: FakeTelegram, chatId: number, incidentId: string): Promise<TgSentMessage> =>
  tg.waitForSent((m) => m.chatId === chatId && m.text.includes(`Обращение №${incidentId}`) && !m.text.startsWith('❗'));

describe('officials bot (pg)', () => {
  let tg: FakeTelegram;
  let app: TestApp;
  let clock = T0;
  const post = (b: unknown) => app.post('/api/comments', b);

  beforeAll(async () => {
    tg = await startFakeTelegram();
    app = await startTestApp('pg', {
      roles: ['api', 'pipeline', 'bot'],
      env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_URL: tg.url },
      now: () => new Date(clock),
    });
    await tg.waitForPoller();
    await startOfficials(tg, [DUTY, PRESS, ABAKAN_HEAD, HOUSING, ROADS]);
  });
  afterAll(async () => {
    await tg.waitForPoller();
    await app.stop();
    await tg.stop();
  });

  it('sets its commands and greets a known official by name and role', async () => {
    expect([...tg.commands.values()][0].map((c) => c.command)).toEqual(['my', 'overdue', 'stats', 'triage', 'drafts', 'cancel', 'help']);
    const hello = tg.sentIn(HOUSING)[0];
    expect(hello.text).toContain('Кузнецова О. Н.');
    expect(hello.text).toContain('ответственный исполнитель');
    const events = await app.db.sql.query<{ bot_started_at: Date }>("SELECT bot_started_at FROM officials WHERE id = 'abakan-housing'");
    expect(events.rows[0].bot_started_at).not.toBeNull();
  });

  it('answers a stranger\'s /start with one polite refusal and no incident data', async () => {
    await complain(app, post, 'В Абакане на Щетинкина 12 нет отопления, батареи холодные, дети мёрзнут', 'Анна');
    tg.userSends({ from: { id: STRANGER, first_name: 'Чужой' }, text: '/start' });
    const refusal = await tg.waitForSent((m) => m.chatId === STRANGER);
    await tg.waitForPoller();
    expect(tg.sentIn(STRANGER)).toHaveLength(1);
    expect(refusal.text).toContain('не найден');
    expect(refusal.text).not.toMatch(/№|Абакан|отоплен/);
    expect(refusal.replyMarkup).toBeUndefined();
  });

  it('sends a new incident as a card to the assigned official, with the citizen text escaped', async () => {
    const text = 'В Абакане на Пушкина 45 третий день нет горячей воды <script>alert(1)</script> & УК не отвечает';
    const incident = await complain(app, post, text, 'Ольга');
    expect(incident.officialId).toBe('abakan-housing');
    const card = await cardOf(tg, HOUSING, incident.id);
    expect(card.parseMode).toBe('HTML');
    expect(card.text).toContain('<script>alert(1)</script> & УК');
    expect(card.rawText).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; УК');
    expect(card.text).toMatch(/Тема: ЖКХ/);
    expect(card.text).toMatch(/Муниципалитет: город Абакан/);
    expect(card.text).toMatch(/Срок ответа: до 23\.11\.2026 14:00 \(осталось 4 ч 00 мин\)/); // local time, UTC+7
    expect(labels(card)).toEqual(['Взять в работу', 'Ответить', 'Переназначить', 'Не наш вопрос', 'Обещание', 'Решено']);
    for (const b of card.replyMarkup!.inline_keyboard!.flat()) expect(Buffer.byteLength(b.callback_data!)).toBeLessThanOrEqual(64);
    const n = await waitFor(() => app.db.notifications.get(incident.id, 'abakan-housing', 'card'), (x) => !!x);
    expect(n).toMatchObject({ status: 'sent', chatId: String(HOUSING), messageId: String(card.messageId) });
    expect(tg.sentIn(ROADS).some((m) => m.text.includes(`№${incident.id}`))).toBe(false);
  });

  it('takes an incident into work and updates the card in place', async () => {
    const incident = await complain(app, post, 'В Абакане на улице Ленина 3 протекает крыша, управляющая компания бездействует', 'Игорь');
    const card = await cardOf(tg, HOUSING, incident.id);
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: card.messageId, data: button(card, 'Взять в работу') });
    const updated = await editedTo(tg, HOUSING, card.messageId, (m) => m.edits >= 1);
    expect(updated.text).toContain('Статус: в работе');
    expect(labels(updated)).not.toContain('Взять в работу');
    const after = await app.db.incidents.get(incident.id);
    expect(after).toMatchObject({ status: 'in_progress' });
    expect(after!.takenAt).not.toBeNull();
    expect(after!.firstResponseAt).toBeNull(); // taken into work is not a response
    const ev = (await app.db.incidents.events(incident.id)).find((e) => e.kind === 'incident.taken');
    expect(ev?.actor).toBe('official:abakan-housing');
  });

  it('updates the pressed card even before its record is written (the record follows Telegram\'s answer)', async () => {
    // The card's record fails twice and lands ~¾ s after the card: the official is quicker.
    const undo = await failFirstWrites(app.db, 'slow_card_record', 'notifications', 'INSERT', "NEW.kind = 'card'");
    try {
      const incident = await complain(app, post, 'В Абакане на Щетинкина 20 не горит свет в подъезде уже неделю', 'Ирина');
      const card = await cardOf(tg, HOUSING, incident.id);
      tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: card.messageId, data: button(card, 'Взять в работу') });
      const updated = await editedTo(tg, HOUSING, card.messageId, (m) => m.edits >= 1);
      expect(updated.text).toContain('Статус: в работе');
      await waitFor(() => app.db.notifications.get(incident.id, 'abakan-housing', 'card'), (n) => n?.status === 'sent', { what: 'the card recorded' });
    } finally {
      await undo();
    }
  });

  it('refuses an unknown user, a forged button and an old button with an alert, changing nothing', async () => {
    const incident = await complain(app, post, 'В Абакане на Чертыгашева 100 прорвало трубу в подвале, вода хлещет', 'Павел');
    const card = await cardOf(tg, HOUSING, incident.id);
    const take = button(card, 'Взять в работу');
    const ids: string[] = [];
    ids.push(tg.pressButton({ from: { id: STRANGER }, chatId: HOUSING, messageId: card.messageId, data: take }).id);
    ids.push(tg.pressButton({ from: { id: ROADS }, chatId: HOUSING, messageId: card.messageId, data: take }).id); // a colleague, not the owner
    ids.push(pressRaw(tg, HOUSING, HOUSING, card.messageId, take.slice(0, -2) + (take.endsWith('AA') ? 'BB' : 'AA'))); // forged MAC
    const current = await app.db.bot.currentAssignment(incident.id);
    const secret = callbackSecret(app.cfg.BOT_CALLBACK_SECRET, app.cfg.TELEGRAM_BOT_TOKEN!);
    ids.push(pressRaw(tg, HOUSING, HOUSING, card.messageId, signCallback(secret, { action: 'take', incidentId: incident.id, epoch: String(Number(current!.id) - 1), arg: '' }))); // old epoch
    const answers = await waitFor(async () => ids.map((id) => tg.callbackAnswers.find((a) => a.callbackQueryId === id)), (a) => a.every(Boolean), { what: 'four answers' }).then((a) => a.map((x) => x!));
    expect(answers.every((a) => a.showAlert)).toBe(true);
    expect(answers.map((a) => a.text)).toEqual([
      expect.stringContaining('не подключён'),
      expect.stringContaining('нет прав'),
      expect.stringContaining('устарела'),
      expect.stringContaining('устарела'),
    ]);
    expect(await app.db.incidents.get(incident.id)).toMatchObject({ status: 'assigned', takenAt: null });
    expect((await app.db.incidents.events(incident.id)).map((e) => e.kind)).not.toContain('incident.taken');
    expect(tg.sentIn(HOUSING).find((m) => m.messageId === card.messageId)!.edits).toBe(0);
    expect(tg.sentIn(STRANGER).length).toBe(1); // still only the refusal
  });

  it('reassigns to a named colleague: a new assignment, a new card, the old card says it was passed on', async () => {
    const incident = await complain(app, post, 'Абакан, проспект Ленина 50: в подъезде течёт канализация, запах на весь дом', 'Мария');
    const card = await cardOf(tg, HOUSING, incident.id);
    const oldResolve = button(card, 'Решено');
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: card.messageId, data: button(card, 'Переназначить') });
    const menu = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`№${incident.id}: кому передать`));
    const roads = menu.replyMarkup!.inline_keyboard!.flat().find((b) => b.text.startsWith('Морозов'))!;
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: menu.messageId, data: roads.callback_data! });
    const newCard = await cardOf(tg, ROADS, incident.id);
    expect(labels(newCard)).toContain('Взять в работу');
    const old = await editedTo(tg, HOUSING, card.messageId, (m) => m.text.includes('Передано'));
    expect(old.replyMarkup).toBeUndefined();
    expect(await app.db.incidents.get(incident.id)).toMatchObject({ officialId: 'abakan-roads', status: 'assigned' });
    const asg = await app.db.sql.query<{ official_id: string; ended_at: Date | null }>('SELECT official_id, ended_at FROM assignments WHERE incident_id = $1 ORDER BY id', [incident.id]);
    expect(asg.rows.map((r) => [r.official_id, r.ended_at === null])).toEqual([['abakan-housing', false], ['abakan-roads', true]]);
    const ev = (await app.db.incidents.events(incident.id)).find((e) => e.kind === 'incident.reassigned');
    expect(ev).toMatchObject({ actor: 'official:abakan-housing', data: { from: 'abakan-housing', to: 'abakan-roads', reason: 'colleague' } });
    // the old card's button is now stale
    const q = pressRaw(tg, HOUSING, HOUSING, card.messageId, oldResolve);
    const stale = await waitFor(async () => tg.callbackAnswers.find((a) => a.callbackQueryId === q), (a) => !!a);
    expect(stale).toMatchObject({ showAlert: true, text: expect.stringContaining('устарела') });
    expect((await app.db.incidents.get(incident.id))!.status).toBe('assigned');
  });

  it('"не наш вопрос" with a reason re-routes past the current official', async () => {
    const incident = await complain(app, post, 'Абакан, Кирова 120: во дворе третью неделю не вывозят мусор, контейнеры переполнены', 'Елена');
    expect(incident.officialId).toBe('abakan-housing');
    const card = await cardOf(tg, HOUSING, incident.id);
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: card.messageId, data: button(card, 'Не наш вопрос') });
    await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`Обращение №${incident.id}: напишите`));
    tg.userSends({ from: { id: HOUSING }, text: 'Контейнерная площадка на территории частной базы, это вопрос регоператора' });
    const moved = await waitFor(() => app.db.incidents.get(incident.id), (i) => i?.officialId !== 'abakan-housing', { what: 're-routed' });
    expect(moved!.officialId).toBe('abakan-head');
    await cardOf(tg, ABAKAN_HEAD, incident.id);
    const ev = (await app.db.incidents.events(incident.id)).find((e) => e.kind === 'incident.reassigned');
    expect(ev?.data).toMatchObject({ reason: 'not-ours', from: 'abakan-housing', to: 'abakan-head' });
  });

  it('records a promise with its own timer, then "Решено" resolves and keeps it', async () => {
    const incident = await complain(app, post, 'В Абакане на Хакасской 70 с потолка в подъезде сыплется штукатурка, управляющая компания не чинит', 'Олег');
    const card = await cardOf(tg, HOUSING, incident.id);
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: card.messageId, data: button(card, 'Обещание') });
    await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`Обращение №${incident.id}: напишите срок`));
    tg.userSends({ from: { id: HOUSING }, text: '25.11 заменим участок водопровода' });
    await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`Обещание по обращению №${incident.id} записано`));
    const [p] = await app.db.bot.promises(incident.id);
    expect(p).toMatchObject({ text: 'заменим участок водопровода', keptAt: null });
    expect(p.dueAt.toISOString()).toBe('2026-11-25T11:00:00.000Z'); // 18:00 local
    expect((await app.db.timers.get(incident.id, 'promise-due', p.id))!.dueAt).toEqual(p.dueAt);
    const withPromise = await editedTo(tg, HOUSING, card.messageId, (m) => m.text.includes('Обещание: заменим'));
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: card.messageId, data: button(withPromise, 'Решено') });
    const confirm = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.startsWith(`Отметить обращение №${incident.id} как решённое?`));
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: confirm.messageId, data: button(confirm, 'Да, решено') });
    const done = await editedTo(tg, HOUSING, card.messageId, (m) => m.text.includes('Статус: решено'));
    expect(done.replyMarkup).toBeUndefined();
    const after = await app.db.incidents.get(incident.id);
    expect(after!.status).toBe('resolved');
    expect(after!.resolvedAt).not.toBeNull();
    expect((await app.db.bot.promises(incident.id))[0].keptAt).not.toBeNull();
    expect((await app.db.incidents.events(incident.id)).map((e) => e.kind)).toEqual(expect.arrayContaining(['promise.made', 'incident.resolved']));
  });

  it('answers from a template: the reply reaches publish and its time becomes the response time', async () => {
    const incident = await complain(app, post, 'Абакан, Вяткина 5: у подъезда неделю стоит огромная лужа из-за прорыва трубы отопления', 'Светлана');
    const card = await cardOf(tg, HOUSING, incident.id);
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: card.messageId, data: button(card, 'Ответить') });
    const choice = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`Ответ на обращение №${incident.id}. Выберите шаблон`));
    expect(labels(choice).filter((l) => l.startsWith('Шаблон')).length).toBeGreaterThanOrEqual(1);
    expect(labels(choice).filter((l) => l.startsWith('Шаблон')).length).toBeLessThanOrEqual(3);
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: choice.messageId, data: button(choice, 'Шаблон 1') });
    const preview = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`Предпросмотр ответа на обращение №${incident.id}`));
    expect(preview.text).toContain(`№${incident.id}`);
    expect(preview.text).not.toMatch(/\{\{|undefined/);
    clock += 30 * 60_000;
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: preview.messageId, data: button(preview, 'Опубликовать') });
    const answered = await waitFor(() => app.db.incidents.get(incident.id), (i) => i?.firstResponseAt != null, { what: 'response recorded' });
    const [reply] = await app.db.replies.forIncident(incident.id);
    expect(reply).toMatchObject({ status: 'published', stage: 'ack', draftedBy: 'official:abakan-housing', approvedBy: 'official:abakan-housing' });
    expect(reply.templateId).toMatch(/ack/);
    expect(answered!.firstResponseAt!.getTime()).toBe(reply.publishedAt!.getTime());
    expect(answered!.acknowledgedAt).not.toBeNull();
    expect(answered!.status).toBe('answered');
    // the next reply to the same citizen never repeats that template first, nor the same text in the thread
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: card.messageId, data: button(card, 'Ответить') });
    const again = await tg.waitForSent((m) => m.chatId === HOUSING && m.messageId > choice.messageId && m.text.includes(`Ответ на обращение №${incident.id}.`));
    expect(again.text).not.toContain(reply.text);
  });

  it('routes group messages of the same token to the intake: a citizen post in a chat becomes an incident', async () => {
    tg.userSends({
      from: { id: 777_001, first_name: 'Жительница' },
      chat: { id: -1001234567890, type: 'supergroup', title: 'Абакан онлайн', username: 'abakan_online' },
      text: 'Абакан, улица Пирятинская 14: который день нет света в подъезде, лампочки не меняют, УК молчит',
    });
    const stored = await waitFor(() => app.db.messages.byExternalId('telegram', '-1001234567890_1'), (m) => !!m, { what: 'group post stored' });
    const incident = await waitFor(() => app.db.incidents.byMessage(stored!.id), (i) => i?.status === 'assigned', { what: 'incident from telegram' });
    const card = await cardOf(tg, HOUSING, incident!.id);
    expect(card.entities.find((e) => e.type === 'text_link')?.url).toMatch(/^https:\/\/t\.me\/abakan_online\/\d+$/);
  });

  it('reminds at ½ and ¾ and escalates at the breach to the supervisor and the duty officer (injected clock)', async () => {
    const opened = clock;
    const incident = await complain(app, post, 'В Абакане в доме на Комарова 9 нет отопления, батареи ледяные', 'Наталья');
    await cardOf(tg, HOUSING, incident.id);
    clock = opened + 60 * 60_000; // 1 h: nothing due
    expect(await sweepTimers(app.deps)).toBe(0);
    clock = opened + 122 * 60_000; // past ½ (2 h) and the sweep's grace minute
    await sweepTimers(app.deps);
    const half = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`по обращению №${incident.id} прошла половина`));
    expect(half.text).toContain('осталось 1 ч 58 мин');
    clock = opened + 182 * 60_000; // past ¾
    await sweepTimers(app.deps);
    await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`по обращению №${incident.id} прошли три четверти`));
    clock = opened + 242 * 60_000; // past the breach
    await sweepTimers(app.deps);
    const toHead = await tg.waitForSent((m) => m.chatId === ABAKAN_HEAD && m.text.startsWith('❗') && m.text.includes(`Обращение №${incident.id}`));
    await tg.waitForSent((m) => m.chatId === DUTY && m.text.startsWith('❗') && m.text.includes(`Обращение №${incident.id}`));
    expect(labels(toHead)).toContain('Переназначить');
    const ev = await waitFor(() => app.db.incidents.events(incident.id), (e) => e.some((x) => x.kind === 'incident.escalated'));
    expect(ev.find((x) => x.kind === 'incident.escalated')!.data.to).toEqual(expect.arrayContaining(['abakan-head', 'khakassia-duty']));
    // every timer handled once: a second sweep finds nothing and nothing is sent twice
    await waitFor(async () => (await app.db.timers.forIncident(incident.id)).filter((t) => t.kind !== 'resolution-warn' && t.kind !== 'resolution-breach' && !t.firedAt).length, (n) => n === 0);
    expect(await sweepTimers(app.deps)).toBe(0);
    const reminders = tg.sentIn(HOUSING).filter((m) => m.text.includes(`№${incident.id} прошл`));
    expect(reminders).toHaveLength(2);
    // the supervisor may act on the escalated card
    tg.pressButton({ from: { id: ABAKAN_HEAD }, chatId: ABAKAN_HEAD, messageId: toHead.messageId, data: button(toHead, 'Взять в работу') });
    await waitFor(() => app.db.incidents.get(incident.id), (i) => i?.status === 'in_progress');
  });

  it('warns of the resolution deadline days later, fired by the timer sweep from the database (no delayed job)', async () => {
    const opened = clock;
    const incident = await complain(app, post, 'В Абакане на Чертыгашева 120 в подвале стоит вода, течёт из трубы', 'Геннадий');
    await cardOf(tg, HOUSING, incident.id);
    const jobs = (await app.queues.queue('sla').getJobs(['delayed', 'waiting', 'completed', 'active'])).filter((j) => j.data.incidentId === incident.id);
    expect(jobs.map((j) => j.data.kind)).not.toContain('resolution-warn');
    clock = opened + (2 * 24 * 60 + 2) * 60_000; // housing: three days to resolve, the warning one day before
    await sweepTimers(app.deps);
    await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`Приближается срок решения проблемы по обращению №${incident.id}`));
    // The jump also brought the earlier tests' incidents past their timers: let all of that settle before the
    // next test counts the official's messages, then put the clock back.
    await waitFor(async () => (await app.db.timers.due(new Date(clock - 60_000))).length, (n) => n === 0, { what: 'every swept timer handled' });
    await waitFor(async () => { const c = await app.queues.queue('notify').getJobCounts('waiting', 'active', 'delayed'); return c.waiting + c.active + c.delayed; }, (n) => n === 0, { what: 'notify idle' });
    clock = opened;
  });

  it('answers /my, /overdue and /stats with the official\'s own numbers', async () => {
    const n = tg.sentIn(HOUSING).length;
    tg.userSends({ from: { id: HOUSING }, text: '/my' });
    const my = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.startsWith('Ваши открытые обращения'));
    expect(my.text).toMatch(/№\d+ · ЖКХ · город Абакан/);
    tg.userSends({ from: { id: HOUSING }, text: '/overdue' });
    await tg.waitForSent((m) => m.chatId === HOUSING && /^(Просрочен срок ответа|Просроченных обращений нет)/.test(m.text));
    tg.userSends({ from: { id: HOUSING }, text: '/stats' });
    const stats = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.startsWith('Ваши показатели'));
    expect(stats.text).toMatch(/Обращений: \d+/);
    expect(stats.text).toMatch(/С ответом: [1-9]\d*, из них в срок \(4 ч\): \d+/);
    expect(stats.text).toMatch(/Медианное время ответа: \d/);
    expect(tg.sentIn(HOUSING).length).toBe(n + 3);
  });
});

describe('press approval when officials may not publish (pg)', () => {
  let tg: FakeTelegram;
  let app: TestApp;
  const post = (b: unknown) => app.post('/api/comments', b);
  beforeAll(async () => {
    tg = await startFakeTelegram();
    app = await startTestApp('pg', {
      roles: ['api', 'pipeline', 'bot'],
      env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_URL: tg.url, OFFICIALS_MAY_PUBLISH: 'false' },
    });
    await tg.waitForPoller();
    await startOfficials(tg, [PRESS, HOUSING]);
  });
  afterAll(async () => {
    await tg.waitForPoller();
    await app.stop();
    await tg.stop();
  });

  it('sends the official\'s draft to the press service, who edit and approve it; then it is published', async () => {
    const incident = await complain(app, post, 'Абакан, Тельмана 33: в доме отключили горячую воду без предупреждения', 'Галина');
    const card = await cardOf(tg, HOUSING, incident.id);
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: card.messageId, data: button(card, 'Ответить') });
    const choice = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`Ответ на обращение №${incident.id}.`));
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: choice.messageId, data: button(choice, 'Свой текст') });
    await tg.waitForSent((m) => m.chatId === HOUSING && m.text.startsWith('Напишите текст ответа'));
    tg.userSends({ from: { id: HOUSING }, text: 'Здравствуйте! Горячую воду вернут сегодня к 18:00, работы на теплотрассе.' });
    const preview = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes('Предпросмотр'));
    expect(labels(preview)).toContain('На согласование');
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: preview.messageId, data: button(preview, 'На согласование') });
    const approval = await tg.waitForSent((m) => m.chatId === PRESS && m.text.includes(`На согласование: ответ на обращение №${incident.id}`));
    expect(approval.text).toContain('Кузнецова О. Н.');
    expect(labels(approval)).toEqual(['Одобрить', 'Изменить', 'Вернуть на доработку']);
    const [draft] = await app.db.replies.forIncident(incident.id);
    expect(draft).toMatchObject({ status: 'draft', approvedBy: null });
    // an official cannot approve (the button is the press service's)
    const q = pressRaw(tg, HOUSING, PRESS, approval.messageId, button(approval, 'Одобрить'));
    const refused = await waitFor(async () => tg.callbackAnswers.find((a) => a.callbackQueryId === q), (a) => !!a);
    expect(refused).toMatchObject({ showAlert: true, text: expect.stringContaining('нет прав') });
    expect((await app.db.replies.get(draft.id))!.status).toBe('draft');
    // the press officer edits; the new text is previewed and published only on «Опубликовать»
    tg.pressButton({ from: { id: PRESS }, chatId: PRESS, messageId: approval.messageId, data: button(approval, 'Изменить') });
    await tg.waitForSent((m) => m.chatId === PRESS && m.text.startsWith('Напишите исправленный текст'));
    tg.userSends({ from: { id: PRESS }, text: 'Здравствуйте! Горячее водоснабжение восстановят сегодня до 18:00. Приносим извинения.' });
    const pressPreview = await tg.waitForSent((m) => m.chatId === PRESS && m.text.startsWith(`Предпросмотр исправленного ответа на обращение №${incident.id}`));
    expect((await app.db.replies.get(draft.id))!.status).toBe('draft');
    tg.pressButton({ from: { id: PRESS }, chatId: PRESS, messageId: pressPreview.messageId, data: button(pressPreview, 'Опубликовать') });
    const published = await waitFor(() => app.db.replies.get(draft.id), (r) => r?.status === 'published', { what: 'published reply' });
    expect(published).toMatchObject({ approvedBy: 'official:khakassia-press', text: expect.stringContaining('Приносим извинения') });
    expect((await app.db.incidents.get(incident.id))!.firstResponseAt).toEqual(published!.publishedAt);
    expect((await app.db.incidents.events(incident.id)).map((e) => e.kind)).toEqual(expect.arrayContaining(['reply.drafted', 'reply.approved', 'reply.published']));
  });
});

describe('a restart between scheduling and the due time (pg)', () => {
  it('still fires the reminder exactly once, from the sweep of the new process', async () => {
    const tg = await startFakeTelegram();
    const fresh = await freshPgDatabase();
    const prefix = uniquePrefix();
    let clock = T0;
    const env = { DATABASE_URL: fresh.url, QUEUE_PREFIX: prefix, TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_URL: tg.url };
    const start = async () => {
      const cfg = { ...testConfig(env, ['api', 'pipeline', 'bot']), QUEUE_PREFIX: prefix };
      return startApp(cfg, { now: () => new Date(clock), lockDurationMs: 5000 });
    };
    const first = await start();
    try {
      await seedRegion(first.db, createAnalyzer(first.cfg.REGION).region);
      await importFile(first.db, DEMO_OFFICIALS_FILE);
      await tg.waitForPoller();
      await startOfficials(tg, [HOUSING]);
      const postTo = async (b: unknown) => {
        const r = await fetch(`${first.url}/api/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
        return { body: (await r.json()) as { id: string } };
      };
      const incident = await complain(first, postTo, 'Абакан, Маршала Жукова 80: в подъезде не работает лифт уже неделю, пожилые не могут выйти', 'Вера');
      await cardOf(tg, HOUSING, incident.id);
      await tg.waitForPoller();
      await first.stop();

      clock = T0 + 125 * 60_000; // the ½ reminder came due while nothing ran
      const second = await start();
      try {
        await tg.waitForPoller();
        await sweepTimers(second.deps);
        await sweepTimers(second.deps); // the same minute: the same job ids
        await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`№${incident.id} прошла половина`));
        await waitFor(() => second.db.timers.get(incident.id, 'half'), (t) => t?.firedAt != null);
        clock += 60_000;
        expect(await sweepTimers(second.deps)).toBe(0);
        // The card is in Telegram before its row is recorded: wait for the row, then check there is one.
        const notes = await waitFor(() => second.db.notifications.forIncident(incident.id), (n) => n.some((x) => x.kind === 'remind-half'));
        expect(notes.filter((n) => n.kind === 'remind-half')).toHaveLength(1);
        expect(tg.sentIn(HOUSING).filter((m) => m.text.includes(`№${incident.id} прошл`))).toHaveLength(1);
        await tg.waitForPoller();
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
      await tg.stop();
      await fresh.drop();
    }
  });
});
