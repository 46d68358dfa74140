/** Which reply templates to offer for an incident, best first. Pure: no I/O, no clock, no randomness. */
import type { TopicCode } from '../domain/types';
import { render, type ReplyStage, type Template, type TemplateSet, type TemplateVars } from './templates';

/** What the suggestion depends on. */
export interface SuggestQuery {
  /** The incident's topic; null (unclassified) offers only generic templates. */
  topic: TopicCode | null;
  stage: ReplyStage;
  /** Id of the template of the last reply to the same citizen: it is never offered first. */
  lastTemplateIdForCitizen?: string | null;
  /** Texts already published (or drafted) in the thread: a template rendering to one of them is left out. */
  threadReplyTexts?: readonly string[];
  /** The incident's values, used to render candidates for the thread check. */
  vars?: TemplateVars;
  /** Rotation seed, e.g. the incident id (a number or any string): same seed, same order. */
  seed?: number | string;
}

/**
 * Templates for `stage` that fit `topic`, best first: topic-specific ones, then generic ones, each
 * group rotated by `seed`; the citizen's last template goes to the very end and is dropped if it
 * would be the only one. With `vars`, templates whose rendering equals a reply already in the thread
 * (ignoring case and whitespace) are left out; templates that cannot render with `vars` are kept
 * (the officer fills in the missing value when editing).
 */
export function suggestTemplates(set: TemplateSet, query: SuggestQuery): Template[] {
  const { topic, stage, lastTemplateIdForCitizen, threadReplyTexts = [], vars, seed = 0 } = query;
  const inThread = new Set(threadReplyTexts.map(comparable));
  const fits = (t: Template) =>
    t.stage === stage && !(vars && inThread.size > 0 && rendersToOneOf(t, vars, inThread));

  const byId = (a: Template, b: Template) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const specific = topic === null ? [] : set.templates.filter((t) => !t.generic && t.topics.includes(topic) && fits(t));
  const generic = set.templates.filter((t) => t.generic && fits(t));
  const shift = seedToIndex(seed);
  const ordered = [...rotate(specific.sort(byId), shift), ...rotate(generic.sort(byId), shift)];

  if (!lastTemplateIdForCitizen) return ordered;
  const rest = ordered.filter((t) => t.id !== lastTemplateIdForCitizen);
  const last = ordered.find((t) => t.id === lastTemplateIdForCitizen);
  return last && rest.length > 0 ? [...rest, last] : rest;
}

/** Normal form for comparing reply texts: lower case, single spaces, no trailing punctuation. */
export function comparable(text: string): string {
  return text
    .toLocaleLowerCase('ru-RU')
    .replace(/ё/g, 'е')
    .replace(/\s+/g, ' ')
    .replace(/[\s.!]+$/, '')
    .trim();
}

function rendersToOneOf(t: Template, vars: TemplateVars, texts: ReadonlySet<string>): boolean {
  let text: string;
  try {
    text = render(t, vars);
  } catch {
    return false; // cannot render yet: it cannot equal a published reply either
  }
  return texts.has(comparable(text));
}

function rotate<T>(items: T[], shift: number): T[] {
  if (items.length === 0) return items;
  const k = shift % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** A non-negative integer from a numeric or string seed (FNV-1a for strings). */
function seedToIndex(seed: number | string): number {
  if (typeof seed === 'number') return Number.isFinite(seed) ? Math.abs(Math.trunc(seed)) : 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
