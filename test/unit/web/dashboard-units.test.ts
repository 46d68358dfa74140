/** Pure parts of the dashboard and digests: escaping, scopes, CSV cells, periods, the digest text. */
import { buildDigest, escapeTelegramHtml } from '../../../src/digest/digest';
import { digestCron, digestPeriod } from '../../../src/digest/scheduler';
import type { StatsRow } from '../../../src/db/stats';
import { canSee, scopeFilter, scopeOf } from '../../../src/web/access';
import { csvCell } from '../../../src/web/csv';
import { escapeHtml } from '../../../src/lib/html';
import { formatMinutes, html, jsonForScript } from '../../../src/web/html';
import { verifyPassword, hashPassword, signToken, unsignToken } from '../../../src/web/passwords';

const row = (over: Partial<StatsRow> = {}): StatsRow => ({
  key: null, label: 'Всего', incidents: 10, answered: 8, withinTarget: 6, measured: 9, withinTargetShare: 6 / 9, medianMinutes: 95, p90Minutes: 400,
  meanMinutes: 120, buckets: { upTo1h: 3, h1to4: 3, h4to8: 1, h8to24: 1, over24h: 0, unansweredLate: 1 }, overdueNow: 1, escalated: 1, resolved: 5,
  resolvedShare: 0.5, promisesKept: 0, promisesBroken: 0, promisesPending: 0, resonant: 0, ...over,
});

describe('escaping', () => {
  it('escapes markup in text and attributes, and through the html template', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
    expect(html`<p title="${'"><b>'}">${'<i>'}</p>`.__html).toBe('<p title="&quot;&gt;&lt;b&gt;">&lt;i&gt;</p>');
    expect(jsonForScript({ t: '</script><script>x()</script>' })).not.toContain('</script>');
    expect(escapeTelegramHtml('a < b & c > d')).toBe('a &lt; b &amp; c &gt; d');
  });
});

describe('scopes', () => {
  const base = { login: 'x', name: 'X', position: null, duty: false };
  it('gives the whole region to the governor\'s office, admins, press and the duty officer only', () => {
    expect(scopeOf({ ...base, officialId: 'g', role: 'governor_office', municipalityId: null })).toEqual({ kind: 'all' });
    expect(scopeOf({ ...base, officialId: 'p', role: 'press', municipalityId: null })).toEqual({ kind: 'all' });
    expect(scopeOf({ ...base, officialId: 'd', role: 'official', municipalityId: 'abakan', duty: true })).toEqual({ kind: 'all' });
    const mun = scopeOf({ ...base, officialId: 'a', role: 'supervisor', municipalityId: 'abakan' });
    expect(mun).toEqual({ kind: 'municipality', municipalityId: 'abakan' });
    expect(scopeFilter(mun, {})).toEqual({ municipalityId: 'abakan', officialId: null });
    expect(scopeFilter(mun, { municipalityId: 'sorsk' })).toBe('forbidden');
    expect(canSee(mun, { municipalityId: 'sorsk', officialId: null })).toBe(false);
    const own = scopeOf({ ...base, officialId: 'min', role: 'official', municipalityId: null });
    expect(scopeFilter(own, {})).toEqual({ municipalityId: null, officialId: 'min' });
  });
});

describe('passwords and tokens', () => {
  it('verifies scrypt hashes and rejects tampered signatures', async () => {
    const h = await hashPassword('секрет-123');
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('секрет-123', h)).toBe(true);
    expect(await verifyPassword('секрет-124', h)).toBe(false);
    expect(await verifyPassword('x', 'plain')).toBe(false);
    const signed = signToken('tok', 'k'.repeat(32));
    expect(unsignToken(signed, 'k'.repeat(32))).toBe('tok');
    expect(unsignToken(signed, 'j'.repeat(32))).toBeNull();
    expect(unsignToken(`tok2.${signed.split('.')[1]}`, 'k'.repeat(32))).toBeNull();
  });
});

describe('csv and formats', () => {
  it('quotes, neutralizes formulas and writes decimal commas', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell(12.5)).toBe('12,5');
    expect(formatMinutes(185)).toBe('3\u00a0ч 05\u00a0мин');
    expect(formatMinutes(45)).toBe('45\u00a0мин');
  });
});

describe('digests', () => {
  it('runs daily and on Mondays at the local time, over yesterday or the last seven days', () => {
    expect(digestCron('09:00')).toEqual({ daily: '0 9 * * *', weekly: '0 9 * * 1' });
    const now = new Date('2026-11-23T02:00:00Z'); // Monday 09:00 in Krasnoyarsk
    expect(digestPeriod('daily', now, 'Asia/Krasnoyarsk')).toEqual({ from: new Date('2026-11-21T17:00:00Z'), to: new Date('2026-11-22T17:00:00Z') });
    expect(digestPeriod('weekly', now, 'Asia/Krasnoyarsk').from).toEqual(new Date('2026-11-15T17:00:00Z'));
  });

  it('puts the headline numbers and the worst overdue items in escaped Telegram HTML', () => {
    const text = buildDigest({
      kind: 'daily',
      period: { from: new Date('2026-11-21T17:00:00Z'), to: new Date('2026-11-22T17:00:00Z') },
      total: row(),
      municipalities: [row({ key: 'sorsk', label: 'город Сорск', rank: 1, withinTargetShare: 0.9 }), row({ key: 'abaza', label: 'город <Абаза>', rank: 2, withinTargetShare: 0.4 })],
      overdue: {
        total: 1,
        items: [{ id: '42', municipalityId: 'abakan', municipalityName: 'город Абакан', topic: 'housing', officialId: 'o', officialName: 'Кузнецова О. Н.', priority: 'normal', status: 'assigned',
          openedAt: new Date('2026-11-22T00:00:00Z'), dueAt: new Date('2026-11-22T04:00:00Z'), overdueMinutes: 300, escalated: true, excerpt: 'Нет воды <b>третий</b> день & никто не отвечает' }],
      },
      targetMinutes: 240,
      timezone: 'Asia/Krasnoyarsk',
      dashboardUrl: 'https://otklik.example/',
    });
    expect(text).toContain('<b>Сводка за сутки</b> · 22.11.2026 00:00 — 22.11.2026 23:59');
    expect(text).toContain('Ответ в срок 4 ч: <b>67 %</b> (6 из 9)');
    expect(text).toContain('Медиана ответа: <b>1 ч 35 мин</b>');
    expect(text).toContain('город &lt;Абаза&gt; — 40 % в срок');
    expect(text).toContain('<a href="https://otklik.example/incidents/42">№42</a> город Абакан, ЖКХ — просрочено на 5 ч 00 мин');
    expect(text).toContain('«Нет воды &lt;b&gt;третий&lt;/b&gt; день &amp; никто не отвечает»');
    expect(text).not.toMatch(/<(?!\/?(b|a)[ >])/); // only <b> and <a> tags remain
  });
});
