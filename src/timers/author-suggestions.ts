/**
 * Name-only author suggestions (issue 4), computed off the hot path by the once-a-minute sweep: the authors
 * created since the last run (a cursor by id) get blocking keys of their display names, are compared with
 * the authors sharing a key, and similar pairs become PENDING suggestions for a person to confirm or reject
 * on the dashboard. Nothing is merged here. Idempotent: keys and pairs are unique, the cursor only moves
 * forward, and one process at a time holds it (others skip the run).
 */
import type { Db } from '../db';
import { compareAuthorNames, nameBlockingKeys, parseAuthorName, type ParsedName } from '../domain/author-names';
import { errorFields } from '../errors';
import type { Logger } from '../log';

export interface AuthorSuggestionOptions {
  /** Authors read per transaction. */
  batchSize: number;
  /** Transactions per run at most (a backlog is worked off over several minutes). */
  maxBatches: number;
  /** Authors younger than this (database clock) wait for the next run: an id may be taken before its row commits. */
  settleSeconds: number;
  /** Candidates per blocking key at most (the newest): a very common name must not fan out. */
  perKey: number;
}

export const AUTHOR_SUGGESTION_DEFAULTS: AuthorSuggestionOptions = { batchSize: 200, maxBatches: 10, settleSeconds: 60, perKey: 50 };
/** Rows written for an author after it was merged are re-pointed for this long after the merge. */
const REPAIR_WINDOW_MS = 24 * 3_600_000;

type Tx = Parameters<Parameters<Db['tx']>[0]>[0];

/** One batch in one transaction; null when another process's sweep holds the cursor. */
async function suggestBatch(tx: Tx, at: Date, o: AuthorSuggestionOptions): Promise<{ authors: number; suggestions: number; more: boolean } | null> {
  const q = tx.authorSuggestions;
  const cursor = await q.lockCursor();
  if (cursor === null) return null;
  const rows = await q.authorsAfter(cursor, o.batchSize, o.settleSeconds);
  const settled = [];
  for (const r of rows) {
    if (!r.settled) break;
    settled.push(r);
  }
  if (settled.length === 0) return { authors: 0, suggestions: 0, more: false };

  const named: { id: string; name: ParsedName; keys: string[] }[] = [];
  for (const r of settled) {
    const name = parseAuthorName(r.displayName);
    if (name) named.push({ id: r.id, name, keys: nameBlockingKeys(name) });
  }
  await q.saveKeys(named.flatMap((n) => n.keys.map((key) => ({ authorId: n.id, key }))));
  const byKey = new Map<string, { authorId: string; displayName: string | null }[]>();
  for (const c of await q.candidates([...new Set(named.flatMap((n) => n.keys))], o.perKey)) {
    byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  }
  const parsed = new Map<string, ParsedName | null>();
  const pairs = new Map<string, { authorA: string; authorB: string; score: number; reason: string }>();
  for (const n of named) {
    for (const c of n.keys.flatMap((k) => byKey.get(k) ?? [])) {
      // Each pair once, from its newer author (older authors' keys are already stored, newer ones come later).
      if (BigInt(c.authorId) >= BigInt(n.id) || pairs.has(`${c.authorId}-${n.id}`)) continue;
      if (!parsed.has(c.authorId)) parsed.set(c.authorId, parseAuthorName(c.displayName));
      const other = parsed.get(c.authorId);
      const match = other ? compareAuthorNames(other, n.name) : null;
      if (match) pairs.set(`${c.authorId}-${n.id}`, { authorA: c.authorId, authorB: n.id, ...match });
    }
  }
  const suggestions = await q.insert([...pairs.values()], at);
  await q.advanceCursor(settled[settled.length - 1].id, at);
  return { authors: settled.length, suggestions, more: settled.length === rows.length && rows.length === o.batchSize };
}

/**
 * Reads new authors and records suggestions; also re-points rows a pipeline job wrote for an author just merged.
 * Never throws (a failure is logged and the next minute tries again). Logs carry counts, never names.
 */
export async function suggestAuthorMatches(
  deps: { db: Db; now: () => Date; log: Logger },
  opts: Partial<AuthorSuggestionOptions> = {},
): Promise<{ authors: number; suggestions: number; repaired: number }> {
  const o = { ...AUTHOR_SUGGESTION_DEFAULTS, ...opts };
  const done = { authors: 0, suggestions: 0, repaired: 0 };
  try {
    for (let i = 0; i < o.maxBatches; i++) {
      const r = await deps.db.tx((tx) => suggestBatch(tx, deps.now(), o));
      if (!r) break;
      done.authors += r.authors;
      done.suggestions += r.suggestions;
      if (!r.more) break;
    }
    done.repaired = await deps.db.authorSuggestions.repairAfterMerges(new Date(deps.now().getTime() - REPAIR_WINDOW_MS));
    if (done.suggestions > 0) deps.log.info('authors.suggested', { authors: done.authors, suggestions: done.suggestions });
    if (done.repaired > 0) deps.log.warn('authors.merge-repaired', { rows: done.repaired });
  } catch (err) {
    deps.log.warn('authors.suggest-failed', errorFields(err));
  }
  return done;
}
