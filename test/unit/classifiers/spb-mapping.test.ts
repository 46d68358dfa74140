import { SPB_CATEGORY_TOPIC, SPB_REASON_TOPIC, spbCategoryTopic, spbTopic } from '../../../classifiers/evaluate';
import { matchedSubtopics, maskLandmarks } from '../../../classifiers/rules';

describe('SPb portal truth mapping (evaluate.ts)', () => {
  it('maps a listed reason to its own code, whatever its category', () => {
    expect(spbTopic('Благоустройство', 'Мусор на внутридворовой территории')).toBe('waste');
    expect(spbTopic('Благоустройство', 'Повреждения дорожного покрытия тротуара')).toBe('roads');
    expect(spbTopic('Содержание МКД', 'Сломанный мусорный контейнер')).toBe('waste');
  });

  it('compares reasons after lowercasing and collapsing spaces', () => {
    expect(spbTopic('Благоустройство', '  мусор  на   ВНУТРИДВОРОВОЙ территории ')).toBe('waste');
  });

  it('keeps the category code for a reason that is not listed', () => {
    expect(spbTopic('Благоустройство', 'Несанкционированные надписи на стенах дома')).toBe('landscaping');
    expect(spbTopic('Кровля', 'Повреждение кровли')).toBe('housing');
    expect(spbTopic('Фасад', '')).toBe('housing');
  });

  it('gives an unknown category "other", by category and by reason', () => {
    expect(spbCategoryTopic('Категория, которой нет на портале')).toBe('other');
    expect(spbTopic('Категория, которой нет на портале', 'Причина, которой нет')).toBe('other');
    expect(spbCategoryTopic(' Водоснабжение ')).toBe('housing');
  });

  it('lists each reason once and only valid codes', () => {
    const keys = SPB_REASON_TOPIC.map(([r]) => r.toLowerCase().replace(/\s+/g, ' ').trim());
    expect(new Set(keys).size).toBe(keys.length);
    expect(Object.values(SPB_CATEGORY_TOPIC).every((t) => typeof t === 'string')).toBe(true);
  });
});

describe('where the object is (rules.ts sub-topics, otklik-clf-6)', () => {
  const subtopics = (text: string): string[] => matchedSubtopics(maskLandmarks(text.toLowerCase()));

  it('reads graffiti inside the house as the entrance, outside as graffiti', () => {
    expect(subtopics('стены на пятом этаже исписаны')).toContain('entrance-graffiti');
    expect(subtopics('стены на пятом этаже исписаны')).not.toContain('graffiti');
    expect(subtopics('дверь в парадную снаружи изрисована')).toContain('graffiti');
    expect(subtopics('дверь в парадную снаружи изрисована')).not.toContain('entrance-graffiti');
  });

  it('reads a lamp on the house as house lighting and one on a pole as street lighting', () => {
    expect(subtopics('на торце дома разбит светильник')).toContain('house-lighting');
    expect(subtopics('на торце дома разбит светильник')).not.toContain('lighting');
    expect(subtopics('на опоре вдоль аллеи не горит светильник')).toContain('lighting');
    expect(subtopics('на перекрестке не горит сигнал пешеходного светофора')).not.toContain('lighting');
  });

  it('reads litter as waste on a lawn, a missing notice as no bill', () => {
    expect(subtopics('на газоне лежат доски и обрезки')).toContain('litter');
    expect(subtopics('воды нет с утра, объявлений нет')).not.toContain('graffiti');
  });
});
