/**
 * The corpus generator must not teach the model the generator. Everything it adds around a hand-written text —
 * openers, closers, emoji — is drawn from one pool for every class, so a model that sees only those additions'
 * first and last three tokens scores near chance on the held-out split. The corpus before this rule scored 0.95.
 */
import { join } from 'node:path';
import { DATA_DIR } from '../../../classifiers';
import { loadCorpus } from '../../../classifiers/training';
import { prepare } from '../../../classifiers/text';
import { trainSoftmax, LinearModel } from '../../../classifiers/linear-model';
import { isHeldOut, type CorpusRecord } from '../../../classifiers/corpus/split';
import { kindOfFamily } from '../../../classifiers/kinds';
import { loadHandwritten, HANDWRITTEN_DIR } from '../../../classifiers/corpus/handwritten';
import { readLabeledJsonl } from '../../../classifiers/evaluate';
import { readdirSync } from 'node:fs';

const corpus = loadCorpus(join(DATA_DIR, 'corpus'));
const label = (r: CorpusRecord): string => (kindOfFamily(r.kind, r.topic) === 'complaint' ? 'complaint' : 'other');

/** Balanced accuracy on the held-out split of a complaint/other model over `features`. */
function balancedAccuracy(features: (r: CorpusRecord) => string[]): number {
  const train = corpus.filter((r) => !isHeldOut(r.group)).map((r) => ({ features: features(r), label: label(r) }));
  const model = new LinearModel(trainSoftmax(train, ['complaint', 'other'], { epochs: 6, seed: 1 }));
  const hits: Record<string, [number, number]> = { complaint: [0, 0], other: [0, 0] };
  for (const r of corpus.filter((x) => isHeldOut(x.group))) {
    const y = label(r);
    hits[y][1]++;
    if (model.classes[model.predict(features(r)).best] === y) hits[y][0]++;
  }
  return (hits.complaint[0] / hits.complaint[1] + hits.other[0] / hits.other[1]) / 2;
}

const edges = (text: string): string[] => {
  const t = prepare(text).tokens;
  return [...t.slice(0, 3).map((x, i) => `s${i}:${x}`), ...t.slice(-3).map((x, i) => `e${i}:${x}`)];
};

describe('corpus leakage', () => {
  it('has both classes in numbers, and most generated variants carry additions', () => {
    expect(corpus.filter((r) => label(r) === 'other').length).toBeGreaterThan(5000);
    expect(corpus.filter((r) => r.wrap).length).toBeGreaterThan(corpus.length / 3);
  });

  it("a model given only the first and last three tokens of what the generator added scores near chance", () => {
    expect(balancedAccuracy((r) => edges(r.wrap ?? ''))).toBeLessThan(0.58); // 0.501 measured
  });

  it('the same model on the texts themselves does learn (the test can tell a signal apart)', () => {
    expect(balancedAccuracy((r) => edges(r.text))).toBeGreaterThan(0.7);
  });

  it('trains on no text of an evaluation set (the blind sets stay blind)', () => {
    const norm = (t: string): string => t.toLowerCase().replace(/ё/g, 'е').replace(/[^а-яa-z0-9]/g, '');
    const evalDir = join(DATA_DIR, 'eval');
    const held = new Set(readdirSync(evalDir).filter((f) => f.endsWith('.jsonl')).flatMap((f) => readLabeledJsonl(join(evalDir, f)).map((r) => norm(r.text))));
    expect(held.size).toBeGreaterThan(600);
    expect(loadHandwritten(HANDWRITTEN_DIR).filter((h) => held.has(norm(h.text))).map((h) => h.text)).toEqual([]);
  });
});
