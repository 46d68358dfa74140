/** What the pipeline knows besides the text: the appeal form, the watched community's home. */
import { createAnalyzer } from '../../../classifiers';
import { commentToMessage, CommentBody } from '../../../src/api/comments';

const analyzer = createAnalyzer('khakassia');
const appeal = (k: string) => k === 'complaint' || k === 'question' || k === 'proposal';

describe('the appeal-form hint (addressed)', () => {
  it('marks a text typed into our form, not a site comment relayed with its own id', () => {
    const at = new Date('2026-11-30T10:00:00Z');
    expect(commentToMessage(CommentBody.parse({ text: 'Не горит фонарь у дома 5' }), null, at).hints.addressed).toBe(true);
    expect(commentToMessage(CommentBody.parse({ text: 'Не горит фонарь у дома 5', id: 'c-77' }), 'site', at).hints.addressed).toBe(false);
  });

  it('a terse line that could be anyone\'s talk in a community is an appeal when written to the authorities', () => {
    // Short portal lines: in a community feed most such short lines are chatter, in the form they are appeals.
    const terse = ['Опять темно', 'Трава выше головы', 'Вода ржавая', 'Детская площадка разбита'];
    const mass = (t: string, addressed: boolean) => {
      const a = analyzer.analyze(t, { addressed });
      return appeal(a.kind) ? a.kindScore : 1 - a.kindScore;
    };
    expect(terse.every((t) => appeal(analyzer.analyze(t, { addressed: true }).kind))).toBe(true);
    expect(terse.filter((t) => !appeal(analyzer.analyze(t).kind)).length).toBeGreaterThan(0); // the hint is what decides
    for (const t of terse) expect(mass(t, true)).toBeGreaterThan(mass(t, false));
    expect(analyzer.analyze('С днём рождения, мамочка! Люблю тебя', { addressed: true }).kind).not.toBe('complaint');
    expect(analyzer.analyze('Кто-нибудь видел, что творится у рынка?', { addressed: true }).kind).toBe('none');
  });
});

describe("the watched community's home", () => {
  it('is the municipality when the text names none, and the text\'s own place wins over it', () => {
    const text = 'Во дворе на Ленина третью неделю не вывозят мусор, баки переполнены';
    expect(analyzer.analyze(text, { municipality: 'sorsk' })).toMatchObject({ municipality: 'sorsk', municipalityReason: 'source' });
    expect(analyzer.analyze(`${text} в Абазе`, { municipality: 'sorsk' }).municipality).toBe('abaza');
    expect(analyzer.analyze(text).municipality).toBeNull();
  });
});
