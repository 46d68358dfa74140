/** The press service's claims of incidents («Взять», issue 15): one officer answers an incident; a claim lapses. */
import type { Sql } from './sql';

/** A claim in force (not lapsed at the time asked). */
export interface PressClaim {
  incidentId: string;
  officialId: string;
  officialName: string | null;
  claimedAt: Date;
  expiresAt: Date;
}

type Row = Record<string, unknown>;
const toClaim = (x: Row): PressClaim => ({
  incidentId: x.incident_id as string,
  officialId: x.official_id as string,
  officialName: (x.official_name as string) ?? null,
  claimedAt: x.claimed_at as Date,
  expiresAt: x.expires_at as Date,
});

/** Queries on `press_claims`. */
export const pressClaimQueries = (sql: Sql) => {
  const inForce = async (incidentIds: string[], at: Date): Promise<Map<string, PressClaim>> => {
    if (incidentIds.length === 0) return new Map();
    const r = await sql.query<Row>(
      `SELECT c.incident_id::text, c.official_id, o.name AS official_name, c.claimed_at, c.expires_at
       FROM press_claims c LEFT JOIN officials o ON o.id = c.official_id
       WHERE c.incident_id = ANY($1::bigint[]) AND c.expires_at > $2`,
      [incidentIds, at],
    );
    return new Map(r.rows.map((x) => [x.incident_id as string, toClaim(x)]));
  };
  return {
  /**
   * Claims an incident for `officialId` until `expiresAt`: taken when nobody holds it, the claim lapsed, or it is the
   * same officer's (renewed). Returns the claim in force afterwards (someone else's when refused).
   */
  async claim(incidentId: string, officialId: string, at: Date, expiresAt: Date): Promise<{ claimed: boolean; claim: PressClaim | null }> {
    const r = await sql.query<{ official_id: string }>(
      `INSERT INTO press_claims (incident_id, official_id, claimed_at, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (incident_id) DO UPDATE SET official_id = EXCLUDED.official_id, claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at
       WHERE press_claims.expires_at <= EXCLUDED.claimed_at OR press_claims.official_id = EXCLUDED.official_id
       RETURNING official_id`,
      [incidentId, officialId, at, expiresAt],
    );
    const claims = await inForce([incidentId], at);
    return { claimed: r.rows.length > 0, claim: claims.get(incidentId) ?? null };
  },

  /** Releases an officer's own claim; false when they held none. */
  async release(incidentId: string, officialId: string): Promise<boolean> {
    const r = await sql.query('DELETE FROM press_claims WHERE incident_id = $1 AND official_id = $2 RETURNING incident_id', [incidentId, officialId]);
    return r.rows.length > 0;
  },

  /** The claims in force at `at` of these incidents, by incident id. */
  inForce,
  };
};
