/**
 * Measures the shipped analysis on text nobody on the team wrote: ../shared/data (when present) and the blind sets.
 * Reads the shared files in place; never copies them. Run: npx tsx scripts/eval-external.ts [--only=vk,kursk,spb,kursk-train]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runTrain } from '../classifiers/cli';
import { fnv1a } from '../classifiers/corpus/split';
import { join } from 'node:path';
import { createAnalyzer, type Analyzer, type AnalyzeHints } from '../classifiers';
import { readCsvObjects } from '../classifiers/training';
import { spbTopic } from '../classifiers/evaluate';

const SHARED = join(__dirname, '..', '..', 'shared', 'data');
const only = (process.argv.find((a) => a.startsWith('--only='))?.slice(7) ?? 'vk,kursk,spb').split(',');
const analyzer: Analyzer = createAnalyzer('khakassia');
const f3 = (x: number): string => x.toFixed(3);

function vk(): void {
  const path = join(SHARED, 'vk_posts_random_dev.csv');
  if (!existsSync(path)) return void console.log('vk: absent');
  const rows = readCsvObjects(path);
  const t0 = process.hrtime.bigint();
  let complaints = 0;
  let appeals = 0;
  const byTopic: Record<string, number> = {};
  const hits: string[] = [];
  for (const r of rows) {
    const a = analyzer.analyze(r.text);
    if (a.complaint) {
      complaints++;
      byTopic[a.topic ?? '-'] = (byTopic[a.topic ?? '-'] ?? 0) + 1;
      if (hits.length < 40) hits.push(`${a.complaintScore} ${a.topic} | ${r.text.slice(0, 140).replace(/\n/g, ' ')}`);
    }
    if (a.kind !== 'none' && a.kind !== 'gratitude') appeals++;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`vk random: ${rows.length} posts, called complaints ${complaints} (${f3(complaints / rows.length)}), appeals ${appeals} (${f3(appeals / rows.length)}), ${Math.round(rows.length / secs)} texts/s`);
  console.log('  by topic', JSON.stringify(byTopic));
  if (process.argv.includes('--show')) console.log(hits.join('\n'));
}

/** Portal and form appeals are measured twice: as if posted in a community, and as sent through the appeal form. */
const MODES: Array<[string, AnalyzeHints]> = [['as a community post', {}], ['through the appeal form', { addressed: true }]];

function kursk(): void {
  for (const [mode, hints] of MODES) kurskOnce(mode, hints);
}

function kurskOnce(mode: string, hints: AnalyzeHints): void {
  const path = join(SHARED, 'kursk_appeals_dev.csv');
  if (!existsSync(path)) return void console.log('kursk: absent');
  const rows = readCsvObjects(path);
  let strict = 0;
  let alt = 0;
  let detected = 0;
  const per: Record<string, [number, number]> = {};
  for (const r of rows) {
    const a = analyzer.analyze(r.text, hints);
    const gold = r.topic;
    const ok = a.topic === gold;
    const okAlt = ok || (!!a.topic && r.topic_alt.split(' ').includes(a.topic));
    if (a.kind !== 'none' && a.kind !== 'gratitude') detected++;
    strict += ok ? 1 : 0;
    alt += okAlt ? 1 : 0;
    per[gold] = per[gold] ?? [0, 0];
    per[gold][0] += ok ? 1 : 0;
    per[gold][1]++;
  }
  console.log(`kursk ${mode}: ${rows.length} appeals, appeal recall ${f3(detected / rows.length)}, topic strict ${f3(strict / rows.length)}, with topic_alt ${f3(alt / rows.length)}; topic of those detected ${f3(strict / detected)}`);
  console.log('  per topic', Object.entries(per).map(([t, [c, n]]) => `${t} ${f3(c / n)} (${n})`).join(', '));
}

function spb(): void {
  for (const [mode, hints] of MODES) spbOnce(mode, hints);
}

function spbOnce(mode: string, hints: AnalyzeHints): void {
  const path = join(SHARED, 'spb_our_city_appeals_dev.csv');
  if (!existsSync(path)) return void console.log('spb: absent');
  const rows = readCsvObjects(path);
  let ok = 0;
  let detected = 0;
  for (const r of rows) {
    const a = analyzer.analyze(r.text, hints);
    if (a.kind !== 'none' && a.kind !== 'gratitude') detected++;
    if (a.topic === spbTopic(r.category, r.reason)) ok++;
  }
  console.log(`spb ${mode}: ${rows.length} appeals, appeal recall ${f3(detected / rows.length)}, topic ${f3(ok / rows.length)}`);
}

/**
 * What a region gains from its history: `train --from` on 80% of the Kursk appeals (by id), in a temporary DATA_DIR,
 * measured on the other 20% against the shipped model. Nothing is written to the repository.
 */
async function kurskTrain(): Promise<void> {
  const path = join(SHARED, 'kursk_appeals_dev.csv');
  if (!existsSync(path)) return void console.log('kursk-train: absent');
  const rows = readCsvObjects(path);
  const heldOut = (r: Record<string, string>): boolean => fnv1a(r.id) % 5 === 0;
  const dir = mkdtempSync(join(tmpdir(), 'otklik-kursk-'));
  try {
    const trainCsv = join(dir, 'train.csv');
    const q = (v: string): string => `"${v.replace(/"/g, '""')}"`;
    writeFileSync(trainCsv, ['text,topic', ...rows.filter((r) => !heldOut(r)).map((r) => `${q(r.text)},${q(r.topic)}`)].join('\n'));
    const t0 = Date.now();
    await runTrain({ from: trainCsv, modelDir: join(dir, 'models'), progress: false });
    const test = rows.filter(heldOut);
    for (const [name, a] of [['shipped', analyzer], ['after train --from', createAnalyzer('khakassia', { modelDir: join(dir, 'models') })]] as const) {
      let strict = 0;
      let alt = 0;
      for (const r of test) {
        const x = a.analyze(r.text, { addressed: true });
        strict += x.topic === r.topic ? 1 : 0;
        alt += x.topic === r.topic || (!!x.topic && r.topic_alt.split(' ').includes(x.topic)) ? 1 : 0;
      }
      console.log(`kursk held-out 20% (${test.length}), ${name}: topic strict ${f3(strict / test.length)}, with topic_alt ${f3(alt / test.length)}`);
    }
    console.log(`  (trained on ${rows.length - test.length} appeals in ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (only.includes('vk')) vk();
if (only.includes('kursk')) kursk();
if (only.includes('spb')) spb();
if (only.includes('kursk-train')) void kurskTrain();
