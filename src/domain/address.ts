/**
 * Address keys for deduplication: "Пушкина 45", "ул. Советская, д. 78", "садик 23" → "пушки 45", "совет 78",
 * "садик 23". Two complaints on one topic in one place naming the same address are one problem, whatever
 * their wording. Pure; deliberately crude (a prefix instead of a stem, so case forms meet).
 */
import { memoizeText } from '../lib/memo';

/** Words that precede a number without naming a place ("день 3", "уже 4", "подъезд 2"). */
const NOT_PLACE_PREFIXES = ['день', 'дня', 'дней', 'сут', 'час', 'мину', 'лет', 'год', 'недел', 'месяц', 'граду', 'рубл', 'челов', 'метр', 'этаж', 'кварт', 'подъе', 'номер', 'маршр', 'автоб', 'рейс', 'уже', 'еще', 'все', 'нет', 'около', 'после', 'через', 'про', 'более', 'менее', 'больш', 'почт'];
const NOT_PLACE_WORDS = new Set(['ул', 'дом', 'дома', 'до', 'по', 'на', 'от', 'из', 'за', 'раз', 'км', 'нас', 'нам', 'вас', 'их', 'его']);
const isPlaceWord = (w: string) => !NOT_PLACE_WORDS.has(w) && !NOT_PLACE_PREFIXES.some((p) => w.startsWith(p));

/** The address keys of a text (lowercase, ё folded). */
function computeAddressKeys(text: string): Set<string> {
  const t = text.toLowerCase().replace(/ё/g, 'е');
  const keys = new Set<string>();
  const re = /([а-я]{3,})\.?\s*,?\s*(?:д\.?|дом|дом\s*№|№)?\s*(\d{1,3})(?:\s?([а-я])(?![а-я]))?(?![\d])(?!\s*(?:недел|месяц|км|класс|дн|день|час|мин|лет|год|раз|сут|этаж|подъе|челов|руб|градус|мм|см|м\b|%))/g;
  for (const m of t.matchAll(re)) {
    const word = m[1];
    if (!isPlaceWord(word)) continue;
    keys.add(`${word.slice(0, 5)} ${m[2]}${m[3] ?? ''}`);
  }
  return keys;
}

/** Memoized: deduplication compares each new complaint with the same open incidents' texts again and again. */
export const addressKeys: (text: string) => ReadonlySet<string> = memoizeText(computeAddressKeys);

/** True when two texts name a common address. */
export function shareAddress(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const k of a) if (b.has(k)) return true;
  return false;
}
