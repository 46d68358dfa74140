/** `dedupe`: resolve the author; attach a repeat of an open complaint to its incident, else open a new one. */
import type { Analysis, Analyzer } from '../../../classifiers';
import type { Db } from '../../db';
import { dedupeKey, type DedupeCandidate } from '../../db/incidents';
import { authorAskOf, type Message } from '../../db/messages';
import { addressKeys, shareAddress } from '../../domain/address';
import { RESONANT_AUTHORS } from '../../domain/types';
import { PermanentError } from '../../errors';
import { batcher } from '../../lib/batch';
import { defineStage } from '../stage';

/** How far back a repeat is looked for, and how similar texts must be to count as one problem. */
export const DEDUPE_WINDOW_HOURS = 72;
export const SAME_AUTHOR_SIMILARITY = 0.3;
export const NEAR_DUPLICATE_SIMILARITY = 0.6;

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

interface DedupeItem {
  message: Message;
  analysis: Analysis;
  authorId: string;
  at: Date;
}
type DedupeOutcome = { incidentId: string; opened: boolean } | null;

const keyOf = (a: Analysis) => dedupeKey(a.topic, a.municipality);
const IN_BATCH = 'batch:';

/**
 * Deduplicates the complaints of concurrent jobs in one transaction: their topic × place keys locked at once,
 * their candidates read in one round trip, then decided in order, so a repeat later in the batch attaches to
 * an incident opened earlier in it. Null for a message that a retry finds already moved on.
 */
function decideAndWrite(db: Db, similarity: Analyzer['similarity']) {
  return (items: DedupeItem[]): Promise<DedupeOutcome[]> =>
    db.tx(async (tx) => {
      await tx.incidents.lockDedupeKeys(items.map((x) => keyOf(x.analysis)));
      const fetched = await tx.incidents.dedupeCandidates(
        items.map((x) => ({
          authorId: x.authorId,
          topic: x.analysis.topic,
          municipalityId: x.analysis.municipality,
          since: new Date(x.message.publishedAt.getTime() - DEDUPE_WINDOW_HOURS * 3600_000),
        })),
      );
      // Decided in order; an incident opened earlier in the batch is a candidate as `batch:<its place in opens>`.
      const opens: Parameters<typeof tx.incidents.settleDedupe>[0] = [];
      const attaches: Parameters<typeof tx.incidents.settleDedupe>[1] = [];
      const opened: (DedupeCandidate & { key: string })[] = [];
      const seen = new Set<string>();
      for (const [i, { message, analysis, authorId, at }] of items.entries()) {
        // The same message twice (a redelivered job): decided once, the twin gets the same answer.
        if (seen.has(message.id)) continue;
        seen.add(message.id);
        const key = keyOf(analysis);
        const earlier = opened.filter((o) => o.key === key || o.authorId === authorId);
        const decision = decideDedupe(message.text, authorId, [...earlier, ...fetched[i]], similarity);
        if (decision.kind === 'attach') {
          const inBatch = decision.incidentId.startsWith(IN_BATCH);
          attaches.push({
            messageId: message.id, authorId, at, reason: decision.reason, similarity: decision.similarity,
            incidentId: inBatch ? null : decision.incidentId,
            opensIndex: inBatch ? Number(decision.incidentId.slice(IN_BATCH.length)) : null,
          });
        } else {
          opened.push({ incidentId: `${IN_BATCH}${opens.length}`, authorId, text: message.text, key });
          opens.push({ messageId: message.id, authorId, publishedAt: message.publishedAt, analysis, at });
        }
      }
      const settled = await tx.incidents.settleDedupe(opens, attaches, RESONANT_AUTHORS);
      return items.map((x) => settled.get(x.message.id) ?? null);
    });
}

const batches = new WeakMap<Db, (item: DedupeItem) => Promise<DedupeOutcome>>();

export const dedupe = defineStage('dedupe', async ({ messageId }, { db, queues, analyzer, log, now, carried, cards }) => {
  const message = carried?.message?.id === messageId ? carried.message : await db.messages.get(messageId);
  if (!message) throw new PermanentError(`message ${messageId} not found`);
  if (message.status === 'incident' && message.incidentId) {
    await queues.handOff('classify', { incidentId: message.incidentId }); // run again after it moved on: see detect
    return 'skipped';
  }
  if (message.status !== 'complaint' || !message.analysis) return 'skipped';
  // Author resolution is race-safe by itself: it stays outside the locked transaction, which is kept short.
  const authorId = await db.authors.resolve(authorAskOf(message));
  let run = batches.get(db);
  if (!run) {
    run = batcher(decideAndWrite(db, analyzer.similarity), { maxBatch: 50, maxInFlight: 1 });
    batches.set(db, run);
  }
  const outcome = await run({ message, analysis: message.analysis, authorId, at: now() });
  if (!outcome) return 'skipped';
  log.info(outcome.opened ? 'incident.opened' : 'message.attached', { incidentId: outcome.incidentId });
  if (outcome.opened) await queues.handOff('classify', { incidentId: outcome.incidentId });
  // A follow-up (or a new author: resonance) reaches the cards already sent, at Telegram's pace; a failed edit is
  // the card clock's to repeat (the incident's updated_at is newer than the card's last edit), not a reason to retry.
  else await cards?.refresh(outcome.incidentId, { auto: true }).catch((err: unknown) => log.warn('cards.refresh-failed', { incidentId: outcome.incidentId, errName: (err as Error).name }));
  return 'done';
});
