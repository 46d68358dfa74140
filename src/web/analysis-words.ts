/**
 * The analysis of a citizen's text in plain Russian for the incident page (issue 15): the classifier's reasons are
 * model internals — word stems («горяч»), feature tags («[подтема: hot-water]», «[ключевые слова: housing]»),
 * priority codes («outage:нет горячей вод») — and mean nothing to an official. Here stems become the words of the
 * citizen's own text, tags become phrases, codes become names; what cannot be said in words is left out. Pure.
 */
import { SUBTOPICS } from '../../classifiers/rules';
import { KIND_NAMES_RU } from '../domain/kinds';
import { formatShare, topicName } from '../domain/wording';

/** The stored analysis, as far as the page needs it (older rows lack the newer fields). */
export interface StoredAnalysis {
  kind?: string | null;
  kindScore?: number | null;
  confidence?: number | null;
  complaint?: boolean;
  complaintScore?: number | null;
  complaintReasons?: string[] | null;
  topic?: string | null;
  subtopic?: string | null;
  topicScore?: number | null;
  topicReasons?: string[] | null;
  municipalityReason?: string | null;
  settlement?: string | null;
  priority?: string | null;
  priorityReasons?: string[] | null;
}

export interface AnalysisInWords {
  /** «Жалоба», «Вопрос», … */
  kind: string;
  /** «99 %»: how sure the analysis is of the whole decision (kind, topic, place). */
  confidence: string | null;
  topic: string;
  subtopic: string | null;
  /** Why this kind and this topic: the citizen's words in quotes, then signs in words. */
  kindReasons: string[];
  topicReasons: string[];
  /** How the place was found, or null when it was not. */
  placeReason: string | null;
  settlement: string | null;
  urgent: boolean;
  priorityReasons: string[];
}

const OTHER_KINDS: Record<string, string> = { gratitude: 'Благодарность', none: 'Не обращение' };

/** Cue tags of the complaint model (classifiers/features.ts CUE_NAMES) without their brackets, and surface flags. */
const FLAG_WORDS: Record<string, string> = {
  url: 'в тексте есть ссылка',
  phone: 'в тексте есть телефон',
  question: 'в тексте есть вопрос',
  excl: 'восклицательные знаки',
  emoji_pos: 'одобрительные смайлики',
  emoji_neg: 'недовольные смайлики',
  caps: 'текст заглавными буквами',
  short: 'короткий текст',
};

const PRIORITY_WORDS: Record<string, string> = {
  outage: 'нет коммунальной услуги',
  winter: 'в холодное время',
  danger: 'опасность для людей',
  emergency: 'авария или чрезвычайная ситуация',
  children: 'касается детей',
  mass: 'затронуто много жителей',
};

const subtopicNames = new Map(SUBTOPICS.map((s) => [s.code, s.name]));
/** A sub-topic code in words (null for an unknown code: never show the code). */
export const subtopicName = (code: string | null | undefined): string | null => (code ? (subtopicNames.get(code) ?? null) : null);

const norm = (s: string) => s.toLowerCase().replace(/ё/g, 'е');
const WORD = /[A-Za-zА-Яа-яЁё]+(?:-[A-Za-zА-Яа-яЁё]+)*/g;
const quote = (s: string) => `«${s}»`;
const hasLatin = (s: string) => /[A-Za-z]/.test(s);

/** The words of a text, as written and normalised. */
function wordsOf(text: string): { raw: string; low: string }[] {
  return [...text.matchAll(WORD)].map((m) => ({ raw: m[0], low: norm(m[0]) }));
}

/** The citizen's word(s) a stem or a stem bigram came from («горяч» → «горячей», «нет вод» → «нет воды»), or null. */
function wordsForStems(stems: string, words: { raw: string; low: string }[]): string | null {
  const parts = norm(stems).split(/\s+/).filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !/^[а-яa-z-]+$/.test(p))) return null;
  if (parts.length === 1 && parts[0].length < 3) return null; // «не», «из»: no meaning alone
  for (let i = 0; i + parts.length <= words.length; i++) {
    if (parts.every((p, k) => words[i + k].low.startsWith(p))) return words.slice(i, i + parts.length).map((w) => w.raw).join(' ');
  }
  return null;
}

/** A fragment the rules matched («нет горячей вод»), completed to whole words of the text («нет горячей воды»). */
function phraseInText(fragment: string, text: string): string | null {
  const low = norm(text);
  const at = low.indexOf(norm(fragment).trim());
  if (at < 0) return null;
  let end = at + fragment.trim().length;
  while (end < text.length && /[A-Za-zА-Яа-яЁё-]/.test(text[end])) end++;
  return text.slice(at, end);
}

/** One reason of the models in words, or null when it says nothing a person can use. */
function reasonInWords(reason: string, words: { raw: string; low: string }[], subtopic: string | null): { word?: string; sign?: string } | null {
  const tag = /^\[(.*)\]$/.exec(reason.trim());
  if (!tag) {
    const w = wordsForStems(reason, words);
    return w ? { word: w } : null;
  }
  const body = tag[1];
  const [head, ...rest] = body.split(':');
  const value = rest.join(':').trim();
  switch (head.trim()) {
    case 'ключевые слова':
      return { sign: `ключевые слова темы ${quote(topicName(value))}` };
    case 'подтема': {
      // Only the sub-topic the incident got: the model also weighs others («Подъезды» for hot water), which confuses.
      const name = value === subtopic ? subtopicName(value) : null;
      return name ? { sign: `признаки подтемы ${quote(name)}` } : null;
    }
    case 'объект': {
      const w = wordsForStems(value, words);
      return w ? { sign: `предмет жалобы: ${quote(w)}` } : null;
    }
    case 'место': {
      if (!hasLatin(value) && /\s/.test(value)) return { sign: `место: ${value}` }; // «внутри дома», «фасад, вход, арка»
      const w = wordsForStems(value, words);
      return w ? { sign: `место: ${quote(w)}` } : null;
    }
    default:
      if (FLAG_WORDS[body]) return { sign: FLAG_WORDS[body] };
      return hasLatin(body) ? null : { sign: body };
  }
}

/** Reasons as a short list: the citizen's words first (quoted, once each), then the signs. */
function reasonsInWords(list: string[] | null | undefined, text: string, subtopic: string | null): string[] {
  const words = wordsOf(text);
  const found: string[] = [];
  const signs: string[] = [];
  for (const r of list ?? []) {
    const x = reasonInWords(r, words, subtopic);
    if (x?.word && !found.some((f) => norm(f) === norm(x.word!))) found.push(x.word);
    if (x?.sign && !signs.includes(x.sign)) signs.push(x.sign);
  }
  return [...(found.length ? [`слова в тексте: ${found.map(quote).join(', ')}`] : []), ...signs];
}

/** How the place was found: «назван в тексте: «Абакане»», «по сообществу, где опубликовано», … */
function placeInWords(reason: string | null | undefined, text: string): string | null {
  if (!reason) return null;
  const [how, ...rest] = reason.split(':');
  const surface = rest.join(':').trim();
  const shown = surface ? quote(phraseInText(surface, text) ?? surface) : '';
  switch (how) {
    case 'text':
      return `назван в тексте: ${shown}`;
    case 'mention':
      return `упомянуто сообщество: ${shown}`;
    case 'place':
      return `место, отмеченное в сообщении: ${shown}`;
    case 'source':
      return 'по сообществу или чату, где опубликовано сообщение';
    default:
      return null;
  }
}

/** Why the priority is high: «нет коммунальной услуги: «нет горячей воды»». */
function priorityInWords(list: string[] | null | undefined, text: string): string[] {
  return (list ?? []).flatMap((r) => {
    const [code, ...rest] = r.split(':');
    const what = PRIORITY_WORDS[code];
    if (!what) return [];
    const fragments = rest.join(':').split('+').map((f) => f.trim()).filter(Boolean);
    const quoted = fragments.map((f) => phraseInText(f, text)).filter((f): f is string => !!f);
    return [quoted.length ? `${what}: ${quoted.map(quote).join(', ')}` : what];
  });
}

/** The whole analysis in words, for the incident page. `text` is the citizen's first message. */
export function analysisInWords(a: StoredAnalysis, text: string): AnalysisInWords {
  const kind = a.kind ?? (a.complaint === false ? 'none' : 'complaint');
  const confidence =
    typeof a.confidence === 'number'
      ? a.confidence
      : typeof a.complaintScore === 'number' && typeof a.topicScore === 'number' && a.topic
        ? Math.min(a.complaintScore, a.topicScore)
        : null;
  return {
    kind: KIND_NAMES_RU[kind as keyof typeof KIND_NAMES_RU] ?? OTHER_KINDS[kind] ?? KIND_NAMES_RU.complaint,
    confidence: confidence === null ? null : formatShare(confidence),
    topic: topicName(a.topic),
    subtopic: subtopicName(a.subtopic),
    kindReasons: reasonsInWords(a.complaintReasons, text, a.subtopic ?? null),
    topicReasons: reasonsInWords(a.topicReasons, text, a.subtopic ?? null),
    placeReason: placeInWords(a.municipalityReason, text),
    settlement: a.settlement ?? null,
    urgent: a.priority === 'high',
    priorityReasons: priorityInWords(a.priorityReasons, text),
  };
}
