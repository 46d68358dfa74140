import { callbackSecret, signCallback, verifyCallback } from '../../../src/bot/callback';
import { decodePick, encodePick, renderTriage } from '../../../src/bot/triage';

const municipalities = [
  { id: 'abakan', name: 'город Абакан' },
  { id: 'ordzhonikidzevsky', name: 'Орджоникидзевский район' },
  { id: 'ust-abakansky', name: 'Усть-Абаканский район' },
];
const item = { id: '123456789012', kind: 'complaint', topic: 'landscaping', municipalityId: null, priority: 'normal', openedAt: new Date('2026-11-23T03:00:00Z'), text: 'Яма <b>во дворе</b> & лужа', confidence: 0.42 };
const opts = (view: 'main' | 'topics' | 'municipalities') => ({ view, municipalities, now: new Date('2026-11-23T04:00:00Z'), timezone: 'Asia/Krasnoyarsk', targetMinutes: 240 });
const secret = callbackSecret(undefined, '123:ABC');
const sign = (action: Parameters<typeof signCallback>[1]['action'], arg: string) => signCallback(secret, { action, incidentId: item.id, epoch: '0', arg });

describe('triage messages in the bot', () => {
  it('escapes the citizen text and shows the suggestion with its confidence', () => {
    const r = renderTriage(item, { topic: 'landscaping', municipalityId: null }, opts('main'), sign);
    expect(r.text).toContain('Яма &lt;b&gt;во дворе&lt;/b&gt; &amp; лужа');
    expect(r.text).toContain('Предложено: Жалоба · Благоустройство · не определён · уверенность 42%');
    expect(r.keyboard.flat().map((b) => b.text)).toEqual(['Подтвердить', 'Другая тема', 'Другой муниципалитет', 'Не обращение']);
  });
  it('keeps every signed button within Telegram\'s 64 bytes, even for the longest labels and a 12-digit id', () => {
    for (const view of ['main', 'topics', 'municipalities'] as const) {
      const r = renderTriage(item, { topic: 'landscaping', municipalityId: 'ordzhonikidzevsky' }, opts(view), sign);
      for (const b of r.keyboard.flat()) {
        expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
        expect(verifyCallback(secret, b.callback_data)).toMatchObject({ incidentId: item.id, epoch: '0' });
      }
    }
  });
  it('carries the labels picked so far in the button, and refuses what is not a topic or a known place', () => {
    const known = new Set(municipalities.map((m) => m.id));
    expect(decodePick(encodePick({ topic: 'roads', municipalityId: 'ust-abakansky' }), known)).toEqual({ topic: 'roads', municipalityId: 'ust-abakansky' });
    expect(decodePick(encodePick({ topic: 'roads', municipalityId: null }), known)).toEqual({ topic: 'roads', municipalityId: null });
    expect(decodePick('nonsense_abakan', known)).toBeNull();
    expect(decodePick('roads_moscow', known)).toBeNull();
    const picked = renderTriage(item, { topic: 'roads', municipalityId: 'abakan' }, opts('main'), sign);
    expect(picked.text).toContain('<b>Выбрано:</b> Дороги · город Абакан');
    expect(picked.keyboard[0][0].text).toBe('Подтвердить выбранное');
  });
});
