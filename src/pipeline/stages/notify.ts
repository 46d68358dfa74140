/** `notify`: put an incident card (or a reminder, or an escalation) in front of an official, once. */
import { PermanentError, errorFields } from '../../errors';
import { reference } from '../reference';
import { defineStage, recordAfterSending, type Stage } from '../stage';

/**
 * This process's sends in flight, by database and notification: a second job for the same card (reconcile's
 * re-add while the first still waits in a backlog, a redelivered job) waits for the first, then finds its record
 * instead of sending again. Two processes can still race that way (docs/reliability.md).
 */
const inFlight = new WeakMap<object, Map<string, Promise<unknown>>>();

export const notify = defineStage('notify', async (data, deps) => {
  let mine = inFlight.get(deps.db);
  if (!mine) inFlight.set(deps.db, (mine = new Map()));
  const key = `${data.incidentId}|${data.officialId}|${data.kind}`;
  for (let other = mine.get(key); other; other = mine.get(key)) await other.catch(() => undefined);
  const run = sendOnce(data, deps);
  mine.set(key, run);
  try {
    return await run;
  } finally {
    if (mine.get(key) === run) mine.delete(key);
  }
});

const sendOnce: Stage<'notify'>['handle'] = async ({ incidentId, officialId, kind }, { db, notifier, log, now }) => {
  if (await db.notifications.get(incidentId, officialId, kind)) return 'skipped';
  const [incident, ref] = await Promise.all([db.incidents.get(incidentId), reference(db)]);
  // A cached official may be a few seconds old; one not in the cache yet (just imported) is read directly.
  const official = ref.officialsById.get(officialId) ?? (await db.officials.get(officialId));
  if (!incident) throw new PermanentError(`incident ${incidentId} not found`);
  if (!official) throw new PermanentError(`official ${officialId} not found`);
  const message = await db.messages.get(incident.primaryMessageId);
  if (!message) throw new PermanentError(`message ${incident.primaryMessageId} not found`);
  const undeliverable = async (detail: string) => {
    const at = now();
    await db.notifications.record(
      { incidentId, officialId, kind, chatId: null, messageId: null, status: 'undeliverable', detail, sentAt: at },
      { kind: 'notification.undeliverable', data: { officialId, kind, detail } },
    );
    log.warn('notification.undeliverable', { officialId, kind, detail });
    return 'done' as const;
  };
  if (!notifier) return undeliverable('bot-not-configured');
  if (!official.telegramId) return undeliverable('no-telegram-id');
  const municipalityName = incident.municipalityId ? (ref.municipalities.get(incident.municipalityId)?.name ?? null) : null;
  let sent: { chatId: string; messageId: string };
  try {
    sent = await notifier.send({ kind, official, incident, message, municipalityName });
  } catch (err) {
    if (err instanceof PermanentError) return undeliverable(errorFields(err).errMessage ?? 'permanent-error');
    throw err;
  }
  const at = now();
  await recordAfterSending(
    () =>
      db.notifications.record(
        { incidentId, officialId, kind, chatId: sent.chatId, messageId: sent.messageId, status: 'sent', detail: null, sentAt: at },
        { kind: 'notification.sent', data: { officialId, kind } },
      ),
    log,
  );
  log.info('notification.sent', { officialId, kind });
  return 'done';
};
