/** An analysis worker thread: answers each batch of texts with their analyses, in order (src/analysis/pool.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { createAnalyzer, reloadModels, type AnalyzeHints, type AnalyzerOptions } from '../../classifiers';

const { region, opts } = workerData as { region: string; opts?: AnalyzerOptions };
let analyzer = createAnalyzer(region, opts ?? {});
type Request = { id: number; items: { text: string; hints?: AnalyzeHints }[] } | { id: number; reload: true };
parentPort?.on('message', (m: Request) => {
  try {
    if ('reload' in m) {
      // A region model was just trained into the model folder: read it (models are written whole, then renamed).
      reloadModels();
      analyzer = createAnalyzer(region, opts ?? {});
      parentPort?.postMessage({ id: m.id, reloaded: analyzer.models });
      return;
    }
    parentPort?.postMessage({ id: m.id, analyses: m.items.map((x) => analyzer.analyze(x.text, x.hints)) });
  } catch (err) {
    parentPort?.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) });
  }
});
parentPort?.postMessage({ ready: true });
