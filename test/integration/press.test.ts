/**
 * The press service's web page (issue 6) through the real app on real Redis and PostgreSQL, the VK
 * emulator (replies land under the citizen's comment) and the Telegram emulator (the press chat), driven
 * in headless Chromium: template → edit → approve → published; role rules and CSRF; a failed publication
 * shown, reported and retried.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, openBrowser } from '../helpers/browser';
import type { RawMessage } from '../../src/domain/types';
import { ingestMessage } from '../../src/ingest/ingest';
import { publish } from '../../src/pipeline/stages/publish';
import { setPassword } from '../../src/web/auth';
import { startFakeTelegram, type FakeTelegram } from '../emulators/telegram';
import { startFakeVk, type FakeVk } from '../emulators/vk';
import { startTestApp, type TestApp } from '../helpers/app';
import { getAs, signIn } from '../helpers/auth';
import { waitFor } from '../helpers/env';

const GROUP = 1000001;
const OWNER = -GROUP;
const PRESS_CHAT = 100002; // khakassia-press in the demo officials

describe('the press service page (pg)', () => {
  let vk: FakeVk;
  let tg: FakeTelegram;
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let seq = 0;

  /** A citizen's comment under the community's post, in the emulator and through ingest → an assigned incident. */
  async function vkComplaint(text: string, name: string) {
    const postId = vk.addPost(OWNER, { text: 'Отключения воды: график на неделю' }).id;
    const comment = vk.addComment(OWNER, postId, { from_id: 4200 + ++seq, text });
    const raw: RawMessage = {
      platform: 'vk',
      externalId: `wall${OWNER}_${postId}_${comment.id}`,
      sourceId: null,
      author: { platformId: String(4200 + seq), displayName: name, profileUrl: null },
      text,
      publishedAt: new Date(),
      permalink: `https://vk.com/wall${OWNER}_${postId}?reply=${comment.id}`,
      parentExternalId: `wall${OWNER}_${postId}`,
      threadExternalId: `wall${OWNER}_${postId}`,
      attachments: [],
      hints: {},
      replyTarget: { platform: 'vk', chatId: String(OWNER), postId: String(postId), commentId: String(comment.id), kind: 'wall' },
    };
    const r = await ingestMessage(app.deps, raw);
    const incident = await waitFor(() => app.db.incidents.byMessage(r.messageId), (i) => i?.status === 'assigned', { what: 'assigned incident' });
    return { incident: incident!, postId, commentId: comment.id };
  }

  /** A urlencoded form post with a session cookie (redirects not followed). */
  const postForm = async (cookie: string, url: string, form: Record<string, string>) => {
    const r = await fetch(`${app.url}${url}`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(), redirect: 'manual' });
    return { status: r.status, location: r.headers.get('location'), text: await r.text() };
  };
  /** The browser's press session (the first test signs in through the form). */
  async function browserSignedIn() {
    await page.goto(`${app.url}/press`);
    if (new URL(page.url()).pathname !== '/login') return;
    await page.fill('input[name=login]', 'press');
    await page.fill('input[name=password]', 'пароль-пресс-службы');
    await Promise.all([page.waitForURL(`${app.url}/press`), page.click('button[type=submit]')]);
  }
  /** A second session of the press officer (signIn() would reset the password and end the browser's session). */
  async function pressSession(): Promise<string> {
    const r = await fetch(`${app.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'press', password: 'пароль-пресс-службы' }) });
    expect(r.status).toBe(200);
    return (r.headers.get('set-cookie') ?? '').split(';')[0];
  }
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

  beforeAll(async () => {
    vk = await startFakeVk({ group: { id: GROUP }, autoEvents: false });
    tg = await startFakeTelegram({ startedUsers: [PRESS_CHAT] });
    app = await startTestApp('pg', {
      roles: ['api', 'pipeline'],
      env: { VK_API_URL: vk.url, VK_GROUP_TOKEN: vk.groupToken, VK_GROUP_ID: String(GROUP), TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_URL: tg.url },
    });
    await app.db.officials.markBotStarted('khakassia-press', new Date()); // the press officer pressed Start
    await setPassword(app.db, 'khakassia-press', 'пароль-пресс-службы', new Date(), { login: 'press' });
    ({ browser, page } = await openBrowser());
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await tg?.stop();
    await vk?.stop();
  });

  it('a press officer picks a template, edits and approves it; the reply lands under the VK comment and stops the clock', async () => {
    const { incident, postId, commentId } = await vkComplaint('Третий день нет горячей воды в Абакане на Пушкина 45, в управляющую компанию не дозвониться! <b>жуть</b>', 'Анна Смирнова');
    await page.goto(`${app.url}/press`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name=login]', 'press');
    await page.fill('input[name=password]', 'пароль-пресс-службы');
    await Promise.all([page.waitForURL(`${app.url}/press`), page.click('button[type=submit]')]);
    const row = page.locator(`table.awaiting tr[data-incident="${incident.id}"]`);
    await expect(row.locator('td.excerpt').textContent()).resolves.toContain('<b>жуть</b>'); // escaped, shown as text
    await page.screenshot({ path: path.join(ARTIFACTS, 'press-queue.png'), fullPage: true });
    await Promise.all([page.waitForURL(`${app.url}/press/incidents/${incident.id}`), row.locator('a', { hasText: 'Ответить' }).click()]);

    // Suggestions for the topic and stage ("принято в работу"), rendered with the incident's values.
    const options = page.locator('li.option');
    expect(await options.count()).toBeGreaterThanOrEqual(3);
    const texts = await options.locator('.text').allTextContents();
    for (const t of texts) expect(t).not.toMatch(/\{\{|undefined|<[a-z]/);
    expect(texts.join(' ')).toContain(`№${incident.id}`);
    expect(new Set(texts).size).toBe(texts.length);
    await Promise.all([page.waitForURL(/template=/), page.click('li.option >> nth=1 >> a')]);
    const chosen = texts[1];
    await expect(page.inputValue('#reply-text')).resolves.toBe(chosen);
    const edited = `${chosen} Приносим извинения за неудобства.`;
    await page.fill('#reply-text', edited);
    await expect(page.locator('#reply-preview').textContent()).resolves.toBe(edited); // the live preview follows the editor
    await page.screenshot({ path: path.join(ARTIFACTS, 'press-incident.png'), fullPage: true });
    await Promise.all([page.waitForURL(/done=published/), page.click('button:has-text("Одобрить и опубликовать")')]);
    await expect(page.locator('.notice').first().textContent()).resolves.toContain('отправлен на публикацию');

    const reply = await waitFor(async () => (await app.db.replies.forIncident(incident.id))[0], (r) => r?.status === 'published', { timeoutMs: 30_000, what: 'published reply' });
    expect(reply).toMatchObject({ text: edited, stage: 'ack', draftedBy: 'official:khakassia-press', approvedBy: 'official:khakassia-press' });
    expect(reply.templateId).toMatch(/-ack-\d$/);
    const created = vk.createdComments.find((c) => c.text === edited);
    expect(created).toMatchObject({ owner_id: OWNER, post_id: postId, reply_to_comment: commentId, from_id: OWNER });
    expect(reply.externalId).toBe(`wall${OWNER}_${postId}_${created!.id}`);
    const after = await app.db.incidents.get(incident.id);
    expect(after!.firstResponseAt!.getTime()).toBe(reply.publishedAt!.getTime());
    expect(after!.status).toBe('answered');
    const events = (await app.db.incidents.events(incident.id)).map((e) => e.kind);
    expect(events).toEqual(expect.arrayContaining(['reply.drafted', 'reply.approved', 'reply.published']));
    // The thread now holds that text: the page never offers it again, and the same text is refused.
    await page.goto(`${app.url}/press/incidents/${incident.id}`);
    // The acknowledgement is out: the page recommends the next stage, not «Принято в работу» again.
    await expect(page.locator('nav.tabs a.tab.active').textContent()).resolves.toContain('Обещание');
    await expect(page.locator('nav.tabs a.tab', { hasText: 'рекомендуем' }).textContent()).resolves.not.toContain('Принято в работу');
    expect(await page.locator('li.option .text').allTextContents()).not.toContain(chosen);
    await page.fill('#reply-text', edited);
    await page.click('button:has-text("Одобрить и опубликовать")');
    await expect(page.locator('p.error').textContent()).resolves.toContain('уже есть в этой ветке');
    expect(await app.db.replies.forIncident(incident.id)).toHaveLength(1);
  });

  it('refuses a form without the session CSRF token, an official of another municipality, and approval by an official', async () => {
    const { incident } = await vkComplaint('В Абакане на Ленина 12 нет отопления, батареи ледяные, управляющая компания молчит', 'Пётр');
    const press = await pressSession();
    const text = 'Здравствуйте! Обращение принято в работу, специалисты выедут сегодня.';
    expect((await postForm(press, `/press/incidents/${incident.id}/reply`, { stage: 'ack', text })).status).toBe(403);
    expect((await postForm(press, `/press/incidents/${incident.id}/reply`, { stage: 'ack', text, csrf: 'forged' })).status).toBe(403);
    // a token of another session does not pass either
    const other = await signIn(app, 'khakassia-duty');
    const otherCsrf = csrfOf((await getAs(app, other, `/press/incidents/${incident.id}`)).text);
    expect(otherCsrf).not.toBe('');
    expect((await postForm(press, `/press/incidents/${incident.id}/reply`, { stage: 'ack', text, csrf: otherCsrf })).status).toBe(403);
    expect(await app.db.replies.forIncident(incident.id)).toHaveLength(0);

    // Chernogorsk's official neither sees nor answers an Abakan incident.
    const foreign = await signIn(app, 'chernogorsk-housing');
    const foreignCsrf = csrfOf((await getAs(app, foreign, '/press/incidents/0')).text) || csrfOf((await getAs(app, foreign, '/press')).text);
    expect((await getAs(app, foreign, `/press/incidents/${incident.id}`)).status).toBe(404);
    expect((await postForm(foreign, `/press/incidents/${incident.id}/reply`, { stage: 'ack', text, csrf: foreignCsrf })).status).toBe(403);
    // A draft waits for the press service: no official approves it, of that municipality or another.
    const draftId = await app.db.replies.create({ incidentId: incident.id, templateId: null, stage: 'ack', text, draftedBy: 'official:abakan-housing', approvedBy: null }, new Date());
    expect((await postForm(foreign, `/press/replies/${draftId}/approve`, { text, csrf: foreignCsrf })).status).toBe(403);
    const own = await signIn(app, 'abakan-housing');
    const ownCsrf = csrfOf((await getAs(app, own, `/press/incidents/${incident.id}`)).text);
    expect((await postForm(own, `/press/replies/${draftId}/approve`, { text, csrf: ownCsrf })).status).toBe(403);
    expect((await app.db.replies.get(draftId))!.status).toBe('draft');
    // The press service approves it (with its token).
    const pressCsrf = csrfOf((await getAs(app, press, `/press/incidents/${incident.id}`)).text);
    const ok = await postForm(press, `/press/replies/${draftId}/approve`, { text, csrf: pressCsrf });
    expect(ok).toMatchObject({ status: 303, location: `/press/incidents/${incident.id}?done=approved` });
    await waitFor(() => app.db.replies.get(draftId), (r) => r?.status === 'published', { timeoutMs: 30_000, what: 'published draft' });
    expect((await app.db.replies.get(draftId))!.approvedBy).toBe('official:khakassia-press');
  });

  it('an official answers directly where OFFICIALS_MAY_PUBLISH allows it, in their municipality', async () => {
    const { incident, commentId } = await vkComplaint('Абакан, Щетинкина 20: в подвале стоит вода, запах по всему подъезду', 'Мария');
    const own = await signIn(app, 'abakan-housing');
    const html = (await getAs(app, own, `/press/incidents/${incident.id}`)).text;
    expect(html).toContain('Одобрить и опубликовать');
    const text = 'Здравствуйте! Аварийная служба откачает воду из подвала сегодня до 18:00.';
    const r = await postForm(own, `/press/incidents/${incident.id}/reply`, { stage: 'ack', text, templateId: '', csrf: csrfOf(html) });
    expect(r).toMatchObject({ status: 303, location: `/press/incidents/${incident.id}?done=published` });
    const reply = await waitFor(async () => (await app.db.replies.forIncident(incident.id))[0], (x) => x?.status === 'published', { timeoutMs: 30_000, what: 'published reply' });
    expect(reply.approvedBy).toBe('official:abakan-housing');
    expect(vk.createdComments.find((c) => c.text === text)?.reply_to_comment).toBe(commentId);
  });

  it('a publication that fails for good is shown as failed, reported to the press chat, and "Повторить" publishes it', async () => {
    const { incident, postId, commentId } = await vkComplaint('Черногорск? Нет, Абакан: на Кирова 5 не вывозят мусор две недели, контейнеры переполнены', 'Елена');
    vk.failNext('wall.createComment', { errorCode: 15 }); // access denied: a PermanentError, no retry
    await browserSignedIn();
    await page.goto(`${app.url}/press/incidents/${incident.id}`);
    await page.click('li.option >> nth=0 >> a');
    await page.waitForURL(/template=/);
    const text = await page.inputValue('#reply-text');
    await Promise.all([page.waitForURL(/done=published/), page.click('button:has-text("Одобрить и опубликовать")')]);
    const failed = await waitFor(async () => (await app.db.replies.forIncident(incident.id))[0], (x) => x?.status === 'failed', { timeoutMs: 30_000, what: 'failed reply' });
    expect(failed.lastError).toContain('error 15');
    expect((await app.db.incidents.get(incident.id))!.firstResponseAt).toBeNull();
    const ev = await waitFor(() => app.db.incidents.events(incident.id), (e) => e.some((x) => x.kind === 'reply.failed'));
    expect(ev.find((x) => x.kind === 'reply.failed')!.data).toMatchObject({ replyId: failed.id, platform: 'vk' });
    const report = await tg.waitForSent((m) => m.chatId === PRESS_CHAT && m.text.includes(`Ответ на обращение №${incident.id} не опубликован`));
    expect(report.text).toContain('Повторить');
    expect(report.text).not.toContain('мусор'); // ids and the error only

    await page.goto(`${app.url}/press`);
    const row = page.locator(`table.failed tr[data-reply="${failed.id}"]`);
    await expect(row.textContent()).resolves.toContain('error 15');
    await page.screenshot({ path: path.join(ARTIFACTS, 'press-failed.png'), fullPage: true });
    await Promise.all([page.waitForURL(/done=retried/), row.locator('button', { hasText: 'Повторить' }).click()]);
    const published = await waitFor(() => app.db.replies.get(failed.id), (x) => x?.status === 'published', { timeoutMs: 30_000, what: 'retried reply' });
    expect(vk.createdComments.filter((c) => c.text === text)).toEqual([expect.objectContaining({ post_id: postId, reply_to_comment: commentId })]);
    expect((await app.db.incidents.get(incident.id))!.firstResponseAt!.getTime()).toBe(published!.publishedAt!.getTime());
    expect((await app.db.incidents.events(incident.id)).map((e) => e.kind)).toEqual(expect.arrayContaining(['reply.failed', 'reply.retried', 'reply.published']));
  });

  it('marks the reply failed on the last attempt of a transient error too (never silently dropped)', async () => {
    const { incident } = await vkComplaint('Абакан, Вяткина 7: на детской площадке сломаны качели, торчат болты', 'Ирина');
    const replyId = await app.db.replies.create({ incidentId: incident.id, templateId: null, stage: 'ack', text: 'Здравствуйте! Качели демонтируют сегодня, площадку огородят.', draftedBy: 'official:khakassia-press', approvedBy: 'official:khakassia-press' }, new Date());
    vk.failNext('wall.createComment', { errorCode: 10 }, 2); // internal server error, twice: Transient
    // Two attempts instead of the default six keep the test short; the stage sees BullMQ's own count.
    await app.queues.queue('publish').add('publish', { replyId }, { jobId: `publish-${replyId}-t`, attempts: 2, backoff: { type: 'otklik' } });
    const failed = await waitFor(() => app.db.replies.get(replyId), (x) => x?.status === 'failed', { timeoutMs: 30_000, what: 'failed after the last attempt' });
    expect(failed).toMatchObject({ attempts: 2, lastError: expect.stringContaining('error 10') });
    await tg.waitForSent((m) => m.chatId === PRESS_CHAT && m.text.includes(`№${incident.id} не опубликован`));
  });

  it('a reply to a resonant incident goes under every author\'s post (VK and Telegram) once each, or under the chosen ones', async () => {
    const text = (n: number) => `Абакан, Пушкина 101: в доме третий день нет горячей воды, управляющая компания молчит (${n})`;
    const first = await vkComplaint(text(1), 'Ольга Петрова');
    const second = await vkComplaint(text(2), 'Семён Ильин');
    const third = await vkComplaint(text(3), 'Вера Носова');
    for (const x of [second, third]) expect(x.incident.id).toBe(first.incident.id);
    // A fourth author in a Telegram city chat.
    const chat = { id: -1009990001, type: 'supergroup' as const, title: 'Абакан онлайн' };
    const tgPost = tg.userSends({ from: { id: 777_101, first_name: 'Тимур' }, chat, text: text(4) });
    const tgRaw: RawMessage = {
      platform: 'telegram', externalId: `${chat.id}_${tgPost.message_id}`, sourceId: null,
      author: { platformId: '777101', displayName: 'Тимур', profileUrl: null }, text: text(4), publishedAt: new Date(),
      permalink: null, parentExternalId: null, threadExternalId: null, attachments: [], hints: {},
      replyTarget: { platform: 'telegram', chatId: String(chat.id), postId: String(tgPost.message_id) },
    };
    const tgStored = await ingestMessage(app.deps, tgRaw);
    await waitFor(() => app.db.incidents.byMessage(tgStored.messageId), (i) => i?.id === first.incident.id, { what: 'telegram post attached' });
    const incidentId = first.incident.id;
    expect(await app.db.incidents.get(incidentId)).toMatchObject({ resonant: true, authorsCount: 4 });

    // The press page lists the four posts, all checked; the reply goes under each of them.
    await browserSignedIn();
    await page.goto(`${app.url}/press/incidents/${incidentId}`);
    const boxes = page.locator('fieldset.targets input[type=checkbox]');
    expect(await boxes.count()).toBe(4);
    for (let n = 0; n < 4; n++) expect(await boxes.nth(n).isChecked()).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'press-resonant.png'), fullPage: true });
    await page.click('li.option >> nth=0 >> a');
    await page.waitForURL(/template=/);
    const ack = await page.inputValue('#reply-text');
    await Promise.all([page.waitForURL(/done=published/), page.click('button:has-text("Одобрить и опубликовать")')]);
    const reply = await waitFor(async () => (await app.db.replies.forIncident(incidentId))[0], (r) => r?.status === 'published', { timeoutMs: 30_000, what: 'published everywhere' });
    const underVk = vk.createdComments.filter((c) => c.text === ack);
    expect(underVk.map((c) => [c.post_id, c.reply_to_comment]).sort()).toEqual([first, second, third].map((x) => [x.postId, x.commentId]).sort());
    const underTg = tg.sent.filter((m) => m.chatId === chat.id && m.text === ack);
    expect(underTg).toEqual([expect.objectContaining({ replyToMessageId: tgPost.message_id })]);
    const pubs = await app.db.replies.publications(reply.id);
    expect(pubs).toHaveLength(4);
    expect(pubs.every((p) => p.status === 'published' && p.externalId)).toBe(true);
    const published = (await app.db.incidents.events(incidentId)).filter((e) => e.kind === 'reply.published');
    expect(published).toHaveLength(4);
    const earliest = Math.min(...pubs.map((p) => p.publishedAt!.getTime()));
    expect((await app.db.incidents.get(incidentId))!.firstResponseAt!.getTime()).toBe(earliest); // the first publication stopped the clock

    // A retry of the same job publishes nothing twice and records nothing twice.
    expect(await publish.handle({ replyId: reply.id }, app.deps)).toBe('skipped');
    await app.db.sql.query(`UPDATE replies SET status = 'approved' WHERE id = $1`, [reply.id]); // as if the crash came before the reply's own record
    expect(await publish.handle({ replyId: reply.id }, app.deps)).toBe('done');
    expect(vk.createdComments.filter((c) => c.text === ack)).toHaveLength(3);
    expect(tg.sent.filter((m) => m.chatId === chat.id && m.text === ack)).toHaveLength(1);
    expect((await app.db.incidents.events(incidentId)).filter((e) => e.kind === 'reply.published')).toHaveLength(4);

    // A subset: only the first VK author and the Telegram author.
    const press = await pressSession();
    const form = (await getAs(app, press, `/press/incidents/${incidentId}`)).text;
    const ids = [...form.matchAll(/name="target" value="(\d+)"/g)].map((m) => m[1]);
    expect(ids).toHaveLength(4);
    const none = await postForm(press, `/press/incidents/${incidentId}/reply`, { stage: 'promise', text: 'Здравствуйте! Горячую воду вернут до пятницы.', templateId: '', csrf: csrfOf(form), targetsShown: '1' });
    expect(none.status).toBe(422);
    expect(none.text).toContain('Отметьте хотя бы одно сообщение');
    const posts = await app.db.replies.replyTargets(incidentId);
    const chosen = [posts.find((p) => p.platform === 'vk' && p.isPrimary)!.messageId, posts.find((p) => p.platform === 'telegram')!.messageId];
    const body = new URLSearchParams({ stage: 'promise', text: 'Здравствуйте! Горячую воду вернут до пятницы, идёт ремонт теплотрассы.', templateId: '', csrf: csrfOf(form), targetsShown: '1' });
    for (const id of chosen) body.append('target', id);
    const r = await fetch(`${app.url}/press/incidents/${incidentId}/reply`, { method: 'POST', headers: { cookie: press, 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString(), redirect: 'manual' });
    expect(r.status).toBe(303);
    const second2 = await waitFor(async () => (await app.db.replies.forIncident(incidentId))[1], (x) => x?.status === 'published', { timeoutMs: 30_000, what: 'subset published' });
    expect((await app.db.replies.publications(second2.id)).map((p) => p.messageId).sort()).toEqual([...chosen].sort());
    expect(vk.createdComments.filter((c) => c.text === second2.text).map((c) => c.post_id)).toEqual([first.postId]);
    expect(tg.sent.filter((m) => m.chatId === chat.id && m.text === second2.text)).toHaveLength(1);

    // An official's draft: the press service ticks the posts when approving it (here the third author's only).
    const draftText = 'Здравствуйте! Бригада работает на теплотрассе, горячая вода будет к вечеру четверга.';
    const draftId = await app.db.replies.create({ incidentId, templateId: null, stage: 'promise', text: draftText, draftedBy: 'official:abakan-housing', approvedBy: null }, new Date());
    const page2 = (await getAs(app, press, `/press/incidents/${incidentId}`)).text;
    expect([...page2.matchAll(/name="target" value="(\d+)"/g)]).toHaveLength(4); // in the approval form
    const thirdPost = posts.find((p) => p.excerpt.endsWith('(3)'))!.messageId;
    const approve = new URLSearchParams({ text: draftText, csrf: csrfOf(page2), targetsShown: '1', target: thirdPost });
    const ok = await fetch(`${app.url}/press/replies/${draftId}/approve`, { method: 'POST', headers: { cookie: press, 'content-type': 'application/x-www-form-urlencoded' }, body: approve.toString(), redirect: 'manual' });
    expect(ok.status).toBe(303);
    await waitFor(() => app.db.replies.get(draftId), (x) => x?.status === 'published', { timeoutMs: 30_000, what: 'approved draft published' });
    expect(vk.createdComments.filter((c) => c.text === draftText).map((c) => c.post_id)).toEqual([third.postId]);
  });

  it('a reply that fails under one author\'s post is published under the others; «Повторить» adds only the missing one', async () => {
    const text = (n: number) => `Абакан, Кирова 120: во дворе прорвало трубу, вода заливает подвалы, аварийка не едет (${n})`;
    const a = await vkComplaint(text(1), 'Анна Лебедева');
    const b = await vkComplaint(text(2), 'Олег Гусев');
    const c = await vkComplaint(text(3), 'Инна Котова');
    expect(new Set([a, b, c].map((x) => x.incident.id)).size).toBe(1);
    const incidentId = a.incident.id;
    const replyText = 'Здравствуйте! Аварийная бригада выехала, подачу воды перекроют в течение часа.';
    const replyId = await app.db.replies.create({ incidentId, templateId: null, stage: 'ack', text: replyText, draftedBy: 'official:khakassia-press', approvedBy: 'official:khakassia-press' }, new Date());
    vk.failNext('wall.createComment', { errorCode: 15 }); // the first post's comments are closed: a PermanentError
    await app.queues.enqueue('publish', { replyId });
    const failed = await waitFor(() => app.db.replies.get(replyId), (x) => x?.status === 'failed', { timeoutMs: 30_000, what: 'failed under one post' });
    expect(failed!.lastError).toContain('error 15');
    expect(vk.createdComments.filter((x) => x.text === replyText)).toHaveLength(2);
    const pubs = await app.db.replies.publications(replyId);
    expect(pubs.filter((p) => p.status === 'published')).toHaveLength(2);
    expect((await app.db.incidents.get(incidentId))!.firstResponseAt).not.toBeNull(); // the first publication stopped the clock

    const press = await pressSession();
    const html = (await getAs(app, press, `/press/incidents/${incidentId}`)).text;
    expect((await postForm(press, `/press/replies/${replyId}/retry`, { csrf: csrfOf(html) })).status).toBe(303);
    await waitFor(() => app.db.replies.get(replyId), (x) => x?.status === 'published', { timeoutMs: 30_000, what: 'retried' });
    const under = vk.createdComments.filter((x) => x.text === replyText).map((x) => x.post_id).sort();
    expect(under).toEqual([a.postId, b.postId, c.postId].sort()); // once each
    expect((await app.db.incidents.events(incidentId)).filter((e) => e.kind === 'reply.published')).toHaveLength(3);
  });

  it('the queue re-fetches itself every 30 s (a new incident shows without a reload); «Взять» marks who answers it', async () => {
    await browserSignedIn();
    await page.clock.install(); // the page's 30-second timer runs on a clock the test moves
    await page.goto(`${app.url}/press`);
    const before = await page.locator('#updated').textContent();
    const { incident } = await vkComplaint('В Абакане на Ленина 12 с утра нет света во всём подъезде, лифт стоит', 'Глеб Орлов');
    const row = page.locator(`table.awaiting tr[data-incident="${incident.id}"]`);
    expect(await row.count()).toBe(0);
    await page.clock.runFor(30_000);
    await row.waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).pathname).toBe('/press'); // the same page, its live part replaced
    expect(await page.locator('#press-live').getAttribute('data-refreshed')).not.toBeNull();
    expect(before).toContain('обновляется каждые 30 секунд');
    await Promise.all([page.waitForURL(/done=claimed/), row.locator('button', { hasText: 'Взять' }).click()]);
    await expect(page.locator(`table.awaiting tr[data-incident="${incident.id}"] .claim.mine`).textContent()).resolves.toMatch(/^вы взяли · до \d/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'press-queue-claimed.png'), fullPage: true });
    expect((await app.db.pressClaims.inForce([incident.id], new Date())).get(incident.id)).toMatchObject({ officialId: 'khakassia-press' });
  });
});
