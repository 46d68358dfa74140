/** Authors: one person behind several platform accounts and hashed contacts. */
import { batcher } from '../lib/batch';
import type { Sql } from './sql';

type Ask = { platform: string; platformId: string; contactHash: string | null };

/** Queries on `authors` and `author_identities`. */
export const authorQueries = (sql: Sql) => {
  // Who is behind an account or a contact, for the concurrent jobs of a moment in one round trip.
  const knownBatched = batcher(async (asks: Ask[]) => {
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
  });
  return {
    /**
     * The author of a platform account (and of a hashed contact, which links accounts across platforms);
     * created on first sight. Race-safe: identities are inserted with ON CONFLICT and read back.
     */
    async resolve(a: {
      platform: string;
      platformId: string;
      displayName: string | null;
      profileUrl: string | null;
      contactHash: string | null;
    }): Promise<string> {
      // One round trip for a known author (account or contact), one more for a new one.
      const { byAccount, byContact } = await knownBatched(a);
      if (byAccount && (byContact || !a.contactHash)) return byAccount;
      // Link what is missing to the author we know (or a new one); whoever linked an identity first wins, so a
      // concurrent twin ends up with the same author: the identities are read back in the same statement.
      const r = await sql.query<{ author_id: string; linked: boolean }>(
        `WITH fresh AS (INSERT INTO authors (display_name) SELECT $6 WHERE $7::bigint IS NULL RETURNING id),
         owner AS (SELECT coalesce($7::bigint, (SELECT id FROM fresh)) AS id),
         acc AS (INSERT INTO author_identities (kind, platform, key, author_id, profile_url)
                 SELECT 'account', $1, $2, id, $4 FROM owner ON CONFLICT DO NOTHING RETURNING author_id),
         con AS (INSERT INTO author_identities (kind, platform, key, author_id)
                 SELECT 'contact', '*', $3, id FROM owner WHERE $3::text IS NOT NULL ON CONFLICT DO NOTHING)
         SELECT coalesce((SELECT author_id FROM acc), $5::bigint, (SELECT id FROM owner))::text AS author_id,
                EXISTS (SELECT 1 FROM acc) AS linked`,
        [a.platform, a.platformId, a.contactHash, a.profileUrl, byAccount, a.displayName, byAccount ?? byContact],
      );
      const owner = r.rows[0].author_id;
      if (!byAccount && !r.rows[0].linked) {
        // The account was linked by a concurrent twin between our read and our insert: that link wins.
        const again = await sql.query<{ author_id: string }>(
          `SELECT author_id::text FROM author_identities WHERE kind = 'account' AND platform = $1 AND key = $2`,
          [a.platform, a.platformId],
        );
        return again.rows[0]?.author_id ?? owner;
      }
      return owner;
    },
  };
};
