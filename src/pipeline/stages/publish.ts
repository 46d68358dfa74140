/** `publish`: an approved reply goes back under the citizen's post; its publication time is the response time. */
import { PermanentError, errorFields } from '../../errors';
import { reportFailedReply } from '../../replies/actions';
import { defineStage, recordAfterSending } from '../stage';

export const publish = defineStage('publish', async ({ replyId }, deps, attempt) => {
  const { db, publisher, log, now, cards } = deps;
  const reply = await db.replies.get(replyId);
  if (!reply) throw new PermanentError(`reply ${replyId} not found`);
  if (reply.status === 'published') {
    // A retry after the publication was stored: only the cards may still be behind (refresh is idempotent).
    await cards?.refresh(reply.incidentId);
    return 'skipped';
  }
  if (reply.status !== 'approved' && reply.status !== 'failed') return 'skipped';
  const incident = await db.incidents.get(reply.incidentId);
  if (!incident) throw new PermanentError(`incident ${reply.incidentId} not found`);
  const message = await db.messages.get(incident.primaryMessageId);
  if (!message?.replyTarget) {
    const err = new PermanentError(`message of incident ${incident.id} has no reply target`);
    await db.replies.markAttemptFailed(replyId, err.message, true);
    await db.incidents.addEvent(incident.id, 'reply.failed', 'system', now(), { replyId, error: err.message, final: true });
    await reportFailedReply(deps, { incidentId: incident.id, replyId, platform: message?.platform ?? '—', error: 'нет адреса для ответа' });
    throw err;
  }
  let result: { externalId: string; at: Date };
  try {
    result = await publisher.publish(message.replyTarget, reply.text, `reply-${replyId}`);
  } catch (err) {
    // The last attempt (or one that cannot succeed) marks the reply failed: shown to the press service, never dropped.
    const final = err instanceof PermanentError || (attempt !== undefined && attempt.number >= attempt.max);
    const error = errorFields(err).errMessage ?? 'error';
    await db.replies.markAttemptFailed(replyId, error, final);
    if (final) {
      await db.incidents.addEvent(incident.id, 'reply.failed', 'system', now(), { replyId, platform: message.platform, error, attempts: attempt?.number ?? null });
      log.error('reply.failed', { incidentId: incident.id, replyId, final });
      await reportFailedReply(deps, { incidentId: incident.id, replyId, platform: message.platform, error });
    }
    throw err;
  }
  const published = await recordAfterSending(
    () =>
      db.tx(async (tx) => {
        if (!(await tx.replies.markPublished(replyId, result.externalId, result.at))) return false;
        await tx.incidents.addEvent(incident.id, 'reply.published', 'system', result.at, { replyId, platform: message.platform, externalId: result.externalId });
        return true;
      }),
    log,
  );
  if (published) log.info('reply.published', { incidentId: incident.id, replyId });
  await cards?.refresh(incident.id);
  return published ? 'done' : 'skipped';
});
