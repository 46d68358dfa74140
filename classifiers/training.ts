/** Corpus loading, CSV parsing and model training (used by `otklik train`). Deterministic. */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { TOPICS, TOPIC_NAMES_RU, type TopicCode } from '../src/domain/types';
import { featuresOf, topicFeatures, complaintFeatures } from './features';
import { trainSoftmax, type Example, type LinearModelJson } from './linear-model';
import { prepare } from './text';
import { isHeldOut, type CorpusRecord } from './corpus/split';

/** Reads every classifiers/data/corpus/*.jsonl file (sorted by name), skipping blank lines. */
export function loadCorpus(dir: string): CorpusRecord[] {
  if (!existsSync(dir)) {
    throw new Error(`corpus folder ${dir} does not exist`);
  }
  const out: CorpusRecord[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) {
        return;
      }
      try {
        out.push(JSON.parse(line) as CorpusRecord);
      } catch {
        throw new Error(`${f}:${i + 1}: not a JSON line`);
      }
    });
  }
  return out;
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes) into rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') {
        i++;
      }
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

/** Reads a CSV file as objects keyed by the header row. */
export function readCsvObjects(path: string): Record<string, string>[] {
  const rows = parseCsv(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  const header = rows[0] ?? [];
  return rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** Maps a topic label (our code or its Russian name, any case) to a topic code, or null. */
export function toTopicCode(label: string): TopicCode | null {
  const l = label.trim().toLowerCase();
  for (const t of TOPICS) {
    if (t === l || TOPIC_NAMES_RU[t].toLowerCase() === l) {
      return t;
    }
  }
  return null;
}

/** The trained models and how many examples built them. */
export interface TrainedModels {
  complaint: LinearModelJson;
  topic: LinearModelJson;
  complaintExamples: number;
  topicExamples: number;
}

/** Trains the complaint and topic models on the training split (plus extra topic examples). */
export function trainModels(
  corpus: CorpusRecord[],
  extraTopic: Array<{ text: string; topic: TopicCode }>,
  onStep?: (step: number) => void,
): TrainedModels {
  const train = corpus.filter((r) => !isHeldOut(r.group));
  const complaintEx: Example[] = train.map((r) => ({
    features: complaintFeatures(featuresOf(prepare(r.text))),
    label: r.complaint ? 'complaint' : 'other',
  }));
  const topicEx: Example[] = [
    ...train
      .filter((r) => r.complaint && r.topic && (TOPICS as readonly string[]).includes(r.topic))
      .map((r) => ({ features: topicFeatures(featuresOf(prepare(r.text))), label: r.topic as string })),
    ...extraTopic.map((e) => ({ features: topicFeatures(featuresOf(prepare(e.text))), label: e.topic })),
  ];
  let step = 0;
  const tick = (): void => onStep?.(++step);
  const complaint = trainSoftmax(complaintEx, ['complaint', 'other'], { epochs: 12, seed: 7, onEpoch: tick });
  const topic = trainSoftmax(topicEx, [...TOPICS], { epochs: 12, seed: 11, onEpoch: tick });
  return { complaint, topic, complaintExamples: complaintEx.length, topicExamples: topicEx.length };
}

/** Number of progress steps trainModels reports (epochs of both models). */
export const TRAIN_STEPS = 24;
