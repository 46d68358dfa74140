import { createAnalyzer } from '../../../classifiers/index';
import { demoNumbers } from '../../../classifiers/evaluate';

const analyzer = createAnalyzer();

// Errors seen on the demo corpus and the third blind set (news read as complaints, harm read as chatter,
// streets read as districts, destinations read as the place). Texts written for these tests.
describe('news, reports of work done, lost and found, proposals are not complaints', () => {
  it.each([
    ['В Бограде закончили ремонт моста через протоку, движение открыто', '[отчёт о сделанной работе]'],
    ['Электроснабжение в Шире восстановлено, бригады работали всю ночь', '[отчёт о сделанной работе]'],
    ['На совещании в мэрии обсудили подготовку дорог к зиме', '[новость о работе властей]'],
    ['С 3 по 9 августа опрессовка теплосетей в Сорске, горячей воды не будет', '[плановые работы, даты]'],
    ['С 25 сентября начинается подача тепла в больницы и школы', '[плановые работы, даты]'],
    ['Убежала кошка, трёхцветная, откликается на Мусю. Помогите найти!', '[потеряшки и находки]'],
    ['Давайте в воскресенье всем двором уберём листья на площадке, грабли есть', '[предложение, волонтёрство]'],
    ['Волонтёры собирают корм для собачьего приюта, пункт приёма в школе №4', '[предложение, волонтёрство]'],
  ])('%s', (text, reason) => {
    const a = analyzer.analyze(text);
    expect(a.complaint).toBe(false);
    expect(a.topic).toBeNull();
    expect(a.priority).toBe('normal');
    expect(a.complaintReasons).toContain(reason);
  });

  it.each([
    'Трубу заменили, но через неделю в подвале опять течёт',
    'с 1 октября обещали тепло, а батареи до сих пор холодные',
    'в Сорске собака укусила ребёнка, отлова нет',
  ])('a report or a date with a problem stays a complaint: %s', (text) => {
    expect(analyzer.analyze(text).complaint).toBe(true);
  });
});

describe('harm and danger are complaints and high priority', () => {
  it.each([
    ['у магазина собаки искусали подростка', 'safety'],
    ['бездомные собаки набросились на бабушку у подъезда', 'safety'],
    ['ждали скорую два часа, отец с инсультом', 'healthcare'],
    ['берёза у дома наклонилась над дорожкой, может рухнуть на прохожих', 'landscaping'],
    ['школьники бегают через дорогу, светофора нет', 'roads'],
  ])('%s → %s, high', (text, topic) => {
    const a = analyzer.analyze(text);
    expect(a.complaint).toBe(true);
    expect(a.topic).toBe(topic);
    expect(a.priority).toBe('high');
    expect(a.priorityReasons.length).toBeGreaterThan(0);
  });

  it('does not read "тянет газом" as a gas outage', () => {
    const a = analyzer.analyze('в подъезде тянет газом');
    expect(a.priority).toBe('high');
    expect(a.priorityReasons.some((r) => r.startsWith('outage'))).toBe(false);
  });
});

describe('streets are not settlements; the origin of a trip is the place', () => {
  it.each([
    ['на Аскизской опять прорвало трубу', null],
    ['ул. Черногорская, 14 — не вывозят мусор', null],
    ['в Черногорске на Абаканской нет света', 'chernogorsk'],
    ['на Кирова яма на яме', null],
    ['в Аскизской больнице нет терапевта', 'askizsky'],
    ['в Кирово нет воды третий день', 'altaysky'],
    ['из Усть-Бюра до Абакана автобус отменили', 'ust-abakansky'],
    ['из Аршаново в Абакан маршрутка ходит раз в день', 'altaysky'],
    ['из посёлка до Абакана не уехать, автобусы сняли', null],
    ['автобус до Калинино не пришёл', 'ust-abakansky'],
  ])('%s → %s', (text, municipality) => {
    expect(analyzer.analyze(text).municipality).toBe(municipality);
  });

  it('uses the source hint when the text names only a street', () => {
    expect(analyzer.analyze('на Аскизской яма', { municipality: 'abakan' }).municipality).toBe('abakan');
  });
});

describe('demo corpus (src/demo/posts.json, never trained on)', () => {
  // Measured 0.988 (P 1.000, R 0.976) with otklik-clf-4, otklik-clf-5 and otklik-clf-6; the margin absorbs one more miss, not a regression.
  it('reaches complaint F1 ≥ 0.96 and keeps false positives and misses at one or fewer each', () => {
    const d = demoNumbers(analyzer);
    expect(d.complaint.f1).toBeGreaterThanOrEqual(0.96);
    expect(d.falsePositives.length).toBeLessThanOrEqual(1);
    expect(d.falseNegatives.length).toBeLessThanOrEqual(1);
    expect(d.municipalityAccuracy).toBeGreaterThanOrEqual(0.95);
  });
});
