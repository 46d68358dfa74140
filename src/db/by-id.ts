/** The pipeline's hottest read, one row by id: concurrent calls share one `WHERE id = ANY($1)` (src/lib/batch.ts). */
import { batcher } from '../lib/batch';
import type { Sql } from './sql';

type Row = Record<string, unknown>;

/** A batched reader of `table` rows by bigint id (`columns` must return `id` as text); null for a missing id. */
export function batchedById<T>(sql: Sql, table: 'messages' | 'incidents', columns: string, toRow: (r: Row) => T): (id: string) => Promise<T | null> {
  return batcher(async (ids: string[]) => {
    const r = await sql.query<Row>(`SELECT ${columns} FROM ${table} WHERE id = ANY($1::bigint[])`, [ids]);
    const byId = new Map(r.rows.map((x) => [x.id as string, x]));
    return ids.map((id) => {
      const x = byId.get(id);
      return x ? toRow(x) : null;
    });
  });
}
