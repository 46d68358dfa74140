/**
 * Name-only author similarity (issue 4): a display name reduced to comparable tokens, blocking keys that
 * find candidate authors through an index (never a scan), and a similarity score. A name match is only ever
 * a SUGGESTION for a person to confirm — namesakes are common, even on one platform; nothing here merges.
 * Pure: no I/O, no clock.
 *
 * Every token, Cyrillic or Latin, is folded into one Latin-based form in which the usual transliterations
 * of a Russian name meet ("Юрий", "Yuriy", "Yury", "Jurij" → "iuri"; "Соловьёв", "Solovyov", "Soloviev" →
 * "solovev"), so "Ivan Petrov" ~ "Иван Петров"; word order is ignored and a patronymic is optional.
 */
import JaroWinklerDistance = require('natural/lib/natural/distance/jaro-winkler_distance');

/** Two tokens (a first name, a surname) are the same when their folded forms are at least this similar. */
export const TOKEN_MIN_SIMILARITY = 0.88;
/** A pair of names is suggested at or above this score (the mean similarity of the matched tokens). */
export const SUGGEST_MIN_SCORE = 0.9;

/** A display name ready for comparison; null from parseAuthorName when the name can never be suggested. */
export interface ParsedName {
  /** Given names and surnames, folded, in written order, without the patronymic. At least two, at most three. */
  core: string[];
  /** The folded patronymic, when one was written ("Сергеевич", "Ivanovna"). */
  patronymic: string | null;
  /** The alphabet the name was written in. */
  script: 'cyrillic' | 'latin' | 'mixed';
  /** A first name was written as a diminutive ("Ваня" → "Иван"). */
  diminutive: boolean;
}

/** A suggested match: score in 0..1 and the reason as a code ("name:reordered+transliterated"). */
export interface NameMatch {
  score: number;
  reason: string;
}

// Russian (GOST-like, simplified) with the letters of Ukrainian, Belarusian and Khakass names seen in the region.
const CYR_TO_LAT: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'i', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch',
  ъ: '', ы: 'y', ь: '', э: 'e', ю: 'iu', я: 'ia',
  і: 'i', ї: 'i', є: 'e', ґ: 'g', ў: 'u', ң: 'n', ғ: 'g', ҷ: 'ch', ә: 'a', ө: 'o', ү: 'u', һ: 'h', қ: 'k', ҳ: 'h',
};
// Latin letters typed inside a Cyrillic word because they look the same ("Пeтров" with a Latin e).
const HOMOGLYPHS: Record<string, string> = {
  A: 'А', B: 'В', C: 'С', E: 'Е', H: 'Н', K: 'К', M: 'М', O: 'О', P: 'Р', T: 'Т', X: 'Х', Y: 'У',
  a: 'а', c: 'с', e: 'е', o: 'о', p: 'р', x: 'х', y: 'у', k: 'к',
};
const CYRILLIC = /[\u0400-\u04ff]/;
const LATIN = /[a-z]/i;

/**
 * Folds a lower-case Latin spelling so that transliteration variants coincide: digraphs become one symbol
 * (щ 3, ж 2, ц 4, ч 5, ш 6), j/y become i, "ye"/"yo" become e, doubled letters collapse, a final -off is -ov.
 */
function fold(s: string): string {
  return s
    .replace(/tch/g, 'ch')
    .replace(/shch|sch/g, '3')
    .replace(/zh/g, '2')
    .replace(/kh/g, 'h')
    .replace(/ts|tz/g, '4')
    .replace(/ch/g, '5')
    .replace(/sh/g, '6')
    .replace(/ph/g, 'f')
    .replace(/ck/g, 'k')
    .replace(/x/g, 'ks')
    .replace(/w/g, 'v')
    .replace(/[qc]/g, 'k')
    .replace(/[jy]/g, 'i')
    .replace(/ie/g, 'e') // Yevgeny, Sergeyev, Ananiev (Ананьев)
    .replace(/io/g, 'e') // Fyodor, Solovyov: ё is written е
    .replace(/(.)\1+/g, '$1')
    .replace(/([oe])f$/, '$1v'); // Petroff
}

/** One written word → its folded form, or null when it is not a word of a name (digits, other scripts, an initial). */
function foldWord(word: string): { token: string; script: 'cyrillic' | 'latin' } | null {
  let w = word.replace(/[-'’ʼ`]/g, '');
  const cyr = CYRILLIC.test(w);
  if (cyr) w = [...w].map((ch) => HOMOGLYPHS[ch] ?? ch).join('');
  // Diacritics off (é → e, ё → е, й → и: й and и are one letter in the folded form anyway).
  w = w.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  if (cyr) {
    if (LATIN.test(w)) return null; // still mixed after the homoglyphs: not a name
    w = [...w].map((ch) => CYR_TO_LAT[ch] ?? (CYRILLIC.test(ch) ? '' : ch)).join('');
  }
  if (!/^[a-z]+$/.test(w)) return null;
  const token = fold(w);
  if (token.length < 2 || token.length > 30) return null;
  return { token, script: cyr ? 'cyrillic' : 'latin' };
}

/** The folded form of one word (used for the word lists below and by tests). */
export function foldName(word: string): string {
  return foldWord(word)?.token ?? '';
}

const folded = (words: string[]) => new Set(words.map(foldName).filter(Boolean));

/**
 * Words that are not a person's name: placeholders ("Аноним", "Гость", "Житель"), deleted accounts,
 * organizations and communities. A display name containing one never produces a suggestion.
 */
const NOT_A_NAME = folded([
  'аноним', 'анонимно', 'анонимный', 'анонимная', 'гость', 'житель', 'жительница', 'жители', 'пользователь',
  'подписчик', 'подписчица', 'участник', 'участница', 'гражданин', 'гражданка', 'неизвестный', 'неизвестная',
  'неизвестно', 'без', 'нет', 'имя', 'фамилия', 'удален', 'удаленный', 'удаленная', 'админ', 'администратор',
  'администрация', 'модератор', 'мэрия', 'управление', 'ооо', 'зао', 'оао', 'пао', 'муп', 'гуп', 'ип', 'тсж', 'ук',
  'школа', 'садик', 'новости', 'группа', 'сообщество', 'канал', 'чат', 'бот', 'город', 'район', 'село', 'поселок',
  'дом', 'двор', 'магазин', 'клуб', 'совет', 'мама', 'папа', 'бабушка', 'дедушка',
  'anonymous', 'anon', 'anonym', 'guest', 'user', 'deleted', 'account', 'unknown', 'admin', 'administrator',
  'moderator', 'bot', 'news', 'channel', 'group', 'resident', 'citizen', 'id',
]);

/** Unambiguous diminutives only ("Саша", "Женя", "Валя" are either gender, so they stay as written). */
const DIMINUTIVES = new Map(
  Object.entries({
    ваня: 'иван', петя: 'пётр', дима: 'дмитрий', миша: 'михаил', коля: 'николай', сережа: 'сергей', леша: 'алексей',
    паша: 'павел', вова: 'владимир', володя: 'владимир', витя: 'виктор', костя: 'константин', толя: 'анатолий',
    гена: 'геннадий', валера: 'валерий', андрюша: 'андрей', юра: 'юрий', боря: 'борис', гриша: 'григорий',
    макс: 'максим', таня: 'татьяна', наташа: 'наталья', лена: 'елена', оля: 'ольга', маша: 'мария', катя: 'екатерина',
    настя: 'анастасия', юля: 'юлия', света: 'светлана', галя: 'галина', люда: 'людмила', надя: 'надежда',
    ира: 'ирина', аня: 'анна', даша: 'дарья', ксюша: 'ксения', вика: 'виктория', люба: 'любовь',
  }).map(([short, full]) => [foldName(short), foldName(full)]),
);

// Patronymics: -ович/-евич, -овна/-евна, -ична (ч is 5 in the folded form). "оглы"/"кызы" follow the father's name.
const PATRONYMIC = /(?:ov|ev)i5$|(?:ov|ev)na$|i5na$/;
const TURKIC_PATRONYMIC = folded(['оглы', 'кызы', 'oglu', 'ogly', 'kizi', 'qizi', 'uly', 'kyzy']);

/**
 * A display name ready for comparison, or null when it must never produce a suggestion: empty, one word
 * (with or without a patronymic), a placeholder or organization word, or more than three name words.
 */
export function parseAuthorName(displayName: string | null | undefined): ParsedName | null {
  if (!displayName) return null;
  const text = displayName.normalize('NFKC').replace(/[([{<][^)\]}>]*[)\]}>]/g, ' ');
  const words = text.split(/[^\p{L}\p{M}\-'’ʼ`]+/u).filter(Boolean);
  if (words.length === 0 || words.length > 6) return null;
  const tokens: { token: string; script: 'cyrillic' | 'latin' }[] = [];
  for (const w of words) {
    const f = foldWord(w);
    if (f) tokens.push(f);
  }
  if (tokens.some((t) => NOT_A_NAME.has(t.token))) return null;
  let patronymic: string | null = null;
  const turkic = tokens.findIndex((t) => TURKIC_PATRONYMIC.has(t.token));
  if (turkic >= 0) {
    patronymic = turkic > 0 ? tokens[turkic - 1].token : null;
    tokens.splice(Math.max(turkic - 1, 0), turkic > 0 ? 2 : 1);
  } else if (tokens.length >= 2) {
    // The last word that looks like one (Фамилия Имя Отчество, Имя Отчество Фамилия); two words of which one
    // is a patronymic are a first name with a patronymic ("Иван Петрович"): too little to suggest anything.
    for (let i = tokens.length - 1; i >= 0; i--) {
      if (PATRONYMIC.test(tokens[i].token)) {
        patronymic = tokens[i].token;
        tokens.splice(i, 1);
        break;
      }
    }
  }
  let diminutive = false;
  const core: string[] = [];
  for (const t of tokens) {
    const full = DIMINUTIVES.get(t.token);
    if (full) diminutive = true;
    const token = full ?? t.token;
    if (!core.includes(token)) core.push(token);
  }
  if (core.length < 2 || core.length > 3) return null;
  const scripts = new Set(tokens.map((t) => t.script));
  return { core, patronymic, script: scripts.size > 1 ? 'mixed' : tokens[0].script, diminutive };
}

/** A token reduced for blocking: inner vowels dropped (first and last letters kept: Петров ≠ Петрова). */
function skeleton(token: string): string {
  if (token.length <= 2) return token;
  return (token[0] + token.slice(1, -1).replace(/[aeiou]/g, '') + token[token.length - 1]).replace(/(.)\1+/g, '$1');
}

/**
 * Blocking keys: one per pair of name words (order ignored), each word reduced to its skeleton. Two authors
 * are compared only when they share a key, so candidates come from an index lookup, never a scan.
 */
export function nameBlockingKeys(name: ParsedName): string[] {
  const keys = new Set<string>();
  for (let i = 0; i < name.core.length; i++) {
    for (let j = i + 1; j < name.core.length; j++) {
      keys.add([skeleton(name.core[i]), skeleton(name.core[j])].sort().join(' '));
    }
  }
  return [...keys].sort();
}

/**
 * Similarity of two folded words. Words with different endings (Петров/Петрова, Иван/Ивана) or lengths far
 * apart (Иванова/Иванова-Петрова: Jaro–Winkler rewards the shared prefix) never match.
 */
function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a[a.length - 1] !== b[b.length - 1] || Math.abs(a.length - b.length) > 2) return 0;
  return JaroWinklerDistance(a, b);
}

/**
 * Whether two names may belong to one person, with a score and the reason; null when not. At least two name
 * words must match each other (any order); different patronymics, or a name word on each side that matches
 * nothing on the other, rule the pair out. The score is the mean similarity of the matched words.
 */
export function compareAuthorNames(a: ParsedName, b: ParsedName): NameMatch | null {
  const flags: string[] = [];
  const sims: number[] = [];
  if (a.patronymic && b.patronymic) {
    const p = tokenSimilarity(a.patronymic, b.patronymic);
    if (p < TOKEN_MIN_SIMILARITY) return null;
    sims.push(p);
  } else if (a.patronymic || b.patronymic) {
    flags.push('patronymic-one-side');
  }
  const pairs: { i: number; j: number; s: number }[] = [];
  for (let i = 0; i < a.core.length; i++) {
    for (let j = 0; j < b.core.length; j++) {
      const s = tokenSimilarity(a.core[i], b.core[j]);
      if (s >= TOKEN_MIN_SIMILARITY) pairs.push({ i, j, s });
    }
  }
  pairs.sort((x, y) => y.s - x.s || x.i - y.i || x.j - y.j);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const matched: typeof pairs = [];
  for (const p of pairs) {
    if (usedA.has(p.i) || usedB.has(p.j)) continue;
    usedA.add(p.i);
    usedB.add(p.j);
    matched.push(p);
  }
  if (matched.length < 2) return null;
  if (usedA.size < a.core.length && usedB.size < b.core.length) return null; // a third name word on each side, and they differ
  sims.push(...matched.map((p) => p.s));
  const score = Math.round((sims.reduce((x, y) => x + y, 0) / sims.length) * 1000) / 1000;
  if (score < SUGGEST_MIN_SCORE) return null;
  matched.sort((x, y) => x.i - y.i);
  if (matched.some((p, k) => k > 0 && p.j < matched[k - 1].j)) flags.unshift('reordered');
  if (a.script !== b.script) flags.push('transliterated');
  if (matched.some((p) => p.s < 1)) flags.push('spelling');
  if (a.diminutive !== b.diminutive) flags.push('diminutive');
  return { score, reason: `name:${flags.length ? flags.join('+') : 'exact'}` };
}
