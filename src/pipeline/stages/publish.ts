/**
 * `publish`: an approved reply goes back under the citizen's post — under every author's post of a resonant
 * incident, or the press service's chosen subset — once each: every publication is recorded on its own, so a retry
 * publishes only where it has not yet (and VK's `guid` per target, `reply-<id>[-m<message>]`, drops a repeat the
 * record missed). The first publication is the response time.
 */
import { PermanentError, errorFields } from '../../errors';
import { reportFailedReply, reportPublishedReply } from '../../replies/actions';
import { defineStage, recordAfterSending } from '../stage';

/** The publisher's idempotency key of one target: the primary post keeps the key of a one-post reply. */
export const targetKey = (replyId: string, messageId: string, isPrimary: boolean): string => (isPrimary ? `reply-${replyId}` : `reply-${replyId}-m${messageId}`);

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
  // No choice made (the bot, or a reply drafted before there was one): every author's post.
  let targets = await db.replies.publications(replyId);
  if (targets.length === 0) {
    await db.replies.setTargets(replyId, (await db.replies.replyTargets(incident.id)).map((t) => t.messageId));
    targets = await db.replies.publications(replyId);
  }
  targets = targets.filter((t) => t.replyTarget !== null);
  if (targets.length === 0) {
    const message = await db.messages.get(incident.primaryMessageId);
    const err = new PermanentError(`message of incident ${incident.id} has no reply target`);
    await db.replies.markAttemptFailed(replyId, err.message, true);
    await db.incidents.addEvent(incident.id, 'reply.failed', 'system', now(), { replyId, error: err.message, final: true });
    await reportFailedReply(deps, { incidentId: incident.id, replyId, platform: message?.platform ?? '—', error: 'нет адреса для ответа' });
    throw err;
  }
  let failure: { err: unknown; platform: string } | null = null;
  for (const t of targets) {
    if (t.status === 'published') continue;
    let result: { externalId: string; at: Date };
    try {
      result = await publisher.publish(t.replyTarget!, reply.text, targetKey(replyId, t.messageId, t.messageId === incident.primaryMessageId));
    } catch (err) {
      // The other posts still get the reply; this one is tried again with the job.
      failure ??= { err, platform: t.platform };
      continue;
    }
    const recorded = await recordAfterSending(
      () =>
        db.tx(async (tx) => {
          if (!(await tx.replies.markTargetPublished(replyId, t.messageId, result.externalId, result.at))) return false;
          await tx.incidents.addEvent(incident.id, 'reply.published', 'system', result.at, { replyId, messageId: t.messageId, platform: t.platform, externalId: result.externalId });
          return true;
        }),
      log,
    );
    if (recorded) log.info('reply.published-target', { incidentId: incident.id, replyId, messageId: t.messageId });
  }
  if (failure) {
    // The last attempt (or one that cannot succeed) marks the reply failed: shown to the press service, never dropped.
    const { err, platform } = failure;
    const final = err instanceof PermanentError || (attempt !== undefined && attempt.number >= attempt.max);
    const error = errorFields(err).errMessage ?? 'error';
    await db.replies.markAttemptFailed(replyId, error, final);
    if (final) {
      await db.incidents.addEvent(incident.id, 'reply.failed', 'system', now(), { replyId, platform, error, attempts: attempt?.number ?? null });
      log.error('reply.failed', { incidentId: incident.id, replyId, final });
      await reportFailedReply(deps, { incidentId: incident.id, replyId, platform, error });
    }
    await cards?.refresh(incident.id);
    throw err;
  }
  // Published under every chosen post: the reply as a whole, at its first publication.
  const done = (await db.replies.publications(replyId)).filter((t) => t.status === 'published' && t.publishedAt);
  done.sort((a, b) => a.publishedAt!.getTime() - b.publishedAt!.getTime());
  const first = done.find((t) => t.messageId === incident.primaryMessageId) ?? done[0];
  const published = await recordAfterSending(() => db.replies.markPublished(replyId, first.externalId ?? '', done[0].publishedAt!), log);
  if (published) log.info('reply.published', { incidentId: incident.id, replyId, targets: done.length });
  await cards?.refresh(incident.id);
  if (published) await reportPublishedReply(deps, reply, done.length);
  return published ? 'done' : 'skipped';
});
