/**
 * The region's model from the officials' corrections: `npx otklik train` and the nightly schedule both run the
 * same training (classifiers/cli.ts runTrain) into `DATA_DIR/models`, with the corrections stored in the database
 * as extra labelled examples. The schedule trains in a worker thread (a minute of pure computation must not stall
 * the pipeline's jobs), then the running analysis reads the new model (TextAnalysis.reload).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { runTrain } from '../../classifiers/cli';
import type { TextAnalysis } from '../analysis/pool';
import { modelDirOf, type Config } from '../config';
import { openDb, type Db } from '../db';
import type { TrainingExample } from '../db/corrections';
import type { Logger } from '../log';

export type TrainResult = Awaited<ReturnType<typeof runTrain>>;

/** Opens the database of the configuration, reads the corrections as training examples, and closes it. */
export async function loadTrainingCorrections(cfg: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): Promise<TrainingExample[]> {
  const db = await openDb({ url: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR });
  try {
    return await db.corrections.trainingExamples();
  } finally {
    await db.close();
  }
}

/** Runs runTrain in a worker thread (src/training/thread.js) and resolves with its result. */
export function trainInThread(opts: { examples: TrainingExample[]; modelDir: string }): Promise<TrainResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(__dirname, 'thread.js'), { workerData: opts });
    let settled = false;
    w.once('message', (m: { result?: TrainResult; error?: string }) => {
      settled = true;
      if (m.result) resolve(m.result);
      else reject(new Error(`training thread: ${m.error}`));
    });
    w.once('error', (err) => {
      settled = true;
      reject(err);
    });
    w.once('exit', (code) => {
      if (!settled) reject(new Error(`training thread exited (${code})`));
    });
  });
}

export interface RegionTrainingDeps {
  cfg: Pick<Config, 'DATA_DIR'>;
  db: Db;
  analysis: TextAnalysis;
  log: Logger;
}

/**
 * Trains the region model from the stored corrections into `DATA_DIR/models`, then makes the running analysis use
 * it (`models`: where each analysis thread now reads them from). Null when there is no model folder (in memory).
 */
export async function trainRegionModel(deps: RegionTrainingDeps): Promise<(TrainResult & { models: string[] }) | null> {
  const modelDir = modelDirOf(deps.cfg);
  if (!modelDir) return null;
  const t0 = Date.now();
  const examples = await deps.db.corrections.trainingExamples();
  const result = await trainInThread({ examples, modelDir });
  const models = await deps.analysis.reload();
  deps.log.info('training.done', { corrections: examples.length, examples: result.examples, ms: Date.now() - t0, models });
  return { ...result, models };
}
