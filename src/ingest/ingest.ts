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

/** Earliest publication time believed (VK was founded in 2006); anything older or invalid is a bad date. */
const EARLIEST = Date.UTC(2006, 0, 1);
const FUTURE_SLACK_MS = 10 * 60_000;

/**
 * The publication time the clock starts from: the platform's, unless it is missing, invalid, absurdly old or in
 * the future (clock skew beyond a few minutes), in which case the time we received it. Pure.
 */
export function sanePublishedAt(published: Date, receivedAt: Date): Date {
  const t = published.getTime();
  if (!Number.isFinite(t) || t < EARLIEST || t > receivedAt.getTime() + FUTURE_SLACK_MS) return receivedAt;
  return published;
}

/** PostgreSQL text cannot hold NUL, and lone surrogates are not text: what every connector's text goes through. */
export function storableText(s: string): string {
  return s.replace(/\u0000/g, '').toWellFormed();
}

/**
 * Persists, then enqueues (STYLE §2.3). A repeat of a stored message is not enqueued again unless it is
 * still 'received' (a crash between the two steps), so a redelivered event never makes a second incident.
 */
export async function ingestMessage(
  deps: IngestDeps,
  raw: RawMessage,
): Promise<{ messageId: string; created: boolean; queued: boolean }> {
  const at = deps.now();
  let m: RawMessage = {
    ...raw,
    text: storableText(raw.text),
    author: { ...raw.author, displayName: raw.author.displayName === null ? null : storableText(raw.author.displayName) },
    publishedAt: sanePublishedAt(raw.publishedAt, at),
  };
  if (m.sourceId && !m.hints.municipality) {
    const source = await deps.db.sources.get(m.sourceId);
    if (source?.municipalityId) m = { ...m, hints: { ...m.hints, municipality: source.municipalityId } };
  }
  const stored = await deps.db.messages.upsert(m, contactHash(m.author.contact), at);
  deps.metrics?.ingested.inc({ platform: m.platform, created: String(stored.created) });
  const queued = stored.status === 'received';
  if (queued) await deps.queues.enqueue('detect', { messageId: stored.id });
  return { messageId: stored.id, created: stored.created, queued };
}
