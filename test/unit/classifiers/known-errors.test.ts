import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalyzer } from '../../../classifiers/index';
import { runEval } from '../../../classifiers/cli';

const analyzer = createAnalyzer();

// Errors a user saw in the first version (issue 4 review). Texts written for these tests,
// not taken from the corpus or the evaluation sets.
describe('sarcasm reads as a complaint; real thanks do not', () => {
  it.each([
    ['Спасибо администрации за наши дороги, особенно за озеро на перекрёстке', 'roads'],
    ['Спасибо мэрии за чудесный каток вместо тротуара на Советской', 'roads'],
    ['Низкий поклон коммунальщикам: третью неделю сидим без горячей воды', 'housing'],
  ])('%s → complaint about %s', (text, topic) => {
    const a = analyzer.analyze(text);
    expect(a.complaint).toBe(true);
    expect(a.topic).toBe(topic);
  });

  it.each(['Спасибо, яму на перекрёстке заделали за два дня!', 'Отличная дорога получилась, молодцы дорожники'])('%s → not a complaint', (text) => {
    expect(analyzer.analyze(text).complaint).toBe(false);
  });
});

describe('official announcements are not complaints', () => {
  it.each([
    'Мэрия Абакана сообщает о начале приёма заявок на благоустройство дворов',
    'Администрация Сорска информирует: с 1 марта начинается приём документов на субсидии',
    'Уважаемые жители! В четверг будет отключена горячая вода в связи с ремонтом',
  ])('%s', (text) => {
    const a = analyzer.analyze(text);
    expect(a.complaint).toBe(false);
    expect(a.complaintReasons).toContain('[официальное объявление]');
    expect(a.priority).toBe('normal');
  });
});

describe('a landmark says where, not what', () => {
  it.each([
    ['у школы яма на дороге, машины бьют колёса', 'roads'],
    ['у подъезда не горит фонарь, темно', 'landscaping'],
    ['возле детского сада мусор не вывозят неделю', 'waste'],
    ['у поликлиники собаки бросаются на прохожих', 'safety'],
    ['напротив школы №2 не работает светофор', 'roads'],
  ])('%s → %s', (text, topic) => {
    expect(analyzer.analyze(text).topic).toBe(topic);
  });

  it('still reads a problem inside the building as its topic', () => {
    expect(analyzer.analyze('в школе нет учителя физики полгода').topic).toBe('education');
    expect(analyzer.analyze('в подъезде не горит свет и воняет').topic).toBe('housing');
  });
});

describe('only a complaint has a topic', () => {
  it.each(['Спасибо дорожникам, ямы заделали', 'Регоператор сообщает о новом графике вывоза мусора', 'Подскажите, во сколько работает поликлиника?'])(
    '%s → topic null',
    (text) => {
      const a = analyzer.analyze(text);
      expect(a.complaint).toBe(false);
      expect(a.topic).toBeNull();
      expect(a.subtopic).toBeNull();
    },
  );
});

describe('mass complaints are high priority', () => {
  it.each([
    ['мы, жители трёх домов на Пушкина, просим заасфальтировать проезд', 'roads'],
    ['весь посёлок неделю не может дозвониться до поликлиники', 'healthcare'],
    ['коллективная жалоба: во всех подъездах дома не убирают с весны', 'housing'],
  ])('%s', (text, topic) => {
    const a = analyzer.analyze(text);
    expect(a.complaint).toBe(true);
    expect(a.topic).toBe(topic);
    expect(a.priority).toBe('high');
    expect(a.priorityReasons.some((r) => r.startsWith('mass:'))).toBe(true);
  });

  it('a single household with a non-urgent problem stays normal', () => {
    expect(analyzer.analyze('у нас в подъезде не убирают с весны').priority).toBe('normal');
  });
});

describe('runEval on a labeled JSONL file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otklik-eval-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints P/R/F1 per class and confusion matrices for complaint, topic and priority', async () => {
    const report = await runEval({ data: join(__dirname, '../../fixtures/texts/labeled-small.jsonl') });
    expect(report).toMatch(/5 texts/);
    expect(report).toMatch(/complaint: P 1\.000 R 1\.000 F1 1\.000/);
    expect(report).toMatch(/topic \(complaints\): accuracy 1\.000 \(n=3\)/);
    expect(report).toMatch(/^waste\s+1\.000\s+1\.000\s+1\.000\s+1$/m);
    expect(report.match(/confusion \(rows = gold, columns = predicted\)/g)).toHaveLength(3);
    expect(report).toMatch(/municipality: accuracy where named 1\.000 \(n=2, wrong 0\)/);
    expect(report).toMatch(/priority high: P 1\.000 R 1\.000/);
  });

  it('names the bad line of a malformed file', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text":"нет воды","complaint":true}\n{"text":"x","complaint":"yes"}\n');
    await expect(runEval({ data: bad })).rejects.toThrow(/bad\.jsonl:2: needs "text"/);
    writeFileSync(bad, '{"text":"нет воды","complaint":true,"topic":"water"}\n');
    await expect(runEval({ data: bad })).rejects.toThrow(/unknown topic "water"/);
  });
});
