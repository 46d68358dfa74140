/**
 * Reference data every routed incident needs (officials, routing rules, municipality names), read once per
 * few seconds instead of once per job. Changes (an import, an official marked away) are seen within `ttlMs`.
 */
import type { Db } from '../db';
import type { MunicipalityRow, Official, RoutingRule } from '../db/officials';

export interface Reference {
  officials: Official[];
  officialsById: Map<string, Official>;
  rules: RoutingRule[];
  municipalities: Map<string, MunicipalityRow>;
}

const cache = new WeakMap<Db, { at: number; value: Promise<Reference> }>();

/** The reference data of `db`, at most `ttlMs` old (by the wall clock: the cache is not domain time). */
export function reference(db: Db, ttlMs = 5000): Promise<Reference> {
  const hit = cache.get(db);
  const t = Date.now();
  if (hit && t - hit.at < ttlMs) return hit.value;
  const value = Promise.all([db.officials.all(), db.officials.rules(), db.officials.municipalities()]).then(
    ([officials, rules, municipalities]) => ({
      officials,
      officialsById: new Map(officials.map((o) => [o.id, o])),
      rules,
      municipalities: new Map(municipalities.map((m) => [m.id, m])),
    }),
  );
  cache.set(db, { at: t, value });
  value.catch(() => cache.delete(db));
  return value;
}
