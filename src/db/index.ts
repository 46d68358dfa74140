/** Opens the database (PostgreSQL server or embedded PGlite), migrates it, and exposes every query module. */
import fs from 'node:fs';
import path from 'node:path';
import { authorQueries } from './authors';
import { authorSuggestionQueries } from './author-suggestions';
import { incidentQueries } from './incidents';
import { messageQueries } from './messages';
import { migrate } from './migrate';
import { notificationQueries } from './notifications';
import { officialQueries } from './officials';
import { replyQueries } from './replies';
import { dashboardQueries } from './dashboard';
import { statsQueries } from './stats';
import { userQueries } from './users';
import { sourceQueries } from './sources';
import { webhookEventQueries } from './webhook-events';
import { botQueries } from './bot';
import { timerQueries } from './timers';
import { correctionQueries } from './corrections';
import { triageQueries } from './triage';
import { noteQueries } from './notes';
import { pressClaimQueries } from './press-claims';
import { createPgliteSql, createPgSql, type Sql } from './sql';

/** Every query module over one Sql handle (or one transaction). */
export function queries(sql: Sql) {
  return {
    sql,
    messages: messageQueries(sql),
    incidents: incidentQueries(sql),
    authors: authorQueries(sql),
    authorSuggestions: authorSuggestionQueries(sql),
    officials: officialQueries(sql),
    sources: sourceQueries(sql),
    webhookEvents: webhookEventQueries(sql),
    notifications: notificationQueries(sql),
    replies: replyQueries(sql),
    stats: statsQueries(sql),
    dashboard: dashboardQueries(sql),
    users: userQueries(sql),
    bot: botQueries(sql),
    timers: timerQueries(sql),
    corrections: correctionQueries(sql),
    triage: triageQueries(sql),
    notes: noteQueries(sql),
    pressClaims: pressClaimQueries(sql),
  };
}

export type Db = ReturnType<typeof queries> & {
  /** Runs `fn` with the query modules bound to one transaction. */
  tx<T>(fn: (db: ReturnType<typeof queries>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

/** A Db over an open Sql handle. */
export function dbFrom(sql: Sql): Db {
  return { ...queries(sql), tx: (fn) => sql.transaction((t) => fn(queries(t))), close: () => sql.close() };
}

/** Opens `DATABASE_URL`, or PGlite in `dataDir/pgdata` ('memory://' in tests), and applies migrations. */
export async function openDb(opts: { url?: string; dataDir: string; migrate?: boolean }): Promise<Db> {
  let sql: Sql;
  if (opts.url) {
    sql = createPgSql(opts.url);
  } else if (opts.dataDir === 'memory://') {
    sql = await createPgliteSql('memory://');
  } else {
    const dir = path.resolve(opts.dataDir, 'pgdata');
    fs.mkdirSync(dir, { recursive: true });
    sql = await createPgliteSql(dir);
  }
  if (opts.migrate !== false) await migrate(sql);
  return dbFrom(sql);
}

export type { Sql } from './sql';
