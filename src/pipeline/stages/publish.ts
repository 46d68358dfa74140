/** `publish`: an approved reply goes back under the citizen's post; its publication time is the response time. */
import { PermanentError, errorFields } from '../../errors';
import { defineStage } from '../stage';

export const publish = defineStage('publish', async ({ replyId }, { db, publisher, log, now }) => {
  const reply = await db.replies.get(replyId);
  if (!reply) throw new PermanentError(`reply ${replyId} not found`);
  if (reply.status !== 'approved' && reply.status !== 'failed') return 'skipped';
  const incident = await db.incidents.get(reply.incidentId);
  if (!incident) throw new PermanentError(`incident ${reply.incidentId} not found`);
  const message = await db.messages.get(incident.primaryMessageId);
  if (!message?.replyTarget) throw new PermanentError(`message of incident ${incident.id} has no reply target`);
  let result: { externalId: string; at: Date };
  try {
    result = await publisher.publish(message.replyTarget, reply.text, `reply-${replyId}`);
  } catch (err) {
    const final = err instanceof PermanentError;
    await db.replies.markAttemptFailed(replyId, errorFields(err).errMessage ?? 'error', final);
    if (final) await db.incidents.addEvent(incident.id, 'reply.failed', 'system', now(), { replyId, error: errorFields(err).errMessage });
    throw err;
  }
  const published = await db.tx(async (tx) => {
    if (!(await tx.replies.markPublished(replyId, result.externalId, result.at))) return false;
    await tx.incidents.addEvent(incident.id, 'reply.published', 'system', result.at, { replyId, platform: message.platform, externalId: result.externalId });
    return true;
  });
  if (published) log.info('reply.published', { incidentId: incident.id, replyId });
  return published ? 'done' : 'skipped';
});
