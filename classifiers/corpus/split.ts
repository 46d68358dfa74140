/** The held-out split of the team corpus: decided by a hash of the phrase group, never by chance. */

/** One labeled example of the team corpus (classifiers/data/corpus/*.jsonl). */
export interface CorpusRecord {
  text: string;
  complaint: boolean;
  topic: string | null;
  municipality: string | null;
  priority: 'high' | 'normal';
  /** The hand-written phrase the text was built from: all its variants share one split. */
  group: string;
  /** Family: complaint, sarcasm, thanks, news, ads, chatter, questions, praise. */
  kind: string;
}

/** 32-bit FNV-1a hash of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** True for the 20% of phrase groups the training never sees. */
export function isHeldOut(group: string): boolean {
  return fnv1a(group) % 5 === 0;
}
