/** Intake: store a normalized message once, then hand it to `detect`. Used by HTTP intake, webhooks and polls. */
import type { Db } from '../db';
import { contactHash } from '../domain/author-key';
import type { RawMessage } from '../domain/types';
import type { Metrics } from '../metrics';
import type { Queues } from '../pipeline/queues';

export interface IngestDeps {
  db: Db;
  queues: Queues;
  now: () => Date;
  metrics?: Metrics;
}

/**
 * Persists, then enqueues (STYLE §2.3). A repeat of a stored message is not enqueued again unless it is
 * still 'received' (a crash between the two steps), so a redelivered event never makes a second incident.
 */
export async function ingestMessage(
  deps: IngestDeps,
  raw: RawMessage,
): Promise<{ messageId: string; created: boolean; queued: boolean }> {
  let m = raw;
  if (m.sourceId && !m.hints.municipality) {
    const source = await deps.db.sources.get(m.sourceId);
    if (source?.municipalityId) m = { ...m, hints: { ...m.hints, municipality: source.municipalityId } };
  }
  const stored = await deps.db.messages.upsert(m, contactHash(m.author.contact), deps.now());
  deps.metrics?.ingested.inc({ platform: m.platform, created: String(stored.created) });
  const queued = stored.status === 'received';
  if (queued) await deps.queues.enqueue('detect', { messageId: stored.id });
  return { messageId: stored.id, created: stored.created, queued };
}
