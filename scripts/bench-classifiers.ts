/** Benchmark of analyze() on one core: prints texts per second. Run: npx tsx scripts/bench-classifiers.ts [seconds] */
import { createAnalyzer } from '../classifiers/index';
import { loadCorpus } from '../classifiers/training';
import { DATA_DIR } from '../classifiers/index';
import { join } from 'node:path';

const seconds = Number(process.argv[2] ?? 3);
const analyzer = createAnalyzer();
const texts = loadCorpus(join(DATA_DIR, 'corpus')).map((r) => r.text);
// Warm-up: JIT and the stem cache see the texts once, as in a long-running worker.
for (const t of texts) analyzer.analyze(t);
let n = 0;
let chars = 0;
const start = process.hrtime.bigint();
const limit = BigInt(Math.round(seconds * 1e9));
while (process.hrtime.bigint() - start < limit) {
  for (let i = 0; i < 500; i++) {
    const t = texts[(n + i) % texts.length];
    analyzer.analyze(t);
    chars += t.length;
  }
  n += 500;
}
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
// Cold: fresh (never seen) texts defeat the stem cache; each text gets a unique suffix word.
let cold = 0;
const coldStart = process.hrtime.bigint();
for (const t of texts) analyzer.analyze(`${t} слово${cold++}ка`);
const coldElapsed = Number(process.hrtime.bigint() - coldStart) / 1e9;
process.stdout.write(
  `analyze(): ${Math.round(n / elapsed)} texts/s (warm, ${n} texts, avg ${Math.round(chars / n)} chars); ` +
    `${Math.round(cold / coldElapsed)} texts/s with an unseen word in every text\n`,
);
