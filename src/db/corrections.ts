/** Corrections: every change a person makes to what the analysis decided, with who and when — training data. */
import type { LabeledExample } from '../../classifiers/training';
import type { Sql } from './sql';

export const CORRECTION_FIELDS = ['kind', 'topic', 'municipality', 'priority', 'duplicate'] as const;
export type CorrectionField = (typeof CORRECTION_FIELDS)[number];

/** One change of one field of an incident, labelling the text of `messageId`. */
export interface Correction {
  incidentId: string;
  /** The text the label belongs to (the incident's first message). */
  messageId: string;
  field: CorrectionField;
  oldValue: string | null;
  newValue: string | null;
  /** Who made it. */
  officialId: string;
  at: Date;
}

/** A labelled text for training: the latest value a person gave each field of it (what `train` takes). */
export type TrainingExample = LabeledExample;

export interface CorrectionRow extends Correction {
  id: string;
}

/** Queries on `corrections`. */
export const correctionQueries = (sql: Sql) => ({
  /** Stores corrections (one statement); call it in the transaction of the change itself. */
  async record(items: Correction | Correction[]): Promise<void> {
    const list = Array.isArray(items) ? items : [items];
    if (list.length === 0) return;
    await sql.query(
      `INSERT INTO corrections (incident_id, message_id, field, old_value, new_value, official_id, created_at)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])`,
      [
        list.map((c) => c.incidentId),
        list.map((c) => c.messageId),
        list.map((c) => c.field),
        list.map((c) => c.oldValue),
        list.map((c) => c.newValue),
        list.map((c) => c.officialId),
        list.map((c) => c.at),
      ],
    );
  },

  /** The corrections of an incident, oldest first. */
  async forIncident(incidentId: string): Promise<CorrectionRow[]> {
    const r = await sql.query<Record<string, unknown>>(
      `SELECT id::text, incident_id::text, message_id::text, field, old_value, new_value, official_id, created_at
       FROM corrections WHERE incident_id = $1 ORDER BY created_at, id`,
      [incidentId],
    );
    return r.rows.map((x) => ({
      id: x.id as string,
      incidentId: x.incident_id as string,
      messageId: x.message_id as string,
      field: x.field as CorrectionField,
      oldValue: (x.old_value as string) ?? null,
      newValue: (x.new_value as string) ?? null,
      officialId: (x.official_id as string) ?? '',
      at: x.created_at as Date,
    }));
  },

  /**
   * Every corrected text with the latest value per field (kind, topic, municipality, priority; "same as №…" is
   * not a label of the text alone), oldest message first. A field set back to nothing is left out.
   */
  async trainingExamples(): Promise<TrainingExample[]> {
    const r = await sql.query<{ text: string; labels: Record<string, string | null> }>(
      `SELECT m.text, l.labels FROM (
         SELECT message_id, jsonb_object_agg(field, new_value) AS labels FROM (
           SELECT DISTINCT ON (message_id, field) message_id, field, new_value
           FROM corrections WHERE field <> 'duplicate'
           ORDER BY message_id, field, created_at DESC, id DESC) latest
         GROUP BY message_id) l
       JOIN messages m ON m.id = l.message_id
       ORDER BY l.message_id`,
    );
    return r.rows.map((x) => {
      const e: TrainingExample = { text: x.text };
      for (const f of ['kind', 'topic', 'municipality', 'priority'] as const) {
        const v = x.labels[f];
        if (typeof v === 'string' && v !== '') e[f] = v;
      }
      return e;
    });
  },
});
