/**
 * Measures the shipped analysis on text nobody on the team wrote: ../shared/data (when present) and the blind sets.
 * Reads the shared files in place; never copies them. Run: npx tsx scripts/eval-external.ts [--only vk,kursk,spb,blind]
 */
import { existsSync } from 'node:fs';
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

if (only.includes('vk')) vk();
if (only.includes('kursk')) kursk();
if (only.includes('spb')) spb();
