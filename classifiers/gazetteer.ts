/** Region packs and place matching by exact word forms (never by stems). Pure after loading. */
import { declinePhrase, PREPOSITIONAL } from './declension';
import { lowerRu } from './text';

/** A place entry as written in a region file: a name, or a name with options. */
export type PlaceSpec = string | { n: string; strict?: boolean; forms?: string[] };

/** One municipality of a region file, with the words that name it. */
export interface MunicipalitySpec {
  id: string;
  name: string;
  kind: 'okrug' | 'district';
  center: string;
  oktmo?: string | null;
  /** Settlements, the centre, city districts: declined automatically. */
  places?: PlaceSpec[];
  /** Phrases that only count whole ("Алтайский район"): declined automatically. */
  phrases?: string[];
  /** Adjectives that name the municipality on their own ("черногорский"): declined. */
  adjectives?: string[];
  /** Streets named "улица X": matched as "улица/ул/улице/… X". */
  streets?: string[];
  /** Exact lowercase forms (demonyms, enterprises, spelling variants). */
  literals?: string[];
}

/** A region file as stored in classifiers/data/regions/<code>.json. */
export interface RegionFile {
  code: string;
  name: string;
  timezone: string;
  /** River names: a form after "река", "берег", "через"… or "на <prepositional>" is not a place. */
  rivers?: string[];
  /** Forms that are also common words: they count only after a preposition. */
  ambiguousForms?: string[];
  municipalities: MunicipalitySpec[];
}

type EntryKind = 'place' | 'phrase' | 'adjective' | 'street' | 'literal';

interface Entry {
  municipality: string;
  label: string;
  kind: EntryKind;
  strict: boolean;
  caseIndex: number;
  settlement: string | null;
}

/** One place found in a text. */
export interface PlaceMatch {
  municipality: string;
  /** The words as written (lowercased). */
  surface: string;
  kind: EntryKind;
  settlement: string | null;
  position: number;
  weight: number;
  /** 'from' after "из/от", 'to' after "до/в/к" when a 'from' place precedes it ("из Усть-Бюря до Абакана"). */
  role?: 'from' | 'to';
}

const RIVER_CONTEXT = new Set([
  'река', 'реки', 'реке', 'реку', 'рекой', 'р', 'берег', 'берегу', 'берега', 'берегом', 'берегах',
  'через', 'вдоль', 'устье', 'устья', 'исток', 'набережная', 'набережной', 'набережную', 'плотина',
  'течение', 'пойма', 'пойме', 'мост', 'моста', 'мосту',
]);
const SETTLEMENT_MARKERS = new Set([
  'с', 'село', 'селе', 'села', 'селу', 'п', 'пос', 'поселок', 'поселке', 'поселка', 'поселку', 'д',
  'деревня', 'деревне', 'деревни', 'аал', 'аале', 'аала', 'рп', 'пгт', 'снт', 'ст', 'станция',
  'станции', 'мкр', 'микрорайон', 'микрорайоне', 'район', 'районе', 'г', 'город', 'городе', 'города',
]);
const PREPOSITIONS = new Set([
  'в', 'во', 'из', 'до', 'у', 'под', 'около', 'возле', 'к', 'по', 'от', 'за', 'с', 'со', 'на',
  'через', 'между',
]);
const STREET_WORDS = ['улица', 'улицы', 'улице', 'улицу', 'улицей', 'ул'];
/**
 * Words before a name that make it a street: "на Аскизской", "по Черногорской", "ул. Абаканская",
 * "перекрёсток Кирова и Аскизской". A settlement takes "в" ("в Аскизе"), a street takes "на".
 */
const STREET_CONTEXT = new Set([
  ...STREET_WORDS, 'на', 'по', 'и', 'угол', 'углу', 'угла', 'перекресток', 'перекрестке', 'перекрестка', 'перекресту',
  'пересечение', 'пересечении', 'пересечения', 'пр', 'пр-т', 'проспект', 'проспекте', 'пер', 'переулок', 'переулке',
  'возле', 'около', 'напротив', 'вдоль', 'с', 'со', 'от', 'до', 'через',
]);
/** Nouns a municipality adjective modifies ("Аскизская больница", "по аскизской трассе"): then it names the place. */
const ADJECTIVE_NOUNS = /^(больниц|црб|школ|гимнази|лице|администрац|трасс|дорог|полиц|прокуратур|тэц|гэс|грэс|сторон|земл|степ|котельн|поликлиник|амбулатори|библиотек|газет|районн|средн|центральн|общеобразоват|межрайонн|участков|детск|управ|служб|скор|станц|автостанц|подстанц|сет|часть|част|комисс|территор|делегац|молодеж|общественн|жител)/;
/** Feminine adjective forms: the shape of Russian street names ("Аскизская", "на Черногорской"). */
const FEMININE_ADJ = /(ая|яя|ой|ей|ую|юю)$/;
/** Prepositions that mark the origin and the destination of a trip. */
const FROM = new Set(['из', 'от']);
const TO = new Set(['до', 'в', 'во', 'к']);
const WEIGHTS: Record<EntryKind, number> = { place: 3, phrase: 3, adjective: 2, street: 2, literal: 2 };

/** A compiled gazetteer: exact-form index of every place name of one region. */
export class Gazetteer {
  private readonly index = new Map<string, Entry[]>();
  private readonly rivers: Set<string>;
  private readonly ambiguous: Set<string>;
  private maxWords = 1;

  constructor(readonly region: RegionFile) {
    this.rivers = new Set((region.rivers ?? []).map(lowerRu));
    this.ambiguous = new Set((region.ambiguousForms ?? []).map(lowerRu));
    for (const m of region.municipalities) {
      for (const spec of m.places ?? []) {
        const p = typeof spec === 'string' ? { n: spec } : spec;
        const name = lowerRu(p.n);
        const forms: Array<[string, number]> = p.forms
          ? p.forms.map((f, i) => [lowerRu(f), i === 0 ? 0 : 1])
          : declinePhrase(name);
        for (const [form, c] of forms) {
          this.add(form, { municipality: m.id, label: p.n, kind: 'place', strict: !!p.strict, caseIndex: c, settlement: p.n });
        }
      }
      for (const phrase of m.phrases ?? []) {
        for (const [form, c] of declinePhrase(lowerRu(phrase))) {
          this.add(form, { municipality: m.id, label: phrase, kind: 'phrase', strict: false, caseIndex: c, settlement: null });
        }
      }
      for (const adj of m.adjectives ?? []) {
        const base = lowerRu(adj);
        const stem = base.slice(0, -2);
        const genders = [base, stem + 'ая', stem + 'ое', stem + (/[гкхжшчщ]$/.test(stem) ? 'ие' : 'ые')];
        for (const g of genders) {
          for (const [form, c] of declinePhrase(g)) {
            this.add(form, { municipality: m.id, label: adj, kind: 'adjective', strict: false, caseIndex: c, settlement: null });
          }
        }
      }
      for (const street of m.streets ?? []) {
        const name = lowerRu(street).replace(/^улица\s+/, '');
        // The bare genitive name ("на Щетинкина") too: streets in region files are chosen to be distinctive.
        this.add(name, { municipality: m.id, label: street, kind: 'street', strict: false, caseIndex: 0, settlement: null });
        for (const w of STREET_WORDS) {
          this.add(`${w} ${name}`, { municipality: m.id, label: street, kind: 'street', strict: false, caseIndex: 0, settlement: null });
        }
      }
      for (const lit of m.literals ?? []) {
        this.add(lowerRu(lit), { municipality: m.id, label: lit, kind: 'literal', strict: false, caseIndex: 0, settlement: null });
      }
    }
  }

  private add(form: string, entry: Entry): void {
    const variants = new Set([form, form.replace(/-/g, ' ')]);
    for (const v of variants) {
      const key = v.trim();
      const list = this.index.get(key);
      if (list) {
        if (!list.some((e) => e.municipality === entry.municipality && e.kind === entry.kind)) {
          list.push(entry);
        }
      } else {
        this.index.set(key, [entry]);
      }
      this.maxWords = Math.max(this.maxWords, key.split(' ').length);
    }
  }

  /** Every place named in the tokens, longest match first; river and common-word readings dropped. */
  match(tokens: string[], rawTokens: string[]): PlaceMatch[] {
    const out: PlaceMatch[] = [];
    let i = 0;
    while (i < tokens.length) {
      let advanced = false;
      for (let n = Math.min(this.maxWords, tokens.length - i); n >= 1; n--) {
        const key = n === 1 ? tokens[i] : tokens.slice(i, i + n).join(' ');
        const entries = this.index.get(key);
        if (!entries) {
          continue;
        }
        const prev = i > 0 ? tokens[i - 1] : '';
        const next = i + n < tokens.length ? tokens[i + n] : '';
        const accepted = entries.filter((e) => this.accept(e, key, prev, rawTokens[i] ?? key, i === 0, next));
        if (accepted.length === 0) {
          continue;
        }
        // A trip: "из X до Y", "от X до Y", "из X в Y" (within a few words); the origin is where the problem is.
        let role: 'from' | 'to' | undefined;
        if (FROM.has(prev)) {
          role = 'from';
        } else if (
          TO.has(prev) &&
          (out.some((m) => m.role === 'from' && i - m.position <= 5) ||
            (prev === 'до' && tokens.slice(Math.max(0, i - 6), i - 1).some((t) => FROM.has(t))))
        ) {
          // "из деревни до Абакана": the destination is not the place of the problem, even when the origin is unnamed.
          role = 'to';
        }
        for (const e of accepted) {
          out.push({
            municipality: e.municipality,
            surface: key,
            kind: e.kind,
            settlement: e.settlement,
            position: i,
            weight: WEIGHTS[e.kind] / accepted.length,
            ...(role ? { role } : {}),
          });
        }
        i += n;
        advanced = true;
        break;
      }
      if (!advanced) {
        i += 1;
      }
    }
    return out;
  }

  private accept(e: Entry, key: string, prev: string, raw: string, first: boolean, next = ''): boolean {
    const capitalized = /^[А-ЯЁA-Z]/.test(raw) && raw !== raw.toUpperCase();
    if (isStreetName(e, key, prev, next)) {
      return false;
    }
    if (e.kind === 'place' && this.rivers.has(e.label.toLowerCase().replace(/ё/g, 'е'))) {
      if (RIVER_CONTEXT.has(prev) || (prev === 'на' && e.caseIndex === PREPOSITIONAL)) {
        return false;
      }
    }
    if (this.ambiguous.has(key) && !PREPOSITIONS.has(prev) && !SETTLEMENT_MARKERS.has(prev) && !(first && capitalized)) {
      return false;
    }
    if (e.strict) {
      return SETTLEMENT_MARKERS.has(prev) || (capitalized && PREPOSITIONS.has(prev));
    }
    return true;
  }
}

/**
 * True when the words name a street, not the municipality: a feminine adjective ("на Аскизской",
 * "ул. Черногорская, 5") unless it modifies a noun ("Аскизская больница"); a genitive that is
 * also a surname ("на Кирова", "Калинина 12") after "на/по/ул." or before a house number.
 */
function isStreetName(e: Entry, key: string, prev: string, next: string): boolean {
  const number = /^\d/.test(next);
  if (e.kind === 'adjective' && FEMININE_ADJ.test(key)) {
    if (ADJECTIVE_NOUNS.test(next)) {
      return false;
    }
    return STREET_CONTEXT.has(prev) || number || next === 'улица' || next === 'ул' || next === 'улице';
  }
  if (e.kind === 'place' && e.caseIndex === 1 && !key.includes(' ')) {
    return GENITIVE_STREET_CONTEXT.has(prev) || number;
  }
  return false;
}
const GENITIVE_STREET_CONTEXT = new Set(['на', 'по', 'угол', 'углу', 'перекресток', 'перекрестке', 'пересечении', 'и', ...STREET_WORDS]);

/** Result of resolving a municipality from matches. */
export interface Resolved {
  municipality: string;
  settlement: string | null;
  surface: string;
}

/** Picks the municipality with the largest total weight; ties go to the first mentioned. */
export function resolve(matches: PlaceMatch[]): Resolved | null {
  if (matches.length === 0) {
    return null;
  }
  const origins = new Set(matches.filter((m) => m.role === 'from').map((m) => m.municipality));
  matches = matches.filter((m) => m.role !== 'to' || origins.has(m.municipality));
  if (matches.length === 0) {
    return null;
  }
  const score = new Map<string, { w: number; first: number; m: PlaceMatch }>();
  for (const m of matches) {
    const s = score.get(m.municipality);
    if (s) {
      s.w += m.weight;
      if (!s.m.settlement && m.settlement) {
        s.m = m;
      }
    } else {
      score.set(m.municipality, { w: m.weight, first: m.position, m });
    }
  }
  let best: { w: number; first: number; m: PlaceMatch } | null = null;
  for (const s of score.values()) {
    if (!best || s.w > best.w + 1e-9 || (Math.abs(s.w - best.w) < 1e-9 && s.first < best.first)) {
      best = s;
    }
  }
  if (!best || best.w < 1) {
    return null;
  }
  return { municipality: best.m.municipality, settlement: best.m.settlement, surface: best.m.surface };
}
