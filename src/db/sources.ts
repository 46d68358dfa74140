/** Watched sources (communities, chats, feeds) and their polling cursors. */
import type { Platform } from '../domain/types';
import type { Sql } from './sql';

export interface Source {
  id: string;
  platform: Platform;
  kind: string;
  externalId: string;
  name: string | null;
  municipalityId: string | null;
  settings: Record<string, unknown>;
  cursor: unknown;
  enabled: boolean;
}

type Row = Record<string, unknown>;
const toSource = (r: Row): Source => ({
  id: r.id as string,
  platform: r.platform as Platform,
  kind: r.kind as string,
  externalId: r.external_id as string,
  name: (r.name as string) ?? null,
  municipalityId: (r.municipality_id as string) ?? null,
  settings: (r.settings as Record<string, unknown>) ?? {},
  cursor: r.cursor ?? null,
  enabled: r.enabled as boolean,
});
const COLUMNS = 'id, platform, kind, external_id, name, municipality_id, settings, cursor, enabled';

/** Queries on `sources`. */
export const sourceQueries = (sql: Sql) => ({
  /** One source, or null. */
  async get(id: string): Promise<Source | null> {
    const r = await sql.query<Row>(`SELECT ${COLUMNS} FROM sources WHERE id = $1`, [id]);
    return r.rows[0] ? toSource(r.rows[0]) : null;
  },

  /** The source for a platform's own key (a VK owner id, a Telegram chat id), or null. */
  async byExternal(platform: Platform, externalId: string): Promise<Source | null> {
    const r = await sql.query<Row>(`SELECT ${COLUMNS} FROM sources WHERE platform = $1 AND external_id = $2 LIMIT 1`, [
      platform,
      externalId,
    ]);
    return r.rows[0] ? toSource(r.rows[0]) : null;
  },

  /** All sources, by id. */
  async all(): Promise<Source[]> {
    const r = await sql.query<Row>(`SELECT ${COLUMNS} FROM sources ORDER BY id`);
    return r.rows.map(toSource);
  },

  /** Inserts or updates a source's definition (never its cursor); true when something changed. */
  async upsert(s: Omit<Source, 'cursor'>): Promise<boolean> {
    const r = await sql.query(
      `INSERT INTO sources (id, platform, kind, external_id, name, municipality_id, settings, enabled)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
       ON CONFLICT (id) DO UPDATE SET platform = EXCLUDED.platform, kind = EXCLUDED.kind,
         external_id = EXCLUDED.external_id, name = EXCLUDED.name, municipality_id = EXCLUDED.municipality_id,
         settings = EXCLUDED.settings, enabled = EXCLUDED.enabled, updated_at = now()
       WHERE (sources.platform, sources.kind, sources.external_id, sources.name, sources.municipality_id,
              sources.settings, sources.enabled)
         IS DISTINCT FROM (EXCLUDED.platform, EXCLUDED.kind, EXCLUDED.external_id, EXCLUDED.name,
              EXCLUDED.municipality_id, EXCLUDED.settings, EXCLUDED.enabled)
       RETURNING id`,
      [s.id, s.platform, s.kind, s.externalId, s.name, s.municipalityId, JSON.stringify(s.settings), s.enabled],
    );
    return r.rows.length > 0;
  },

  /** Moves a source's cursor, only forward from `expected` (a concurrent poll cannot move it back). */
  async saveCursor(id: string, expected: unknown, next: unknown): Promise<boolean> {
    const r = await sql.query(
      `UPDATE sources SET cursor = $3, updated_at = now() WHERE id = $1 AND cursor IS NOT DISTINCT FROM $2::jsonb
       RETURNING id`,
      [id, expected === null || expected === undefined ? null : JSON.stringify(expected), JSON.stringify(next)],
    );
    return r.rows.length > 0;
  },
});
