/** `dedupe`: resolve the author; attach a repeat of an open complaint to its incident, else open a new one. */
import type { DedupeCandidate } from '../../db/incidents';
import { addressKeys, shareAddress } from '../../domain/address';
import { PermanentError } from '../../errors';
import { defineStage } from '../stage';

/** How far back a repeat is looked for, and how similar texts must be to count as one problem. */
export const DEDUPE_WINDOW_HOURS = 72;
export const SAME_AUTHOR_SIMILARITY = 0.3;
export const NEAR_DUPLICATE_SIMILARITY = 0.6;
/** Authors on one incident from which it is marked resonant. */
export const RESONANT_AUTHORS = 3;

/** Similarity credited to two texts on one topic and place that name the same address. */
export const SAME_ADDRESS_SIMILARITY = 0.65;

export type DedupeDecision =
  | { kind: 'open' }
  | { kind: 'attach'; incidentId: string; reason: 'same-author' | 'near-duplicate'; similarity: number };

/**
 * Pure: the most similar open incident above the threshold that applies to it, or a new incident.
 * Candidates share the topic and place (or the author), so a common address makes them one problem.
 */
export function decideDedupe(
  text: string,
  authorId: string,
  candidates: DedupeCandidate[],
  similarity: (a: string, b: string) => number,
): DedupeDecision {
  let best: DedupeDecision = { kind: 'open' };
  const addresses = addressKeys(text);
  for (const c of candidates) {
    const textual = similarity(text, c.text);
    const s = addresses.size > 0 && shareAddress(addresses, addressKeys(c.text)) ? Math.max(textual, SAME_ADDRESS_SIMILARITY) : textual;
    const sameAuthor = c.authorId === authorId;
    const threshold = sameAuthor ? SAME_AUTHOR_SIMILARITY : NEAR_DUPLICATE_SIMILARITY;
    if (s >= threshold && (best.kind === 'open' || s > best.similarity)) {
      best = { kind: 'attach', incidentId: c.incidentId, reason: sameAuthor ? 'same-author' : 'near-duplicate', similarity: s };
    }
  }
  return best;
}

export const dedupe = defineStage('dedupe', async ({ messageId }, { db, queues, analyzer, log, now }) => {
  const message = await db.messages.get(messageId);
  if (!message) throw new PermanentError(`message ${messageId} not found`);
  if (message.status !== 'complaint' || !message.analysis) return 'skipped';
  const analysis = message.analysis;
  const at = now();
  // Author resolution is race-safe by itself: it stays outside the locked transaction, which is kept short.
  const authorId = await db.authors.resolve({
    platform: message.platform,
    platformId: message.authorPlatformId,
    displayName: message.authorName,
    profileUrl: message.authorUrl,
    contactHash: message.authorContactHash,
  });
  const outcome = await db.tx(async (tx) => {
    await tx.incidents.lockDedupeKey(`${analysis.topic ?? '-'}|${analysis.municipality ?? '-'}`);
    const candidates = await tx.incidents.dedupeCandidates({
      authorId,
      topic: analysis.topic,
      municipalityId: analysis.municipality,
      since: new Date(message.publishedAt.getTime() - DEDUPE_WINDOW_HOURS * 3600_000),
    });
    const decision = decideDedupe(message.text, authorId, candidates, analyzer.similarity);
    if (decision.kind === 'attach') {
      const attached = await tx.incidents.attach(
        { messageId, authorId, incidentId: decision.incidentId, reason: decision.reason, similarity: decision.similarity },
        RESONANT_AUTHORS,
        at,
      );
      return attached ? { incidentId: decision.incidentId, opened: false } : null;
    }
    const incidentId = await tx.incidents.open({ messageId, authorId, publishedAt: message.publishedAt, analysis }, at);
    if (!incidentId) return null;
    return { incidentId, opened: true };
  });
  if (!outcome) return 'skipped';
  log.info(outcome.opened ? 'incident.opened' : 'message.attached', { incidentId: outcome.incidentId });
  if (outcome.opened) await queues.enqueue('classify', { incidentId: outcome.incidentId });
  return 'done';
});
