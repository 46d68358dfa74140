/**
 * `detect`: what kind of message is it? Appeals (complaints, questions, proposals) go on to dedupe; thanks are
 * recorded on the incident they thank and shown to its official, with no clock; the rest stop here (stored, with
 * their verdict, searchable).
 */
import { APPEAL_KINDS } from '../../../classifiers';
import { authorAskOf, type Message } from '../../db/messages';
import { kindOf } from '../../domain/kinds';
import { PermanentError } from '../../errors';
import { defineStage, type StageDeps } from '../stage';

/** Longer texts are analysed by their beginning: a complaint says what is wrong early. */
export const MAX_ANALYZED_CHARS = 4000;

/** Thanks count for an incident of the same author answered or resolved this many days before. */
export const GRATITUDE_WINDOW_DAYS = 30;

/** The notification that shows a message of thanks to the official of the incident it thanks. */
export const thanksKind = (messageId: string) => `thanks-${messageId}` as const;

export const detect = defineStage('detect', async ({ messageId }, deps) => {
  const { db, queues, analysis: texts, log, now } = deps;
  const message = await db.messages.get(messageId);
  if (!message) throw new PermanentError(`message ${messageId} not found`);
  if (message.status !== 'received') {
    // Run again after it moved on (a crash cut the hand-over short): pass an appeal on again; the next
    // stage's own guard makes a repeat harmless, and a retry resumes at once instead of waiting for reconcile.
    if (message.status === 'complaint' || message.status === 'incident') await queues.handOff('dedupe', { messageId });
    if (message.status === 'gratitude' && message.incidentId) await notifyThanks(deps, message.incidentId, messageId);
    return 'skipped';
  }
  // What the pipeline knows besides the text: the source's home, mentions, a typed place, the platform, the form.
  const analysis = await texts.analyze(message.text.slice(0, MAX_ANALYZED_CHARS), { ...message.hints, platform: message.platform });
  const kind = kindOf(analysis);
  if (kind === 'gratitude') return recordGratitude(deps, message, analysis);
  const saved = await db.messages.saveDetection(messageId, analysis, now());
  if (!saved) return 'skipped';
  log.info('message.detected', { kind, complaint: analysis.complaint, score: analysis.complaintScore });
  if ((APPEAL_KINDS as readonly string[]).includes(kind)) {
    await queues.handOff('dedupe', { messageId }, { message: { ...message, status: 'complaint', complaintScore: analysis.complaintScore, analysis } });
  }
  return 'done';
});

/** Thanks: linked to its author's latest answered or resolved incident of the last 30 days, if any. */
async function recordGratitude(deps: StageDeps, message: Message, analysis: Parameters<StageDeps['db']['messages']['saveGratitude']>[1]) {
  const { db, log, now } = deps;
  const at = now();
  const authorId = await db.authors.resolve(authorAskOf(message));
  const thanked = await db.incidents.thankedBy(authorId, new Date(message.publishedAt.getTime() - GRATITUDE_WINDOW_DAYS * 86_400_000));
  const saved = await db.tx(async (tx) => {
    if (!(await tx.messages.saveGratitude(message.id, analysis, authorId, thanked?.id ?? null, at))) return false;
    if (thanked) await tx.incidents.addEvent(thanked.id, 'incident.thanked', 'system', at, { messageId: message.id });
    return true;
  });
  if (!saved) return 'skipped' as const;
  log.info('message.detected', { kind: 'gratitude', thankedIncidentId: thanked?.id ?? null });
  if (thanked) await notifyThanks(deps, thanked.id, message.id);
  return 'done' as const;
}

async function notifyThanks(deps: StageDeps, incidentId: string, messageId: string): Promise<void> {
  const incident = await deps.db.incidents.get(incidentId);
  if (incident?.officialId) await deps.queues.enqueue('notify', { incidentId, officialId: incident.officialId, kind: thanksKind(messageId) });
}
