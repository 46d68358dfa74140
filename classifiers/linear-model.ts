/** A sparse multinomial logistic-regression model: trained by seeded SGD, stored as JSON. */

/** The JSON form of a trained model, as saved in classifiers/data/models/. */
export interface LinearModelJson {
  kind: 'softmax';
  classes: string[];
  bias: number[];
  weights: Record<string, number[]>;
  meta: Record<string, unknown>;
}

/** One training example: its feature names and its class. */
export interface Example {
  features: string[];
  label: string;
}

/** Training options; the same options and examples always give the same model. */
export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
  minCount?: number;
  seed?: number;
  onEpoch?: (epoch: number) => void;
}

/** mulberry32: a small seeded PRNG, so training is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Trains a softmax model; deterministic for given examples and options. */
export function trainSoftmax(examples: Example[], classes: string[], opts: TrainOptions = {}): LinearModelJson {
  const epochs = opts.epochs ?? 12;
  const lr0 = opts.learningRate ?? 0.3;
  const l2 = opts.l2 ?? 1e-5;
  const minCount = opts.minCount ?? 2;
  const rand = seededRandom(opts.seed ?? 42);
  const counts = new Map<string, number>();
  for (const ex of examples) {
    for (const f of new Set(ex.features)) {
      counts.set(f, (counts.get(f) ?? 0) + 1);
    }
  }
  const vocab = new Map<string, number>();
  for (const [f, c] of [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (c >= minCount) {
      vocab.set(f, vocab.size);
    }
  }
  const k = classes.length;
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const W = new Float64Array(vocab.size * k);
  const b = new Float64Array(k);
  const data = examples
    .filter((ex) => classIndex.has(ex.label))
    .map((ex) => ({
      x: [...new Set(ex.features)].map((f) => vocab.get(f)).filter((i): i is number => i !== undefined),
      y: classIndex.get(ex.label) as number,
    }));
  const order = data.map((_, i) => i);
  const p = new Float64Array(k);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const lr = lr0 / (1 + epoch * 0.5);
    for (const idx of order) {
      const { x, y } = data[idx];
      const scale = x.length > 0 ? 1 / Math.sqrt(x.length) : 1;
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        let s = b[c];
        for (const f of x) {
          s += W[f * k + c] * scale;
        }
        p[c] = s;
        if (s > max) {
          max = s;
        }
      }
      let z = 0;
      for (let c = 0; c < k; c++) {
        p[c] = Math.exp(p[c] - max);
        z += p[c];
      }
      for (let c = 0; c < k; c++) {
        const g = p[c] / z - (c === y ? 1 : 0);
        b[c] -= lr * g * 0.1;
        for (const f of x) {
          const wi = f * k + c;
          W[wi] -= lr * (g * scale + l2 * W[wi]);
        }
      }
    }
    opts.onEpoch?.(epoch + 1);
  }
  const weights: Record<string, number[]> = {};
  for (const [f, i] of vocab) {
    const row = Array.from(W.subarray(i * k, i * k + k), (v) => Math.round(v * 1e4) / 1e4);
    if (row.some((v) => v !== 0)) {
      weights[f] = row;
    }
  }
  return {
    kind: 'softmax',
    classes,
    bias: Array.from(b, (v) => Math.round(v * 1e4) / 1e4),
    weights,
    meta: { epochs, learningRate: lr0, l2, minCount, seed: opts.seed ?? 42, examples: data.length, features: vocab.size },
  };
}

/** A loaded model ready for prediction. */
export class LinearModel {
  private readonly weights: Map<string, number[]>;

  constructor(readonly json: LinearModelJson) {
    this.weights = new Map(Object.entries(json.weights));
  }

  get classes(): string[] {
    return this.json.classes;
  }

  /** Class probabilities and, per class, the features that pushed most towards it. */
  predict(features: string[]): { probs: number[]; best: number; top: (c: number, n: number) => string[] } {
    const k = this.json.classes.length;
    const uniq = [...new Set(features)];
    const known: Array<[string, number[]]> = [];
    for (const f of uniq) {
      const w = this.weights.get(f);
      if (w) {
        known.push([f, w]);
      }
    }
    const scale = uniq.length > 0 ? 1 / Math.sqrt(uniq.length) : 1;
    const s = this.json.bias.slice();
    for (const [, w] of known) {
      for (let c = 0; c < k; c++) {
        s[c] += w[c] * scale;
      }
    }
    const max = Math.max(...s);
    const e = s.map((v) => Math.exp(v - max));
    const z = e.reduce((a, v) => a + v, 0);
    const probs = e.map((v) => v / z);
    let best = 0;
    for (let c = 1; c < k; c++) {
      if (probs[c] > probs[best]) {
        best = c;
      }
    }
    const top = (c: number, n: number): string[] =>
      known
        .map(([f, w]) => [f, w[c] - (w.reduce((a, v) => a + v, 0) - w[c]) / Math.max(1, k - 1)] as [string, number])
        .filter(([, v]) => v > 0)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, n)
        .map(([f]) => f);
    return { probs, best, top };
  }
}
