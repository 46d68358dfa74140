/** Sign-in, per-role access, the statistics API and CSV, escaping, demo account — on the real app. */
import { randomBytes } from 'node:crypto';
import { startApp } from '../../src/app';
import { DB_KINDS } from '../helpers/db';
import { startTestApp, type TestApp } from '../helpers/app';
import { getAs, signIn } from '../helpers/auth';
import { freshPgDatabase, testConfig } from '../helpers/env';
import { insertHistory, NOW, XSS_TEXT } from '../helpers/history';

describe.each(DB_KINDS)('dashboard access and statistics API (%s)', (kind) => {
  let app: TestApp;
  let ids: Record<string, string>;
  let clock = NOW;
  let duty: string;
  let abakan: string;
  beforeAll(async () => {
    app = await startTestApp(kind, { roles: ['api'], now: () => clock });
    ids = await insertHistory(app.db);
    duty = await signIn(app, 'khakassia-duty');
    abakan = await signIn(app, 'abakan-housing');
  });
  afterAll(async () => app.stop());

  it('answers nothing but the public routes without a session', async () => {
    const page = await getAs(app, null, '/');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login?next=%2F');
    expect((await getAs(app, null, `/incidents/${ids.A1}`)).status).toBe(302);
    for (const path of ['/api/stats', '/api/stats.csv', '/api/overview', '/api/incidents', `/api/incidents/${ids.A1}`, '/api/me']) {
      const r = await getAs(app, null, path);
      expect([path, r.status]).toEqual([path, 401]);
      expect(r.text).not.toContain('Абакан');
    }
    expect((await getAs(app, null, '/healthz')).status).toBe(200);
    expect((await getAs(app, null, '/metrics')).status).toBe(200);
    expect((await getAs(app, null, '/login')).text).toContain('Вход в «Отклик»');
    expect((await getAs(app, null, '/assets/chart.umd.js')).text.length).toBeGreaterThan(100_000);
    expect((await app.post('/api/comments', { text: '' })).status).toBe(400); // reaches the intake, not the guard
  });

  it('refuses a wrong password, forged and expired cookies', async () => {
    const bad = await fetch(`${app.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'khakassia-duty', password: 'nope' }) });
    expect(bad.status).toBe(401);
    const [name, value] = duty.split('=');
    const [token] = value.split('.');
    for (const forged of [`${name}=${token}.AAAA`, `${name}=${randomBytes(32).toString('base64url')}.${value.split('.')[1]}`, `${name}=garbage`]) {
      expect((await getAs(app, forged, '/api/stats')).status).toBe(401);
    }
    expect((await getAs(app, duty, '/api/me')).body).toMatchObject({ officialId: 'khakassia-duty', scope: { kind: 'all' } });
    clock = new Date(NOW.getTime() + 13 * 3_600_000); // SESSION_TTL_HOURS = 12
    try {
      expect((await getAs(app, duty, '/api/me')).status).toBe(401);
    } finally {
      clock = NOW;
    }
  });

  it('signs in through the form and redirects to the page asked for', async () => {
    const r = await fetch(`${app.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: 'abakan-housing', password: 'пароль-для-теста', next: '/stats' }).toString(),
      redirect: 'manual',
    });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/stats');
    expect(r.headers.get('set-cookie')).toMatch(/^otklik_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200/);
    const evil = await fetch(`${app.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: 'abakan-housing', password: 'пароль-для-теста', next: '//evil.example' }).toString(),
      redirect: 'manual',
    });
    expect(evil.headers.get('location')).toBe('/');
  });

  it('gives the governor\'s office every municipality, ranked', async () => {
    const r = await getAs(app, duty, '/api/stats?from=2026-10-25&to=2026-11-23&group=municipality');
    expect(r.status).toBe(200);
    expect(r.body.total).toMatchObject({ incidents: 14, answered: 11, withinTarget: 8, measured: 13, medianMinutes: 90, overdueNow: 2 });
    expect(r.body.groups.map((g: any) => [g.key, g.rank])).toEqual([['chernogorsk', 1], ['abakan', 2], ['sayanogorsk', null], [null, null]]);
    expect(r.body.definitions.map((d: any) => d.term)).toContain('Время ответа');
    const byDay = await getAs(app, duty, '/api/stats?from=2026-11-23&to=2026-11-23&group=day');
    expect(byDay.body.groups).toEqual([expect.objectContaining({ key: '2026-11-23', incidents: 4 })]);
    expect((await getAs(app, duty, '/api/stats?from=2026-11-30&to=2026-11-01')).status).toBe(400);
    expect((await getAs(app, duty, '/api/stats?group=everything')).status).toBe(400);
  });

  it('shows a municipality\'s official their municipality only', async () => {
    const stats = await getAs(app, abakan, '/api/stats?group=municipality');
    expect(stats.body.groups.map((g: any) => g.key)).toEqual(['abakan']);
    expect(stats.body.total.incidents).toBe(6);
    expect((await getAs(app, abakan, '/api/stats?municipality=chernogorsk')).status).toBe(403);
    expect((await getAs(app, abakan, '/api/stats.csv?municipality=chernogorsk')).status).toBe(403);
    const list = await getAs(app, abakan, '/api/incidents');
    expect(list.body.incidents.length).toBe(6);
    expect(new Set(list.body.incidents.map((i: any) => i.municipalityId))).toEqual(new Set(['abakan']));
    expect((await getAs(app, abakan, '/api/incidents?municipality=chernogorsk')).status).toBe(403);
    expect((await getAs(app, abakan, `/api/incidents/${ids.C1}`)).status).toBe(404);
    expect((await getAs(app, abakan, `/incidents/${ids.C1}`)).status).toBe(404);
    expect((await getAs(app, abakan, `/api/incidents/${ids.A1}`)).status).toBe(200);
    const overview = await getAs(app, abakan, '/api/overview');
    expect(overview.body.overdue.total).toBe(1);
    expect(overview.body.month.rankingBy).toBe('official');
    const page = await getAs(app, abakan, '/');
    expect(page.text).not.toContain('Черногорск');
  });

  it('exports CSV that Excel opens in Russian: BOM, semicolons, decimal commas', async () => {
    const r = await getAs(app, duty, '/api/stats.csv?from=2026-10-25&to=2026-11-23&group=municipality');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toContain('otklik-stats-municipality-2026-10-25_2026-11-23.csv');
    const buf = Buffer.from(await (await fetch(`${app.url}/api/stats.csv`, { headers: { cookie: duty } })).arrayBuffer());
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = r.text.replace(/^\ufeff/, '').split('\r\n');
    expect(lines[1].split(';').slice(0, 3)).toEqual(['Муниципалитет', 'Место в рейтинге', 'Обращений']);
    const chern = lines.find((l) => l.startsWith('город Черногорск'))!.split(';');
    expect(chern.slice(1, 7)).toEqual(['1', '5', '4', '3', '4', '75']);
    expect(chern[9]).toBe('542,5'); // mean minutes
    expect(lines.find((l) => l.startsWith('Всего'))!.split(';')[2]).toBe('14');
    expect(r.text).toContain('Определения');
  });

  it('escapes citizen text on every page', async () => {
    for (const path of [`/incidents/${ids.A6}`, '/incidents', '/', '/?part=main']) {
      const r = await getAs(app, duty, path);
      expect([path, r.status]).toEqual([path, 200]);
      expect(r.text).not.toContain('<script>window.__pwned');
      expect(r.text).not.toContain('<img src=x');
      expect(r.text).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    }
    const page = await getAs(app, duty, `/incidents/${ids.A6}`);
    expect(page.text).toContain('&lt;b&gt;Жительница&lt;/b&gt;');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const a1 = await getAs(app, duty, `/incidents/${ids.A1}`);
    expect(a1.text).toContain('&lt;Заявка&gt; передана в управляющую компанию &amp; будет выполнена');
    expect(a1.text).not.toContain('<u>'); // a classifier reason reaches the page only as the citizen's own words, escaped
    expect(XSS_TEXT).toContain('<script>');
  });
});

describe('the demo account', () => {
  it('exists in demo mode only, and a non-demo start removes it', async () => {
    const fresh = await freshPgDatabase();
    try {
      const demoCfg = testConfig({ DATABASE_URL: fresh.url, DEMO: 'on' }, ['api', 'demo']);
      const demo = await startApp(demoCfg);
      try {
        expect(demo.demoLogin).toEqual({ login: 'demo', password: 'demo' });
        const r = await fetch(`${demo.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'demo', password: 'demo' }) });
        expect(r.status).toBe(200);
        expect(await r.json()).toMatchObject({ officialId: 'khakassia-duty' });
      } finally {
        await demo.stop();
      }
      const real = await startApp(testConfig({ DATABASE_URL: fresh.url, DEMO: 'off' }, ['api']));
      try {
        expect(real.demoLogin).toBeNull();
        expect(await real.db.users.byLogin('demo')).toBeNull();
        const r = await fetch(`${real.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'demo', password: 'demo' }) });
        expect(r.status).toBe(401);
      } finally {
        await real.stop();
      }
    } finally {
      await fresh.drop();
    }
  });
});
