/** Feature extraction shared by training and analysis, so both see exactly the same features. */
import type { PreparedText } from './text';
import { COMPLAINT_CUES, NON_COMPLAINT_CUES, SUBTOPICS } from './rules';

const SKIP = new Set(['и', 'а', 'в', 'во', 'на', 'с', 'со', 'к', 'у', 'о', 'об', 'же', 'ли', 'бы', 'то', 'это', 'этот', 'эта']);

/** Feature names of a prepared text: stems, stem bigrams, surface flags, cue and keyword-topic features. */
export function featuresOf(p: PreparedText): string[] {
  const out: string[] = [];
  let prev = '';
  for (const s0 of p.stems) {
    const s = /^\d+$/.test(s0) ? '#' : s0;
    if (!SKIP.has(s)) {
      out.push('w:' + s);
    }
    if (prev) {
      out.push('b:' + prev + '_' + s);
    }
    prev = s;
  }
  for (const f of p.flags) {
    out.push('f:' + f);
  }
  if (COMPLAINT_CUES.test(p.lower)) {
    out.push('c:complaint');
  }
  if (NON_COMPLAINT_CUES.test(p.lower)) {
    out.push('c:other');
  }
  const topics = new Set<string>();
  for (const st of SUBTOPICS) {
    if (st.pattern.test(p.lower)) {
      out.push('s:' + st.code);
      topics.add(st.topic);
    }
  }
  for (const t of topics) {
    out.push('k:' + t);
  }
  return out;
}

/** Human-readable form of a feature name for the `reasons` arrays. */
export function describeFeature(f: string): string {
  const body = f.slice(2);
  switch (f[0]) {
    case 'w':
      return body;
    case 'b':
      return body.replace('_', ' ');
    case 'f':
      return `[${body}]`;
    case 'c':
      return body === 'complaint' ? '[жалобная лексика]' : '[не жалоба: лексика]';
    case 'k':
      return `[ключевые слова: ${body}]`;
    case 's':
      return `[подтема: ${body}]`;
    default:
      return f;
  }
}

/** Features of the topic model: without stem bigrams, which measured worse on unseen phrasings (0.849 vs 0.869 held-out). */
export function topicFeatures(features: string[]): string[] {
  return features.filter((f) => !f.startsWith('b:'));
}
