/**
 * Coalesces concurrent calls into one round trip. A call waits at most until the batches already in flight
 * come back: when the line is idle a call goes out at once (alone, or with the calls of the same tick), under
 * load the calls that queued during a round trip go out together in the next one. One statement for fifty
 * jobs costs about what one statement for one job costs; that is where the pipeline's throughput comes from.
 *
 * A failed batch is retried one call at a time, so a single bad input fails only its own caller.
 */
export interface BatchOptions {
  /** Calls per round trip. */
  maxBatch?: number;
  /** Round trips in flight at once (pool connections this batcher may hold). */
  maxInFlight?: number;
}

/** `run` gets the inputs of a batch and returns one result per input, in the same order. */
export function batcher<I, O>(run: (inputs: I[]) => Promise<O[]>, opts: BatchOptions = {}): (input: I) => Promise<O> {
  const maxBatch = opts.maxBatch ?? 100;
  const maxInFlight = opts.maxInFlight ?? 2;
  let queue: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let inFlight = 0;
  let scheduled = false;

  const runChecked = async (inputs: I[]): Promise<O[]> => {
    const out = await run(inputs);
    if (out.length !== inputs.length) throw new Error(`batch returned ${out.length} results for ${inputs.length} inputs`);
    return out;
  };

  const flush = () => {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const calls = queue.slice(0, maxBatch);
      queue = queue.slice(calls.length);
      inFlight++;
      runChecked(calls.map((c) => c.input))
        .then(
          (out) => calls.forEach((c, i) => c.resolve(out[i])),
          async (err) => {
            if (calls.length === 1) return calls[0].reject(err);
            await Promise.all(calls.map((c) => runChecked([c.input]).then((o) => c.resolve(o[0]), c.reject)));
          },
        )
        .finally(() => {
          inFlight--;
          flush();
        });
    }
  };

  return (input: I) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      if (!scheduled && inFlight < maxInFlight) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
