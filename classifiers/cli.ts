/** Command implementations for `otklik classify | train | eval` (wired in src/cli.ts). */
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { join, resolve as resolvePath } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { createAnalyzer, DATA_DIR, type AnalyzerOptions } from './index';
import { loadCorpus, readCsvObjects, toTopicCode, trainModels, TRAIN_STEPS, CORRECTION_WEIGHT, type LabeledExample } from './training';
import { evaluate } from './evaluate';
import { TOPICS, type TopicCode } from '../src/domain/types';

/** Reads JSON lines {"id","text"}, writes one result line each; a bad line yields {"id","error"} and the run goes on. */
export async function runClassify(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  region?: string,
  opts: AnalyzerOptions = {},
): Promise<{ lines: number; errors: number }> {
  const analyzer = createAnalyzer(region, opts);
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
      const source = rec.source && typeof rec.source === 'object' ? (rec.source as Record<string, unknown>) : {};
      const a = analyzer.analyze(rec.text, {
        platform: typeof rec.platform === 'string' ? rec.platform : null,
        municipality: typeof source.municipality === 'string' ? source.municipality : null,
        addressed: rec.addressed === true,
      });
      out = {
        id,
        complaint: a.complaint,
        complaintScore: a.complaintScore,
        kind: a.kind,
        topic: a.topic,
        topicScore: a.topicScore,
        municipality: a.municipality,
        priority: a.priority,
        confident: a.confident,
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

/** Options of `otklik train`. */
export interface TrainOptions {
  /** A region's CSV export (control-centre or portal history). */
  from?: string;
  textColumn?: string;
  topicColumn?: string;
  /** YAML mapping the export's own categories to topic codes ("Дороги и тротуары: roads"). */
  map?: string;
  /** Labelled examples beyond the export: the officials' corrections. */
  examples?: LabeledExample[];
  /** Where the region model goes (`DATA_DIR/models`); the shipped models are never overwritten by a region. */
  modelDir?: string;
  /** The team's own rebuild of the shipped models from the corpus alone (classifiers/data/models). */
  shipped?: boolean;
  progress?: boolean;
}

/**
 * A row of the region's own history counts this many times against the team corpus: its categories are the ones its
 * officials route by. Kursk, 80% trained / 20% measured: ×1 0.780, ×2 0.790, ×4 0.798, ×8 0.795 (shipped 0.736).
 */
export const HISTORY_WEIGHT = 4;

/** Reads a category map: a YAML mapping of the export's labels to topic codes (or Russian topic names). */
export function readCategoryMap(path: string): Map<string, TopicCode> {
  const doc = parseYaml(readFileSync(path, 'utf8')) as unknown;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${path}: expected a mapping "category: topic code"`);
  const out = new Map<string, TopicCode>();
  for (const [label, value] of Object.entries(doc as Record<string, unknown>)) {
    const code = toTopicCode(String(value ?? ''));
    if (!code) throw new Error(`${path}: "${label}" maps to "${String(value)}", which is not a topic code (${TOPICS.join(', ')})`);
    out.set(label.trim().toLowerCase(), code);
  }
  return out;
}

/** Rows of a region's CSV export as topic examples; with a map, its own categories become our codes. */
export function exportExamples(opts: Pick<TrainOptions, 'from' | 'textColumn' | 'topicColumn' | 'map'>): LabeledExample[] {
  if (!opts.from) return [];
  const textColumn = opts.textColumn ?? 'text';
  const topicColumn = opts.topicColumn ?? 'topic';
  const rows = readCsvObjects(opts.from);
  if (rows.length > 0 && (!(textColumn in rows[0]) || !(topicColumn in rows[0]))) {
    throw new Error(`${opts.from} has no column "${textColumn}" or "${topicColumn}" (columns: ${Object.keys(rows[0]).join(', ')})`);
  }
  const map = opts.map ? readCategoryMap(opts.map) : null;
  const out: LabeledExample[] = [];
  for (const r of rows) {
    const label = (r[topicColumn] ?? '').trim();
    const topic = map?.get(label.toLowerCase()) ?? toTopicCode(label);
    // Every row of an appeals export is an appeal; its kind is left to the team corpus (a portal's questions are few).
    if (topic && r[textColumn]?.trim()) out.push({ text: r[textColumn], topic });
  }
  if (out.length === 0) {
    throw new Error(`${opts.from}: no row has a topic code${map ? ', a mapped category' : ''} or Russian topic name in column "${topicColumn}"`);
  }
  return out;
}

/**
 * Trains the models. A region's training (its export, its corrections) goes to `modelDir` (DATA_DIR/models), used by
 * `classify` and the pipeline when present; `shipped` rebuilds classifiers/data/models from the team corpus alone.
 */
export async function runTrain(opts: TrainOptions): Promise<{ examples: number; corrections: number; out: string }> {
  const corpus = loadCorpus(join(DATA_DIR, 'corpus'));
  const history = exportExamples(opts);
  const corrections = opts.examples ?? [];
  if (opts.shipped && (history.length > 0 || corrections.length > 0)) {
    throw new Error('the shipped models are learned from the team corpus only: train a region model into DATA_DIR instead');
  }
  if (!opts.shipped && !opts.modelDir) throw new Error('a region model needs a folder (DATA_DIR/models)');
  const bar = !opts.progress ? null : new SingleBar({ format: 'train [{bar}] {value}/{total} epochs', stream: process.stderr }, Presets.shades_classic);
  bar?.start(TRAIN_STEPS, 0);
  // A correction weighs more than a history row: it is a person's word on what the model got wrong.
  const models = trainModels(corpus, [...history.flatMap((h) => Array<LabeledExample>(HISTORY_WEIGHT).fill(h)), ...corrections.flatMap((c) => Array<LabeledExample>(CORRECTION_WEIGHT).fill(c))], (s) => bar?.update(s), {
    heldOut: opts.shipped ? undefined : false,
  });
  bar?.stop();
  const out = resolvePath(opts.shipped ? join(DATA_DIR, 'models') : (opts.modelDir as string));
  mkdirSync(out, { recursive: true });
  for (const [name, model] of [['kind', models.kind], ['topic', models.topic], ['priority', models.priority]] as const) {
    // Written beside, then renamed: a running analysis never reads half a model.
    writeFileSync(join(out, `${name}.json.tmp`), JSON.stringify(model));
    renameSync(join(out, `${name}.json.tmp`), join(out, `${name}.json`));
  }
  return { examples: models.kindExamples + history.length, corrections: corrections.length, out };
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
