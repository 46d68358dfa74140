/** The analysis in plain Russian (issue 15): no stems, feature tags or codes reach the incident page. */
import { createAnalyzer } from '../../../classifiers';
import { endSentence, formatDuration, formatMinutes, statusName, topicName } from '../../../src/domain/wording';
import { T } from '../../../src/bot/texts';
import { analysisInWords, subtopicName } from '../../../src/web/analysis-words';
import { actorName } from '../../../src/web/views';

const TEXT = 'Третий день нет горячей воды на Советской 78 в Абакане, дети моются из тазика';

describe('analysisInWords', () => {
  it('turns the stored reasons into the citizen’s words and Russian names', () => {
    const a = analysisInWords(
      {
        kind: 'complaint', confidence: 0.992, complaint: true, complaintScore: 0.997,
        complaintReasons: ['[жалобная лексика]', '[ключевые слова: housing]', '#', '[подтема: entrance]', 'из'],
        topic: 'housing', subtopic: 'hot-water', topicScore: 0.99,
        topicReasons: ['[ключевые слова: housing]', '[подтема: hot-water]', 'вод', 'горяч', 'горяч вод', '[объект: вод]', '[url]'],
        municipalityReason: 'text:абакане', settlement: 'Абакан', priority: 'high', priorityReasons: ['outage:нет горячей вод', 'children:дети+моются'],
      },
      TEXT,
    );
    expect(a).toMatchObject({ kind: 'Жалоба', confidence: '99\u00a0%', topic: 'ЖКХ', subtopic: 'Горячее водоснабжение', urgent: true });
    expect(a.topicReasons).toEqual([
      'слова в тексте: «воды», «горячей», «горячей воды»',
      'ключевые слова темы «ЖКХ»',
      'признаки подтемы «Горячее водоснабжение»',
      'предмет жалобы: «воды»',
      'в тексте есть ссылка',
    ]);
    expect(a.kindReasons).toEqual(['жалобная лексика', 'ключевые слова темы «ЖКХ»']); // «#», «из», another sub-topic: left out
    expect(a.placeReason).toBe('назван в тексте: «Абакане»');
    expect(a.priorityReasons).toEqual(['нет коммунальной услуги: «нет горячей воды»', 'касается детей: «дети», «моются»']);
  });

  it('says nothing in codes for any text the analyzer sees', () => {
    const analyzer = createAnalyzer('khakassia');
    for (const text of [TEXT, 'Яма на дороге у школы №3 в Черногорске, машины бьются', 'Мусор не вывозят неделю, контейнеры переполнены', 'Спасибо за ремонт!']) {
      const words = analysisInWords(analyzer.analyze(text, {}), text);
      const shown = [words.kind, words.topic, words.subtopic, words.placeReason, ...words.kindReasons, ...words.topicReasons, ...words.priorityReasons].join(' | ');
      expect(shown).not.toMatch(/[A-Za-z[\]]|:\S/);
    }
  });

  it('names sub-topics, actors and statuses, never their codes', () => {
    expect(subtopicName('pothole')).toBe('Ямы и состояние покрытия');
    expect(subtopicName('no-such-code')).toBeNull();
    const names = new Map([['abakan-housing', 'Кузнецова О. Н.']]);
    expect(actorName('official:abakan-housing', names)).toBe('Кузнецова О. Н.');
    expect(actorName('official:gone', names)).toBe('сотрудник');
    expect(actorName('system', names)).toBe('автоматически');
    expect(actorName('bot:internal', names)).toBe('');
    expect(statusName('classified')).toBe('ждёт назначения');
    expect(statusName('needs_review')).toBe('ждёт разбора дежурным');
    expect(topicName(null)).toBe('не определена');
    expect(topicName(null, true)).toBe('тема не определена');
  });
});

describe('one wording for the bot and the web', () => {
  it('formats durations alike (non-breaking spaces on pages, plain in the bot)', () => {
    expect(formatMinutes(185)).toBe('3\u00a0ч 05\u00a0мин');
    expect(formatMinutes(3000)).toBe('2\u00a0дн 2\u00a0ч');
    expect(formatDuration(185 * 60_000)).toBe('3 ч 05 мин');
    expect(formatDuration(-5)).toBe('0 мин');
  });

  it('agrees in number and never doubles a full stop', () => {
    expect(T.remind('7', 'half', 'до 12:00')).toContain('по обращению №7 прошла половина срока');
    expect(T.remind('7', 'three-quarters', 'до 12:00')).toContain('прошли три четверти срока');
    expect(T.passed('7', 'Морозов М. А.')).toBe('Обращение №7 передано: Морозов М. А.');
    expect(T.passed('7', 'Дежурный')).toBe('Обращение №7 передано: Дежурный.');
    expect(endSentence('Готово!')).toBe('Готово!');
  });
});
