/**
 * Name-only author suggestions (issue 4): blocking keys of display names, suggested pairs, and the merge a
 * person confirms. Nothing here merges on its own: `confirm` is called only from a person's decision.
 */
import { RESONANT_AUTHORS } from '../domain/types';
import type { Sql } from './sql';

/** Merges, and the sweep that writes keys and suggestions, take this lock: one at a time, never interleaved. */
const MERGE_LOCK = 7_304_553;

export type SuggestionStatus = 'pending' | 'confirmed' | 'rejected';

/** One side of a suggestion, with what a person needs to decide. */
export interface SuggestedAuthor {
  id: string;
  displayName: string | null;
  /** The author's platform accounts (a merged author has several). */
  accounts: { platform: string; profileUrl: string | null }[];
  messages: number;
  incidents: number;
}

/** A pair of authors that may be one person; `a` has the lower id and is the one kept by a merge. */
export interface AuthorSuggestion {
  id: string;
  a: SuggestedAuthor;
  b: SuggestedAuthor;
  score: number;
  reason: string;
  status: SuggestionStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  createdAt: Date;
}

export type ConfirmResult =
  | { kind: 'merged'; keptAuthorId: string; mergedAuthorId: string; identities: number; messages: number; incidents: number }
  | { kind: 'already-decided'; status: SuggestionStatus }
  | { kind: 'not-found' };

export type RejectResult = { kind: 'rejected' } | { kind: 'already-decided'; status: SuggestionStatus } | { kind: 'not-found' };

type Row = Record<string, unknown>;
const side = (r: Row, p: 'a' | 'b'): SuggestedAuthor => ({
  id: r[`${p}_id`] as string,
  displayName: (r[`${p}_name`] as string) ?? null,
  accounts: ((r[`${p}_accounts`] as { platform: string; url: string | null }[] | null) ?? []).map((x) => ({ platform: x.platform, profileUrl: x.url ?? null })),
  messages: r[`${p}_messages`] as number,
  incidents: r[`${p}_incidents`] as number,
});
const toSuggestion = (r: Row): AuthorSuggestion => ({
  id: r.id as string,
  a: side(r, 'a'),
  b: side(r, 'b'),
  score: Math.round(Number(r.score) * 1000) / 1000,
  reason: r.reason as string,
  status: r.status as SuggestionStatus,
  decidedBy: (r.decided_by as string) ?? null,
  decidedAt: (r.decided_at as Date) ?? null,
  createdAt: r.created_at as Date,
});

const SIDE = (p: 'a' | 'b') => `
  s.author_${p}::text AS ${p}_id, ${p}.display_name AS ${p}_name,
  (SELECT coalesce(json_agg(json_build_object('platform', i.platform, 'url', i.profile_url) ORDER BY i.platform, i.created_at), '[]'::json)
     FROM author_identities i WHERE i.author_id = s.author_${p} AND i.kind = 'account') AS ${p}_accounts,
  (SELECT count(*)::int FROM messages m WHERE m.author_id = s.author_${p}) AS ${p}_messages,
  (SELECT count(*)::int FROM incidents x WHERE x.author_id = s.author_${p}) AS ${p}_incidents`;
const SELECT = `SELECT s.id::text, s.score, s.reason, s.status, s.decided_by, s.decided_at, s.created_at, ${SIDE('a')}, ${SIDE('b')}
  FROM author_suggestions s JOIN authors a ON a.id = s.author_a JOIN authors b ON b.id = s.author_b`;

/** Queries on author_name_keys, author_suggestions and author_suggestion_cursor. */
export const authorSuggestionQueries = (sql: Sql) => ({
  /**
   * Inside a transaction: the sweep's cursor (the last author id read), locked for this transaction, and the
   * merge lock; null when another process's sweep holds the cursor right now.
   */
  async lockCursor(): Promise<string | null> {
    const r = await sql.query<{ last: string }>('SELECT last_author_id::text AS last FROM author_suggestion_cursor FOR UPDATE SKIP LOCKED');
    if (!r.rows[0]) return null;
    await sql.query('SELECT pg_advisory_xact_lock($1)', [MERGE_LOCK]);
    return r.rows[0].last;
  },

  /** Moves the cursor forward (never back). */
  async advanceCursor(lastAuthorId: string, at: Date): Promise<void> {
    await sql.query('UPDATE author_suggestion_cursor SET last_author_id = greatest(last_author_id, $1::bigint), updated_at = $2', [lastAuthorId, at]);
  },

  /**
   * Authors after the cursor in id order, with their display names; `settled` is false for one created less
   * than `settleSeconds` ago by the database clock (an id is taken before its row commits, so the sweep stops
   * at the first unsettled author rather than skip past an id whose row is still in flight).
   */
  async authorsAfter(afterId: string, limit: number, settleSeconds: number): Promise<{ id: string; displayName: string | null; settled: boolean }[]> {
    const r = await sql.query<Row>(
      `SELECT id::text, display_name, created_at <= now() - make_interval(secs => $3) AS settled
       FROM authors WHERE id > $1::bigint ORDER BY id LIMIT $2`,
      [afterId, limit, settleSeconds],
    );
    return r.rows.map((x) => ({ id: x.id as string, displayName: (x.display_name as string) ?? null, settled: x.settled as boolean }));
  },

  /** Records blocking keys of authors (idempotent). */
  async saveKeys(rows: { authorId: string; key: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await sql.query(
      `INSERT INTO author_name_keys (key, author_id)
       SELECT k, a FROM unnest($1::text[], $2::bigint[]) AS t(k, a) ON CONFLICT DO NOTHING`,
      [rows.map((r) => r.key), rows.map((r) => r.authorId)],
    );
  },

  /** Live (not merged) authors holding any of the keys: at most `perKey` of each key, the newest (a backward index scan each). */
  async candidates(keys: string[], perKey: number): Promise<{ key: string; authorId: string; displayName: string | null }[]> {
    if (keys.length === 0) return [];
    const r = await sql.query<Row>(
      `SELECT k.key, x.author_id::text, a.display_name
       FROM unnest($1::text[]) AS k(key)
       CROSS JOIN LATERAL (SELECT author_id FROM author_name_keys n WHERE n.key = k.key ORDER BY author_id DESC LIMIT $2) x
       JOIN authors a ON a.id = x.author_id
       WHERE a.merged_into IS NULL`,
      [keys, perKey],
    );
    return r.rows.map((x) => ({ key: x.key as string, authorId: x.author_id as string, displayName: (x.display_name as string) ?? null }));
  },

  /** Inserts suggestions for pairs never suggested before (in any status); returns how many are new. */
  async insert(rows: { authorA: string; authorB: string; score: number; reason: string }[], at: Date): Promise<number> {
    if (rows.length === 0) return 0;
    const r = await sql.query(
      `INSERT INTO author_suggestions (author_a, author_b, score, reason, created_at)
       SELECT least(a, b), greatest(a, b), s, r, $5 FROM unnest($1::bigint[], $2::bigint[], $3::real[], $4::text[]) AS t(a, b, s, r)
       WHERE a <> b
       ON CONFLICT (author_a, author_b) DO NOTHING RETURNING id`,
      [rows.map((x) => x.authorA), rows.map((x) => x.authorB), rows.map((x) => x.score), rows.map((x) => x.reason), at],
    );
    return r.rows.length;
  },

  /** Pending suggestions, the most similar first, with the total. */
  async pending(o: { limit: number; offset: number }): Promise<{ items: AuthorSuggestion[]; total: number }> {
    const [items, total] = await Promise.all([
      sql.query<Row>(`${SELECT} WHERE s.status = 'pending' ORDER BY s.score DESC, s.id LIMIT $1 OFFSET $2`, [o.limit, o.offset]),
      sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM author_suggestions WHERE status = 'pending'`),
    ]);
    return { items: items.rows.map(toSuggestion), total: total.rows[0].n };
  },

  /** One suggestion in any status, or null. */
  async get(id: string): Promise<AuthorSuggestion | null> {
    const r = await sql.query<Row>(`${SELECT} WHERE s.id = $1`, [id]);
    return r.rows[0] ? toSuggestion(r.rows[0]) : null;
  },

  /** Suggestions between two authors' pairs in any status (tests and the audit). */
  async between(authorX: string, authorY: string): Promise<AuthorSuggestion | null> {
    const r = await sql.query<Row>(`${SELECT} WHERE s.author_a = least($1::bigint, $2::bigint) AND s.author_b = greatest($1::bigint, $2::bigint)`, [authorX, authorY]);
    return r.rows[0] ? toSuggestion(r.rows[0]) : null;
  },

  /** "Разные люди": the pair stays rejected and is never suggested again. Only a pending suggestion changes. */
  async reject(id: string, decidedBy: string, at: Date): Promise<RejectResult> {
    const r = await sql.query<{ status: SuggestionStatus; changed: boolean }>(
      `WITH u AS (UPDATE author_suggestions SET status = 'rejected', decided_by = $2, decided_at = $3
                  WHERE id = $1 AND status = 'pending' RETURNING id)
       SELECT s.status, EXISTS (SELECT 1 FROM u) AS changed FROM author_suggestions s WHERE s.id = $1`,
      [id, decidedBy, at],
    );
    const x = r.rows[0];
    if (!x) return { kind: 'not-found' };
    return x.changed ? { kind: 'rejected' } : { kind: 'already-decided', status: x.status };
  },

  /**
   * "Это один человек": in one transaction, re-points the second author's accounts and contacts, messages and
   * incidents to the first, recounts the authors of the incidents touched, leaves the second as a tombstone
   * (merged_into), carries its other suggestions over to the first (a rejected pair stays rejected) and marks
   * this one confirmed. Only a pending suggestion merges: confirming twice changes nothing the second time.
   */
  async confirm(id: string, decidedBy: string, at: Date): Promise<ConfirmResult> {
    return sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MERGE_LOCK]);
      const found = await tx.query<{ a: string; b: string; status: SuggestionStatus; root_a: string; root_b: string }>(
        `SELECT s.author_a::text AS a, s.author_b::text AS b, s.status,
                coalesce(a.merged_into, a.id)::text AS root_a, coalesce(b.merged_into, b.id)::text AS root_b
         FROM author_suggestions s JOIN authors a ON a.id = s.author_a JOIN authors b ON b.id = s.author_b
         WHERE s.id = $1 FOR UPDATE OF s`,
        [id],
      );
      const s = found.rows[0];
      if (!s) return { kind: 'not-found' };
      if (s.status !== 'pending') return { kind: 'already-decided', status: s.status };
      const [keep, gone] = BigInt(s.root_a) <= BigInt(s.root_b) ? [s.root_a, s.root_b] : [s.root_b, s.root_a];
      let moved = { identities: 0, messages: 0, incidents: 0 };
      if (keep !== gone) {
        const r = await tx.query<{ identities: number; messages: number; incidents: number; touched: string[] | null }>(
          `WITH ids AS (UPDATE author_identities SET author_id = $1 WHERE author_id = $2 RETURNING 1),
             msgs AS (UPDATE messages SET author_id = $1 WHERE author_id = $2 RETURNING incident_id),
             incs AS (UPDATE incidents SET author_id = $1 WHERE author_id = $2 RETURNING id),
             keys AS (INSERT INTO author_name_keys (key, author_id) SELECT key, $1 FROM author_name_keys WHERE author_id = $2
                      ON CONFLICT DO NOTHING RETURNING 1),
             dropped AS (DELETE FROM author_name_keys WHERE author_id = $2 RETURNING 1),
             tomb AS (UPDATE authors SET merged_into = $1, merged_at = $3 WHERE id = $2 OR merged_into = $2 RETURNING 1)
           SELECT (SELECT count(*)::int FROM ids) AS identities, (SELECT count(*)::int FROM msgs) AS messages,
                  (SELECT count(*)::int FROM incs) AS incidents,
                  (SELECT array_agg(DISTINCT x)::text[] FROM (SELECT incident_id AS x FROM msgs WHERE incident_id IS NOT NULL
                                                              UNION SELECT id FROM incs) u) AS touched`,
          [keep, gone, at],
        );
        const x = r.rows[0];
        moved = { identities: x.identities, messages: x.messages, incidents: x.incidents };
        // The incidents' author counts, now that two of their authors are one person: a "mass" complaint of
        // three accounts of which two are one person is no longer resonant (a priority already given stays).
        if (x.touched?.length) {
          await tx.query(
            `UPDATE incidents i SET authors_count = c.n, resonant = c.n >= $2
             FROM (SELECT im.incident_id, count(DISTINCT m.author_id)::int AS n
                   FROM incident_messages im JOIN messages m ON m.id = im.message_id
                   WHERE im.incident_id = ANY($1::bigint[]) GROUP BY im.incident_id) c
             WHERE i.id = c.incident_id AND i.authors_count <> c.n`,
            [x.touched, RESONANT_AUTHORS],
          );
        }
        // The second author's other suggestions become the first's: pending stay pending, rejected stay rejected.
        await tx.query(
          `INSERT INTO author_suggestions AS s (author_a, author_b, score, reason, status, decided_by, decided_at, created_at)
           SELECT least(o.other, $1::bigint), greatest(o.other, $1::bigint), o.score, o.reason, o.status, o.decided_by, o.decided_at, o.created_at
           FROM (SELECT CASE WHEN author_a = $2 THEN author_b ELSE author_a END AS other, score, reason, status, decided_by, decided_at, created_at
                 FROM author_suggestions WHERE (author_a = $2 OR author_b = $2) AND id <> $3 AND status IN ('pending', 'rejected')) o
           WHERE o.other <> $1
           ON CONFLICT (author_a, author_b) DO UPDATE SET status = 'rejected', decided_by = excluded.decided_by, decided_at = excluded.decided_at
             WHERE s.status = 'pending' AND excluded.status = 'rejected'`,
          [keep, gone, id],
        );
        await tx.query(`DELETE FROM author_suggestions WHERE (author_a = $1 OR author_b = $1) AND status = 'pending' AND id <> $2`, [gone, id]);
      }
      await tx.query(`UPDATE author_suggestions SET status = 'confirmed', decided_by = $2, decided_at = $3 WHERE id = $1`, [id, decidedBy, at]);
      return { kind: 'merged', keptAuthorId: keep, mergedAuthorId: gone, ...moved };
    });
  },

  /**
   * Rows written for a merged author after its merge (a pipeline job resolved the author just before the merge
   * committed): re-pointed to the author it was merged into. Looks at authors merged since `since` only.
   * Returns how many rows moved; nothing when a merge or another repair holds the lock.
   */
  async repairAfterMerges(since: Date): Promise<number> {
    return sql.transaction(async (tx) => {
      const locked = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [MERGE_LOCK]);
      if (!locked.rows[0]?.ok) return 0;
      const r = await tx.query<{ n: number }>(
        `WITH gone AS (SELECT id, merged_into FROM authors WHERE merged_into IS NOT NULL AND merged_at >= $1),
           m AS (UPDATE messages x SET author_id = g.merged_into FROM gone g WHERE x.author_id = g.id RETURNING 1),
           i AS (UPDATE incidents x SET author_id = g.merged_into FROM gone g WHERE x.author_id = g.id RETURNING 1),
           ai AS (UPDATE author_identities x SET author_id = g.merged_into FROM gone g WHERE x.author_id = g.id RETURNING 1)
         SELECT (SELECT count(*)::int FROM m) + (SELECT count(*)::int FROM i) + (SELECT count(*)::int FROM ai) AS n`,
        [since],
      );
      return r.rows[0].n;
    });
  },
});
