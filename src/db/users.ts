/** Dashboard accounts (a password per official), sessions and the shared signing key. */
import type { OfficialRole } from './officials';
import type { Sql } from './sql';

/** The signed-in person as the dashboard needs them. */
export interface Account {
  officialId: string;
  login: string;
  name: string;
  position: string | null;
  role: OfficialRole;
  municipalityId: string | null;
  duty: boolean;
}

type Row = Record<string, unknown>;
const toAccount = (r: Row): Account => ({
  officialId: r.official_id as string,
  login: r.login as string,
  name: r.name as string,
  position: (r.position as string) ?? null,
  role: r.role as OfficialRole,
  municipalityId: (r.municipality_id as string) ?? null,
  duty: r.duty as boolean,
});

const ACCOUNT = `a.official_id, a.login, o.name, o.position, o.role, o.municipality_id, o.duty`;

/** Queries on user_accounts, user_sessions and app_secrets. */
export const userQueries = (sql: Sql) => ({
  /** Sets (or replaces) an official's password hash; false when no such official exists. */
  async setPassword(officialId: string, login: string, passwordHash: string, at: Date, demo = false): Promise<boolean> {
    const o = await sql.query('SELECT 1 FROM officials WHERE id = $1', [officialId]);
    if (o.rows.length === 0) return false;
    await sql.query(
      `INSERT INTO user_accounts (official_id, login, password_hash, demo, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (official_id) DO UPDATE SET login = EXCLUDED.login, password_hash = EXCLUDED.password_hash,
         demo = EXCLUDED.demo, updated_at = EXCLUDED.updated_at`,
      [officialId, login, passwordHash, demo, at],
    );
    return true;
  },

  /** The account and its password hash for a login, or null. */
  async byLogin(login: string): Promise<{ account: Account; passwordHash: string } | null> {
    const r = await sql.query<Row>(
      `SELECT ${ACCOUNT}, a.password_hash FROM user_accounts a JOIN officials o ON o.id = a.official_id WHERE a.login = $1`,
      [login],
    );
    const x = r.rows[0];
    return x ? { account: toAccount(x), passwordHash: x.password_hash as string } : null;
  },

  /** Whether the official has a password account. */
  async hasAccount(officialId: string): Promise<boolean> {
    const r = await sql.query('SELECT 1 FROM user_accounts WHERE official_id = $1', [officialId]);
    return r.rows.length > 0;
  },

  /** The demo account's login, if one exists. */
  async demoLogin(): Promise<string | null> {
    const r = await sql.query<{ login: string }>('SELECT login FROM user_accounts WHERE demo LIMIT 1');
    return r.rows[0]?.login ?? null;
  },

  /** Removes demo accounts and their sessions (a non-demo start); returns how many were removed. */
  async removeDemoAccounts(): Promise<number> {
    await sql.query('DELETE FROM user_sessions WHERE official_id IN (SELECT official_id FROM user_accounts WHERE demo)');
    const r = await sql.query('DELETE FROM user_accounts WHERE demo RETURNING official_id');
    return r.rows.length;
  },

  /** Stores a new session (by the hash of its token) and forgets expired ones. */
  async createSession(tokenHash: string, officialId: string, at: Date, expiresAt: Date): Promise<void> {
    await sql.query('DELETE FROM user_sessions WHERE expires_at <= $1', [at]);
    await sql.query(
      'INSERT INTO user_sessions (token_hash, official_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
      [tokenHash, officialId, at, expiresAt],
    );
    await sql.query('UPDATE user_accounts SET last_login_at = $2 WHERE official_id = $1', [officialId, at]);
  },

  /** The account of a live session (not expired at `now`, account still present), or null. */
  async session(tokenHash: string, now: Date): Promise<Account | null> {
    const r = await sql.query<Row>(
      `SELECT ${ACCOUNT} FROM user_sessions s
       JOIN user_accounts a ON a.official_id = s.official_id
       JOIN officials o ON o.id = s.official_id
       WHERE s.token_hash = $1 AND s.expires_at > $2`,
      [tokenHash, now],
    );
    return r.rows[0] ? toAccount(r.rows[0]) : null;
  },

  /** Ends one session. */
  async deleteSession(tokenHash: string): Promise<void> {
    await sql.query('DELETE FROM user_sessions WHERE token_hash = $1', [tokenHash]);
  },

  /** Ends every session of an official (after a password change). */
  async deleteSessionsOf(officialId: string): Promise<void> {
    await sql.query('DELETE FROM user_sessions WHERE official_id = $1', [officialId]);
  },

  /** A named secret, created with `make()` by the first process that asks (every process then agrees). */
  async secret(name: string, make: () => string): Promise<string> {
    await sql.query('INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, make()]);
    const r = await sql.query<{ value: string }>('SELECT value FROM app_secrets WHERE name = $1', [name]);
    return r.rows[0].value;
  },
});

export type UserQueries = ReturnType<typeof userQueries>;
