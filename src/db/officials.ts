/** Officials, routing rules and municipalities: the data an administrator imports. */
import type { TopicCode } from '../domain/types';
import type { Sql } from './sql';

export type OfficialRole = 'official' | 'supervisor' | 'press' | 'governor_office' | 'admin';

export interface Official {
  id: string;
  name: string;
  position: string | null;
  telegramId: string | null;
  role: OfficialRole;
  municipalityId: string | null;
  topics: TopicCode[] | null;
  supervisorId: string | null;
  duty: boolean;
  away: boolean;
}

export interface MunicipalityRow {
  id: string;
  region: string;
  name: string;
  kind: string;
  center: string | null;
  oktmo: string | null;
}

export interface RoutingRule {
  municipalityId: string; // '*' = any
  topic: string; // '*' = any
  officialId: string;
}

const COLUMNS = 'id, name, position, telegram_id, role, municipality_id, topics, supervisor_id, duty, away';
type Row = Record<string, unknown>;
const toOfficial = (r: Row): Official => ({
  id: r.id as string,
  name: r.name as string,
  position: (r.position as string) ?? null,
  telegramId: (r.telegram_id as string) ?? null,
  role: r.role as OfficialRole,
  municipalityId: (r.municipality_id as string) ?? null,
  topics: (r.topics as TopicCode[]) ?? null,
  supervisorId: (r.supervisor_id as string) ?? null,
  duty: r.duty as boolean,
  away: r.away as boolean,
});

/** Queries on officials, routing rules and municipalities. */
export const officialQueries = (sql: Sql) => ({
  /** One official, or null. */
  async get(id: string): Promise<Official | null> {
    const r = await sql.query<Row>(`SELECT ${COLUMNS} FROM officials WHERE id = $1`, [id]);
    return r.rows[0] ? toOfficial(r.rows[0]) : null;
  },

  /** The official with this Telegram user id, or null. */
  async byTelegram(telegramId: string): Promise<Official | null> {
    const r = await sql.query<Row>(`SELECT ${COLUMNS} FROM officials WHERE telegram_id = $1`, [telegramId]);
    return r.rows[0] ? toOfficial(r.rows[0]) : null;
  },

  /** Every official, by id. */
  async all(): Promise<Official[]> {
    const r = await sql.query<Row>(`SELECT ${COLUMNS} FROM officials ORDER BY id`);
    return r.rows.map(toOfficial);
  },

  /** Inserts or updates one official; returns true when something changed. */
  async upsert(o: Official): Promise<boolean> {
    const r = await sql.query(
      `INSERT INTO officials (id, name, position, telegram_id, role, municipality_id, topics, supervisor_id, duty, away)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, position = EXCLUDED.position,
         telegram_id = EXCLUDED.telegram_id, role = EXCLUDED.role, municipality_id = EXCLUDED.municipality_id,
         topics = EXCLUDED.topics, supervisor_id = EXCLUDED.supervisor_id, duty = EXCLUDED.duty,
         away = EXCLUDED.away, updated_at = now()
       WHERE (officials.name, officials.position, officials.telegram_id, officials.role, officials.municipality_id,
              officials.topics, officials.supervisor_id, officials.duty, officials.away)
         IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.position, EXCLUDED.telegram_id, EXCLUDED.role,
              EXCLUDED.municipality_id, EXCLUDED.topics, EXCLUDED.supervisor_id, EXCLUDED.duty, EXCLUDED.away)
       RETURNING id`,
      [o.id, o.name, o.position, o.telegramId, o.role, o.municipalityId, o.topics, o.supervisorId, o.duty, o.away],
    );
    return r.rows.length > 0;
  },

  /** Marks that the official wrote /start (the bot may message them now). */
  async markBotStarted(id: string, at: Date): Promise<void> {
    await sql.query('UPDATE officials SET bot_started_at = coalesce(bot_started_at, $2) WHERE id = $1', [id, at]);
  },

  /** All routing rules. */
  async rules(): Promise<RoutingRule[]> {
    const r = await sql.query<{ municipality_id: string; topic: string; official_id: string }>(
      'SELECT municipality_id, topic, official_id FROM routing_rules ORDER BY municipality_id, topic, official_id',
    );
    return r.rows.map((x) => ({ municipalityId: x.municipality_id, topic: x.topic, officialId: x.official_id }));
  },

  /** Makes the rule set exactly `rules`; returns how many rows were added and removed. */
  async replaceRules(rules: RoutingRule[]): Promise<{ added: number; removed: number }> {
    const keep = rules.map((x) => `${x.municipalityId}\u0001${x.topic}\u0001${x.officialId}`);
    const removed = await sql.query(
      `DELETE FROM routing_rules WHERE NOT (municipality_id || chr(1) || topic || chr(1) || official_id = ANY($1::text[]))
       RETURNING official_id`,
      [keep],
    );
    let added = 0;
    for (const x of rules) {
      const r = await sql.query(
        `INSERT INTO routing_rules (municipality_id, topic, official_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING official_id`,
        [x.municipalityId, x.topic, x.officialId],
      );
      added += r.rows.length;
    }
    return { added, removed: removed.rows.length };
  },

  /** Inserts or updates the region's municipalities (from its region pack). */
  async upsertMunicipalities(rows: MunicipalityRow[]): Promise<void> {
    for (const m of rows) {
      await sql.query(
        `INSERT INTO municipalities (id, region, name, kind, center, oktmo) VALUES ($1,$2,$3,$4,$5,$6)
         ON CONFLICT (id) DO UPDATE SET region = EXCLUDED.region, name = EXCLUDED.name, kind = EXCLUDED.kind,
           center = EXCLUDED.center, oktmo = EXCLUDED.oktmo
         WHERE (municipalities.region, municipalities.name, municipalities.kind, municipalities.center, municipalities.oktmo)
           IS DISTINCT FROM (EXCLUDED.region, EXCLUDED.name, EXCLUDED.kind, EXCLUDED.center, EXCLUDED.oktmo)`,
        [m.id, m.region, m.name, m.kind, m.center, m.oktmo],
      );
    }
  },

  /** Municipalities of a region (all when region is omitted). */
  async municipalities(region?: string): Promise<MunicipalityRow[]> {
    const r = await sql.query<MunicipalityRow>(
      'SELECT id, region, name, kind, center, oktmo FROM municipalities WHERE $1::text IS NULL OR region = $1 ORDER BY id',
      [region ?? null],
    );
    return r.rows;
  },
});
