/**
 * Telegram update → RawMessage. Pure. The bot's single poller (src/bot) calls it for every update that
 * is not a private chat: group and supergroup messages, comments in a channel's discussion group,
 * posts of channels where the bot is an administrator, and their edits.
 * https://core.telegram.org/bots/api#update
 */
import type { RawMessage } from '../../src/domain/types';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Message fields that are attachments, summarized by kind (no file ids: they are fetchable content). */
const ATTACHMENT_FIELDS = ['photo', 'video', 'document', 'voice', 'audio', 'video_note', 'sticker', 'animation', 'location', 'contact', 'poll'] as const;

/** `https://t.me/<username>/<id>` for public chats, `https://t.me/c/<id>/<id>` for private supergroups/channels. */
function permalinkOf(chat: Obj, messageId: number, threadId: number | null): string | null {
  const username = str(chat.username);
  const id = int(chat.id);
  let base: string | null = null;
  if (username) base = `https://t.me/${username}/${messageId}`;
  else if (id !== null && String(id).startsWith('-100')) base = `https://t.me/c/${String(id).slice(4)}/${messageId}`;
  if (!base) return null; // basic groups have no links
  return threadId !== null && threadId !== messageId ? `${base}?thread=${threadId}` : base;
}

/**
 * One update → RawMessage, or null when it is not a citizen's text: private chats (the officials' interface),
 * bots (ours, GroupAnonymousBot, the channel's auto-forward), automatic forwards of a channel post into its
 * discussion group (the post itself arrives as `channel_post`), service messages, empty texts.
 * externalId is `<chatId>_<messageId>`; an edit has the same id and `edited: true`.
 */
export function mapTelegramUpdate(update: unknown, botUserId: number): RawMessage | null {
  if (!isObj(update)) return null;
  const [m, edited] = isObj(update.message)
    ? [update.message, false]
    : isObj(update.edited_message)
      ? [update.edited_message, true]
      : isObj(update.channel_post)
        ? [update.channel_post, false]
        : isObj(update.edited_channel_post)
          ? [update.edited_channel_post, true]
          : [null, false];
  if (!m || !isObj(m.chat)) return null;
  const chat = m.chat;
  const chatId = int(chat.id);
  const messageId = int(m.message_id);
  if (chatId === null || messageId === null) return null;
  if (chat.type !== 'group' && chat.type !== 'supergroup' && chat.type !== 'channel') return null;
  if (m.is_automatic_forward === true) return null;

  const from = isObj(m.from) ? m.from : null;
  const senderChat = isObj(m.sender_chat) ? m.sender_chat : null;
  if (from && (from.is_bot === true || int(from.id) === botUserId)) return null;
  if (!from && !(chat.type === 'channel' && senderChat)) return null;

  const text = (str(m.text) ?? str(m.caption) ?? '').trim();
  const attachments = ATTACHMENT_FIELDS.filter((f) => m[f] !== undefined).map((type) => ({ type, count: 1 }));
  if (!text && attachments.length === 0) return null; // joins, pins, title changes…

  const threadId = int(m.message_thread_id);
  const replyTo = isObj(m.reply_to_message) ? int(m.reply_to_message.message_id) : null;
  const author = from
    ? {
        platformId: String(from.id),
        displayName: [str(from.first_name), str(from.last_name)].filter(Boolean).join(' ') || null,
        profileUrl: str(from.username) ? `https://t.me/${String(from.username)}` : null,
      }
    : {
        platformId: String(int(senderChat?.id) ?? chatId),
        displayName: str(m.author_signature) ?? str(senderChat?.title),
        profileUrl: str(senderChat?.username) ? `https://t.me/${String(senderChat?.username)}` : null,
      };
  return {
    platform: 'telegram',
    externalId: `${chatId}_${messageId}`,
    sourceId: null,
    author,
    text,
    // An edit keeps the original publication time: the response clock runs from the first post.
    publishedAt: new Date((int(m.date) ?? 0) * 1000),
    permalink: permalinkOf(chat, messageId, threadId),
    parentExternalId: replyTo !== null ? `${chatId}_${replyTo}` : null,
    threadExternalId: threadId !== null ? `${chatId}_${threadId}` : null,
    attachments,
    hints: {},
    replyTarget: { platform: 'telegram', chatId: String(chatId), postId: String(messageId) },
    ...(edited ? { edited: true } : {}),
  };
}
