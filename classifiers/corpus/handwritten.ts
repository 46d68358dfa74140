/** Hand-written posts of the team corpus (corpus/handwritten/*.jsonl): one distinct text a line, with its labels. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KINDS, type MessageKind } from '../kinds';

/** One hand-written post: its kind and, for appeals, topic, municipality and priority. */
export interface HandwrittenPost {
  text: string;
  kind: MessageKind;
  topic?: string | null;
  municipality?: string | null;
  priority?: 'high' | 'normal';
  genre?: string;
}

export const HANDWRITTEN_DIR = join(__dirname, 'handwritten');

/** Reads every *.jsonl file of a folder (sorted by name); a line with an unknown kind is an error naming it. */
export function loadHandwritten(dir: string): HandwrittenPost[] {
  if (!existsSync(dir)) return [];
  const out: HandwrittenPost[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) {
    readFileSync(join(dir, f), 'utf8').split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      const r = JSON.parse(line) as HandwrittenPost;
      if (typeof r.text !== 'string' || !(KINDS as readonly string[]).includes(r.kind)) {
        throw new Error(`${f}:${i + 1}: needs "text" and a "kind" of ${KINDS.join(', ')}`);
      }
      out.push(r);
    });
  }
  return out;
}
