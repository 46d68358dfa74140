/** Near-duplicate similarity: Jaccard of stemmed word shingles (unigrams and bigrams). Pure. */
import { prepare } from './text';

const STOP = new Set(['и', 'в', 'на', 'с', 'не', 'что', 'а', 'по', 'у', 'к', 'о', 'же', 'уже', 'это', 'все', 'как', 'из', 'за', 'до']);

/** Set of stemmed unigram and bigram shingles of a text, stop words left out. */
export function shingles(text: string): Set<string> {
  const stems = prepare(text).stems.filter((s) => !STOP.has(s));
  const out = new Set<string>(stems);
  for (let i = 1; i < stems.length; i++) {
    out.add(stems[i - 1] + ' ' + stems[i]);
  }
  return out;
}

/**
 * Deduplication compares each new complaint with the same open incidents again and again: their shingle sets
 * are kept (a bounded cache, oldest out first) instead of re-stemming the texts every time.
 */
const CACHE_LIMIT = 20_000;
const cache = new Map<string, Set<string>>();
function cachedShingles(text: string): Set<string> {
  let s = cache.get(text);
  if (s) return s;
  s = shingles(text);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(text, s);
  return s;
}

/** 0..1 Jaccard similarity of the two texts' shingle sets; 1 for identical wording, 0 when nothing is shared. */
export function similarity(a: string, b: string): number {
  const sa = cachedShingles(a);
  const sb = cachedShingles(b);
  if (sa.size === 0 && sb.size === 0) {
    return a.trim() === b.trim() ? 1 : 0;
  }
  let inter = 0;
  for (const s of sa) {
    if (sb.has(s)) {
      inter++;
    }
  }
  return inter / (sa.size + sb.size - inter);
}
