/** A training worker thread: runs the region's training once and posts its result (src/training/train.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { runTrain } from '../../classifiers/cli';
import type { TrainingExample } from '../db/corrections';

const { examples, modelDir } = workerData as { examples: TrainingExample[]; modelDir: string };
runTrain({ examples, modelDir, progress: false }).then(
  (result) => parentPort?.postMessage({ result }),
  (err: unknown) => parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) }),
);
