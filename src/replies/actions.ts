/**
 * The reply flow's I/O shell, shared by the officials' bot and the press service's web page: load →
 * decide (the pure rules of flow.ts and domain/incident-actions.ts) → persist (one transaction, with its
 * incident event) → enqueue `publish`. Callers check who may act on which incident; these functions
 * check what the role allows (approve, publish directly) and the reply rules (rotation, no duplicate).
 */
import type { Db } from '../db';
import type { Incident } from '../db/incidents';
import type { OfficialRole } from '../db/officials';
import type { Reply } from '../db/replies';
import { mayApproveReplies, mayPublishDirectly, replyStageFor } from '../domain/incident-actions';
import { REPLY_WORDS } from '../domain/wording';
import { escapeHtml } from '../lib/html';
import type { Logger } from '../log';
import type { Messenger } from '../pipeline/ports';
import type { Queues } from '../pipeline/queues';
import { checkReply, replyOptions, type ReplyCheck, type ReplyContext, type ReplyOption } from './flow';
import { loadTemplates, type ReplyStage, type TemplateSet } from './templates';

/** What the reply actions need (a subset of the pipeline's deps). */
export interface ReplyDeps {
  db: Db;
  queues: Queues;
  log: Logger;
  now: () => Date;
  cfg: { OFFICIALS_MAY_PUBLISH: boolean; DASHBOARD_URL?: string };
}

/** Who acts: an official's id and role (the bot's Official and the web's Account both fit). */
export interface ReplyActor {
  id: string;
  role: OfficialRole;
}

/** The actor as stored in events and on the reply (`drafted_by`, `approved_by`). */
export const actorTag = (a: ReplyActor) => `official:${a.id}`;

let templates: TemplateSet | null = null;
/** The templates of the repository, loaded (and validated) once per process. */
export function templateSet(): TemplateSet {
  templates ??= loadTemplates();
  return templates;
}

/** The rotation inputs: the citizen's last template, and every text already in the thread. */
export async function replyHistory(db: Db, incident: Pick<Incident, 'authorId'>, replies: Pick<Reply, 'id' | 'text' | 'status'>[], exceptReplyId?: string) {
  return {
    lastTemplateIdForCitizen: incident.authorId ? await db.bot.lastTemplateForAuthor(incident.authorId) : null,
    threadReplyTexts: replies.filter((r) => r.status !== 'cancelled' && r.id !== exceptReplyId).map((r) => r.text),
  };
}

/** Everything the template values of an incident come from, and the stage that fits it now. */
export async function loadReplyContext(db: Db, incident: Incident, timezone: string): Promise<{ context: ReplyContext; defaultStage: ReplyStage; replies: Reply[] }> {
  const [message, promises, municipalities, owner, replies] = await Promise.all([
    db.messages.get(incident.primaryMessageId),
    db.bot.promises(incident.id),
    db.officials.municipalities(),
    incident.officialId ? db.officials.get(incident.officialId) : Promise.resolve(null),
    db.replies.forIncident(incident.id),
  ]);
  const openPromise = promises.find((p) => !p.keptAt && !p.brokenAt) ?? null;
  return {
    context: {
      incidentId: incident.id,
      topic: incident.topic,
      municipalityName: municipalities.find((m) => m.id === incident.municipalityId)?.name ?? null,
      place: message?.hints?.place ?? null,
      citizenName: message?.authorName ?? null,
      ownerPosition: owner?.position ?? null,
      deadline: openPromise?.dueAt ?? incident.resolutionDueAt,
      timezone,
    },
    defaultStage: replyStageFor(
      incident.status,
      openPromise !== null,
      incident.acknowledgedAt !== null || replies.some((r) => r.stage === 'ack' && (r.status === 'published' || r.status === 'approved')),
    ),
    replies,
  };
}

/** Rendered template suggestions for an incident at a stage (rotation and thread rules of flow.ts). */
export async function suggestReplies(db: Db, incident: Incident, timezone: string, stage: ReplyStage | null, max = 3) {
  const { context, defaultStage, replies } = await loadReplyContext(db, incident, timezone);
  const s = stage ?? defaultStage;
  const history = await replyHistory(db, incident, replies);
  return { stage: s, defaultStage, options: replyOptions(templateSet(), context, s, history, max) as ReplyOption[], replies, history };
}

export type SubmitResult =
  | { kind: 'published' | 'drafted'; replyId: string; text: string }
  | { kind: 'refused'; reason: Extract<ReplyCheck, { kind: 'refused' }>['reason'] | 'unknown-template' };

/**
 * A reply written (from a template or freely) for an incident: approved at once and handed to `publish`
 * when the actor may publish directly (OFFICIALS_MAY_PUBLISH, or the press service), else a draft for the
 * press service. Refused when too short, already in the thread, or the citizen's last template again.
 */
export async function submitReply(
  deps: ReplyDeps,
  actor: ReplyActor,
  incident: Pick<Incident, 'id' | 'authorId'>,
  draft: { templateId: string | null; stage: ReplyStage; text: string; targets?: string[] },
): Promise<SubmitResult> {
  const { db } = deps;
  if (draft.templateId !== null && !templateSet().byId.has(draft.templateId)) return { kind: 'refused', reason: 'unknown-template' };
  const history = await replyHistory(db, incident, await db.replies.forIncident(incident.id));
  const check = checkReply(draft.text, draft.templateId, history);
  if (check.kind === 'refused') return check;
  const at = deps.now();
  const direct = mayPublishDirectly(actor, deps.cfg.OFFICIALS_MAY_PUBLISH);
  const by = actorTag(actor);
  const replyId = await db.tx(async (tx) => {
    const id = await tx.replies.create({ incidentId: incident.id, templateId: draft.templateId, stage: draft.stage, text: check.text, draftedBy: by, approvedBy: direct ? by : null }, at);
    // The posts chosen on the press page (none chosen: every author's post, decided at publication).
    if (draft.targets?.length) await tx.replies.setTargets(id, draft.targets);
    await tx.incidents.addEvent(incident.id, 'reply.drafted', by, at, { replyId: id, templateId: draft.templateId, stage: draft.stage });
    if (direct) await tx.incidents.addEvent(incident.id, 'reply.approved', by, at, { replyId: id });
    return id;
  });
  if (!direct) {
    deps.log.info('reply.drafted', { incidentId: incident.id, replyId });
    return { kind: 'drafted', replyId, text: check.text };
  }
  await deps.queues.enqueue('publish', { replyId });
  deps.log.info('reply.approved', { incidentId: incident.id, replyId, direct: true });
  return { kind: 'published', replyId, text: check.text };
}

export type ApproveResult =
  | { kind: 'approved'; replyId: string }
  | { kind: 'refused'; reason: 'not-allowed' | 'not-found' | 'already-decided' | 'too-short' | 'duplicate' | 'same-template' };

/**
 * The press service (or the control centre) approves a draft, optionally with a new text (checked like a
 * new reply, against the rest of the thread); then `publish` takes it.
 */
export async function approveReply(deps: ReplyDeps, actor: ReplyActor, replyId: string, newText: string | null, targets?: string[]): Promise<ApproveResult> {
  const { db } = deps;
  if (!mayApproveReplies(actor)) return { kind: 'refused', reason: 'not-allowed' };
  const reply = await db.replies.get(replyId);
  if (!reply) return { kind: 'refused', reason: 'not-found' };
  if (reply.status !== 'draft') return { kind: 'refused', reason: 'already-decided' };
  let text: string | null = null;
  if (newText !== null && newText.replace(/\r\n?/g, '\n').trim() !== reply.text) {
    const incident = await db.incidents.get(reply.incidentId);
    const history = await replyHistory(db, { authorId: incident?.authorId ?? null }, await db.replies.forIncident(reply.incidentId), reply.id);
    // The template was the official's choice; an edited text is the press service's own.
    const check = checkReply(newText, null, history);
    if (check.kind === 'refused') return check;
    text = check.text;
  }
  const at = deps.now();
  const by = actorTag(actor);
  const ok = await db.tx(async (tx) => {
    if (!(await tx.replies.approve(replyId, by, text, at))) return false;
    if (targets?.length) await tx.replies.setTargets(replyId, targets); // the posts ticked on the press page
    await tx.incidents.addEvent(reply.incidentId, 'reply.approved', by, at, { replyId, edited: text !== null });
    return true;
  });
  if (!ok) return { kind: 'refused', reason: 'already-decided' };
  await deps.queues.enqueue('publish', { replyId });
  deps.log.info('reply.approved', { incidentId: reply.incidentId, replyId, direct: false });
  return { kind: 'approved', replyId };
}

/**
 * «Вернуть на доработку»: the press service sends a draft back to the official with a reason (stored with the
 * event); the draft is cancelled, and the official prepares a new reply. Only the press service and the control centre.
 */
export async function returnReply(
  deps: ReplyDeps,
  actor: ReplyActor,
  replyId: string,
  reason: string,
): Promise<{ kind: 'returned'; reply: Reply } | { kind: 'refused'; reason: 'not-allowed' | 'not-found' | 'already-decided' | 'too-short' }> {
  if (!mayApproveReplies(actor)) return { kind: 'refused', reason: 'not-allowed' };
  const reply = await deps.db.replies.get(replyId);
  if (!reply) return { kind: 'refused', reason: 'not-found' };
  const note = reason.replace(/\s+/g, ' ').trim().slice(0, 1000);
  if (note.length < 3) return { kind: 'refused', reason: 'too-short' };
  const at = deps.now();
  const ok = await deps.db.tx(async (tx) => {
    if (!(await tx.replies.returnDraft(replyId))) return false;
    await tx.incidents.addEvent(reply.incidentId, 'reply.returned', actorTag(actor), at, { replyId, reason: note });
    return true;
  });
  if (!ok) return { kind: 'refused', reason: 'already-decided' };
  deps.log.info('reply.returned', { incidentId: reply.incidentId, replyId });
  return { kind: 'returned', reply };
}

/** The official who drafted a reply (`drafted_by` = `official:<id>`), or null for anyone else. */
export const drafterId = (r: Pick<Reply, 'draftedBy'>): string | null => (r.draftedBy.startsWith('official:') ? r.draftedBy.slice('official:'.length) : null);

/**
 * "Повторить": a reply whose publication failed for good goes to `publish` again, under a new job id
 * (BullMQ ignores an add while the failed job is stored). Only the press service and the control centre.
 */
export async function retryReply(deps: ReplyDeps, actor: ReplyActor, replyId: string): Promise<{ kind: 'retried'; jobId: string } | { kind: 'refused'; reason: 'not-allowed' | 'not-found' | 'not-failed' }> {
  if (!mayApproveReplies(actor)) return { kind: 'refused', reason: 'not-allowed' };
  const reply = await deps.db.replies.get(replyId);
  if (!reply) return { kind: 'refused', reason: 'not-found' };
  if (reply.status !== 'failed') return { kind: 'refused', reason: 'not-failed' };
  const at = deps.now();
  await deps.db.incidents.addEvent(reply.incidentId, 'reply.retried', actorTag(actor), at, { replyId, attempts: reply.attempts });
  const jobId = await deps.queues.enqueue('publish', { replyId }, { suffix: `retry${reply.attempts}-${at.getTime()}` });
  deps.log.info('reply.retried', { incidentId: reply.incidentId, replyId });
  return { kind: 'retried', jobId };
}

const esc = escapeHtml;

/** Pure: the press service's Telegram message about a reply that could not be published (ids and the error only). */
export function failedReplyText(incidentId: string, platform: string, error: string, dashboardUrl: string | undefined): string {
  const where = ({ vk: 'ВКонтакте', telegram: 'Telegram', web: 'на сайте' } as Record<string, string>)[platform] ?? platform;
  const link = dashboardUrl ? `${dashboardUrl.replace(/\/+$/, '')}/press/incidents/${incidentId}` : null;
  return [
    `⚠️ <b>Ответ на обращение №${esc(incidentId)} не опубликован</b> (${esc(where)}).`,
    `Ошибка: <code>${esc(error.slice(0, 300))}</code>`,
    link
      ? `Проверьте текст и нажмите «Повторить»: <a href="${esc(link)}">${esc(link)}</a>`
      : `Проверьте текст и нажмите «Повторить» на странице «Ответы» панели «Отклик».`,
  ].join('\n');
}

/**
 * Tells the official who drafted a reply that went through the press service's approval that it is published
 * (with the final text when the press service changed it). Never throws; false when nobody was told.
 */
export async function reportPublishedReply(
  deps: { db: Db; log: Logger; messenger: Messenger | null },
  reply: Pick<Reply, 'id' | 'incidentId' | 'draftedBy' | 'approvedBy' | 'text'>,
  targets: number,
): Promise<boolean> {
  const id = drafterId(reply);
  if (!deps.messenger || !id || !reply.approvedBy || reply.approvedBy === reply.draftedBy) return false;
  try {
    const o = await deps.db.officials.get(id);
    if (!o?.telegramId || !(await deps.db.bot.botStartedAt(o.id))) return false;
    const edited = (await deps.db.incidents.events(reply.incidentId)).some((e) => e.kind === 'reply.approved' && e.data.replyId === reply.id && e.data.edited === true);
    const lines = [esc(REPLY_WORDS.publishedToOfficial(reply.incidentId, targets))];
    if (edited) lines.push('', `<b>${esc(REPLY_WORDS.finalText)}:</b>`, esc(reply.text));
    await deps.messenger.sendText(o.telegramId, lines.join('\n'));
    return true;
  } catch (err) {
    deps.log.warn('reply.published-report-failed', { incidentId: reply.incidentId, replyId: reply.id, errName: (err as Error).name });
    return false;
  }
}

/** Tells the press service (officials with the press role who started the bot) about a failed publication. Never throws. */
export async function reportFailedReply(
  deps: { db: Db; log: Logger; messenger: Messenger | null; cfg: { DASHBOARD_URL?: string } },
  r: { incidentId: string; replyId: string; platform: string; error: string },
): Promise<number> {
  if (!deps.messenger) {
    deps.log.warn('reply.failed-unreported', { incidentId: r.incidentId, replyId: r.replyId, reason: 'no-bot' });
    return 0;
  }
  let sent = 0;
  try {
    const press = (await deps.db.officials.all()).filter((o) => o.role === 'press' && o.telegramId && !o.away);
    for (const p of press) {
      if (!(await deps.db.bot.botStartedAt(p.id))) continue;
      try {
        await deps.messenger.sendText(p.telegramId as string, failedReplyText(r.incidentId, r.platform, r.error, deps.cfg.DASHBOARD_URL));
        sent++;
      } catch (err) {
        deps.log.warn('reply.failed-report-undeliverable', { incidentId: r.incidentId, replyId: r.replyId, officialId: p.id, errName: (err as Error).name });
      }
    }
  } catch (err) {
    deps.log.warn('reply.failed-report-error', { incidentId: r.incidentId, replyId: r.replyId, errName: (err as Error).name });
  }
  if (sent === 0) deps.log.warn('reply.failed-unreported', { incidentId: r.incidentId, replyId: r.replyId, reason: 'no-press-chat' });
  return sent;
}
