/** Opens a migrated database of either kind for a test: a fresh PostgreSQL database, or PGlite in memory. */
import { openDb, type Db } from '../../src/db';
import { freshPgDatabase } from './env';

export type DbKind = 'pg' | 'pglite';
export const DB_KINDS: DbKind[] = ['pg', 'pglite'];

export async function openTestDb(kind: DbKind): Promise<{ db: Db; url?: string; close: () => Promise<void> }> {
  if (kind === 'pglite') {
    const db = await openDb({ dataDir: 'memory://' });
    return { db, close: () => db.close() };
  }
  const fresh = await freshPgDatabase();
  const db = await openDb({ url: fresh.url, dataDir: 'unused' });
  return {
    db,
    url: fresh.url,
    close: async () => {
      await db.close();
      await fresh.drop();
    },
  };
}
