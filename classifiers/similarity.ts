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

/** 0..1 Jaccard similarity of the two texts' shingle sets; 1 for identical wording, 0 when nothing is shared. */
export function similarity(a: string, b: string): number {
  const sa = shingles(a);
  const sb = shingles(b);
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
