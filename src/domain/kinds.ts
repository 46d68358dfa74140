/** Message kinds (complaint, question, proposal, gratitude, none), their Russian names, and what becomes an incident. Pure. */

/** The kinds an incident may have: every appeal to the authorities runs on the same clock. */
export const INCIDENT_KINDS = ['complaint', 'question', 'proposal'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** Every kind the analysis gives a message: an appeal (above), thanks, or none of these (chatter, news, ads…). */
export const MESSAGE_KINDS = [...INCIDENT_KINDS, 'gratitude', 'none'] as const;
export type MessageKindCode = (typeof MESSAGE_KINDS)[number];

/** Russian names of incident kinds, for everything a person sees. */
export const KIND_NAMES_RU: Record<IncidentKind, string> = {
  complaint: 'Жалоба',
  question: 'Вопрос',
  proposal: 'Предложение',
};

/** The name of a kind as shown on pages and cards ('Жалоба' for an unknown one: the default kind). */
export const kindName = (k: string | null | undefined): string => KIND_NAMES_RU[k as IncidentKind] ?? KIND_NAMES_RU.complaint;

export const isIncidentKind = (k: unknown): k is IncidentKind => (INCIDENT_KINDS as readonly unknown[]).includes(k);

/**
 * The kind of an analysed message. An analysis stored before kinds existed has only `complaint`: a complaint
 * then, otherwise none (that is what it meant).
 */
export function kindOf(a: { kind?: string | null; complaint: boolean }): MessageKindCode {
  const k = a.kind;
  if (k === 'gratitude' || k === 'none' || isIncidentKind(k)) return k;
  return a.complaint ? 'complaint' : 'none';
}
