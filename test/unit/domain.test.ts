import { addressKeys } from '../../src/domain/address';
import { contactHash } from '../../src/domain/author-key';
import { decideRouting } from '../../src/domain/routing';
import { decideSla, responseDeadline, slaSchedule } from '../../src/domain/sla';
import type { Official } from '../../src/db/officials';
import { decideDedupe } from '../../src/pipeline/stages/dedupe';

const official = (id: string, over: Partial<Official> = {}): Official => ({
  id, name: id, position: null, telegramId: null, role: 'official', municipalityId: 'abakan', topics: null,
  supervisorId: null, duty: false, away: false, ...over,
});

describe('the four-hour clock', () => {
  const opened = new Date('2026-11-23T02:00:00Z');
  it('runs from the post\'s publication', () => {
    expect(responseDeadline(opened, 240).toISOString()).toBe('2026-11-23T06:00:00.000Z');
    expect(slaSchedule(opened, 240).map((t) => [t.kind, t.at.toISOString()])).toEqual([
      ['half', '2026-11-23T04:00:00.000Z'],
      ['three-quarters', '2026-11-23T05:00:00.000Z'],
      ['breach', '2026-11-23T06:00:00.000Z'],
    ]);
  });
  const inc = { status: 'assigned', firstResponseAt: null, officialId: 'o1', openedAt: opened };
  it('reminds at half time, escalates at breach, and is silent once answered', () => {
    expect(decideSla(inc, 'half', new Date('2026-11-23T04:00:01Z'), 240)).toEqual({ kind: 'remind', fraction: 0.5 });
    expect(decideSla(inc, 'breach', new Date('2026-11-23T06:00:00Z'), 240)).toEqual({ kind: 'escalate' });
    expect(decideSla({ ...inc, firstResponseAt: new Date() }, 'breach', new Date('2026-11-23T07:00:00Z'), 240).kind).toBe('skip');
  });
  it('does not fire early, and skips a reminder that is already overtaken by the breach', () => {
    expect(decideSla(inc, 'breach', new Date('2026-11-23T05:59:00Z'), 240)).toEqual({ kind: 'skip', reason: 'not-yet' });
    expect(decideSla(inc, 'half', new Date('2026-11-23T09:00:00Z'), 240)).toEqual({ kind: 'skip', reason: 'superseded' });
  });
});

describe('routing', () => {
  const rules = [
    { municipalityId: 'abakan', topic: 'housing', officialId: 'a-housing-1' },
    { municipalityId: 'abakan', topic: 'housing', officialId: 'a-housing-2' },
    { municipalityId: 'abakan', topic: '*', officialId: 'a-general' },
  ];
  const officials = [
    official('a-housing-1'), official('a-housing-2'), official('a-general'),
    official('a-head', { role: 'supervisor' }), official('duty', { role: 'governor_office', municipalityId: null, duty: true }),
  ];
  const inc = (id: string, topic: string | null, municipalityId: string | null) => ({ id, topic, municipalityId });
  it('prefers the exact rule and the official with fewer open incidents', () => {
    expect(decideRouting(inc('7', 'housing', 'abakan'), rules, officials, { 'a-housing-1': 3, 'a-housing-2': 1 })).toEqual({ kind: 'assigned', officialId: 'a-housing-2', reason: 'rule' });
  });
  it('takes turns between equally loaded officials', () => {
    const picks = ['1', '2'].map((id) => decideRouting(inc(id, 'housing', 'abakan'), rules, officials, {}));
    expect(new Set(picks.map((p) => (p.kind === 'assigned' ? p.officialId : null)))).toEqual(new Set(['a-housing-1', 'a-housing-2']));
  });
  it('skips officials who are away, then falls back to the municipality rule, the head, the duty officer', () => {
    const away = officials.map((o) => (o.id.startsWith('a-housing') ? { ...o, away: true } : o));
    expect(decideRouting(inc('1', 'housing', 'abakan'), rules, away, {})).toMatchObject({ officialId: 'a-general' });
    expect(decideRouting(inc('1', 'roads', 'chernogorsk'), rules, officials, {})).toEqual({ kind: 'assigned', officialId: 'duty', reason: 'duty-officer' });
    expect(decideRouting(inc('1', 'roads', 'abakan'), [], officials, {})).toEqual({ kind: 'assigned', officialId: 'a-head', reason: 'municipality-head' });
    expect(decideRouting(inc('1', 'roads', null), [], [official('x')], {})).toEqual({ kind: 'unroutable' });
  });
});

describe('incident deduplication decision', () => {
  const jaccard = (a: string, b: string) => {
    const A = new Set(a.split(' ')); const B = new Set(b.split(' '));
    return [...A].filter((x) => B.has(x)).length / new Set([...A, ...B]).size;
  };
  const candidates = [
    { incidentId: '1', authorId: 'me', text: 'нет горячей воды пушкина 45', openedAt: new Date() },
    { incidentId: '2', authorId: 'other', text: 'мусор не вывозят неделю', openedAt: new Date() },
  ];
  it('attaches a repeat by the same author at a lower similarity than a stranger\'s', () => {
    expect(decideDedupe('опять нет горячей воды', 'me', candidates, jaccard)).toMatchObject({ kind: 'attach', incidentId: '1', reason: 'same-author' });
    expect(decideDedupe('опять нет горячей воды', 'stranger', candidates, jaccard)).toEqual({ kind: 'open' });
    expect(decideDedupe('мусор не вывозят неделю уже', 'stranger', candidates, jaccard)).toMatchObject({ kind: 'attach', incidentId: '2', reason: 'near-duplicate' });
  });
});

describe('contacts', () => {
  it('hashes one phone written three ways to one key, and stores no digits', () => {
    const h = contactHash('8 (913) 123-45-67');
    expect(contactHash('+7 913 1234567')).toBe(h);
    expect(contactHash('79131234567')).toBe(h);
    expect(h).not.toContain('9131234567');
    expect(contactHash('Ivan@Mail.ru')).toBe(contactHash('ivan@mail.ru'));
    expect(contactHash('')).toBeNull();
  });
});

describe('address keys', () => {
  it('finds one address however it is written', () => {
    const forms = ['ул. Советская 78, батареи ледяные', 'Черногорск Советская 78 кто еще без отопления? у нас 3 подъезд', 'по адресу г. Черногорск, ул. Советская, д. 78 нет отопления'];
    for (const f of forms) expect([...addressKeys(f)]).toEqual(['совет 78']);
    expect([...addressKeys('в садике 23 нет воды')]).toEqual(['садик 23']);
  });
  it('does not take durations, distances or counts for addresses', () => {
    expect(addressKeys('нет воды уже 4 день, ехать 150 км, не приезжал 2 недели, дети 9 класс')).toEqual(new Set());
  });
});

describe('dedupe with addresses', () => {
  it('attaches a differently worded complaint about the same address to the open incident', () => {
    const never = () => 0.1;
    const candidates = [{ incidentId: '9', authorId: 'a1', text: 'ул. Советская 78, в квартирах +15, батареи ледяные', openedAt: new Date() }];
    expect(decideDedupe('Черногорск Советская 78 кто еще без отопления?', 'a2', candidates, never)).toMatchObject({ kind: 'attach', incidentId: '9', reason: 'near-duplicate' });
    expect(decideDedupe('Черногорск Советская 80 кто еще без отопления?', 'a2', candidates, never)).toEqual({ kind: 'open' });
  });
});
