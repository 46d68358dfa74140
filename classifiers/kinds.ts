/** What a message is to the authorities. Shared by the analysis, the corpus and the pipeline. */

import { MESSAGE_KINDS, INCIDENT_KINDS, type MessageKindCode } from '../src/domain/kinds';

/** complaint: a problem report; question: asks the authorities for information; proposal: suggests something new;
 * gratitude: thanks; none: everything else (chatter, news, ads, threads, condolences, community questions). */
export const KINDS = MESSAGE_KINDS;
export type MessageKind = MessageKindCode;
/** Kinds that become incidents with the four-hour clock (a question's first reply is the information). */
export const APPEAL_KINDS: readonly MessageKind[] = INCIDENT_KINDS;

/** Corpus families of the template corpus → message kinds (hand-written posts carry their kind). */
export function kindOfFamily(family: string, topic: string | null): MessageKind {
  if ((KINDS as readonly string[]).includes(family)) return family as MessageKind;
  switch (family) {
    case 'statement':
    case 'request':
    case 'sarcasm':
      return 'complaint';
    case 'thanks':
      return 'gratitude';
    case 'praise':
      // Praise of a service's work thanks someone; "наш город самый красивый" thanks nobody.
      return topic ? 'gratitude' : 'none';
    default:
      // news, ads, chatter and the community's own questions ("подскажите, во сколько работает МФЦ")
      return 'none';
  }
}
