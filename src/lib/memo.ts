/** Remembers the last `limit` results of a pure one-string function (oldest forgotten first). */
export function memoizeText<T>(fn: (text: string) => T, limit = 20_000): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    let v = cache.get(text);
    if (v !== undefined) return v;
    v = fn(text);
    if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
    cache.set(text, v);
    return v;
  };
}
