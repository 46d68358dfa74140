/**
 * Reconcile: the safety net for "persist, then enqueue". Anything left in one status longer than
 * RECONCILE_AFTER_MINUTES (a crash between the two steps, a job lost with Redis) is enqueued again with a
 * time-window suffix, so repeated sweeps in one window add nothing and every stage's status guard makes a
 * duplicate harmless.
 */
import { defineStage } from './stage';

export const reconcile = defineStage('maintenance', async (_data, { db, queues, cfg, log, now }) => {
  const at = now();
  const windowMs = cfg.RECONCILE_AFTER_MINUTES * 60_000;
  const before = new Date(at.getTime() - windowMs);
  const suffix = `r${Math.floor(at.getTime() / windowMs)}`;
  const since = new Date(before.getTime() - cfg.RECONCILE_LOOKBACK_DAYS * 86_400_000);
  let n = 0;
  for (const id of await db.messages.stuck('received', since, before)) n += +!!(await queues.enqueue('detect', { messageId: id }, { suffix }));
  for (const id of await db.messages.stuck('complaint', since, before)) n += +!!(await queues.enqueue('dedupe', { messageId: id }, { suffix }));
  for (const id of await db.incidents.stuck('new', before)) n += +!!(await queues.enqueue('classify', { incidentId: id }, { suffix }));
  for (const id of await db.incidents.stuck('classified', before)) n += +!!(await queues.enqueue('assign', { incidentId: id }, { suffix }));
  for (const x of await db.incidents.withoutCard(before)) {
    n += +!!(await queues.enqueue('notify', { incidentId: x.incidentId, officialId: x.officialId, kind: 'card' }, { suffix }));
  }
  for (const id of await db.replies.stuckApproved(before)) n += +!!(await queues.enqueue('publish', { replyId: id }, { suffix }));
  if (n > 0) log.warn('reconcile.requeued', { jobs: n });
  return n > 0 ? 'done' : 'skipped';
});
