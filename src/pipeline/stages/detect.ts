/** `detect`: is this a complaint? Stores score and reasons; non-complaints stop here (stored, with their verdict). */
import { PermanentError } from '../../errors';
import { defineStage } from '../stage';

/** Longer texts are analysed by their beginning: a complaint says what is wrong early. */
export const MAX_ANALYZED_CHARS = 4000;

export const detect = defineStage('detect', async ({ messageId }, { db, queues, analysis: texts, log, now }) => {
  const message = await db.messages.get(messageId);
  if (!message) throw new PermanentError(`message ${messageId} not found`);
  if (message.status !== 'received') {
    // Run again after it moved on (a crash cut the hand-over short): pass a complaint on again; the next
    // stage's own guard makes a repeat harmless, and a retry resumes at once instead of waiting for reconcile.
    if (message.status === 'complaint' || message.status === 'incident') await queues.handOff('dedupe', { messageId });
    return 'skipped';
  }
  const analysis = await texts.analyze(message.text.slice(0, MAX_ANALYZED_CHARS), message.hints);
  const saved = await db.messages.saveDetection(messageId, analysis, now());
  if (!saved) return 'skipped';
  log.info('message.detected', { complaint: analysis.complaint, score: analysis.complaintScore });
  if (analysis.complaint) {
    await queues.handOff('dedupe', { messageId }, { message: { ...message, status: 'complaint', complaintScore: analysis.complaintScore, analysis } });
  }
  return 'done';
});
