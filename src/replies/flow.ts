/**
 * The reply flow of the bot (issue 6): which templates to offer for an incident, with what values, and
 * whether a text may go out. Pure: the bot loads the inputs and stores the outcome.
 */
import { formatDateRu } from '../bot/texts';
import type { TopicCode } from '../domain/types';
import { comparable, suggestTemplates } from './suggest';
import { render, type ReplyStage, type TemplateSet, type TemplateVars } from './templates';

/** What the values of a reply come from. */
export interface ReplyContext {
  incidentId: string;
  topic: TopicCode | null;
  municipalityName: string | null;
  /** The place named in the complaint, if any (falls back to the municipality). */
  place: string | null;
  citizenName: string | null;
  ownerPosition: string | null;
  /** The promise date, else the resolution deadline. */
  deadline: Date | null;
  timezone: string;
}

/** Template values: municipality, address, responsible body, position, deadline in Russian, incident number. */
export function replyVars(c: ReplyContext): TemplateVars {
  const firstName = c.citizenName?.trim().split(/\s+/)[0] ?? null;
  return {
    citizenName: firstName && /^[А-ЯЁ][а-яё-]+$/.test(firstName) ? firstName : null,
    municipality: c.municipalityName ?? undefined,
    address: c.place ?? c.municipalityName ?? undefined,
    body: c.municipalityName ? `администрация муниципального образования «${c.municipalityName}»` : 'Правительство Республики',
    position: c.ownerPosition ?? undefined,
    deadline: c.deadline ? formatDateRu(c.deadline, c.timezone) : undefined,
    incidentNumber: `№${c.incidentId}`,
  };
}

/** A rendered suggestion. */
export interface ReplyOption {
  templateId: string;
  text: string;
}

/**
 * Up to `max` rendered templates for the incident's topic and stage: never the citizen's last template
 * first (and not at all when there are others), never a text already in the thread, only those that
 * render with the incident's values.
 */
export function replyOptions(
  set: TemplateSet,
  c: ReplyContext,
  stage: ReplyStage,
  history: { lastTemplateIdForCitizen: string | null; threadReplyTexts: string[] },
  max = 3,
): ReplyOption[] {
  const vars = replyVars(c);
  const out: ReplyOption[] = [];
  const candidates = suggestTemplates(set, { topic: c.topic, stage, vars, seed: c.incidentId, ...history });
  // Without a place the address falls back to the municipality: a template naming both would say it twice.
  const twice = (t: (typeof candidates)[number]) => !c.place && t.variables.includes('address') && t.variables.includes('municipality');
  for (const t of [...candidates.filter((x) => !twice(x)), ...candidates.filter(twice)]) {
    if (t.id === history.lastTemplateIdForCitizen) continue;
    try {
      out.push({ templateId: t.id, text: render(t, vars) });
    } catch {
      continue; // a value is missing for this template (e.g. no deadline yet): offer the others
    }
    if (out.length >= max) break;
  }
  return out;
}

export type ReplyCheck = { kind: 'ok'; text: string } | { kind: 'refused'; reason: 'too-short' | 'duplicate' | 'same-template' };

/** A text may go out when it is not too short, not already in the thread, and not the citizen's last template again. */
export function checkReply(
  text: string,
  templateId: string | null,
  history: { lastTemplateIdForCitizen: string | null; threadReplyTexts: string[] },
): ReplyCheck {
  const t = text.replace(/\r\n?/g, '\n').trim();
  if (t.length < 10) return { kind: 'refused', reason: 'too-short' };
  if (history.threadReplyTexts.some((x) => comparable(x) === comparable(t))) return { kind: 'refused', reason: 'duplicate' };
  if (templateId && templateId === history.lastTemplateIdForCitizen) return { kind: 'refused', reason: 'same-template' };
  return { kind: 'ok', text: t.slice(0, 4000) };
}
