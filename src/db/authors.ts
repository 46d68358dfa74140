/** Authors: one person behind several platform accounts and hashed contacts. */
import type { Sql } from './sql';

/** Queries on `authors` and `author_identities`. */
export const authorQueries = (sql: Sql) => ({
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
    const find = async (kind: string, platform: string, key: string) =>
      (
        await sql.query<{ author_id: string }>(
          'SELECT author_id::text FROM author_identities WHERE kind = $1 AND platform = $2 AND key = $3',
          [kind, platform, key],
        )
      ).rows[0]?.author_id ?? null;
    const byAccount = await find('account', a.platform, a.platformId);
    const byContact = a.contactHash ? await find('contact', '*', a.contactHash) : null;
    let authorId = byAccount ?? byContact;
    if (!authorId) {
      authorId = (
        await sql.query<{ id: string }>('INSERT INTO authors (display_name) VALUES ($1) RETURNING id::text', [a.displayName])
      ).rows[0].id;
    }
    const link = async (kind: string, platform: string, key: string, url: string | null) => {
      await sql.query(
        `INSERT INTO author_identities (kind, platform, key, author_id, profile_url) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [kind, platform, key, authorId, url],
      );
      return find(kind, platform, key);
    };
    // Whoever linked the account first wins; the contact then points at the same person.
    const owner = byAccount ?? (await link('account', a.platform, a.platformId, a.profileUrl)) ?? authorId;
    if (a.contactHash && !byContact) await link('contact', '*', a.contactHash, null);
    return owner;
  },
});
