/** Normalization, tokenization and stemming of social-media Russian. Pure, no I/O. */
import PorterStemmerRu = require('natural/lib/natural/stemmers/porter_stemmer_ru');

const VK_MARKUP = /\[(?:club|public|event|id)\d+\|([^\]]*)\]/gi;
const URL = /(?:https?:\/\/|www\.)\S+|\b(?:vk\.com|t\.me)\/\S+/gi;
const PHONE = /(?:\+7|\b8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}\b/g;
const TOKEN = /[a-zа-я0-9]+(?:-[a-zа-я0-9]+)*/g;
const LATIN_TO_CYR: Record<string, string> = {
  a: 'а', c: 'с', e: 'е', o: 'о', p: 'р', x: 'х', y: 'у', k: 'к', m: 'м', t: 'т', h: 'н', b: 'в',
};
const POSITIVE_EMOJI = /[😊😀😃😄😁🙂☺😍🥰❤💖👍🙏👏🤗🎉💐]/u;
const NEGATIVE_EMOJI = /[😡🤬😠😤😢😭😱🤦💩👎😒😞😩😫]/u;

/** A text prepared once for every analysis step. */
export interface PreparedText {
  /** Original text with VK markup replaced by its display text. */
  plain: string;
  /** Lowercased, ё→е, URLs and phones removed. */
  lower: string;
  /** Word tokens of `lower` (hyphenated words kept whole, e.g. "усть-абакан"). */
  tokens: string[];
  /** Original-case tokens aligned with `tokens` (for proper-noun checks). */
  rawTokens: string[];
  /** Porter stems aligned with `tokens` (hyphenated words stemmed by their last part). */
  stems: string[];
  /** Surface flags: question mark, many exclamations, CAPS, URL, phone, emoji mood. */
  flags: Set<string>;
}

const stemCache = new Map<string, string>();

/** Porter stem of one lowercased word, cached; short words and numbers are returned as is. */
export function stem(word: string): string {
  const hit = stemCache.get(word);
  if (hit !== undefined) {
    return hit;
  }
  let out: string;
  if (word.length <= 3 || /^\d+$/.test(word)) {
    out = word;
  } else if (word.includes('-')) {
    const parts = word.split('-');
    out = parts.map((p) => (p.length <= 3 ? p : PorterStemmerRu.stem(p))).join('-');
  } else {
    out = PorterStemmerRu.stem(word);
  }
  if (stemCache.size > 100_000) {
    stemCache.clear();
  }
  stemCache.set(word, out);
  return out;
}

function fixMixedScript(token: string): string {
  if (!/[a-z]/.test(token) || !/[а-я]/.test(token)) {
    return token;
  }
  return token.replace(/[a-z]/g, (ch) => LATIN_TO_CYR[ch] ?? ch);
}

/** Replaces VK mention markup `[club1|Текст]` by its display text. */
export function stripMarkup(text: string): string {
  return text.replace(VK_MARKUP, '$1');
}

/** Lowercases, folds ё to е and collapses letter runs ("ооочень" → "очень"). */
export function lowerRu(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/([а-яa-z])\1{2,}/g, '$1');
}

/** Tokenizes and stems a text once; deterministic. */
export function prepare(text: string): PreparedText {
  const flags = new Set<string>();
  let plain = stripMarkup(text ?? '');
  if (URL.test(plain)) {
    flags.add('url');
  }
  URL.lastIndex = 0;
  plain = plain.replace(URL, ' ');
  if (PHONE.test(plain)) {
    flags.add('phone');
  }
  PHONE.lastIndex = 0;
  const noPhone = plain.replace(PHONE, ' ');
  if (noPhone.includes('?')) {
    flags.add('question');
  }
  if (/!{2,}/.test(noPhone) || (noPhone.match(/!/g) ?? []).length >= 3) {
    flags.add('excl');
  }
  if (POSITIVE_EMOJI.test(noPhone)) {
    flags.add('emoji_pos');
  }
  if (NEGATIVE_EMOJI.test(noPhone)) {
    flags.add('emoji_neg');
  }
  const letters = noPhone.replace(/[^A-Za-zА-Яа-яЁё]/g, '');
  const upper = noPhone.replace(/[^A-ZА-ЯЁ]/g, '');
  if (letters.length >= 12 && upper.length / letters.length > 0.6) {
    flags.add('caps');
  }
  const lower = lowerRu(noPhone);
  const tokens: string[] = [];
  const rawTokens: string[] = [];
  const rawLower = noPhone.replace(/ё/g, 'е').replace(/Ё/g, 'Е');
  TOKEN.lastIndex = 0;
  for (const m of lower.matchAll(TOKEN)) {
    tokens.push(fixMixedScript(m[0].replace(/^-+|-+$/g, '')));
  }
  // Raw tokens aligned by re-tokenizing the case-preserving text with the same rule.
  for (const m of rawLower.matchAll(/[A-Za-zА-Яа-я0-9]+(?:-[A-Za-zА-Яа-я0-9]+)*/g)) {
    rawTokens.push(m[0]);
  }
  if (rawTokens.length !== tokens.length) {
    // Letter-run collapsing can merge nothing into tokens, so lengths match; guard anyway.
    rawTokens.length = 0;
    rawTokens.push(...tokens);
  }
  if (tokens.length <= 3) {
    flags.add('short');
  }
  const stems = tokens.map((t) => stem(t));
  return { plain, lower, tokens, rawTokens, stems, flags };
}
