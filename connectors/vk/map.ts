/**
 * VK → RawMessage. Pure: no I/O, no clock. One mapping serves the Callback API, Bots Long Poll (the
 * same event objects, https://dev.vk.com/ru/api/community-events/json-schema) and wall polling
 * (wall.get / wall.getComments items, which are the same post and comment objects).
 */
import type { RawMessage, ReplyTarget } from '../../src/domain/types';

/** The event types that carry a citizen's text. Others are acknowledged and ignored. */
export const VK_EVENT_TYPES = [
  'wall_post_new',
  'wall_reply_new',
  'wall_reply_edit',
  'message_new',
  'board_post_new',
  'photo_comment_new',
  'video_comment_new',
] as const;
export type VkEventType = (typeof VK_EVENT_TYPES)[number];

/** Context a mapping needs: our own community (its replies echo back and are not complaints). */
export interface VkMapContext {
  /** Positive id of the region's own community (VK_GROUP_ID, or the Callback body's group_id). */
  ownGroupId?: number | null;
  /** Display names from `extended=1` answers, keyed like from_id: user id → name, −community id → name. */
  names?: ReadonlyMap<number, string>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * VK markup → readable text. `[club123|Администрация города Абакана]` and `[id1|Имя]` become their
 * display text; `@club123 (Имя)` too. Returns the mentioned communities' display texts (the municipality
 * hint: the classifier matches them against the gazetteer).
 */
export function cleanVkMarkup(text: string): { text: string; mentions: string[] } {
  const mentions: string[] = [];
  const keep = (target: string, label: string) => {
    if (/^(club|public|event)\d+$/i.test(target) && label.trim()) mentions.push(label.trim());
    return label;
  };
  const out = text
    // [id1|Имя], [club123|Имя], [public5|…], [https://vk.com/…|текст]
    .replace(/\[((?:id|club|public|event)\d+|https?:\/\/[^\]|]+|[a-z0-9_.]+)\|([^\]]*)\]/gi, (_m, target: string, label: string) => keep(target, label))
    // @club123 (Имя) and *id1 (Имя)
    .replace(/[@*]((?:id|club|public|event)\d+) \(([^)]*)\)/gi, (_m, target: string, label: string) => keep(target, label));
  return { text: out, mentions: [...new Set(mentions)] };
}

const profileUrl = (fromId: number) => (fromId > 0 ? `https://vk.com/id${fromId}` : `https://vk.com/club${-fromId}`);

/** Attachments summary: `[{type:'photo', count:2}]`, no URLs (they may identify people). */
function attachmentsOf(o: Obj): { type: string; count: number }[] {
  const list = Array.isArray(o.attachments) ? o.attachments : [];
  const counts = new Map<string, number>();
  for (const a of list) if (isObj(a) && typeof a.type === 'string') counts.set(a.type, (counts.get(a.type) ?? 0) + 1);
  return [...counts].map(([type, count]) => ({ type, count }));
}

interface Parts {
  externalId: string;
  fromId: number;
  text: string;
  date: number;
  permalink: string | null;
  parentExternalId: string | null;
  threadExternalId: string | null;
  replyTarget: ReplyTarget;
  attachments: Obj;
  edited?: boolean;
}

function build(p: Parts, ctx: VkMapContext): RawMessage | null {
  const { text, mentions } = cleanVkMarkup(p.text);
  const attachments = attachmentsOf(p.attachments);
  if (!text.trim() && attachments.length === 0) return null;
  return {
    platform: 'vk',
    externalId: p.externalId,
    sourceId: null,
    author: { platformId: String(p.fromId), displayName: ctx.names?.get(p.fromId) ?? null, profileUrl: profileUrl(p.fromId) },
    text: text.trim(),
    publishedAt: new Date(p.date * 1000),
    permalink: p.permalink,
    parentExternalId: p.parentExternalId,
    threadExternalId: p.threadExternalId,
    attachments,
    hints: mentions.length > 0 ? { mentions } : {},
    replyTarget: p.replyTarget,
    ...(p.edited ? { edited: true } : {}),
  };
}

/** External id of a wall post: `wall-123_45` (the VK permalink form, unique across walls). */
export const vkPostId = (ownerId: number, postId: number) => `wall${ownerId}_${postId}`;
/** External id of a wall comment: `wall-123_45_67`. */
export const vkCommentId = (ownerId: number, postId: number, commentId: number) => `wall${ownerId}_${postId}_${commentId}`;

/**
 * A wall post (wall_post_new, wall.get, newsfeed.search item) → RawMessage; null for our own
 * community's posts, scheduled posts and empty ones. Posts of other communities (city publics repost
 * citizens' stories as the community) are kept.
 */
export function mapVkPost(post: unknown, ctx: VkMapContext = {}, edited = false): RawMessage | null {
  if (!isObj(post)) return null;
  const id = int(post.id);
  const ownerId = int(post.owner_id);
  const fromId = int(post.from_id) ?? ownerId;
  if (id === null || ownerId === null || fromId === null) return null;
  if (post.post_type === 'postpone') return null;
  if (ctx.ownGroupId && fromId === -ctx.ownGroupId) return null; // our own post
  const signer = int(post.signer_id);
  return build(
    {
      externalId: vkPostId(ownerId, id),
      fromId: fromId < 0 && signer && signer > 0 ? signer : fromId,
      text: str(post.text),
      date: int(post.date) ?? 0,
      permalink: `https://vk.com/wall${ownerId}_${id}`,
      parentExternalId: null,
      threadExternalId: null,
      replyTarget: { platform: 'vk', chatId: String(ownerId), postId: String(id), kind: 'wall' },
      attachments: post,
      edited,
    },
    ctx,
  );
}

/**
 * A wall comment (wall_reply_new/edit, wall.getComments item) → RawMessage. Any community's comment
 * (from_id < 0) is an official reply — ours echoed back or another administration's — never a complaint.
 */
export function mapVkComment(c: unknown, ctx: VkMapContext = {}, edited = false): RawMessage | null {
  if (!isObj(c)) return null;
  const id = int(c.id);
  const postId = int(c.post_id);
  const ownerId = int(c.post_owner_id) ?? int(c.owner_id);
  const fromId = int(c.from_id);
  if (id === null || postId === null || ownerId === null || fromId === null) return null;
  if (fromId < 0 || (ctx.ownGroupId && fromId === -ctx.ownGroupId)) return null;
  const stack = Array.isArray(c.parents_stack) ? c.parents_stack.map(int).filter((x): x is number => x !== null) : [];
  const root = stack[0] ?? null;
  const replyTo = int(c.reply_to_comment);
  const parent = replyTo ?? root;
  return build(
    {
      externalId: vkCommentId(ownerId, postId, id),
      fromId,
      text: str(c.text),
      date: int(c.date) ?? 0,
      permalink: `https://vk.com/wall${ownerId}_${postId}?reply=${id}${root ? `&thread=${root}` : ''}`,
      parentExternalId: parent ? vkCommentId(ownerId, postId, parent) : vkPostId(ownerId, postId),
      threadExternalId: vkPostId(ownerId, postId),
      replyTarget: { platform: 'vk', chatId: String(ownerId), postId: String(postId), commentId: String(id), kind: 'wall' },
      attachments: c,
      edited,
    },
    ctx,
  );
}

/** A community private message (message_new; API ≥ 5.103 wraps it in `{message, client_info}`). */
function mapVkPrivateMessage(o: Obj, ctx: VkMapContext): RawMessage | null {
  const m = isObj(o.message) ? o.message : o;
  const peerId = int(m.peer_id) ?? int(m.from_id);
  const fromId = int(m.from_id);
  const id = int(m.conversation_message_id) ?? int(m.id);
  if (peerId === null || fromId === null || id === null || fromId < 0) return null;
  if (m.out === 1) return null;
  return build(
    {
      externalId: `msg${peerId}_${id}`,
      fromId,
      text: str(m.text),
      date: int(m.date) ?? 0,
      permalink: null,
      parentExternalId: null,
      threadExternalId: null,
      replyTarget: { platform: 'vk', chatId: String(peerId), kind: 'message' },
      attachments: m,
    },
    ctx,
  );
}

/** Comments under a board topic, a photo or a video share one shape with different owner fields. */
function mapVkObjectComment(o: Obj, kind: 'board' | 'photo' | 'video', ctx: VkMapContext): RawMessage | null {
  const id = int(o.id);
  const fromId = int(o.from_id);
  const [ownerKey, objKey] = kind === 'board' ? ['topic_owner_id', 'topic_id'] : [`${kind}_owner_id`, `${kind}_id`];
  const ownerId = int(o[ownerKey]);
  const objId = int(o[objKey]);
  if (id === null || fromId === null || ownerId === null || objId === null) return null;
  if (fromId < 0) return null;
  const prefix = kind === 'board' ? 'topic' : kind;
  const replyTo = int(o.reply_to_comment);
  const permalink =
    kind === 'board' ? `https://vk.com/topic${ownerId}_${objId}?post=${id}` : `https://vk.com/${kind}${ownerId}_${objId}`;
  return build(
    {
      externalId: `${prefix}${ownerId}_${objId}_${id}`,
      fromId,
      text: str(o.text),
      date: int(o.date) ?? 0,
      permalink,
      parentExternalId: replyTo ? `${prefix}${ownerId}_${objId}_${replyTo}` : `${prefix}${ownerId}_${objId}`,
      threadExternalId: `${prefix}${ownerId}_${objId}`,
      replyTarget: { platform: 'vk', chatId: String(ownerId), postId: String(objId), commentId: String(id), kind },
      attachments: o,
    },
    ctx,
  );
}

/**
 * One Callback API / Bots Long Poll event → RawMessage, or null when it is not a citizen's text (our
 * own replies, unsupported types, empty objects). Never throws on odd input.
 */
export function mapVkEvent(type: string, object: unknown, ctx: VkMapContext = {}): RawMessage | null {
  if (!isObj(object)) return null;
  switch (type) {
    case 'wall_post_new':
      return mapVkPost(object, ctx);
    case 'wall_reply_new':
      return mapVkComment(object, ctx);
    case 'wall_reply_edit':
      return mapVkComment(object, ctx, true);
    case 'message_new':
      return mapVkPrivateMessage(object, ctx);
    case 'board_post_new':
      return mapVkObjectComment(object, 'board', ctx);
    case 'photo_comment_new':
      return mapVkObjectComment(object, 'photo', ctx);
    case 'video_comment_new':
      return mapVkObjectComment(object, 'video', ctx);
    default:
      return null;
  }
}

/** Display names from an `extended=1` answer (`profiles`, `groups`), keyed like from_id (communities negative). */
export function namesOf(answer: unknown): Map<number, string> {
  const names = new Map<number, string>();
  if (!isObj(answer)) return names;
  for (const p of Array.isArray(answer.profiles) ? answer.profiles : []) {
    if (isObj(p) && int(p.id) !== null) names.set(int(p.id) as number, [str(p.first_name), str(p.last_name)].filter(Boolean).join(' '));
  }
  for (const g of Array.isArray(answer.groups) ? answer.groups : []) {
    if (isObj(g) && int(g.id) !== null && str(g.name)) names.set(-(int(g.id) as number), str(g.name));
  }
  return names;
}
