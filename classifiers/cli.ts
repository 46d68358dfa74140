/** Command implementations for `otklik classify | train | eval` (wired in src/cli.ts). */
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { createAnalyzer, DATA_DIR } from './index';
import { loadCorpus, readCsvObjects, toTopicCode, trainModels, TRAIN_STEPS } from './training';
import { evaluate } from './evaluate';
import type { TopicCode } from '../src/domain/types';

/** Reads JSON lines {"id","text"}, writes one result line each; a bad line yields {"id","error"} and the run goes on. */
export async function runClassify(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  region?: string,
): Promise<{ lines: number; errors: number }> {
  const analyzer = createAnalyzer(region);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lines = 0;
  let errors = 0;
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) {
      continue;
    }
    lines++;
    let id: unknown = null;
    let out: Record<string, unknown>;
    try {
      const obj = JSON.parse(line) as unknown;
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
        throw new Error('line is not a JSON object');
      }
      const rec = obj as Record<string, unknown>;
      id = rec.id ?? null;
      if (typeof rec.text !== 'string') {
        throw new Error('"text" must be a string');
      }
      const a = analyzer.analyze(rec.text);
      out = {
        id,
        complaint: a.complaint,
        complaintScore: a.complaintScore,
        topic: a.topic,
        topicScore: a.topicScore,
        municipality: a.municipality,
        priority: a.priority,
      };
    } catch (err) {
      errors++;
      out = { id, error: err instanceof Error ? err.message : String(err) };
    }
    if (!output.write(JSON.stringify(out) + '\n')) {
      await new Promise<void>((r) => output.once('drain', () => r()));
    }
  }
  return { lines, errors };
}

/** Rebuilds classifiers/data/models/*.json from the team corpus (and optionally a region's CSV export). */
export async function runTrain(opts: {
  from?: string;
  textColumn?: string;
  topicColumn?: string;
  out?: string;
  progress?: boolean;
}): Promise<{ examples: number; out: string }> {
  const corpus = loadCorpus(join(DATA_DIR, 'corpus'));
  const extra: Array<{ text: string; topic: TopicCode }> = [];
  if (opts.from) {
    const textColumn = opts.textColumn ?? 'text';
    const topicColumn = opts.topicColumn ?? 'topic';
    const rows = readCsvObjects(opts.from);
    if (rows.length > 0 && (!(textColumn in rows[0]) || !(topicColumn in rows[0]))) {
      throw new Error(`${opts.from} has no column "${textColumn}" or "${topicColumn}" (columns: ${Object.keys(rows[0]).join(', ')})`);
    }
    for (const r of rows) {
      const topic = toTopicCode(r[topicColumn] ?? '');
      if (topic && r[textColumn]?.trim()) {
        extra.push({ text: r[textColumn], topic });
      }
    }
    if (extra.length === 0) {
      throw new Error(`${opts.from}: no row has a topic code or Russian topic name in column "${topicColumn}"`);
    }
  }
  const bar = opts.progress === false ? null : new SingleBar({ format: 'train [{bar}] {value}/{total} epochs', stream: process.stderr }, Presets.shades_classic);
  bar?.start(TRAIN_STEPS, 0);
  const models = trainModels(corpus, extra, (s) => bar?.update(s));
  bar?.stop();
  const out = resolvePath(opts.out ?? join(DATA_DIR, 'models'));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'complaint.json'), JSON.stringify(models.complaint));
  writeFileSync(join(out, 'topic.json'), JSON.stringify(models.topic));
  return { examples: models.complaintExamples + extra.length, out };
}

/** Default location of the external SPb check set, relative to the repository (absent on most machines). */
export const SPB_DEFAULT = join(__dirname, '..', '..', 'shared', 'data', 'spb_our_city_appeals_dev.csv');

/** Printable evaluation: held-out split of the team corpus, and the SPb portal set when present. */
export async function runEval(opts: { region?: string; data?: string }): Promise<string> {
  if (opts.data && isJsonl(opts.data)) {
    return evaluate({ region: opts.region, data: opts.data });
  }
  const spb = opts.data ?? (existsSync(SPB_DEFAULT) ? SPB_DEFAULT : undefined);
  return evaluate({ region: opts.region, spbCsv: spb });
}

/** A labeled JSONL file (by extension, or a first non-blank line that is a JSON object) rather than a portal CSV. */
function isJsonl(path: string): boolean {
  if (/\.(jsonl|ndjson)$/i.test(path)) {
    return true;
  }
  if (!existsSync(path)) {
    return false;
  }
  const first = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split('\n').find((l) => l.trim());
  return !!first && first.trim().startsWith('{');
}
