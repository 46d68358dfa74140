/** Authors: one person behind several platform accounts and hashed contacts. */
import { batcher } from '../lib/batch';
import type { Sql } from './sql';

/** Who wrote a message, as its platform and the public comment form describe them. */
export interface AuthorAsk {
  platform: string;
  platformId: string;
  displayName: string | null;
  profileUrl: string | null;
  contactHash: string | null;
}

/**
 * Splits asks into the first ask of each account and contact, and the asks that repeat one of those: a repeat
 * must see what the first one linked, so it goes in a later round.
 */
function firstOfEach(asks: { i: number; a: AuthorAsk }[]): [typeof asks, typeof asks] {
  const seen = new Set<string>();
  const first: typeof asks = [];
  const later: typeof asks = [];
  for (const x of asks) {
    const keys = [`a\u0001${x.a.platform}\u0001${x.a.platformId}`, ...(x.a.contactHash ? [`c\u0001${x.a.contactHash}`] : [])];
    (keys.some((k) => seen.has(k)) ? later : first).push(x);
    for (const k of keys) seen.add(k);
  }
  return [first, later];
}

/** Queries on `authors` and `author_identities`. */
export const authorQueries = (sql: Sql) => {
  /** Who is behind each ask's account and contact now. */
  const known = async (asks: AuthorAsk[]) => {
    const r = await sql.query<{ ord: string; kind: string; author_id: string }>(
      `WITH ask AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS a(platform, key, contact, ord))
       SELECT a.ord::text, 'account' AS kind, i.author_id::text FROM ask a
         JOIN author_identities i ON i.kind = 'account' AND i.platform = a.platform AND i.key = a.key
       UNION ALL
       SELECT a.ord::text, 'contact', i.author_id::text FROM ask a
         JOIN author_identities i ON i.kind = 'contact' AND i.platform = '*' AND i.key = a.contact`,
      [asks.map((a) => a.platform), asks.map((a) => a.platformId), asks.map((a) => a.contactHash)],
    );
    const out = asks.map(() => ({ byAccount: null as string | null, byContact: null as string | null }));
    for (const x of r.rows) out[Number(x.ord) - 1][x.kind === 'account' ? 'byAccount' : 'byContact'] = x.author_id;
    return out;
  };

  /**
   * Links what is missing (no two asks share an account or a contact): the account and contact to the author we
   * know, or to a new one. Whoever linked an identity first wins, so a concurrent twin in another process ends
   * up with the same author. The account's author for each ask, or null when another process linked it first.
   */
  const link = async (asks: (AuthorAsk & { known: string | null })[]): Promise<(string | null)[]> => {
    const r = await sql.query<{ ord: string; linked: string | null }>(
      `WITH x AS (
         SELECT a.*, CASE WHEN a.known IS NULL THEN nextval(pg_get_serial_sequence('authors', 'id')) END AS new_id
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) WITH ORDINALITY
              AS a(platform, key, contact, url, name, known, ord)),
       fresh AS (INSERT INTO authors (id, display_name) SELECT new_id, name FROM x WHERE new_id IS NOT NULL),
       acc AS (INSERT INTO author_identities (kind, platform, key, author_id, profile_url)
               SELECT 'account', platform, key, coalesce(known, new_id), url FROM x
               ON CONFLICT DO NOTHING RETURNING platform, key, author_id),
       con AS (INSERT INTO author_identities (kind, platform, key, author_id)
               SELECT 'contact', '*', contact, coalesce(known, new_id) FROM x WHERE contact IS NOT NULL
               ON CONFLICT DO NOTHING)
       SELECT x.ord::text, acc.author_id::text AS linked FROM x LEFT JOIN acc ON acc.platform = x.platform AND acc.key = x.key`,
      [
        asks.map((a) => a.platform), asks.map((a) => a.platformId), asks.map((a) => a.contactHash),
        asks.map((a) => a.profileUrl), asks.map((a) => a.displayName), asks.map((a) => a.known),
      ],
    );
    const out: (string | null)[] = asks.map(() => null);
    for (const x of r.rows) out[Number(x.ord) - 1] = x.linked;
    return out;
  };

  /** The author of accounts that another process linked between our read and our insert. */
  const accountOwners = async (asks: AuthorAsk[]): Promise<(string | null)[]> => {
    const r = await sql.query<{ ord: string; author_id: string }>(
      `SELECT a.ord::text, i.author_id::text FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS a(platform, key, ord)
       JOIN author_identities i ON i.kind = 'account' AND i.platform = a.platform AND i.key = a.key`,
      [asks.map((a) => a.platform), asks.map((a) => a.platformId)],
    );
    const out: (string | null)[] = asks.map(() => null);
    for (const x of r.rows) out[Number(x.ord) - 1] = x.author_id;
    return out;
  };

  // The concurrent jobs of a moment resolve their authors together: one read, one write for the new ones.
  const resolveBatched = batcher(async (asks: AuthorAsk[]): Promise<string[]> => {
    const out: string[] = asks.map(() => '');
    let round = asks.map((a, i) => ({ i, a }));
    while (round.length > 0) {
      const [first, later] = firstOfEach(round);
      const found = await known(first.map((x) => x.a));
      const missing = first
        .map((x, k) => ({ ...x, ...found[k] }))
        .filter((x) => {
          if (x.byAccount && (x.byContact || !x.a.contactHash)) out[x.i] = x.byAccount;
          return !out[x.i];
        });
      if (missing.length > 0) {
        const linked = await link(missing.map((x) => ({ ...x.a, known: x.byAccount ?? x.byContact })));
        const lost = missing.filter((x, k) => {
          out[x.i] = x.byAccount ?? linked[k] ?? '';
          return !out[x.i];
        });
        if (lost.length > 0) {
          const owners = await accountOwners(lost.map((x) => x.a));
          lost.forEach((x, k) => {
            if (!owners[k]) throw new Error(`author of ${x.a.platform} account vanished while linking`);
            out[x.i] = owners[k] as string;
          });
        }
      }
      round = later;
    }
    return out;
  });

  return {
    /**
     * The author of a platform account (and of a hashed contact, which links accounts across platforms);
     * created on first sight. Race-safe: identities are inserted with ON CONFLICT and read back.
     */
    resolve: (a: AuthorAsk): Promise<string> => resolveBatched(a),
  };
};
