/**
 * The signed-in web on a phone (390×844) and a desktop (1440×900), in headless Chromium (issue 15): for each
 * role the demo officials have, every page in its navigation plus an incident (with its staff actions and a long
 * note), the press page (with an incident taken by someone), statistics, a 403 and a 404 — no page scrolls sideways, every navigation item and «Выйти» can be clicked, and a screenshot
 * of each lands in test-artifacts/<role>-<page>-<width>.png.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createAnalyzer } from '../../classifiers';
import { ARTIFACTS, openBrowser } from '../helpers/browser';
import { startTestApp, type TestApp } from '../helpers/app';
import { signIn } from '../helpers/auth';
import { insertHistory, NOW } from '../helpers/history';

const SIZES = [
  { width: 390, height: 844 },
  { width: 1440, height: 900 },
] as const;

/** One of each role of the demo officials (src/demo/officials.yaml). */
const ROLES = [
  { role: 'governor', officialId: 'khakassia-duty' },
  { role: 'press', officialId: 'khakassia-press' },
  { role: 'supervisor', officialId: 'abakan-head' },
  { role: 'official', officialId: 'abakan-housing' },
] as const;

const CITIZEN_TEXT =
  'Третий день нет горячей воды в доме на Советской 78 в Абакане, дети моются из тазика. Управляющая компания «ЖилКомСервисАбакан» трубку не берёт, заявка https://example.org/zayavka/очень-длинная-ссылка-без-пробелов-1234567890 без ответа.';

describe('the signed-in web at phone and desktop sizes', () => {
  let app: TestApp;
  let browser: Browser;
  let ids: Record<string, string>;

  beforeAll(async () => {
    app = await startTestApp('pg', { roles: ['api'], now: () => NOW });
    ids = await insertHistory(app.db);
    // A6 as the pipeline leaves it: the analyzer's own reasons (stems, feature tags, sub-topic codes), a
    // repeat attached as a near-duplicate, events by officials and a draft awaiting the press service.
    const analysis = createAnalyzer('khakassia').analyze(CITIZEN_TEXT, {});
    await app.db.sql.query(`UPDATE incidents SET analysis = $2, subtopic = $3 WHERE id = $1`, [ids.A6, JSON.stringify(analysis), analysis.subtopic]);
    await app.db.sql.query(`UPDATE messages SET text = $2 WHERE incident_id = $1`, [ids.A6, CITIZEN_TEXT]);
    const m = await app.db.sql.query<{ id: string }>(
      `INSERT INTO messages (platform, external_id, author_platform_id, author_name, text, published_at, received_at, status, incident_id)
       VALUES ('vk', 'layout-repeat', 'vk-77', 'Соседка', 'И у нас в соседнем подъезде тоже нет горячей воды', $2, $2, 'incident', $1) RETURNING id::text`,
      [ids.A6, new Date(NOW.getTime() - 60 * 60_000)],
    );
    await app.db.sql.query(`INSERT INTO incident_messages (message_id, incident_id, reason, attached_at) VALUES ($1, $2, 'near-duplicate', $3)`, [m.rows[0].id, ids.A6, NOW]);
    await app.db.incidents.addEvent(ids.A6, 'incident.assigned', 'system', new Date(NOW.getTime() - 9 * 60 * 60_000), { officialId: 'abakan-housing', reason: 'rule' });
    await app.db.incidents.addEvent(ids.A6, 'incident.taken', 'official:abakan-housing', new Date(NOW.getTime() - 30 * 60_000));
    await app.db.incidents.addEvent(ids.A6, 'reply.drafted', 'official:abakan-housing', new Date(NOW.getTime() - 20 * 60_000));
    await app.db.sql.query(`INSERT INTO replies (incident_id, text, status, drafted_by, created_at, stage) VALUES ($1, $2, 'draft', 'official:abakan-housing', $3, 'ack')`, [
      ids.A6, 'Здравствуйте! Обращение принято в работу, ответственный — Иванов А. В.', new Date(NOW.getTime() - 20 * 60_000),
    ]);
    // Issue 15's staff actions: a long internal note on A6, and A6 taken by the duty officer (the queue shows who).
    await app.db.notes.add({ incidentId: ids.A6, officialId: 'abakan-housing', text: 'Звонил в «ЖилКомСервисАбакан», диспетчер обещал бригаду; заявка https://example.org/zayavka/очень-длинная-ссылка-без-пробелов-1234567890' }, NOW);
    await app.db.pressClaims.claim(ids.A6, 'khakassia-duty', NOW, new Date(NOW.getTime() + 30 * 60_000));
    ({ browser } = await openBrowser());
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** Pages to visit beside the navigation: [name, path, expected status]. */
  const extraPages = (role: (typeof ROLES)[number]['role']): [string, string, number][] => [
    ['incident', `/incidents/${ids.A6}`, 200],
    ['press-incident', `/press/incidents/${ids.A6}`, 200],
    ['press-reply', `/press/incidents/${ids.A2}`, 200], // the editor with suggested templates
    ['404', '/map', 404],
    ...(role === 'press' ? [['403', '/authors/suggestions', 403] as [string, string, number]] : []),
    ...(role === 'supervisor' || role === 'official' ? [['403', '/stats?municipality=chernogorsk', 403] as [string, string, number]] : []),
  ];

  /** Fails when the page is wider than the window, or a navigation item or «Выйти» cannot be clicked. */
  async function checkPage(page: Page, name: string, width: number): Promise<string[]> {
    const sideways = await page.evaluate<{ scroll: number; inner: number }>('({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })');
    expect({ page: name, width, scrollWidth: sideways.scroll }).toEqual({ page: name, width, scrollWidth: Math.min(sideways.scroll, sideways.inner) });
    const links = page.locator('header.top nav a');
    const count = await links.count();
    expect(count).toBeGreaterThanOrEqual(3);
    const hrefs: string[] = [];
    for (let n = 0; n < count; n++) hrefs.push((await links.nth(n).getAttribute('href')) ?? '');
    for (const target of [...Array.from({ length: count }, (_, n) => links.nth(n)), page.getByRole('button', { name: 'Выйти' })]) {
      await target.scrollIntoViewIfNeeded();
      await target.click({ trial: true, timeout: 3000 }); // visible, stable, not covered: a person can tap it
      const box = await target.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(width);
    }
    if (name === '/press') {
      // The queue's claim marks and buttons stay inside the window (a card would clip them without a sideways scroll).
      const cells = page.locator('table.press td.actions > *');
      for (let n = 0; n < (await cells.count()); n++) {
        const box = (await cells.nth(n).boundingBox())!;
        expect({ page: name, width, right: Math.min(Math.ceil(box.x + box.width), width) }).toEqual({ page: name, width, right: Math.ceil(box.x + box.width) });
      }
    }
    if (width >= 1440) {
      // A desktop keeps the header on one line: brand, navigation, who and «Выйти».
      const header = (await page.locator('header.top').boundingBox())!.height;
      expect({ page: name, oneLine: header < 70 }).toEqual({ page: name, oneLine: true });
    }
    return hrefs;
  }

  it('answers page routes with styled Russian pages and the API with JSON; serves the favicon without sign-in', async () => {
    const icon = await fetch(`${app.url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
    const ico = await fetch(`${app.url}/favicon.ico`, { redirect: 'manual' });
    expect([ico.status, ico.headers.get('location')]).toEqual([301, '/favicon.svg']);
    const cookie = await signIn(app, 'abakan-housing');
    const get = (p: string) => fetch(`${app.url}${p}`, { headers: { cookie }, redirect: 'manual' });
    const page404 = await get('/map');
    expect([page404.status, page404.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
    const html404 = await page404.text();
    expect(html404).toContain('Страница не найдена');
    expect(html404).toContain('href="/favicon.svg"');
    expect(html404).toContain('Выйти');
    const page403 = await get('/stats?municipality=chernogorsk');
    expect(page403.status).toBe(403);
    expect(await page403.text()).toContain('Нет доступа');
    const page400 = await get('/stats?from=2026-11-30&to=2026-11-01');
    expect(page400.status).toBe(400);
    expect(await page400.text()).toContain('Неверные условия отбора');
    expect((await get('/api/stats?from=2026-11-30&to=2026-11-01')).headers.get('content-type')).toContain('application/json');
    const api404 = await get('/api/nothing');
    expect([api404.status, await api404.json()]).toEqual([404, { error: 'Не найдено' }]);
    const api403 = await get('/api/stats?municipality=chernogorsk');
    expect([api403.status, await api403.json()]).toEqual([403, { error: 'Нет доступа к этим данным' }]);
    expect((await fetch(`${app.url}/map`, { redirect: 'manual' })).status).toBe(302); // signed out: to the sign-in first
  });

  it('names people and things in Russian on the incident and press pages: no ids, stems or codes', async () => {
    const cookie = await signIn(app, 'khakassia-duty');
    const text = async (p: string) => (await fetch(`${app.url}${p}`, { headers: { cookie } })).text();
    const incident = await text(`/incidents/${ids.A6}`);
    expect(incident).toContain('Назначен ответственный: Кузнецова О. Н.');
    expect(incident).toContain('Взято в работу <span class="muted small">· Кузнецова О. Н.</span>');
    expect(incident).toContain('присоединено: похожий текст о той же проблеме');
    expect(incident).toContain('ЖКХ · Горячее водоснабжение');
    for (const code of ['official:', 'abakan-housing', 'near-duplicate', 'hot-water', '[подтема', '[ключевые', 'outage:', 'text:абакане', 'Версия модели']) {
      expect({ code, found: incident.includes(code) }).toEqual({ code, found: false });
    }
    const press = await text(`/press/incidents/${ids.A6}`);
    expect(press).toContain('Подготовил(а): Кузнецова О. Н.');
    expect(press).not.toContain('abakan-housing');
    const list = await text('/incidents');
    expect(list).toMatch(/<option value="classified"[^>]*>ждёт назначения<\/option>/);
    expect(list).not.toMatch(/классифицировано|требует разбора/);
  });

  for (const who of ROLES) {
    for (const size of SIZES) {
      it(`${who.role} at ${size.width}×${size.height}: no sideways scrolling, navigation reachable`, async () => {
        const cookie = await signIn(app, who.officialId);
        const [name, value] = cookie.split('=');
        const context: BrowserContext = await browser.newContext({ viewport: size, locale: 'ru-RU' });
        try {
          await context.addCookies([{ name, value, url: app.url! }]);
          const page = await context.newPage();
          const shot = (pageName: string) => page.screenshot({ path: path.join(ARTIFACTS, `${who.role}-${pageName}-${size.width}.png`), fullPage: true });

          await page.goto(`${app.url}/`);
          const nav = await checkPage(page, 'overview', size.width);
          await shot('overview');
          for (const href of nav.filter((h) => h !== '/')) {
            const r = await page.goto(`${app.url}${href}`);
            expect({ href, status: r?.status() }).toEqual({ href, status: 200 });
            await checkPage(page, href, size.width);
            await shot(href.replace(/^\//, '').replace(/[^a-z0-9]+/g, '-'));
          }
          for (const [pageName, url, status] of extraPages(who.role)) {
            const r = await page.goto(`${app.url}${url}`);
            expect({ url, status: r?.status() }).toEqual({ url, status });
            await checkPage(page, pageName, size.width);
            await shot(pageName);
          }
        } finally {
          await context.close();
        }
      }, 180_000); // a dozen pages with full-page screenshots: slow on a loaded 2-core machine
    }
  }
});
