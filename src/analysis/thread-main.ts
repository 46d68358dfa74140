/** An analysis worker thread: answers each batch of texts with their analyses, in order (src/analysis/pool.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { createAnalyzer, type AnalyzeHints } from '../../classifiers';

const analyzer = createAnalyzer((workerData as { region: string }).region);
parentPort?.on('message', ({ id, items }: { id: number; items: { text: string; hints?: AnalyzeHints }[] }) => {
  try {
    parentPort?.postMessage({ id, analyses: items.map((x) => analyzer.analyze(x.text, x.hints)) });
  } catch (err) {
    parentPort?.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
parentPort?.postMessage({ ready: true });
