/**
 * The one small SQL interface, with its two adapters: `pg` for a PostgreSQL server and PGlite
 * (PostgreSQL in WebAssembly, in process) when DATABASE_URL is unset. The ONLY driver import.
 */
import { PGlite } from '@electric-sql/pglite';
import { createHash } from 'node:crypto';
import pg from 'pg';

export interface Sql {
  /** One statement with `$n` parameters. */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** A multi-statement script without parameters (migrations). */
  exec(script: string): Promise<void>;
  /** Runs `fn` in one transaction; rolls back if it throws. Nested calls join the outer one. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'pg' | 'pglite';
}

// int8 (bigserial ids, count(*)) arrive as strings from pg: our ids are strings, counts are cast ::int.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

/**
 * A statement named by its text, so that each connection parses and plans it once and then only binds and runs
 * it (our statements are constants of the code, a few hundred at most; values always travel as parameters).
 */
const statementNames = new Map<string, string>();
/** Beyond this many distinct texts (a bug building SQL from values) statements go unnamed rather than pile up. */
const MAX_NAMED_STATEMENTS = 2000;
function prepared(text: string, values: unknown[] = []): pg.QueryConfig {
  // Without values pg uses the simple protocol, which also runs scripts of several statements: keep that.
  if (values.length === 0) return { text };
  let name = statementNames.get(text);
  if (!name && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `otklik_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

/** A pool on a PostgreSQL server. */
export function createPgSql(url: string, opts: { max?: number } = {}): Sql {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 40 });
  // An idle client losing its server (restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor a checked-out one: pg emits 'error' on a client whose server ends the session (57P01 on
  // `pg_ctl restart`) between its queries, and the pool listens only on idle clients. The query in flight
  // fails by itself (the job is retried), and the pool discards the dead client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const wrap = (client: pg.PoolClient): Sql => ({
    kind: 'pg',
    query: async <R>(text: string, params?: unknown[]) => ({ rows: (await client.query(prepared(text, params))).rows as R[] }),
    exec: async (script) => {
      await client.query(script);
    },
    transaction: (fn) => fn(wrap(client)),
    close: async () => undefined,
  });
  return {
    kind: 'pg',
    query: async <R>(text: string, params?: unknown[]) => ({ rows: (await pool.query(prepared(text, params))).rows as R[] }),
    exec: async (script) => {
      await pool.query(script);
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** An embedded database in `dataDir` ('memory://' for a throw-away one). Single process. */
export async function createPgliteSql(dataDir: string): Promise<Sql> {
  const db = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
  type Tx = Pick<PGlite, 'query' | 'exec'>;
  const wrap = (tx: Tx): Sql => ({
    kind: 'pglite',
    query: async <R>(text: string, params?: unknown[]) => ({ rows: (await tx.query<R>(text, params)).rows }),
    exec: async (script) => {
      await tx.exec(script);
    },
    transaction: (fn) => fn(wrap(tx)),
    close: async () => undefined,
  });
  return {
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}
