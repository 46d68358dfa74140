/**
 * The card clock: the countdown on an open incident's card («осталось 3 ч 30 мин») must not freeze at sending.
 * Once a minute each pipeline process asks for the cards whose countdown is CARD_COUNTDOWN_MINUTES old, or whose
 * incident changed since their last edit (a follow-up post that came within a minute of another edit), and edits
 * them — each card at most once a minute (claimed in the database, so two processes never both edit it). Cards of
 * answered, resolved or closed incidents are never edited by the clock: their last edit shows the final state.
 */
import { errorFields } from '../errors';
import type { StageDeps } from '../pipeline/stage';

/** How often an unanswered incident's countdown is brought up to date. */
export const CARD_COUNTDOWN_MINUTES = 15;

/** One tick of the card clock; never throws. Returns the cards edited. */
export async function refreshCardClocks(deps: Pick<StageDeps, 'cards' | 'log'>): Promise<number> {
  if (!deps.cards?.refreshDue) return 0;
  try {
    const edited = await deps.cards.refreshDue(CARD_COUNTDOWN_MINUTES * 60_000);
    if (edited > 0) deps.log.debug('cards.refreshed', { cards: edited });
    return edited;
  } catch (err) {
    deps.log.warn('cards.refresh-failed', errorFields(err));
    return 0;
  }
}
