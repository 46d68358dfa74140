import { createAnalyzer } from '../../../classifiers';
import { createTextAnalysis, type TextAnalysis } from '../../../src/analysis/pool';

const TEXTS = [
  'Третий день нет горячей воды в Черногорске, на Космонавтов 5',
  'Спасибо коммунальщикам, вчера быстро починили трубу',
  'Огромная яма на дороге на Кирова 3 в Саяногорске, пробил колесо',
  'когда уже вывезут мусор с площадки?',
  '',
  '🙂'.repeat(500),
];

describe('text analysis in a worker thread', () => {
  const analyzer = createAnalyzer('khakassia');
  let pool: TextAnalysis;
  beforeAll(() => {
    pool = createTextAnalysis(analyzer, 1, 'khakassia');
  });
  afterAll(async () => pool.close());

  it('gives each concurrent caller the analysis this thread would, hints included', async () => {
    const got = await Promise.all([...TEXTS.map((t) => pool.analyze(t)), pool.analyze('во дворе темно', { municipality: 'sorsk' })]);
    expect(got).toEqual([...TEXTS.map((t) => analyzer.analyze(t)), analyzer.analyze('во дворе темно', { municipality: 'sorsk' })]);
    expect(got[0]).toMatchObject({ complaint: true, municipality: 'chernogorsk' });
  });

  it('loses no call when its thread dies mid-work: the batch is retried on the replacement', async () => {
    const [thread] = pool.threads();
    const texts = Array.from({ length: 2000 }, (_, i) => `${TEXTS[i % 4]} (${i})`);
    const answers = Promise.all(texts.map((t) => pool.analyze(t)));
    await new Promise((r) => setImmediate(r)); // the first batches are with the thread
    await thread.terminate();
    expect(await answers).toEqual(texts.map((t) => analyzer.analyze(t)));
    expect(pool.threads()[0]).not.toBe(thread);
  });

  it('a thread that cannot start fails every call loudly, without a restart loop', async () => {
    const broken = createTextAnalysis(analyzer, 1, 'no-such-region');
    try {
      const [first] = broken.threads();
      const exited = new Promise((r) => first.once('exit', r));
      await expect(broken.analyze(TEXTS[0])).rejects.toThrow(/unknown region "no-such-region"/);
      await exited;
      await expect(broken.analyze(TEXTS[2])).rejects.toThrow(/analysis thread failed to start: unknown region "no-such-region"/);
      expect(broken.threads()[0]).toBe(first);
    } finally {
      await broken.close();
    }
  });

  it('with 0 threads, analyses in the calling thread', async () => {
    const here = createTextAnalysis(analyzer, 0, 'khakassia');
    expect(here.threads()).toEqual([]);
    expect(await here.analyze(TEXTS[0])).toEqual(analyzer.analyze(TEXTS[0]));
  });
});
