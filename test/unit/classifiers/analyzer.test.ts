import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAnalyzer, listRegions, VERSION } from '../../../classifiers/index';
import { TOPICS } from '../../../src/domain/types';

interface Cases {
  complaints: { text: string; topic: string; municipality: string | null; priority: 'high' | 'normal' }[];
  nonComplaints: string[];
  places: { text: string; municipality: string | null }[];
}
const cases = JSON.parse(readFileSync(join(__dirname, '../../fixtures/texts/khakassia-cases.json'), 'utf8')) as Cases;
const analyzer = createAnalyzer();

describe('complaint detection, topic, municipality and priority', () => {
  it.each(cases.complaints)('complaint: $text', (c) => {
    const a = analyzer.analyze(c.text);
    expect(a.complaint).toBe(true);
    expect(a.complaintScore).toBeGreaterThanOrEqual(0.5);
    expect(a.complaintReasons.length).toBeGreaterThan(0);
    expect(a.topic).toBe(c.topic);
    expect(a.municipality).toBe(c.municipality);
    expect(a.priority).toBe(c.priority);
    if (c.priority === 'high') {
      expect(a.priorityReasons.length).toBeGreaterThan(0);
    }
  });

  it.each(cases.nonComplaints)('not a complaint: %s', (text) => {
    const a = analyzer.analyze(text);
    expect(a.complaint).toBe(false);
    expect(a.complaintScore).toBeLessThan(0.5);
    expect(a.priority).toBe('normal');
  });

  it('gives the winter reason for no hot water in frost', () => {
    const a = analyzer.analyze('третий день нет горячей воды в Черногорске, мороз -35');
    expect(a.subtopic).toBe('hot-water');
    expect(a.priorityReasons.some((r) => r.startsWith('winter'))).toBe(true);
    expect(a.settlement).toBe('Черногорск');
  });

  it('reads VK mention markup as text and still decides', () => {
    const a = analyzer.analyze('[club1|Администрация города Абакана] когда уже вывезут мусор с площадки?');
    expect(a.complaint).toBe(true);
    expect(a.topic).toBe('waste');
    expect(a.municipality).toBe('abakan');
  });

  it('returns only known topic codes and scores in 0..1, with the version', () => {
    const a = analyzer.analyze('во дворе темно и грязно');
    expect(a.version).toBe(VERSION);
    expect(a.topic === null || (TOPICS as readonly string[]).includes(a.topic)).toBe(true);
    expect(a.complaintScore).toBeGreaterThanOrEqual(0);
    expect(a.complaintScore).toBeLessThanOrEqual(1);
    expect(a.topicScore).toBeLessThanOrEqual(1);
  });

  it('handles empty and emoji-only texts', () => {
    for (const t of ['', '   ', '😂😂😂']) {
      const a = analyzer.analyze(t);
      expect(a.complaint).toBe(false);
      expect(a.municipality).toBeNull();
    }
  });

  it('is deterministic', () => {
    const t = 'в Абазе нет отопления, дети болеют';
    expect(analyzer.analyze(t)).toEqual(createAnalyzer().analyze(t));
  });
});

describe('municipality gazetteer', () => {
  it.each(cases.places)('$text → $municipality', (c) => {
    expect(analyzer.analyze(c.text).municipality).toBe(c.municipality);
  });

  it('uses a mention hint, then the source municipality, only when the text names no place', () => {
    const text = 'яма на дороге, когда заделают?';
    expect(analyzer.analyze(text).municipality).toBeNull();
    expect(analyzer.analyze(text, { mentions: ['Администрация города Абакана'] }).municipality).toBe('abakan');
    expect(analyzer.analyze(text, { municipality: 'sorsk' })).toMatchObject({ municipality: 'sorsk', municipalityReason: 'source' });
    expect(analyzer.analyze(text, { place: 'с. Аскиз, ул. Мира' }).municipality).toBe('askizsky');
    expect(analyzer.analyze('в Бограде яма', { municipality: 'sorsk' }).municipality).toBe('bogradsky');
    expect(analyzer.analyze(text, { municipality: 'no-such-place' }).municipality).toBeNull();
  });
});

describe('regions', () => {
  it('lists the packs and loads each', () => {
    expect(listRegions()).toEqual(expect.arrayContaining(['khakassia', 'spb', 'perm', 'kursk', 'omsk']));
    expect(createAnalyzer('spb').region.municipalities).toHaveLength(18);
    expect(createAnalyzer().region.municipalities.map((m) => m.id).sort()).toEqual(
      ['abakan', 'abaza', 'altaysky', 'askizsky', 'beysky', 'bogradsky', 'chernogorsk', 'ordzhonikidzevsky', 'sayanogorsk', 'shirinsky', 'sorsk', 'tashtypsky', 'ust-abakansky'],
    );
  });

  it('throws a clear error for an unknown region', () => {
    expect(() => createAnalyzer('atlantis')).toThrow(/unknown region "atlantis"/);
    expect(() => createAnalyzer('../etc')).toThrow(/unknown region/);
  });

  it('resolves places in a pilot region', () => {
    expect(createAnalyzer('spb').analyze('В Колпино нет горячей воды').municipality).toBe('kolpinsky');
    expect(createAnalyzer('perm').analyze('в Перми ямы на дорогах').municipality).toBe('perm');
  });
});

describe('similarity', () => {
  it('is high for a reworded repeat and low for a different problem', () => {
    const a = 'в Абакане на ул. Щетинкина третий день нет горячей воды';
    const b = 'Абакан, Щетинкина — нет горячей воды уже третий день!!';
    const c = 'в Сорске не вывозят мусор';
    expect(analyzer.similarity(a, a)).toBe(1);
    expect(analyzer.similarity(a, b)).toBeGreaterThan(0.4);
    expect(analyzer.similarity(a, c)).toBeLessThan(0.1);
  });
});
