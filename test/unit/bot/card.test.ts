import { renderCard, type CardInput } from '../../../src/bot/card';
import { callbackSecret, signCallback, verifyCallback } from '../../../src/bot/callback';
import type { Incident } from '../../../src/db/incidents';
import { followUpsLine, pluralRu } from '../../../src/domain/wording';

const TZ = 'Asia/Krasnoyarsk';
const T0 = new Date('2026-11-23T03:00:00Z');

const incident = (over: Partial<Incident> = {}): Incident =>
  ({
    id: '42', status: 'assigned', kind: 'complaint', primaryMessageId: '1', authorId: '1', topic: 'housing', subtopic: null,
    municipalityId: 'abakan', priority: 'normal', analysis: null, officialId: 'abakan-housing', openedAt: T0, detectedAt: T0,
    classifiedAt: T0, assignedAt: T0, takenAt: null, acknowledgedAt: null, firstResponseAt: null, resolvedAt: null, escalatedAt: null,
    responseDueAt: new Date(T0.getTime() + 4 * 3600_000), resolutionDueAt: null, authorsCount: 1, messagesCount: 1, resonant: false, updatedAt: T0,
    ...over,
  }) as Incident;

const input = (over: Partial<CardInput> = {}): CardInput => ({
  incident: incident(),
  message: { text: 'Нет горячей воды <третий> день & УК молчит', permalink: 'https://vk.com/wall-1_2?reply=3' },
  origin: { authorName: 'Ольга <Петрова>', platform: 'vk', sourceName: 'Подслушано в Абакане', publishedAt: T0 },
  municipalityName: 'город Абакан',
  ownerName: 'Кузнецова О. Н.',
  promise: null,
  now: new Date(T0.getTime() + 30 * 60_000),
  timezone: TZ,
  ...over,
});

const secret = callbackSecret(undefined, '123:abc');
const sign = (action: Parameters<typeof signCallback>[1]['action'], arg = '') => signCallback(secret, { action, incidentId: '42', epoch: '7', arg });

describe('the incident card', () => {
  it('says who wrote, where, when, kind, topic, place, priority and the live deadline, escaped', () => {
    const { text, keyboard } = renderCard(input(), sign);
    expect(text).toContain('Автор: Ольга &lt;Петрова&gt;');
    expect(text).toContain('Где: ВКонтакте · Подслушано в Абакане');
    expect(text).toContain('Опубликовано: 23.11.2026 10:00');
    expect(text).toContain('Вид: Жалоба');
    expect(text).toContain('Тема: ЖКХ');
    expect(text).toContain('Муниципалитет: город Абакан');
    expect(text).toContain('Приоритет: обычный');
    expect(text).toContain('Срок ответа: до 23.11.2026 14:00 (осталось 3 ч 30 мин)');
    expect(text).toContain('&lt;третий&gt; день &amp; УК');
    expect(text).toContain('<a href="https://vk.com/wall-1_2?reply=3">');
    expect(keyboard!.flat().map((b) => verifyCallback(secret, b.callback_data)!.action)).toEqual(['take', 'reply', 'reassign', 'notOurs', 'promise', 'resolve']);
  });

  it('counts follow-ups and authors, and says when it became resonant', () => {
    expect(renderCard(input(), sign).text).not.toContain('ещё');
    const more = renderCard(input({ incident: incident({ messagesCount: 3, authorsCount: 3, resonant: true, priority: 'high' }) }), sign).text;
    expect(more).toContain('ещё 2 сообщения, авторов: 3');
    expect(more).toContain('Резонансное: пишут 3 автора');
    expect(more).toContain('Приоритет: высокий');
  });

  it('names who passed it on and why; the passed-on copy and a closed incident have no buttons and no countdown', () => {
    expect(renderCard(input({ handover: { fromName: 'Морозов М. А.', note: 'это ЖКХ, не дороги' } }), sign).text).toContain('Передано от: Морозов М. А. — причина: «это ЖКХ, не дороги»');
    expect(renderCard(input({ passedTo: 'Сидоренко И. П.' }), sign).keyboard).toBeUndefined();
    const done = renderCard(input({ incident: incident({ status: 'resolved', resolvedAt: T0 }) }), sign);
    expect(done.keyboard).toBeUndefined();
    expect(done.text).not.toContain('осталось');
  });

  it('words plurals and follow-ups in Russian', () => {
    expect([1, 2, 5, 11, 21, 22, 25, 112].map((n) => pluralRu(n, ['сообщение', 'сообщения', 'сообщений']))).toEqual([
      'сообщение', 'сообщения', 'сообщений', 'сообщений', 'сообщение', 'сообщения', 'сообщений', 'сообщений',
    ]);
    expect(followUpsLine(1, 1)).toBe('');
    expect(followUpsLine(2, 2)).toBe('ещё 1 сообщение, авторов: 2');
    expect(followUpsLine(6, 1)).toBe('ещё 5 сообщений, авторов: 1');
  });
});
