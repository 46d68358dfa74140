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

  it('fails the calls of a thread that dies, then answers from its replacement', async () => {
    const [thread] = pool.threads();
    const lost = pool.analyze(TEXTS[0]);
    await new Promise((r) => setImmediate(r)); // sent to the thread
    await thread.terminate();
    await expect(lost).rejects.toThrow(/analysis thread exited/);
    expect(pool.threads()[0]).not.toBe(thread);
    expect(await pool.analyze(TEXTS[2])).toEqual(analyzer.analyze(TEXTS[2]));
  });

  it('with 0 threads, analyses in the calling thread', async () => {
    const here = createTextAnalysis(analyzer, 0, 'khakassia');
    expect(here.threads()).toEqual([]);
    expect(await here.analyze(TEXTS[0])).toEqual(analyzer.analyze(TEXTS[0]));
  });
});
