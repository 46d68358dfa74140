/**
 * Issue 15, the reply side of the officials' bot, against the Telegram emulator with the real
 * node-telegram-bot-api 2.1.0 and the real pipeline on real Redis and PostgreSQL / PGlite: choosing the reply
 * stage, «Изменить» from the template's text, «Решено» with its confirmation, closing reply and undo, and the
 * press service's approval (citizen's text, deadline, municipality; approve, return with a reason, edit with a
 * preview) with the official told at each step.
 */
import { randomBytes } from 'node:crypto';
import { startFakeTelegram, type FakeTelegram, type TgSentMessage } from '../emulators/telegram';
import { button, labels, startOfficials } from '../helpers/bot';
import { startTestApp, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/env';

const PRESS = 100002;
const HOUSING = 100004;
const T0 = Date.parse('2026-11-23T03:00:00Z'); // 10:00 in Abakan (UTC+7)



async function complain(app: TestApp, text: string, name: string) {
  const res = await app.post('/api/comments', { text, name, contact: `+7 913 ${randomBytes(3).toString('hex')}` });
  const incident = await waitFor(() => app.db.incidents.byMessage(res.body.id), (i) => i?.status === 'assigned', { what: 'assigned incident' });
  return incident!;
}

const cardOf = (tg: FakeTelegram, chatId: number, incidentId: string): Promise<TgSentMessage> =>
  tg.waitForSent((m) => m.chatId === chatId && m.text.includes(`Обращение №${incidentId}`) && !m.text.startsWith('❗'));
const editedTo = (tg: FakeTelegram, chatId: number, messageId: number, until: (m: TgSentMessage) => boolean) =>
  waitFor(async () => tg.sent.find((m) => m.chatId === chatId && m.messageId === messageId)!, until, { what: `edit of message ${messageId}` });
/** The next message in a chat after `after` that matches. */
const next = (tg: FakeTelegram, chatId: number, after: number, match: (m: TgSentMessage) => boolean) =>
  tg.waitForSent((m) => m.chatId === chatId && m.messageId > after && match(m));

describe.each(['pg', 'pglite'] as const)('reply stages and «Решено» in the bot (%s)', (db) => {
  let tg: FakeTelegram;
  let app: TestApp;
  let clock = T0;
  const press = (chatId: number, m: TgSentMessage, label: string) => tg.pressButton({ from: { id: chatId }, chatId, messageId: m.messageId, data: button(m, label) });

  beforeAll(async () => {
    tg = await startFakeTelegram();
    app = await startTestApp(db, { roles: ['api', 'pipeline', 'bot'], env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_URL: tg.url }, now: () => new Date(clock) });
    await tg.waitForPoller();
    await startOfficials(tg, [HOUSING]);
  });
  afterAll(async () => {
    await tg.waitForPoller();
    await app.stop();
    await tg.stop();
  });

  it('«Ответить» lets the official choose «Обещание» (with its date); «Изменить» starts from the template text', async () => {
    const incident = await complain(app, 'В Абакане на Пушкина 101 в подъезде течёт труба, УК не реагирует', 'Марина');
    const card = await cardOf(tg, HOUSING, incident.id);
    press(HOUSING, card, 'Ответить');
    const choice = await next(tg, HOUSING, card.messageId, (m) => m.text.includes(`Ответ на обращение №${incident.id}. Выберите шаблон`));
    expect(choice.text).toContain('Вид ответа: «Принято в работу»');
    expect(labels(choice)).toEqual(expect.arrayContaining(['Обещание со сроком', 'Решено', 'Свой текст']));
    expect(labels(choice)).not.toContain('Принято в работу');

    // «Обещание» without a promise yet: the date first, then the promise templates with that date
    press(HOUSING, choice, 'Обещание со сроком');
    const ask = await next(tg, HOUSING, choice.messageId, (m) => m.text.includes(`Обращение №${incident.id}: чтобы ответить обещанием`));
    tg.userSends({ from: { id: HOUSING }, text: '25.11 заменим участок трубы в подвале' });
    await next(tg, HOUSING, ask.messageId, (m) => m.text.includes(`Обещание по обращению №${incident.id} записано`));
    const promiseChoice = await next(tg, HOUSING, ask.messageId, (m) => m.text.includes(`Ответ на обращение №${incident.id}.`) && m.text.includes('Вид ответа: «Обещание со сроком»'));
    expect(promiseChoice.text).toContain('25 ноября 2026 г.');
    expect(labels(promiseChoice)).toEqual(expect.arrayContaining(['Шаблон 1', 'Принято в работу', 'Решено']));

    // «Изменить»: the template's text comes as a message of its own, to copy and edit; the other variants stay offered
    press(HOUSING, promiseChoice, 'Шаблон 1');
    const preview = await next(tg, HOUSING, promiseChoice.messageId, (m) => m.text.includes(`Предпросмотр ответа на обращение №${incident.id}`));
    press(HOUSING, preview, 'Изменить');
    const editHint = await next(tg, HOUSING, preview.messageId, (m) => m.text.includes('скопируйте текст'));
    const current = await next(tg, HOUSING, editHint.messageId, () => true);
    expect(current.text).toContain('25 ноября 2026 г.');
    expect(preview.text).toContain(current.text);
    expect(labels(editHint)).toContain('Отмена');
    if (labels(promiseChoice).includes('Шаблон 2')) expect(labels(editHint)).toContain('Шаблон 2');
    expect(labels(editHint)).not.toContain('Шаблон 1');
    const edited = `${current.text} Ход работ можно уточнить у диспетчера управляющей компании.`;
    tg.userSends({ from: { id: HOUSING }, text: edited });
    const preview2 = await next(tg, HOUSING, current.messageId, (m) => m.text.includes(`Предпросмотр ответа на обращение №${incident.id}`));
    expect(preview2.text).toContain('уточнить у диспетчера');
    press(HOUSING, preview2, 'Опубликовать');
    const reply = await waitFor(async () => (await app.db.replies.forIncident(incident.id))[0], (r) => r?.status === 'published', { what: 'published reply' });
    expect(reply).toMatchObject({ stage: 'promise', text: edited });
    expect((await app.db.bot.promises(incident.id))[0]).toMatchObject({ text: 'заменим участок трубы в подвале' });
  });

  it('«Решено» asks for confirmation, offers a closing reply from the "resolved" templates, and is recorded as events', async () => {
    const incident = await complain(app, 'В Абакане на Ленина 50 сломана дверь в подъезде, не закрывается', 'Пётр');
    const card = await cardOf(tg, HOUSING, incident.id);
    press(HOUSING, card, 'Решено');
    const confirm = await next(tg, HOUSING, card.messageId, (m) => m.text.startsWith(`Отметить обращение №${incident.id} как решённое?`));
    expect(labels(confirm)).toEqual(['Да, решено', 'Отмена']);
    expect((await app.db.incidents.get(incident.id))!.status).toBe('assigned'); // nothing happens before the confirmation
    press(HOUSING, confirm, 'Отмена');
    await waitFor(() => app.db.bot.session(String(HOUSING), new Date(clock)), (s) => s === null);
    expect((await app.db.incidents.get(incident.id))!.status).toBe('assigned');

    press(HOUSING, card, 'Решено');
    const confirm2 = await next(tg, HOUSING, confirm.messageId, (m) => m.text.startsWith(`Отметить обращение №${incident.id} как решённое?`));
    press(HOUSING, confirm2, 'Да, решено');
    const offer = await next(tg, HOUSING, confirm2.messageId, (m) => m.text.startsWith(`Обращение №${incident.id} отмечено как решённое`));
    expect(labels(offer)).toEqual(['Ответить гражданину', 'Вернуть в работу']);
    await editedTo(tg, HOUSING, card.messageId, (m) => m.text.includes('Статус: решено'));
    expect((await app.db.incidents.get(incident.id))!.status).toBe('resolved');

    press(HOUSING, offer, 'Ответить гражданину');
    const choice = await next(tg, HOUSING, offer.messageId, (m) => m.text.includes(`Ответ на обращение №${incident.id}.`));
    expect(choice.text).toContain('Вид ответа: «Решено»');
    press(HOUSING, choice, 'Шаблон 1');
    const preview = await next(tg, HOUSING, choice.messageId, (m) => m.text.includes(`Предпросмотр ответа на обращение №${incident.id}`));
    press(HOUSING, preview, 'Опубликовать');
    const reply = await waitFor(async () => (await app.db.replies.forIncident(incident.id))[0], (r) => r?.status === 'published', { what: 'closing reply published' });
    expect(reply.stage).toBe('resolved');
    expect(reply.templateId).toMatch(/resolved/);
    const after = await app.db.incidents.get(incident.id);
    expect(after).toMatchObject({ status: 'resolved' });
    expect(after!.firstResponseAt).toEqual(reply.publishedAt);
    expect((await app.db.incidents.events(incident.id)).map((e) => e.kind)).toEqual(expect.arrayContaining(['incident.resolved', 'reply.drafted', 'reply.published']));
  });

  it('«Вернуть в работу» undoes «Решено» within the window (an event), and not after it', async () => {
    const incident = await complain(app, 'В Абакане на Кирова 7 не работает освещение в подъезде уже неделю', 'Лидия');
    const card = await cardOf(tg, HOUSING, incident.id);
    press(HOUSING, card, 'Взять в работу');
    await editedTo(tg, HOUSING, card.messageId, (m) => m.text.includes('Статус: в работе'));
    const resolve = async (after: number) => {
      const c = tg.sent.find((m) => m.chatId === HOUSING && m.messageId === card.messageId)!;
      press(HOUSING, c, 'Решено');
      const confirm = await next(tg, HOUSING, after, (m) => m.text.startsWith(`Отметить обращение №${incident.id}`));
      press(HOUSING, confirm, 'Да, решено');
      return next(tg, HOUSING, confirm.messageId, (m) => m.text.startsWith(`Обращение №${incident.id} отмечено как решённое`));
    };
    const offer = await resolve(card.messageId);
    clock += 5 * 60_000;
    press(HOUSING, offer, 'Вернуть в работу');
    const reopened = await waitFor(() => app.db.incidents.get(incident.id), (i) => i?.status === 'in_progress', { what: 'reopened' });
    expect(reopened!.resolvedAt).toBeNull();
    const back = await editedTo(tg, HOUSING, card.messageId, (m) => m.text.includes('Статус: в работе') && labels(m).includes('Решено'));
    expect(labels(back)).toContain('Ответить');
    const ev = (await app.db.incidents.events(incident.id)).filter((e) => e.kind === 'incident.resolved' || e.kind === 'incident.reopened');
    expect(ev.map((e) => e.kind)).toEqual(['incident.resolved', 'incident.reopened']);
    expect(ev[1].actor).toBe('official:abakan-housing');

    const offer2 = await resolve(offer.messageId);
    clock += 16 * 60_000;
    const q = press(HOUSING, offer2, 'Вернуть в работу');
    const answer = await waitFor(async () => tg.callbackAnswers.find((a) => a.callbackQueryId === q.id), (a) => !!a, { what: 'callback answer' });
    expect(answer).toMatchObject({ showAlert: true, text: expect.stringContaining('Время для отмены истекло') });
    expect((await app.db.incidents.get(incident.id))!.status).toBe('resolved');
  });
});

describe.each(['pg', 'pglite'] as const)('press approval in the bot (%s)', (db) => {
  let tg: FakeTelegram;
  let app: TestApp;
  const press = (chatId: number, m: TgSentMessage, label: string) => tg.pressButton({ from: { id: chatId }, chatId, messageId: m.messageId, data: button(m, label) });

  beforeAll(async () => {
    tg = await startFakeTelegram();
    app = await startTestApp(db, { roles: ['api', 'pipeline', 'bot'], env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_URL: tg.url, OFFICIALS_MAY_PUBLISH: 'false' } });
    await tg.waitForPoller();
    await startOfficials(tg, [PRESS, HOUSING]);
  });
  afterAll(async () => {
    await tg.waitForPoller();
    await app.stop();
    await tg.stop();
  });

  /** The official drafts a reply from the first template; returns the press service's approval message. */
  async function draft(text: string, name: string) {
    const incident = await complain(app, text, name);
    const card = await cardOf(tg, HOUSING, incident.id);
    press(HOUSING, card, 'Ответить');
    const choice = await next(tg, HOUSING, card.messageId, (m) => m.text.includes(`Ответ на обращение №${incident.id}.`));
    press(HOUSING, choice, 'Шаблон 1');
    const preview = await next(tg, HOUSING, choice.messageId, (m) => m.text.includes('Предпросмотр'));
    press(HOUSING, preview, 'На согласование');
    const approval = await tg.waitForSent((m) => m.chatId === PRESS && m.text.includes(`На согласование: ответ на обращение №${incident.id}`));
    const [reply] = await app.db.replies.forIncident(incident.id);
    return { incident, approval, reply, preview };
  }

  it('shows the citizen\'s text, the deadline and the municipality; «Вернуть на доработку» goes back to the official with the reason', async () => {
    const { incident, approval, reply } = await draft('Абакан, Щорса 20: в квартирах холодные батареи, отопление еле тёплое, УК не отвечает', 'Виктор');
    expect(approval.text).toContain('в квартирах холодные батареи');
    expect(approval.text).toContain('Муниципалитет: город Абакан');
    expect(approval.text).toMatch(/Срок ответа: до \d\d\.\d\d\.\d{4} \d\d:\d\d \(осталось/);
    expect(approval.text).toContain(reply.text);
    expect(labels(approval)).toEqual(['Одобрить', 'Изменить', 'Вернуть на доработку']);
    // The press service greets with its own job and lists what waits for it; an official may not list the drafts.
    expect(tg.sentIn(PRESS)[0].text).toContain('/drafts — ответы на согласовании');
    tg.userSends({ from: { id: PRESS }, text: '/drafts' });
    const list = await tg.waitForSent((m) => m.chatId === PRESS && m.text.includes('Ответы на согласовании ('));
    expect(list.text).toContain(`№${incident.id}`);
    expect(list.text).toContain('город Абакан');
    tg.userSends({ from: { id: HOUSING }, text: '/drafts' });
    await tg.waitForSent((m) => m.chatId === HOUSING && m.text === 'Список ответов на согласовании доступен пресс-службе.');

    press(PRESS, approval, 'Вернуть на доработку');
    const ask = await next(tg, PRESS, approval.messageId, (m) => m.text.includes('что нужно исправить'));
    tg.userSends({ from: { id: PRESS }, text: 'Укажите конкретный срок ремонта отопления' });
    await next(tg, PRESS, ask.messageId, (m) => m.text.includes(`Ответ на обращение №${incident.id} возвращён на доработку`));
    const told = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`Пресс-служба вернула ваш ответ на обращение №${incident.id} на доработку`));
    expect(told.text).toContain('Комментарий: Укажите конкретный срок ремонта отопления');
    expect(told.text).toContain(reply.text);
    expect((await app.db.replies.get(reply.id))!.status).toBe('cancelled');
    const ev = (await app.db.incidents.events(incident.id)).find((e) => e.kind === 'reply.returned');
    expect(ev).toMatchObject({ actor: 'official:khakassia-press', data: { replyId: reply.id, reason: 'Укажите конкретный срок ремонта отопления' } });
    // the approval's buttons are dead now, and the official starts a new reply from the message
    const q = press(PRESS, approval, 'Одобрить');
    await waitFor(async () => tg.callbackAnswers.find((a) => a.callbackQueryId === q.id), (a) => a?.showAlert === true);
    press(HOUSING, told, 'Ответить');
    await next(tg, HOUSING, told.messageId, (m) => m.text.includes(`Ответ на обращение №${incident.id}. Выберите шаблон`));
  });

  it('«Изменить» previews the edited text with «Опубликовать» / «Изменить ещё»; the official is told it was changed and published', async () => {
    const { incident, approval, reply } = await draft('Абакан, Крылова 60: в подвале дома прорвало трубу горячей воды, сырость и пар', 'Ирина');
    press(PRESS, approval, 'Изменить');
    const ask = await next(tg, PRESS, approval.messageId, (m) => m.text.startsWith('Напишите исправленный текст'));
    const copy = await next(tg, PRESS, ask.messageId, () => true);
    expect(copy.text).toBe(reply.text); // the current text, to copy and correct
    tg.userSends({ from: { id: PRESS }, text: 'Здравствуйте! Аварийная бригада перекроет трубу сегодня, ремонт завершат до конца недели.' });
    const p1 = await next(tg, PRESS, copy.messageId, (m) => m.text.startsWith(`Предпросмотр исправленного ответа на обращение №${incident.id}`));
    expect(labels(p1)).toEqual(['Опубликовать', 'Изменить ещё']);
    expect((await app.db.replies.get(reply.id))!).toMatchObject({ status: 'draft', text: reply.text }); // nothing published yet
    const p1Publish = button(p1, 'Опубликовать');
    press(PRESS, p1, 'Изменить ещё');
    const ask2 = await next(tg, PRESS, p1.messageId, (m) => m.text.startsWith('Напишите исправленный текст'));
    await editedTo(tg, PRESS, p1.messageId, (m) => labels(m).length === 0); // an old preview's buttons are gone
    const final = 'Здравствуйте! Аварийная бригада перекроет трубу сегодня, ремонт подвала завершат до 28 ноября. Спасибо, что сообщили.';
    tg.userSends({ from: { id: PRESS }, text: final });
    const p2 = await next(tg, PRESS, ask2.messageId, (m) => m.text.startsWith('Предпросмотр исправленного ответа'));
    expect(p2.text).toContain('до 28 ноября');
    expect(button(p2, 'Опубликовать')).not.toBe(p1Publish); // each preview's «Опубликовать» names its own text
    press(PRESS, p2, 'Опубликовать');
    const published = await waitFor(() => app.db.replies.get(reply.id), (r) => r?.status === 'published', { what: 'published' });
    expect(published).toMatchObject({ text: final, approvedBy: 'official:khakassia-press' });
    const approved = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.includes(`Пресс-служба одобрила ваш ответ на обращение №${incident.id} с правками`));
    expect(approved.text).toContain(final);
    const done = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.startsWith(`Ответ на обращение №${incident.id} опубликован`));
    expect(done.text).toContain(final);
  });

  it('«Одобрить» publishes as drafted, and the official is told both', async () => {
    const { incident, approval, reply } = await draft('Абакан, Торосова 5: в подъезде третий день не работает лифт, пожилые не могут выйти', 'Алексей');
    press(PRESS, approval, 'Одобрить');
    await editedTo(tg, PRESS, approval.messageId, (m) => m.text.startsWith('Одобрено'));
    await tg.waitForSent((m) => m.chatId === HOUSING && m.text === `Пресс-служба одобрила ваш ответ на обращение №${incident.id} и отправила на публикацию.`);
    const done = await tg.waitForSent((m) => m.chatId === HOUSING && m.text.startsWith(`Ответ на обращение №${incident.id} опубликован`));
    expect(done.text).not.toContain('Опубликованный текст');
    expect((await app.db.replies.get(reply.id))!.status).toBe('published');
  });
});
