/** The dashboard in headless Chromium (Debian's, driven by playwright-core): real numbers, drawn charts, escaped text. */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, openBrowser } from '../helpers/browser';
import { startTestApp, type TestApp } from '../helpers/app';
import { insertHistory, NOW } from '../helpers/history';
import { setPassword } from '../../src/web/auth';


describe('the dashboard in a browser', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let ids: Record<string, string>;
  beforeAll(async () => {
    app = await startTestApp('pg', { roles: ['api'], now: () => NOW });
    ids = await insertHistory(app.db);
    await setPassword(app.db, 'khakassia-duty', 'пароль-дежурного', NOW, { login: 'duty' });
    ({ browser, page } = await openBrowser());
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('signs in through the form and shows the real numbers and charts', async () => {
    await page.goto(`${app.url}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name=login]', 'duty');
    await page.fill('input[name=password]', 'пароль-дежурного');
    await Promise.all([page.waitForURL(`${app.url}/`), page.click('button[type=submit]')]);
    await page.waitForSelector('body[data-charts="2"]');

    const today = page.locator('.kpis').first();
    await expect(today.locator('.kpi').nth(0).locator('.value').textContent()).resolves.toBe('4'); // S2, A6, N1, C5
    await expect(today.locator('.kpi').nth(3).locator('.value').textContent()).resolves.toBe('2'); // A6 and N1 overdue
    const ranking = page.locator('table.stats tbody tr');
    await expect(ranking.nth(0).textContent()).resolves.toMatch(/^\s*1\s*город Черногорск\s*5\s*75\s%/);
    await expect(ranking.nth(1).textContent()).resolves.toMatch(/^\s*2\s*город Абакан\s*6\s*50\s%/);
    await expect(page.locator('tr.total').textContent()).resolves.toMatch(/Всего\s*14\s*62\s%\s*1\sч 30\sмин/);
    await expect(page.locator('table.overdue tbody tr').count()).resolves.toBe(2);
    await expect(page.locator('.definitions').textContent()).resolves.toContain('От публикации поста гражданина до первого ответа');

    // Both charts drew pixels on their canvases.
    // (A string, run in the page: the test's TypeScript has no DOM types.)
    const painted = await page.evaluate<number[]>(`['chart-topics', 'chart-distribution'].map((id) => {
      const c = document.getElementById(id);
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    })`);
    expect(painted[0]).toBeGreaterThan(1000);
    expect(painted[1]).toBeGreaterThan(1000);

    // The citizen's <script> is text on the page, never run.
    await expect(page.locator('table.overdue').textContent()).resolves.toContain('<script>window.__pwned = 1</script>');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('opens an incident with its messages, reasons, timeline and replies', async () => {
    await page.click(`a[href="/incidents/${ids.A6}"]`);
    await page.waitForURL(`${app.url}/incidents/${ids.A6}`);
    await expect(page.locator('h1').textContent()).resolves.toBe(`Обращение №${ids.A6}`);
    await expect(page.locator('article.message .text').textContent()).resolves.toContain('<script>window.__pwned = 1</script>');
    await expect(page.locator('article.message .meta').textContent()).resolves.toContain('<b>Жительница</b>');
    // The analysis in plain Russian: names, not the model's codes or the fixture's markup.
    const analysis = (await page.locator('.analysis').textContent()) ?? '';
    expect(analysis).toContain('ЖКХ');
    expect(analysis).toContain('город Абакан');
    expect(analysis).not.toMatch(/[A-Za-z]|<u>/);
    await expect(page.locator('ol.timeline').textContent()).resolves.toContain('Обращение зарегистрировано');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.screenshot({ path: path.join(ARTIFACTS, 'incident.png'), fullPage: true });
    await page.goto(`${app.url}/incidents`);
    await expect(page.locator('table.incidents tbody tr').count()).resolves.toBe(14);
    await page.goto(`${app.url}/stats?group=official`);
    await expect(page.locator('table.stats').textContent()).resolves.toContain('Кузнецова');
    await page.screenshot({ path: path.join(ARTIFACTS, 'stats.png'), fullPage: true });
  });
});
