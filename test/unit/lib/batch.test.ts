import { batcher } from '../../../src/lib/batch';

describe('batcher', () => {
  it('sends the calls of one moment in one round trip and gives each caller its own result', async () => {
    const trips: number[][] = [];
    const double = batcher(async (xs: number[]) => {
      trips.push(xs);
      return xs.map((x) => x * 2);
    });
    const out = await Promise.all([1, 2, 3, 4].map(double));
    expect(out).toEqual([2, 4, 6, 8]);
    expect(trips).toEqual([[1, 2, 3, 4]]);
  });

  it('under load, calls made during a round trip go together in the next one, never more than maxInFlight at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const trips: number[] = [];
    const slow = batcher(
      async (xs: number[]) => {
        peak = Math.max(peak, ++inFlight);
        trips.push(xs.length);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return xs;
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const first = slow(0);
    await new Promise((r) => setImmediate(r));
    const rest = Array.from({ length: 25 }, (_, i) => slow(i + 1));
    expect(await Promise.all([first, ...rest])).toEqual(Array.from({ length: 26 }, (_, i) => i));
    expect(peak).toBe(1);
    expect(trips).toEqual([1, 10, 10, 5]);
  });

  it('a bad input fails only its own caller: the batch is retried one call at a time', async () => {
    const check = batcher(async (xs: string[]) => {
      if (xs.some((x) => x === 'bad')) throw new Error('invalid input syntax');
      return xs.map((x) => x.toUpperCase());
    });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map(check));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[0]).toMatchObject({ value: 'A' });
    expect(results[1]).toMatchObject({ reason: new Error('invalid input syntax') });
  });

  it('a run that loses results is an error, not a wrong answer', async () => {
    const broken = batcher(async (xs: number[]) => xs.slice(1));
    await expect(Promise.all([broken(1), broken(2)])).rejects.toThrow(/0 results for 1 inputs/);
  });
});
