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
  /** Family (complaint, statement, request, sarcasm, thanks, news, ads, chatter, questions, praise) or, for
   * hand-written posts, the message kind itself; `kindOfFamily` maps it to a message kind. */
  kind: string;
  /** What the generator added around the hand-written text (opener, closer, emoji), drawn alike for every class. */
  wrap?: string;
  /** Genre of a hand-written post (personal, news, ads, thread, sarcasm, question_form…). */
  genre?: string;
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
