/**
 * Telegram I/O for connectors: the reply publisher (node-telegram-bot-api 2.1.0 `Api`, pinned). Replies go
 * as plain text (no parse_mode), so citizen-facing text needs no escaping. Errors are mapped here, once.
 */
import { Api, TelegramApiError } from 'node-telegram-bot-api';
import { keepAliveFetch } from '../../src/lib/fetch';
import type { ReplyTarget } from '../../src/domain/types';
import { PermanentError, TransientError } from '../../src/errors';

/**
 * TelegramApiError 429 → Transient with `retry_after` (the library already waited out short ones);
 * 5xx/network/timeouts (NetworkError, TimeoutError after the library's own retries) → Transient;
 * other 4xx (chat not found, message to reply to deleted, bot kicked) → Permanent.
 */
export function mapTelegramError(err: unknown, method: string): Error {
  if (err instanceof TelegramApiError) {
    const msg = `telegram ${method}: ${err.errorCode}`;
    if (err.errorCode === 429) return new TransientError(msg, (err.retryAfter ?? 1) * 1000, { cause: err });
    if (err.errorCode >= 500) return new TransientError(msg, undefined, { cause: err });
    return new PermanentError(`${msg} ${err.description}`, { cause: err });
  }
  const name = err instanceof Error ? err.name : 'Error';
  return new TransientError(`telegram ${method}: ${name}`, undefined, { cause: err instanceof Error ? err : undefined });
}

/** Replies under the citizen's message: `sendMessage` with `reply_parameters` to the original message. */
export function telegramPublisher(o: { token: string; apiUrl: string; retryBackoffMs?: number }) {
  const api = new Api(o.token, { apiRoot: o.apiUrl, fetch: keepAliveFetch, ...(o.retryBackoffMs !== undefined ? { retryBackoffMs: o.retryBackoffMs } : {}) });
  return {
    async publish(target: ReplyTarget, text: string, _replyKey: string): Promise<{ externalId: string; at: Date }> {
      const messageId = Number(target.postId);
      if (!Number.isInteger(messageId)) throw new PermanentError('telegram: reply target has no message id');
      let sent;
      try {
        sent = await api.sendMessage({ chat_id: target.chatId, text, reply_parameters: { message_id: messageId } });
      } catch (err) {
        throw mapTelegramError(err, 'sendMessage');
      }
      return { externalId: `${sent.chat.id}_${sent.message_id}`, at: new Date() };
    },
  };
}
