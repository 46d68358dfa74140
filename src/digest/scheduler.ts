/**
 * Sends the daily and weekly digests to the governor's office chats at DIGEST_TIME (region's local time)
 * with node-cron, through the Messenger port. Runs in the 'bot' role: that process is a singleton (one
 * poller per Telegram token), so each digest goes out once however many api or worker processes run.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { rankRows } from '../db/stats';
import { addLocalDays, today } from '../domain/periods';
import { errorFields } from '../errors';
import type { StageDeps } from '../pipeline/stage';
import { buildDigest, type DigestKind } from './digest';

export type DigestDeps = Pick<StageDeps, 'cfg' | 'db' | 'log' | 'now' | 'analyzer' | 'messenger'>;

/** Cron expressions (minute hour …) of the daily digest and the Monday weekly one. */
export function digestCron(time: string): Record<DigestKind, string> {
  const [hh, mm] = time.split(':').map(Number);
  return { daily: `${mm} ${hh} * * *`, weekly: `${mm} ${hh} * * 1` };
}

/** The chat ids of DIGEST_CHAT_IDS. */
export const digestChats = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** The period a digest sums up: yesterday, or the seven days before today (local calendar days). */
export function digestPeriod(kind: DigestKind, now: Date, timezone: string): { from: Date; to: Date } {
  const to = today(now, timezone).from;
  return { from: addLocalDays(to, kind === 'daily' ? -1 : -7, timezone), to };
}

/** Builds one digest and sends it to every configured chat; a missing messenger or chat list is logged and skipped. */
export async function sendDigest(deps: DigestDeps, kind: DigestKind): Promise<{ sent: number; failed: number; skipped?: string }> {
  const chats = digestChats(deps.cfg.DIGEST_CHAT_IDS);
  if (!deps.messenger) {
    deps.log.info('digest.skipped', { kind, reason: 'no-messenger' });
    return { sent: 0, failed: 0, skipped: 'no-messenger' };
  }
  if (chats.length === 0) {
    deps.log.info('digest.skipped', { kind, reason: 'no-chats' });
    return { sent: 0, failed: 0, skipped: 'no-chats' };
  }
  const now = deps.now();
  const timezone = deps.analyzer.region.timezone;
  const period = digestPeriod(kind, now, timezone);
  const ctx = { targetMinutes: deps.cfg.SLA_TARGET_MINUTES, timezone, now };
  const [summary, overdue] = await Promise.all([deps.db.stats.summary(period, 'municipality', ctx), deps.db.stats.overdue({}, ctx, 5)]);
  const text = buildDigest({
    kind,
    period,
    total: summary.total,
    municipalities: rankRows(summary.groups, deps.cfg.STATS_MIN_INCIDENTS),
    overdue,
    targetMinutes: deps.cfg.SLA_TARGET_MINUTES,
    timezone,
    dashboardUrl: deps.cfg.DASHBOARD_URL ?? null,
  });
  let sent = 0;
  let failed = 0;
  for (const chatId of chats) {
    try {
      await deps.messenger.sendText(chatId, text);
      sent++;
    } catch (err) {
      failed++;
      deps.log.warn('digest.send-failed', { kind, chatId, ...errorFields(err) });
    }
  }
  deps.log.info('digest.sent', { kind, sent, failed, incidents: summary.total.incidents });
  return { sent, failed };
}

/** Schedules both digests; `stop()` cancels them. */
export function startDigests(deps: DigestDeps): { stop(): Promise<void> } {
  const expr = digestCron(deps.cfg.DIGEST_TIME);
  const timezone = deps.analyzer.region.timezone;
  const logger = {
    info: (m: string) => deps.log.debug('digest.cron', { note: m }),
    warn: (m: string) => deps.log.warn('digest.cron', { note: m }),
    error: (m: string | Error, err?: Error) => deps.log.error('digest.cron', errorFields(err ?? m)),
    debug: () => undefined,
  };
  const tasks: ScheduledTask[] = (['daily', 'weekly'] as const).map((kind) =>
    cron.schedule(
      expr[kind],
      async () => {
        try {
          await sendDigest(deps, kind);
        } catch (err) {
          deps.log.error('digest.failed', { kind, ...errorFields(err) });
        }
      },
      { timezone, name: `digest-${kind}`, noOverlap: true, logger },
    ),
  );
  deps.log.info('digest.scheduled', { daily: expr.daily, weekly: expr.weekly, timezone, chats: digestChats(deps.cfg.DIGEST_CHAT_IDS).length });
  return {
    stop: async () => {
      for (const t of tasks) await t.destroy();
    },
  };
}
