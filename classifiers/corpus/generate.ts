/**
 * Builds the team corpus classifiers/data/corpus/khakassia.jsonl from the hand-written phrases,
 * deterministically (seeded). Run: npx tsx classifiers/corpus/generate.ts
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../linear-model';
import type { CorpusRecord } from './split';
import {
  PROBLEMS, OPENERS, DURATIONS, CLOSERS, WINTER, EMOJI_NEG, EMOJI_POS, PLACES, NOT_PLACES, MENTIONS,
  NON_COMPLAINTS, SARCASM, REQUESTS, REQUEST_LEADS, REQUEST_TAILS, ADDRESSES, LANDMARKS,
} from './phrases';
import { loadHandwritten, HANDWRITTEN_DIR } from './handwritten';

const rand = seededRandom(20261123);
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
const chance = (p: number): boolean => rand() < p;
const MUNIS = Object.keys(PLACES);
const MUNI_WEIGHTS: Record<string, number> = { abakan: 4, chernogorsk: 3, sayanogorsk: 3 };
const weighted = MUNIS.flatMap((m) => Array<string>(MUNI_WEIGHTS[m] ?? 1).fill(m));

function typo(s: string): string {
  const words = s.split(' ');
  const idx = words.findIndex((w) => w.length > 6 && chance(0.3));
  if (idx < 0) {
    return s;
  }
  const w = words[idx];
  const i = 1 + Math.floor(rand() * (w.length - 3));
  words[idx] = w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
  return words.join(' ');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * What the generator adds around a hand-written text — openers, closers, emoji, case and punctuation noise —
 * is drawn from ONE pool with the same probabilities for every class, so nothing it adds tells the classes apart
 * (test/unit/classifiers/leakage.test.ts). Words that carry meaning ("Когда уже починят?", "Ждем всех!") belong to
 * the hand-written texts, where they are content; as wrappers they taught the old model the generator.
 */
const WRAP_OPENERS = [...Array<string>(10).fill(''), ...OPENERS.filter(Boolean), 'Друзья,', 'Репост.', 'Внимание!', 'Всем привет.', 'Кстати,', 'Девочки,', 'Народ,', 'Ребята,'];
const WRAP_CLOSERS = [...Array<string>(10).fill(''), ...CLOSERS.filter(Boolean), 'Хорошего дня!', 'Подробности по ссылке https://vk.com/wall-1_2', 'Делитесь!', 'Всем добра.', '))', 'Ждем всех!', 'Пишите в комментариях.', 'Репост приветствуется', 'Спасибо.'];
const EMOJI = [...EMOJI_NEG, ...EMOJI_POS];

/** Wraps a text in a shared opener and closer (each drawn with the same odds whatever the class). */
function wrap(s: string): string {
  const opener = chance(0.5) ? pick(WRAP_OPENERS) : '';
  const closer = chance(0.5) ? pick(WRAP_CLOSERS) : '';
  added.push(opener, closer);
  return `${opener} ${s} ${closer}`;
}

/** What wrap() and noise() added to the text being built; add() stores it as the record's `wrap`. */
let added: string[] = [];

function noise(s: string): string {
  let t = s.replace(/\s+/g, ' ').replace(/\s+([,.!?])/g, '$1').replace(/^[,.\s]+/, '').trim();
  if (chance(0.1)) {
    t = typo(t);
  }
  t = capitalize(t);
  const r = rand();
  if (r < 0.35) {
    t = t.toLowerCase();
  } else if (r < 0.39) {
    t = t.toUpperCase();
  }
  if (chance(0.1)) {
    t = t.replace(/[,.]/g, '');
  }
  if (chance(0.2)) {
    const emoji = pick(EMOJI) + (chance(0.3) ? pick(EMOJI) : '');
    added.push(emoji);
    t += ' ' + emoji;
  }
  return t;
}

function place(): { phrase: string; municipality: string | null } {
  const r = rand();
  if (r < 0.62) {
    const m = pick(weighted);
    return { phrase: pick(PLACES[m]), municipality: m };
  }
  if (r < 0.72) {
    return { phrase: pick(NOT_PLACES), municipality: null };
  }
  return { phrase: '', municipality: null };
}


const records = new Map<string, CorpusRecord>();
function add(r: CorpusRecord): void {
  const wrapped = added.filter(Boolean).join(' ');
  added = [];
  if (!records.has(r.text)) {
    records.set(r.text, wrapped ? { ...r, wrap: wrapped } : r);
  }
}

// Complaints.
for (const problem of PROBLEMS) {
  for (const text of problem.texts) {
    for (let k = 0; k < 16; k++) {
      const p = place();
      let muni = p.municipality;
      let mention = '';
      if (chance(0.08)) {
        const m = muni ?? pick(MUNIS);
        mention = MENTIONS[m];
        muni = m;
      }
      let core = text;
      if (chance(0.25)) {
        core = chance(0.5) ? `${core} ${pick(LANDMARKS)}` : `${capitalize(pick(LANDMARKS))} ${core}`;
      }
      const winter = problem.winterHigh && chance(0.5) ? pick(WINTER) : '';
      const dur = pick(DURATIONS);
      const shape = Math.floor(rand() * 4);
      let s: string;
      if (shape === 0) {
        s = `${mention} ${p.phrase} ${core} ${dur}. ${winter ? capitalize(winter) + '.' : ''}`;
      } else if (shape === 1) {
        s = `${core} ${dur} ${p.phrase}! ${winter} ${mention}`;
      } else if (shape === 2) {
        s = `${mention} ${dur ? capitalize(dur) : ''} ${core}, ${p.phrase}. ${winter}`;
      } else {
        s = `${p.phrase ? capitalize(p.phrase) + ',' : ''} ${core}. ${winter} ${mention}`;
      }
      s = wrap(s);
      const high = !!problem.high || (!!problem.winterHigh && !!winter);
      add({ text: noise(s), complaint: true, topic: problem.topic, municipality: muni, priority: high ? 'high' : 'normal', group: text, kind: 'complaint' });
    }
  }
}
// Portal-style statements: the bare problem with an address, no opener, no closer, no emotion.
for (const problem of PROBLEMS) {
  for (const text of problem.texts) {
    for (let k = 0; k < 4; k++) {
      const p = chance(0.4) ? place() : { phrase: '', municipality: null };
      const addr = pick(ADDRESSES);
      const s = wrap(chance(0.5) ? `${capitalize(text)} ${addr} ${p.phrase}.` : `${capitalize(addr)} ${p.phrase} ${text}.`);
      add({ text: noise(s), complaint: true, topic: problem.topic, municipality: p.municipality, priority: problem.high ? 'high' : 'normal', group: text, kind: 'statement' });
    }
  }
}
// Web-form style appeals: short imperative requests with an address.
for (const req of REQUESTS) {
  for (const obj of req.texts) {
    for (let k = 0; k < 10; k++) {
      const p = chance(0.5) ? place() : { phrase: '', municipality: null };
      const s = wrap(`${pick(REQUEST_LEADS)} ${obj} ${pick(ADDRESSES)} ${p.phrase}. ${pick(REQUEST_TAILS)}`);
      add({ text: noise(s), complaint: true, topic: req.topic, municipality: p.municipality, priority: req.high ? 'high' : 'normal', group: obj, kind: 'request' });
    }
  }
}
for (const s of SARCASM) {
  for (const text of s.texts) {
    for (let k = 0; k < 8; k++) {
      const p = place();
      add({ text: noise(wrap(`${text} ${p.phrase}`)), complaint: true, topic: s.topic, municipality: p.municipality, priority: 'normal', group: text, kind: 'sarcasm' });
    }
  }
}

// Non-complaints.
for (const [kind, families] of Object.entries(NON_COMPLAINTS)) {
  for (const fam of families) {
    for (const text of fam.texts) {
      for (let k = 0; k < 30; k++) {
        let muni: string | null = null;
        let s = text;
        if (text.includes('{place}')) {
          const p = place();
          muni = p.municipality;
          s = text.replace('{place}', p.phrase);
        } else if (chance(0.25)) {
          const m = pick(weighted);
          s = `${pick(PLACES[m])}: ${text}`;
          muni = m;
        }
        s = wrap(s);
        add({ text: noise(s), complaint: false, topic: fam.topic, municipality: muni, priority: 'normal', group: text, kind });
      }
    }
  }
}

// Hand-written posts (corpus/handwritten/*.jsonl): one distinct text each, every kind; each appears as written
// and in a few wrapped and noised variants, drawn from the same pools as everything above.
for (const h of loadHandwritten(HANDWRITTEN_DIR)) {
  for (let k = 0; k < 4; k++) {
    const text = k === 0 ? h.text : noise(wrap(h.text));
    add({ text, complaint: h.kind === 'complaint', topic: h.topic ?? null, municipality: h.municipality ?? null, priority: h.priority ?? 'normal', group: h.text, kind: h.kind, genre: h.genre });
  }
}

const out = join(__dirname, '..', 'data', 'corpus');
mkdirSync(out, { recursive: true });
const lines = [...records.values()].map((r) => JSON.stringify(r));
writeFileSync(join(out, 'khakassia.jsonl'), lines.join('\n') + '\n');
process.stdout.write(`wrote ${lines.length} examples to ${join(out, 'khakassia.jsonl')}\n`);
