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
});
