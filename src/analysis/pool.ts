/**
 * Text analysis for the pipeline, in worker threads (ANALYSIS_THREADS) or in the calling thread (0). The analysis
 * is the pipeline's largest piece of pure computation (~0.15 ms a text); in a thread of its own it leaves the
 * pipeline's event loop to the database and queue work, and uses a second core. Concurrent calls go to a thread
 * together (src/lib/batch.ts). A thread that dies fails its batch (retried call by call, on its replacement);
 * one that dies before it is ready (a broken install) is not restarted, and every call fails with its error.
 */
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { createAnalyzer, reloadModels, type Analysis, type AnalyzeHints, type Analyzer, type AnalyzerOptions } from '../../classifiers';
import { batcher } from '../lib/batch';

export interface TextAnalysis {
  analyze(text: string, hints?: AnalyzeHints): Promise<Analysis>;
  /** The worker threads running now (none with 0 threads): what a test terminates to see one replaced. */
  threads(): Worker[];
  /**
   * Reads the models again (a region model just trained into the model folder): every thread builds its analyzer
   * anew, between batches; resolves when all have, with where each now reads its models from (a folder, or
   * 'shipped'). What was being analysed finishes with the old models.
   */
  reload(): Promise<string[]>;
  close(): Promise<void>;
}

type Item = { text: string; hints?: AnalyzeHints };
type Reply = { id: number; analyses?: Analysis[]; reloaded?: string; error?: string };

/** One worker thread with its analyzer; `run` sends a batch and resolves with its analyses. */
class AnalysisThread {
  worker: Worker;
  private readonly pending = new Map<number, { resolve: (a: Analysis[]) => void; reject: (e: Error) => void }>();
  private readonly reloads = new Map<number, { resolve: (models: string) => void; reject: (e: Error) => void }>();
  private next = 0;
  private closing = false;
  /** Set when a thread dies before it is ready (a broken install): no restart loop, every call fails loudly. */
  private broken: Error | null = null;
  busy = 0;

  constructor(
    private readonly region: string,
    private readonly opts: AnalyzerOptions,
  ) {
    this.worker = this.start();
  }

  private start(): Worker {
    const w = new Worker(path.join(__dirname, 'thread.js'), { workerData: { region: this.region, opts: this.opts } });
    let ready = false;
    w.on('message', (m: Reply | { ready: true }) => {
      if (!('id' in m)) {
        ready = true;
        return;
      }
      const r = this.reloads.get(m.id);
      if (r) {
        this.reloads.delete(m.id);
        if (m.reloaded) r.resolve(m.reloaded);
        else r.reject(new Error(`analysis thread: ${m.error}`));
        return;
      }
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.analyses) p?.resolve(m.analyses);
      else p?.reject(new Error(`analysis thread: ${m.error}`));
    });
    const fail = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      // A thread that restarts reads the models afresh anyway.
      for (const r of this.reloads.values()) r.resolve('restarted');
      this.reloads.clear();
    };
    let crash: Error | null = null;
    w.on('error', (err) => fail((crash = err)));
    w.on('exit', (code) => {
      fail(new Error(`analysis thread exited (${code})`));
      if (this.closing) return;
      if (ready) this.worker = this.start();
      else this.broken = new Error(`analysis thread failed to start: ${crash?.message ?? `exit code ${code}`}`);
    });
    w.unref();
    return w;
  }

  run(items: Item[]): Promise<Analysis[]> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.next++;
    this.busy++;
    return new Promise<Analysis[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, items });
    }).finally(() => this.busy--);
  }

  reload(): Promise<string> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.next++;
    return new Promise<string>((resolve, reject) => {
      this.reloads.set(id, { resolve, reject });
      this.worker.postMessage({ id, reload: true });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}

/**
 * `threads` worker threads (each loads the region's analyzer with `opts`: the region's model folder, the triage
 * threshold), or the given analyzer in this thread when 0 (replaced by a new one on reload).
 */
export function createTextAnalysis(analyzer: Analyzer, threads: number, region: string, opts: AnalyzerOptions = {}): TextAnalysis {
  if (threads <= 0) {
    let current = analyzer;
    return {
      analyze: async (text, hints) => current.analyze(text, hints),
      threads: () => [],
      reload: async () => {
        reloadModels();
        current = createAnalyzer(region, opts);
        return [current.models];
      },
      close: async () => undefined,
    };
  }
  const pool = Array.from({ length: threads }, () => new AnalysisThread(region, opts));
  const run = batcher((items: Item[]) => pool.reduce((a, b) => (b.busy < a.busy ? b : a)).run(items), { maxBatch: 100, maxInFlight: threads * 2 });
  return {
    analyze: (text, hints) => run({ text, hints }),
    threads: () => pool.map((t) => t.worker),
    reload: () => Promise.all(pool.map((t) => t.reload())),
    close: async () => {
      await Promise.all(pool.map((t) => t.close()));
    },
  };
}
