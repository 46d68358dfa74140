/** Russian case forms for place names: a small rule set, enough for gazetteer matching. Pure. */

const ADJ_MASC = /(ый|ий|ой)$/;
const ADJ_FEM = /(ая|яя)$/;
const ADJ_NEUT = /(ое|ее)$/;
const ADJ_PLUR = /(ые|ие)$/;
const VELAR_SIBILANT = /[гкхжшчщ]$/;

/** True when a (lowercased) word looks like an adjective by its ending. */
export function isAdjective(word: string): boolean {
  return (
    word.length > 3 &&
    (ADJ_MASC.test(word) || ADJ_FEM.test(word) || ADJ_NEUT.test(word) || ADJ_PLUR.test(word))
  );
}

/** Forms of an adjective in the six cases (nominative first), same gender and number. */
export function declineAdjective(word: string): string[] {
  const w = word;
  if (ADJ_MASC.test(w)) {
    const base = w.slice(0, -2);
    const soft = w.endsWith('ий') && !VELAR_SIBILANT.test(base);
    const i = w.endsWith('ий') || VELAR_SIBILANT.test(base) ? 'и' : 'ы';
    return soft
      ? [w, base + 'его', base + 'ему', w, base + 'им', base + 'ем']
      : [w, base + 'ого', base + 'ому', w, base + i + 'м', base + 'ом'];
  }
  if (ADJ_FEM.test(w)) {
    const base = w.slice(0, -2);
    return w.endsWith('яя')
      ? [w, base + 'ей', base + 'ей', base + 'юю', base + 'ей', base + 'ей']
      : [w, base + 'ой', base + 'ой', base + 'ую', base + 'ой', base + 'ой'];
  }
  if (ADJ_NEUT.test(w)) {
    const base = w.slice(0, -2);
    return w.endsWith('ее') && !VELAR_SIBILANT.test(base)
      ? [w, base + 'его', base + 'ему', w, base + 'им', base + 'ем']
      : [w, base + 'ого', base + 'ому', w, base + (VELAR_SIBILANT.test(base) ? 'и' : 'ы') + 'м', base + 'ом'];
  }
  if (ADJ_PLUR.test(w)) {
    const base = w.slice(0, -2);
    const v = w.endsWith('ие') ? 'и' : 'ы';
    return [w, base + v + 'х', base + v + 'м', w, base + v + 'ми', base + v + 'х'];
  }
  return [w, w, w, w, w, w];
}

/** Forms of a noun in the six cases (nominative first); unknown patterns stay as they are. */
export function declineNoun(word: string): string[] {
  const w = word;
  const last = w.slice(-1);
  const base = w.slice(0, -1);
  if (last === 'а') {
    const gen = VELAR_SIBILANT.test(base) ? base + 'и' : base + 'ы';
    return [w, gen, base + 'е', base + 'у', base + 'ой', base + 'е'];
  }
  if (last === 'я') {
    const e = base.endsWith('и') ? 'и' : 'е';
    return [w, base + 'и', base + e, base + 'ю', base + 'ей', base + e];
  }
  if (last === 'ь') {
    return [w, base + 'я', base + 'ю', w, base + 'ем', base + 'е'];
  }
  if (last === 'о' || last === 'е') {
    // Place names in -ово/-ино: declined in writing, often left as is in speech; both match.
    return [w, base + 'а', base + 'у', w, base + 'ом', base + 'е'];
  }
  if (last === 'ы') {
    return [w, base + 'ов', base + 'ам', w, base + 'ами', base + 'ах'];
  }
  if (last === 'и') {
    const a = VELAR_SIBILANT.test(base) ? 'а' : 'я';
    return [w, w, base + a + 'м', w, base + a + 'ми', base + a + 'х'];
  }
  if (last === 'й') {
    return [w, base + 'я', base + 'ю', w, base + 'ем', base + 'е'];
  }
  if (/[бвгджзклмнпрстфхцчшщ]$/.test(w)) {
    return [w, w + 'а', w + 'у', w, w + 'ом', w + 'е'];
  }
  return [w, w, w, w, w, w];
}

/** Index of the prepositional case in the arrays above. */
export const PREPOSITIONAL = 5;

/**
 * Case forms of a (lowercased) multiword place name: leading adjectives agree with the first noun;
 * words after the first noun are complements and stay fixed ("вершина теи" → "вершине теи").
 * Returns [form, caseIndex] pairs, nominative first, without duplicates.
 */
export function declinePhrase(phrase: string): Array<[string, number]> {
  const words = phrase.split(' ');
  const perWord: string[][] = [];
  let nounSeen = false;
  for (const word of words) {
    if (nounSeen) {
      perWord.push([word, word, word, word, word, word]);
    } else if (isAdjective(word)) {
      perWord.push(declineAdjective(word));
    } else {
      const parts = word.split('-');
      // "усть-абакан": only the last part of a hyphenated name is declined.
      const declined = declineNoun(parts[parts.length - 1]);
      const prefix = parts.slice(0, -1).join('-');
      perWord.push(declined.map((f) => (prefix ? `${prefix}-${f}` : f)));
      nounSeen = true;
    }
  }
  const seen = new Set<string>();
  const out: Array<[string, number]> = [];
  for (let c = 0; c < 6; c++) {
    const form = perWord.map((forms) => forms[c]).join(' ');
    if (!seen.has(form)) {
      seen.add(form);
      out.push([form, c]);
    }
  }
  return out;
}
