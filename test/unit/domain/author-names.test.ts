/** Name-only author similarity: which display names are suggested as one person, and which never are. */
import { compareAuthorNames, foldName, nameBlockingKeys, parseAuthorName, SUGGEST_MIN_SCORE } from '../../../src/domain/author-names';

/** The suggestion for two display names as the sweep computes it: shared blocking key, then the score. */
function suggest(x: string, y: string) {
  const a = parseAuthorName(x);
  const b = parseAuthorName(y);
  if (!a || !b) return null;
  const shared = nameBlockingKeys(a).some((k) => nameBlockingKeys(b).includes(k));
  return shared ? compareAuthorNames(a, b) : null;
}

describe('folding a name word', () => {
  it('brings the usual transliterations of a Russian name together', () => {
    const same = [
      ['Юрий', 'Yuriy', 'Yury', 'Jurij', 'Yuri'],
      ['Соловьёв', 'Соловьев', 'Solovyov', 'Solovyev', 'Soloviev'],
      ['Наталья', 'Наталия', 'Natalya', 'Natalia'],
      ['Евгений', 'Evgeniy', 'Yevgeny', 'Evgeny'],
      ['Щербаков', 'Shcherbakov', 'Scherbakov'],
      ['Алексей', 'Alexey', 'Aleksei', 'Alexei'],
      ['Фёдор', 'Fyodor', 'Fedor'],
      ['Михаил', 'Mikhail', 'Mihail'],
      ['Зайцев', 'Zaytsev', 'Zaitsev'],
      ['Иванов', 'Ivanov', 'Ivanoff', 'ИВАНОВ'],
    ];
    for (const group of same) expect([group[0], new Set(group.map(foldName))]).toEqual([group[0], new Set([foldName(group[0])])]);
  });

  it('keeps what tells people apart: gender endings and different names', () => {
    expect(foldName('Петров')).not.toBe(foldName('Петрова'));
    expect(foldName('Александр')).not.toBe(foldName('Александра'));
    expect(foldName('Игорь')).not.toBe(foldName('Егор'));
  });
});

describe('parsing a display name', () => {
  it('ignores case, punctuation, ё, Latin look-alike letters, initials and emoji', () => {
    expect(parseAuthorName('  ПЁТР  петров!!! 🙂')?.core).toEqual([foldName('Пётр'), foldName('Петров')]);
    expect(parseAuthorName('Пeтров Иван')?.core).toEqual([foldName('Петров'), foldName('Иван')]); // a Latin "e"
    expect(parseAuthorName('Петров И. Иван')?.core).toEqual([foldName('Петров'), foldName('Иван')]);
  });

  it('takes the patronymic apart, wherever it stands', () => {
    expect(parseAuthorName('Петров Иван Сергеевич')).toMatchObject({ core: [foldName('Петров'), foldName('Иван')], patronymic: foldName('Сергеевич') });
    expect(parseAuthorName('Анна Ивановна Смирнова')).toMatchObject({ core: [foldName('Анна'), foldName('Смирнова')], patronymic: foldName('Ивановна') });
    expect(parseAuthorName('Мамедов Рашид Али оглы')).toMatchObject({ core: [foldName('Мамедов'), foldName('Рашид')], patronymic: foldName('Али') });
  });

  it('never suggests one-word, placeholder, deleted or organization names', () => {
    for (const name of [null, '', '   ', 'Аноним', 'Гость', 'Житель', 'Житель Абакана', 'Гость 1234', 'Иван', 'Иван 🙂', 'Иван Петрович',
      'Deleted Account', 'DELETED', 'Удалённый пользователь', 'Администрация города Абакана', 'УК Жилсервис', 'Анонимный подписчик',
      'Мы за чистый Абакан вместе', '12345', 'id12345', 'Иван И.']) {
      expect([name, parseAuthorName(name)]).toEqual([name, null]);
    }
  });
});

describe('name-only suggestions', () => {
  it.each([
    ['Иван Петров', 'Petrov Ivan', 'name:reordered+transliterated'],
    ['Иван Петров', 'Петров Иван', 'name:reordered'],
    ['Иван Петров', 'Петров Иван Сергеевич', 'name:reordered+patronymic-one-side'],
    ['Юрий Соловьёв', 'Yuriy Solovyov', 'name:transliterated'],
    ['Наталья Кузнецова', 'Natalya Kuznetsova', 'name:transliterated'],
    ['Ксения Чебодаева', 'Xenia Chebodaeva', 'name:transliterated'],
    ['Ваня Петров', 'Иван Петров', 'name:diminutive'],
    ['Анна Смирнова', 'анна смирнова', 'name:exact'],
  ])('%s ~ %s (%s)', (x, y, reason) => {
    const m = suggest(x, y);
    expect(m).not.toBeNull();
    expect(m!.reason).toBe(reason);
    expect(m!.score).toBeGreaterThanOrEqual(SUGGEST_MIN_SCORE);
    expect(suggest(y, x)?.score).toBe(m!.score); // symmetric
  });

  it('scores a spelling variant below an exact match', () => {
    const m = suggest('Ольга Патрова', 'Ольга Петрова');
    expect(m).toMatchObject({ reason: 'name:spelling' });
    expect(m!.score).toBeLessThan(1);
  });

  it.each([
    ['Иван Петров', 'Иван Сидоров'], // same first name, different surname
    ['Иван Петров', 'Пётр Петров'], // same surname, different first name
    ['Иван Петров', 'Иван Петрова'], // husband and wife
    ['Александр Петров', 'Александра Петрова'],
    ['Игорь Смирнов', 'Егор Смирнов'],
    ['Иван Сергеевич Петров', 'Иван Петрович Петров'], // different fathers
    ['Мария Иванова', 'Мария Иванова-Петрова'],
    ['Житель Абакана', 'Житель Абакана'],
    ['Аноним', 'Аноним'],
    ['Иван', 'Иван'],
  ])('never %s ~ %s', (x, y) => {
    expect(suggest(x, y)).toBeNull();
  });

  it('finds candidates by blocking key: the same key for every spelling and order of one name', () => {
    const keys = ['Иван Петров', 'Petrov Ivan', 'Петров Иван Сергеевич', 'IVAN PETROFF'].map((n) => nameBlockingKeys(parseAuthorName(n)!));
    for (const k of keys) expect(k).toEqual(keys[0]);
    expect(keys[0]).toHaveLength(1);
    expect(nameBlockingKeys(parseAuthorName('Иван Петров')!)).not.toEqual(nameBlockingKeys(parseAuthorName('Иван Сидоров')!));
    expect(nameBlockingKeys(parseAuthorName('Анна Мария Смирнова')!)).toHaveLength(3); // every pair of three name words
  });

  it('namesakes are suggested too — a person decides, nothing merges by itself', () => {
    expect(suggest('Анна Смирнова', 'Анна Смирнова')).toEqual({ score: 1, reason: 'name:exact' });
  });
});
