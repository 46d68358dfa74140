/**
 * The incident card and its life, against the Telegram emulator with the real node-telegram-bot-api 2.x, the real
 * pipeline on real Redis and PostgreSQL / PGlite, and an injected clock: what the card says, its live countdown (at
 * Telegram's pace, frozen once the incident is closed), follow-ups and resonance reaching it, reminders as replies
 * with its buttons, the duty officer's one list of the start-up backlog, the dead end of an incident with no
 * municipality, and the bot's menu, description and used dialogue buttons.
 */
import { randomBytes } from 'node:crypto';
import { createAnalyzer } from '../../classifiers';
import { seedRegion, startApp } from '../../src/app';
import { callbackSecret, signCallback } from '../../src/bot/callback';
import { DEMO_OFFICIALS_FILE } from '../../src/demo/feed';
import { importFile } from '../../src/import';
import { refreshCardClocks } from '../../src/timers/cards';
import { sweepTimers } from '../../src/timers/sweep';
import { decideTriage } from '../../src/triage/actions';
import { startFakeTelegram, type FakeTelegram, type TgSentMessage } from '../emulators/telegram';
import { button, labels, startOfficials } from '../helpers/bot';
import { startTestApp, type TestApp } from '../helpers/app';
import { freshPgDatabase, testConfig, uniquePrefix, waitFor } from '../helpers/env';

const DUTY = 100001;
const ABAKAN_HEAD = 100003;
const HOUSING = 100004;
const ROADS = 100005;
const T0 = Date.parse('2026-11-23T03:00:00Z'); // 10:00 in Abakan (UTC+7)
const MIN = 60_000;



const contact = () => `+7 913 ${randomBytes(3).toString('hex')}`;

/** The emulator signals new messages only: an edit in place is awaited by polling its record. */
const editedTo = (tg: FakeTelegram, chatId: number, messageId: number, until: (m: TgSentMessage) => boolean, what = `edit of message ${messageId}`) =>
  waitFor(async () => tg.sent.find((m) => m.chatId === chatId && m.messageId === messageId)!, until, { what });

const cardOf = (tg: FakeTelegram, chatId: number, incidentId: string): Promise<TgSentMessage> =>
  tg.waitForSent((m) => m.chatId === chatId && m.text.includes(`Обращение №${incidentId}`) && m.text.includes('Муниципалитет:') && !m.text.startsWith('❗'));

/** editMessageText calls Telegram got for one message (whatever the outcome). */
const editCalls = (tg: FakeTelegram, chatId: number, messageId: number) =>
  tg.calls.filter((c) => c.method === 'editMessageText' && String(c.params.chat_id) === String(chatId) && String(c.params.message_id) === String(messageId)).length;

describe.each(['pg', 'pglite'] as const)('the incident card and its life (%s)', (kind) => {
  let tg: FakeTelegram;
  let app: TestApp;
  let clock = T0;
  const post = (b: unknown) => app.post('/api/comments', b);
  const complain = async (text: string, name: string, extra: Record<string, unknown> = {}) => {
    const res = await post({ text, name, contact: contact(), ...extra });
    expect(res.status).toBe(202);
    const incident = await waitFor(() => app.db.incidents.byMessage(res.body.id), (i) => i?.status === 'assigned', { what: 'assigned incident' });
    return incident!;
  };

  beforeAll(async () => {
    tg = await startFakeTelegram();
    app = await startTestApp(kind, {
      roles: ['api', 'pipeline', 'bot'],
      env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_URL: tg.url },
      now: () => new Date(clock),
    });
    await app.db.sources.upsert({ id: 'abakan-site', platform: 'web', kind: 'form', externalId: 'abakan.example', name: 'Сайт администрации Абакана', municipalityId: 'abakan', settings: {}, enabled: true });
    await tg.waitForPoller();
    await startOfficials(tg, [DUTY, ABAKAN_HEAD, HOUSING, ROADS]);
  });
  afterAll(async () => {
    await tg.waitForPoller();
    await app.stop();
    await tg.stop();
  });

  it('sets the menu (with /cancel), the description and the short description', async () => {
    expect([...tg.commands.values()][0].map((c) => c.command)).toEqual(['my', 'overdue', 'stats', 'triage', 'drafts', 'cancel', 'help']);
    expect(tg.descriptions.get('')).toMatch(/^Бот системы «Отклик» для сотрудников органов власти/);
    expect(tg.shortDescriptions.get('')!.length).toBeLessThanOrEqual(120);
    expect(tg.shortDescriptions.get('')).toContain('Отклик');
  });

  it('tells the whole story: who, where, when, the link, kind, topic, municipality, priority, deadline', async () => {
    const incident = await complain('В Абакане на Пушкина 45 третий день нет горячей воды, управляющая компания не отвечает', 'Ольга Петрова', {
      source: 'abakan-site',
      url: 'https://abakan.example/comments/45',
    });
    const card = await cardOf(tg, HOUSING, incident.id);
    expect(card.text).toContain('Автор: Ольга Петрова');
    expect(card.text).toContain('Где: Сайт · Сайт администрации Абакана');
    expect(card.text).toContain('Опубликовано: 23.11.2026 10:00'); // the region's local time (UTC+7)
    expect(card.text).toMatch(/Вид: Жалоба/);
    expect(card.text).toMatch(/Тема: ЖКХ/);
    expect(card.text).toMatch(/Муниципалитет: город Абакан/);
    expect(card.text).toMatch(/Приоритет: (обычный|высокий)/);
    expect(card.text).toContain('Срок ответа: до 23.11.2026 14:00 (осталось 4 ч 00 мин)');
    expect(card.entities.find((e) => e.type === 'text_link')?.url).toBe('https://abakan.example/comments/45');
  });

  it('names the Telegram chat a post came from (a watched source) and links to the post', async () => {
    await app.db.sources.upsert({ id: 'tg-abakan', platform: 'telegram', kind: 'chat', externalId: '-1001234567890', name: 'Абакан онлайн', municipalityId: 'abakan', settings: {}, enabled: true });
    tg.userSends({
      from: { id: 777_001, first_name: 'Людмила', last_name: 'Орлова' },
      chat: { id: -1001234567890, type: 'supergroup', title: 'Абакан онлайн', username: 'abakan_online' },
      text: 'Улица Пирятинская 14: который день нет света в подъезде, лампочки не меняют, управляющая компания молчит',
    });
    const stored = await waitFor(() => app.db.messages.byExternalId('telegram', '-1001234567890_1'), (m) => !!m, { what: 'group post stored' });
    expect(stored!.sourceId).toBe('tg-abakan');
    const incident = await waitFor(() => app.db.incidents.byMessage(stored!.id), (i) => i?.status === 'assigned', { what: 'incident from telegram' });
    const card = await cardOf(tg, HOUSING, incident!.id);
    expect(card.text).toContain('Автор: Людмила Орлова');
    expect(card.text).toContain('Где: Telegram · Абакан онлайн');
    expect(card.entities.find((e) => e.type === 'text_link')?.url).toMatch(/^https:\/\/t\.me\/abakan_online\/\d+$/);
  });

  it('keeps the countdown live on a schedule, at most one edit a minute, and frozen once resolved', async () => {
    clock = T0;
    const incident = await complain('В Абакане на Щетинкина 12 не работает лифт, пожилые жильцы не могут выйти из дома', 'Вера');
    const card = await cardOf(tg, HOUSING, incident.id);
    expect(card.text).toContain('осталось 4 ч 00 мин');
    // The clock edits recorded cards (the record follows Telegram's answer by a moment).
    await waitFor(() => app.db.notifications.get(incident.id, 'abakan-housing', 'card'), (n) => n?.status === 'sent', { what: 'the card recorded' });
    clock = T0 + 10 * MIN; // not yet: the countdown is edited every 15 minutes
    await refreshCardClocks(app.deps);
    expect(tg.sent.find((m) => m.messageId === card.messageId && m.chatId === HOUSING)!.edits).toBe(0);
    clock = T0 + 30 * MIN;
    await refreshCardClocks(app.deps);
    await editedTo(tg, HOUSING, card.messageId, (m) => m.text.includes('осталось 3 ч 30 мин'), 'the countdown at 30 min');
    const afterTick = editCalls(tg, HOUSING, card.messageId);
    // The same minute again: nothing to do (and never two edits of one card a minute).
    await refreshCardClocks(app.deps);
    clock += 30_000;
    await refreshCardClocks(app.deps);
    expect(editCalls(tg, HOUSING, card.messageId)).toBe(afterTick);
    // A press is answered at once (the official waits for it)…
    const taken = tg.sent.find((m) => m.chatId === HOUSING && m.messageId === card.messageId)!;
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: card.messageId, data: button(taken, 'Взять в работу') });
    await editedTo(tg, HOUSING, card.messageId, (m) => m.text.includes('Статус: в работе'));
    // …and the clock counts from it: 15 minutes later the countdown moves on.
    clock = T0 + 46 * MIN;
    await refreshCardClocks(app.deps);
    await editedTo(tg, HOUSING, card.messageId, (m) => m.text.includes('осталось 3 ч 14 мин'), 'the countdown at 46 min');
    // Resolved: the card shows the final state and the clock leaves it alone.
    const current = tg.sent.find((m) => m.chatId === HOUSING && m.messageId === card.messageId)!;
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: card.messageId, data: button(current, 'Решено') });
    // «Решено» may ask for a confirmation first (the reply flows): confirm it if so.
    const confirm = await waitFor(
      async () => tg.sent.find((m) => m.chatId === HOUSING && m.messageId > card.messageId && labels(m).some((l) => /^Да/.test(l)) && m.text.includes(`№${incident.id}`)) ?? (await app.db.incidents.get(incident.id))!,
      (x) => 'messageId' in x || (x as { status: string }).status === 'resolved',
      { what: 'resolved or asked to confirm' },
    );
    if ('messageId' in confirm) {
      const yes = labels(confirm).find((l) => /^Да/.test(l))!;
      tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: confirm.messageId, data: button(confirm, yes) });
    }
    const final = await editedTo(tg, HOUSING, card.messageId, (m) => m.text.includes('Статус: решено'), 'the final card');
    expect(final.text).not.toContain('осталось');
    const frozen = editCalls(tg, HOUSING, card.messageId);
    clock = T0 + 120 * MIN;
    await refreshCardClocks(app.deps);
    clock = T0 + 200 * MIN;
    await refreshCardClocks(app.deps);
    expect(editCalls(tg, HOUSING, card.messageId)).toBe(frozen);
    clock = T0;
  });

  it('shows follow-up posts and new authors, and says when the incident became resonant (high priority)', async () => {
    clock = T0;
    const text = 'Абакан, улица Советская 78: в подъезде третью неделю течёт крыша, управляющая компания не реагирует';
    const incident = await complain(text, 'Анна Смирнова');
    const card = await cardOf(tg, HOUSING, incident.id);
    expect(card.text).not.toContain('ещё');
    // The card's record follows Telegram's answer; a follow-up before it is the card clock's to show (next minute).
    await waitFor(() => app.db.notifications.get(incident.id, 'abakan-housing', 'card'), (n) => n?.status === 'sent', { what: 'the card recorded' });
    clock = T0 + 2 * MIN;
    const first = await post({ text: `${text}. Помогите!`, name: 'Игорь Волков', contact: contact() });
    await waitFor(() => app.db.messages.get(first.body.id), (m) => m?.incidentId === incident.id, { what: 'the follow-up attached' });
    await editedTo(tg, HOUSING, card.messageId, (m) => m.text.includes('ещё 1 сообщение, авторов: 2'), 'the first follow-up on the card');
    // A third author within the minute: Telegram's pace holds it back until the card clock's next tick.
    await post({ text: `${text}, сколько можно ждать`, name: 'Мария Ким', contact: contact() });
    const resonant = await waitFor(() => app.db.incidents.get(incident.id), (i) => i?.authorsCount === 3, { what: 'the third author attached' });
    expect(resonant).toMatchObject({ resonant: true, priority: 'high', messagesCount: 3 });
    const held = tg.sent.find((m) => m.chatId === HOUSING && m.messageId === card.messageId)!;
    expect(held.text).toContain('ещё 1 сообщение, авторов: 2');
    clock = T0 + 3 * MIN + 1000;
    await refreshCardClocks(app.deps);
    const after = await editedTo(tg, HOUSING, card.messageId, (m) => m.text.includes('ещё 2 сообщения, авторов: 3'), 'the resonance on the card');
    expect(after.text).toContain('Резонансное: пишут 3 автора');
    expect(after.text).toContain('Приоритет: высокий');
    expect(after.text).toContain('🔴 высокий приоритет');
    clock = T0;
  });

  it('sends reminders as replies to the card, with the card\'s buttons', async () => {
    clock = T0;
    const incident = await complain('В Абакане на Кирова 120 во дворе третью неделю не вывозят мусор, контейнеры переполнены', 'Елена');
    const card = await cardOf(tg, HOUSING, incident.id);
    clock = T0 + 122 * MIN;
    await sweepTimers(app.deps);
    const half = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`по обращению №${incident.id} прошла половина`));
    expect(half.replyToMessageId).toBe(card.messageId);
    expect(labels(half)).toEqual(expect.arrayContaining(['Ответить', 'Переназначить', 'Не наш вопрос', 'Решено']));
    await waitFor(async () => (await app.db.timers.due(new Date(clock - MIN))).length, (n) => n === 0, { what: 'swept timers handled' });
    await waitFor(async () => { const c = await app.queues.queue('notify').getJobCounts('waiting', 'active', 'delayed'); return c.waiting + c.active + c.delayed; }, (n) => n === 0, { what: 'notify idle' });
    clock = T0;
  });

  it('lets the duty officer place an incident with no municipality and route it by the rules; the new owner is told who passed it', async () => {
    clock = T0 + 5 * MIN;
    const res = await post({ text: 'Третий день нет горячей воды в доме, управляющая компания трубку не берёт', name: 'Пётр', contact: contact() });
    const waiting = await waitFor(() => app.db.incidents.byMessage(res.body.id), (i) => i?.status === 'needs_review', { what: 'in triage' });
    const duty = (await app.db.officials.get('khakassia-duty'))!;
    await decideTriage(app.deps, { officialId: duty.id, role: duty.role, duty: duty.duty, municipalityId: null }, waiting!.id, { decision: 'appeal', kind: 'complaint', topic: 'housing', municipalityId: null, priority: 'normal' });
    const assigned = await waitFor(() => app.db.incidents.get(waiting!.id), (i) => i?.status === 'assigned', { what: 'assigned to the duty officer' });
    expect(assigned!.officialId).toBe('khakassia-duty');
    const card = await cardOf(tg, DUTY, assigned!.id);
    tg.pressButton({ from: { id: DUTY }, chatId: DUTY, messageId: card.messageId, data: button(card, 'Переназначить') });
    const menu = await tg.waitForSent((m) => m.chatId === DUTY && m.text.includes(`Обращение №${assigned!.id}: муниципалитет не определён`));
    expect(labels(menu)).toEqual(expect.arrayContaining(['город Абакан', 'Отмена']));
    tg.pressButton({ from: { id: DUTY }, chatId: DUTY, messageId: menu.messageId, data: button(menu, 'город Абакан') });
    const moved = await waitFor(() => app.db.incidents.get(assigned!.id), (i) => i?.officialId === 'abakan-housing', { what: 'routed by the rules' });
    expect(moved!.municipalityId).toBe('abakan');
    const newCard = await cardOf(tg, HOUSING, assigned!.id);
    expect(newCard.text).toContain('Передано от: Иванов А. В.');
    await editedTo(tg, DUTY, menu.messageId, (m) => m.replyMarkup === undefined, 'the used menu without buttons');
    await editedTo(tg, DUTY, card.messageId, (m) => m.text.includes('Передано: Кузнецова О. Н.'), 'the duty card passed on');
    const ev = (await app.db.incidents.events(assigned!.id)).find((e) => e.kind === 'incident.reassigned');
    expect(ev).toMatchObject({ actor: 'official:khakassia-duty', data: { from: 'khakassia-duty', to: 'abakan-housing' } });
    // Placed now, the control centre may pass it on to anyone of that municipality (not only its own colleagues).
    const current = (await app.db.bot.currentAssignment(assigned!.id))!;
    const secret = callbackSecret(app.cfg.BOT_CALLBACK_SECRET, app.cfg.TELEGRAM_BOT_TOKEN!);
    const qid = BigInt(`0x${randomBytes(8).toString('hex')}`).toString();
    (tg as unknown as { queries: Map<string, { answered: boolean }> }).queries.set(qid, { answered: false });
    const data = signCallback(secret, { action: 'reassign', incidentId: assigned!.id, epoch: current.id, arg: '' });
    (tg as unknown as { pushUpdate(u: unknown): unknown }).pushUpdate({ callback_query: { id: qid, from: { id: DUTY, is_bot: false, first_name: 'X' }, message: card.message, chat_instance: '1', data } });
    const pick = await tg.waitForSent((m) => m.chatId === DUTY && m.text.includes(`Обращение №${assigned!.id}: кому передать`));
    expect(labels(pick).some((l) => l.startsWith('Морозов М. А.'))).toBe(true);
    expect(labels(pick).some((l) => l.startsWith('Сидоренко И. П.'))).toBe(true);
    expect(labels(pick).some((l) => l.startsWith('Кузнецова'))).toBe(false);
  });

  it('«Не наш вопрос» on an incident with no municipality goes to the duty officer\'s triage with the reason, stored and shown', async () => {
    clock = T0 + 6 * MIN;
    const res = await post({ text: 'Во дворе второй день не горит ни один фонарь, вечером темно и страшно идти', name: 'Светлана', contact: contact() });
    const waiting = await waitFor(() => app.db.incidents.byMessage(res.body.id), (i) => i?.status === 'needs_review', { what: 'in triage' });
    const duty = (await app.db.officials.get('khakassia-duty'))!;
    await decideTriage(app.deps, { officialId: duty.id, role: duty.role, duty: duty.duty, municipalityId: null }, waiting!.id, { decision: 'appeal', kind: 'complaint', topic: 'roads', municipalityId: null, priority: 'normal' });
    await waitFor(() => app.db.incidents.get(waiting!.id), (i) => i?.status === 'assigned', { what: 'assigned' });
    // The duty officer passes it to a colleague by hand before anyone knows the place (the state officials meet).
    const current = (await app.db.bot.currentAssignment(waiting!.id))!;
    await app.db.tx(async (tx) => {
      await tx.bot.reassign(waiting!.id, { fromOfficialId: current.officialId, toOfficialId: 'abakan-roads', reason: 'colleague', actor: 'official:khakassia-duty' }, new Date(clock));
      await tx.incidents.addEvent(waiting!.id, 'incident.reassigned', 'official:khakassia-duty', new Date(clock), { from: current.officialId, to: 'abakan-roads', reason: 'colleague' });
    });
    await app.queues.enqueue('notify', { incidentId: waiting!.id, officialId: 'abakan-roads', kind: 'card' });
    const card = await cardOf(tg, ROADS, waiting!.id);
    expect(card.text).toContain('Передано от: Иванов А. В.');
    tg.pressButton({ from: { id: ROADS }, chatId: ROADS, messageId: card.messageId, data: button(card, 'Не наш вопрос') });
    await tg.waitForSent((m) => m.chatId === ROADS && m.text.includes(`Обращение №${waiting!.id}: напишите`));
    const reason = 'Фонари во дворах обслуживает управляющая компания, а не дорожники; адрес не указан';
    tg.userSends({ from: { id: ROADS }, text: reason });
    const back = await waitFor(() => app.db.incidents.get(waiting!.id), (i) => i?.status === 'needs_review', { what: 'back in triage' });
    expect(back!.officialId).toBeNull();
    const told = await tg.waitForSent((m) => m.chatId === ROADS && m.text.includes(`Обращение №${waiting!.id}: муниципалитет не определён, поэтому оно возвращено дежурному`));
    expect(told.text).not.toContain('Обратитесь к дежурному');
    const ev = (await app.db.incidents.events(waiting!.id)).find((e) => e.kind === 'incident.returned-to-triage');
    expect(ev).toMatchObject({ actor: 'official:abakan-roads', data: { from: 'abakan-roads', reason: 'not-ours', note: reason } });
    // On the duty officer's triage list, with who sent it back and why.
    tg.userSends({ from: { id: DUTY }, text: '/triage' });
    const item = await tg.waitForSent((m) => m.chatId === DUTY && m.text.includes(`На разбор: обращение №${waiting!.id}`) && m.text.includes('Возвращено на разбор'));
    expect(item.text).toContain(`Возвращено на разбор: Морозов М. А. — «${reason}»`);
    expect(labels(item)).toContain('Подтвердить');
    await editedTo(tg, ROADS, card.messageId, (m) => m.replyMarkup === undefined, 'the old card without buttons');
  });

  it('answers a used dialogue button with «уже выполнено» and removes its keyboard; /my says when it is capped', async () => {
    clock = T0 + 7 * MIN;
    const incident = await complain('В Абакане на Ленина 3 протекает крыша, управляющая компания бездействует', 'Игорь');
    const card = await cardOf(tg, HOUSING, incident.id);
    tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: card.messageId, data: button(card, 'Переназначить') });
    const menu = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`Обращение №${incident.id}: кому передать`));
    const colleague = menu.replyMarkup!.inline_keyboard!.flat().find((b) => b.text.startsWith('Морозов'))!.callback_data!;
    const first = tg.pressButton({ from: { id: HOUSING }, chatId: HOUSING, messageId: menu.messageId, data: button(menu, 'Отмена') });
    expect(await waitFor(async () => tg.callbackAnswers.find((a) => a.callbackQueryId === first.id), (a) => !!a)).toMatchObject({ text: 'Действие отменено.' });
    await editedTo(tg, HOUSING, menu.messageId, (m) => m.replyMarkup === undefined, 'the used dialogue without buttons');
    // A press of the menu's (now removed) colleague button, as a slow client would send it: nothing is passed on.
    const id = BigInt(`0x${randomBytes(8).toString('hex')}`).toString();
    (tg as unknown as { queries: Map<string, { answered: boolean }> }).queries.set(id, { answered: false });
    (tg as unknown as { pushUpdate(u: unknown): unknown }).pushUpdate({ callback_query: { id, from: { id: HOUSING, is_bot: false, first_name: 'X' }, message: menu.message, chat_instance: '1', data: colleague } });
    const again = await waitFor(async () => tg.callbackAnswers.find((a) => a.callbackQueryId === id), (a) => !!a);
    expect(again).toMatchObject({ text: 'Уже выполнено.', showAlert: false });
    expect((await app.db.incidents.get(incident.id))!.officialId).toBe('abakan-housing');

    // /my over its cap of 20 says so.
    const problems = [
      'в подъезде не работает домофон', 'в подвале стоит вода', 'не вывозят мусор с контейнерной площадки', 'течёт канализация в подъезде',
      'с потолка сыплется штукатурка', 'в подъезде выбиты окна', 'батареи холодные, нет отопления', 'не работает лифт',
      'прорвало трубу горячей воды', 'крысы в подвале', 'во дворе переполнены мусорные баки', 'протекает кровля над квартирой',
      'в подъезде не горит свет', 'нет холодной воды с утра', 'из крана течёт ржавая вода', 'в квартире плесень из-за протечки',
    ];
    const streets = ['Вяткина', 'Тельмана', 'Хакасская', 'Кирова', 'Пушкина', 'Чертыгашева', 'Маршала Жукова', 'Комарова', 'Лермонтова', 'Некрасова', 'Островского', 'Гагарина', 'Крылова', 'Вокзальная', 'Пирятинская', 'Стофато'];
    for (let i = 0; (await app.db.bot.openIncidents('abakan-housing', 1000)).length < 21 && i < problems.length; i++) {
      await post({ text: `Абакан, улица ${streets[i]} ${10 + i}: ${problems[i]}, управляющая компания не реагирует`, name: `Житель ${i}`, contact: contact() });
      await waitFor(async () => (await app.queues.queue('notify').getJobCounts('waiting', 'active')), (c) => c.waiting + c.active === 0, { what: 'pipeline idle' });
    }
    await waitFor(() => app.db.bot.openIncidents('abakan-housing', 1000), (l) => l.length > 20, { what: 'over 20 open incidents', timeoutMs: 30_000 });
    const total = (await app.db.bot.openIncidents('abakan-housing', 1000)).length;
    expect(total).toBeGreaterThan(20);
    tg.userSends({ from: { id: HOUSING }, text: '/my' });
    const my = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.startsWith('Ваши открытые обращения'));
    expect(my.text).toContain(`(показаны 20 из ${total})`);
    tg.userSends({ from: { id: HOUSING }, text: '/help' });
    const help = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.startsWith('Команды'));
    expect(help.text).toContain('/cancel');
  });
});

describe('the start-up backlog of breaches (pg)', () => {
  it('gives the duty officer one list with the count, not a card each; supervisors still get theirs', async () => {
    const tg = await startFakeTelegram();
    const fresh = await freshPgDatabase();
    const prefix = uniquePrefix();
    let clock = T0;
    const env = { DATABASE_URL: fresh.url, QUEUE_PREFIX: prefix, TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_URL: tg.url };
    const start = () => startApp({ ...testConfig(env, ['api', 'pipeline', 'bot']), QUEUE_PREFIX: prefix }, { now: () => new Date(clock), lockDurationMs: 5000 });
    const first = await start();
    const ids: string[] = [];
    try {
      await seedRegion(first.db, createAnalyzer(first.cfg.REGION).region);
      await importFile(first.db, DEMO_OFFICIALS_FILE);
      await tg.waitForPoller();
      await startOfficials(tg, [DUTY, ABAKAN_HEAD, HOUSING]);
      const texts = [
        'Абакан, Маршала Жукова 80: в подъезде не работает лифт уже неделю, пожилые не могут выйти',
        'В Абакане на Вокзальной 11 нет отопления, батареи ледяные, дети мёрзнут',
        'Абакан, Крылова 40: прорвало трубу в подвале, вода стоит по колено',
      ];
      for (const [i, text] of texts.entries()) {
        const r = await fetch(`${first.url}/api/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, name: `Житель ${i}`, contact: contact() }) });
        const { id } = (await r.json()) as { id: string };
        const inc = await waitFor(() => first.db.incidents.byMessage(id), (x) => x?.status === 'assigned', { what: 'assigned' });
        ids.push(inc!.id);
        await cardOf(tg, HOUSING, inc!.id);
      }
      await tg.waitForPoller();
      await first.stop();

      clock = T0 + 6 * 60 * MIN; // every breach came due while nothing ran
      const before = tg.sentIn(DUTY).length;
      const second = await start();
      try {
        // The process's first sweep (the timer clock, within seconds of the start) finds the backlog.
        const summary = await tg.waitForSent((m) => m.chatId === DUTY && m.text.startsWith('❗ Истёк срок первого ответа: 3 обращения'));
        for (const id of ids) expect(summary.text).toContain(`№${id} · ЖКХ · город Абакан · Кузнецова О. Н. · просрочено на`);
        for (const id of ids) {
          await tg.waitForSent((m) => m.chatId === ABAKAN_HEAD && m.text.startsWith('❗') && m.text.includes(`Обращение №${id}`));
          await waitFor(() => second.db.incidents.get(id), (x) => x?.escalatedAt != null, { what: 'escalated' });
        }
        const events = await second.db.incidents.events(ids[0]);
        expect(events.find((e) => e.kind === 'incident.escalated')!.data.to).toEqual(expect.arrayContaining(['abakan-head', 'khakassia-duty']));
        await waitFor(async () => { const c = await second.queues.queue('notify').getJobCounts('waiting', 'active', 'delayed'); return c.waiting + c.active + c.delayed; }, (n) => n === 0, { what: 'notify idle' });
        const toDuty = tg.sentIn(DUTY).slice(before);
        expect(toDuty).toHaveLength(1);
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
