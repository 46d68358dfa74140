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

/**
 * Makes the first two writes (`op` on `table`) of rows matching `when` (an SQL condition on NEW) fail, as if the
 * server went away: a batch fails, then the same call alone. A sequence counts them (it survives the failure).
 * Returns the undo.
 */
export async function failFirstWrites(db: Db, name: string, table: string, op: 'INSERT' | 'UPDATE', when: string): Promise<() => Promise<void>> {
  await db.sql.exec(`
    CREATE SEQUENCE ${name};
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF ${when} AND nextval('${name}') <= 2 THEN RAISE EXCEPTION 'server closed the connection (simulated)'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER ${name} BEFORE ${op} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}();`);
  return () => db.sql.exec(`DROP TRIGGER ${name} ON ${table}; DROP FUNCTION ${name}(); DROP SEQUENCE ${name};`);
}
