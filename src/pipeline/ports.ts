/** What the pipeline needs from the outside world, implemented by connectors and the bot. */
import type { Incident } from '../db/incidents';
import type { Message } from '../db/messages';
import type { Official } from '../db/officials';
import type { Source } from '../db/sources';
import type { RawMessage, ReplyTarget } from '../domain/types';
import type { NotifyKind } from './queues';

/** Sends incident cards and reminders to officials (the Telegram bot). */
export interface Notifier {
  /** Throws TransientError (retry) or PermanentError (e.g. the official never wrote /start). */
  send(n: {
    kind: NotifyKind;
    official: Official;
    incident: Incident;
    message: Message;
    municipalityName: string | null;
  }): Promise<{ chatId: string; messageId: string }>;
}

/** Plain messages to a Telegram chat (digests, alerts to the control centre). `html` is Telegram HTML, escaped. */
export interface Messenger {
  sendText(chatId: string, html: string): Promise<{ messageId: string }>;
}

/** The incident cards already in officials' chats: `refresh` re-renders them in place (safe to repeat). */
export interface CardBoard {
  /** `auto`: a change nobody waits for (a follow-up post, a reminder moment): at most one edit a card a minute. */
  refresh(incidentId: string, opts?: { auto?: boolean }): Promise<void>;
  /** The card clock: edits the cards whose countdown is `everyMs` old or that changed since; returns how many. */
  refreshDue?(everyMs: number): Promise<number>;
}

/** Publishes a reply under the citizen's post; returns the platform's id of the reply. */
export interface Publisher {
  publish(target: ReplyTarget, text: string, replyKey: string): Promise<{ externalId: string; at: Date }>;
}

/** Reads a polled source from its cursor. Never touches the database or queues. */
export interface SourceReader {
  poll(source: Source): Promise<{ messages: RawMessage[]; nextCursor: unknown }>;
}
