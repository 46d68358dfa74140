/**
 * VK I/O: vk-io API clients, error mapping (the one place: STYLE §4), wall/search readers with cursors,
 * the reply publisher and the Bots Long Poll runner. Never touches the database or queues: readers return
 * messages and a cursor, the long-poll runner hands messages to a callback.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { API, APIError, Updates, Upload } from 'vk-io';
import type { RawMessage, ReplyTarget } from '../../src/domain/types';
import { PermanentError, TransientError } from '../../src/errors';
import { mapVkComment, mapVkEvent, mapVkPost, namesOf, type VkMapContext } from './map';

/** The subset of a watched source a reader needs (structurally a `Source` of src/db/sources). */
export interface PolledSource {
  id: string;
  externalId: string;
  settings: Record<string, unknown>;
  cursor: unknown;
}

/** What connectors log through (a winston Logger fits). Ids only, never texts. */
export interface ConnectorLog {
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

export interface VkClientOptions {
  token: string;
  /** VK_API_URL; vk-io's option is `apiBaseUrl`. */
  apiUrl: string;
  /** Requests per second (vk-io queues to stay under it). VK allows 3/s for user and 20/s for community tokens. */
  apiLimit?: number;
  /** Pause between 5xx retries (vk-io `apiWait`), ms. */
  apiWait?: number;
  /** vk-io re-sends a request after a 5xx this many times before giving up. */
  apiRetryLimit?: number;
}

/** vk-io's default agent is https.globalAgent, which refuses `http://` (emulators, proxies): pick by scheme. */
function agentFor(url: string): https.Agent {
  return url.startsWith('http://') ? (new http.Agent({ keepAlive: true }) as unknown as https.Agent) : new https.Agent({ keepAlive: true });
}

/** A vk-io API client for one token. */
export function createVkApi(o: VkClientOptions): API {
  return new API({
    token: o.token,
    apiBaseUrl: o.apiUrl,
    agent: agentFor(o.apiUrl),
    apiLimit: o.apiLimit ?? 3,
    apiWait: o.apiWait ?? 3000,
    apiRetryLimit: o.apiRetryLimit ?? 3,
  });
}

/** Error codes after which a later retry can succeed (https://dev.vk.com/ru/reference/errors). */
const TRANSIENT_CODES = new Set([
  1, // unknown error
  6, // too many requests per second (vk-io itself re-sends these)
  9, // flood control
  10, // internal server error
]);
const DAILY_LIMIT = 29; // rate limit reached: the method's daily quota

/**
 * Maps whatever vk-io threw to our error classes, once. APIError 6/9/10 → Transient; 29 (daily quota) →
 * Transient after an hour; other API errors (access, bad params, deleted post) → Permanent. Anything else
 * is the transport: vk-io gives up on 5xx with a SyntaxError from parsing nginx's HTML page, or a fetch
 * error — all Transient.
 */
export function mapVkError(err: unknown, method: string): Error {
  if (err instanceof APIError) {
    const msg = `vk ${method}: error ${err.code}`;
    if (TRANSIENT_CODES.has(Number(err.code))) return new TransientError(msg, undefined, { cause: err });
    if (Number(err.code) === DAILY_LIMIT) return new TransientError(msg, 3_600_000, { cause: err });
    return new PermanentError(msg, { cause: err });
  }
  if (err instanceof TransientError || err instanceof PermanentError) return err;
  const name = err instanceof Error ? err.name : 'Error';
  return new TransientError(`vk ${method}: ${name} (HTTP 5xx or network)`, undefined, { cause: err instanceof Error ? err : undefined });
}

/** Calls one API method with errors mapped. */
async function call<T>(method: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw mapVkError(err, method);
  }
}

// ------------------------------------------------------------------------------------------ readers

/**
 * Cursor of a watched wall: the newest post id read, and per tracked post the newest comment id read.
 * Posts and comments of one wall share one id sequence, so "id > last" never skips a later comment.
 */
export interface WallCursor {
  lastPostId: number;
  posts: Record<string, number>;
}

const isWallCursor = (c: unknown): c is WallCursor =>
  typeof c === 'object' && c !== null && typeof (c as WallCursor).lastPostId === 'number' && typeof (c as WallCursor).posts === 'object';

type Item = Record<string, unknown>;
interface Page {
  items: Item[];
  profiles?: unknown[];
  groups?: unknown[];
}

/**
 * Reads `wall.get` + `wall.getComments` of watched walls (source.externalId = owner id, negative for
 * communities; settings.posts = how many recent posts to watch for comments, default 20). Needs a
 * service or user token (a community token gets error 27).
 */
export function vkWallReader(o: VkClientOptions & { ownGroupId?: number | null; everyMs: number }) {
  const api = createVkApi(o);
  return {
    everyMs: o.everyMs,
    async poll(source: PolledSource): Promise<{ messages: RawMessage[]; nextCursor: WallCursor }> {
      const ownerId = Number(source.externalId);
      if (!Number.isInteger(ownerId) || ownerId === 0) throw new PermanentError(`source ${source.id}: external_id must be a VK owner id`);
      const window = Math.min(Math.max(Number(source.settings.posts) || 20, 1), 100);
      const cursor = isWallCursor(source.cursor) ? source.cursor : null;
      const names = new Map<number, string>();
      const ctx: VkMapContext = { ownGroupId: o.ownGroupId, names };
      const addNames = (answer: unknown) => namesOf(answer).forEach((v, k) => names.set(k, v));

      // Posts: the window, plus older pages while every post on a page is new (a burst between polls).
      const posts: Item[] = [];
      for (let offset = 0, pages = 0; pages < 5; pages++, offset += window) {
        const page = (await call('wall.get', () => api.wall.get({ owner_id: ownerId, count: window, offset, extended: 1 }))) as unknown as Page;
        addNames(page);
        posts.push(...page.items);
        const unpinned = page.items.filter((p) => !p.is_pinned);
        const allNew = cursor !== null && unpinned.length > 0 && unpinned.every((p) => Number(p.id) > cursor.lastPostId);
        if (page.items.length < window || !allNew) break;
      }
      const messages: RawMessage[] = [];
      const next: WallCursor = { lastPostId: cursor?.lastPostId ?? 0, posts: {} };
      for (const post of [...posts].sort((a, b) => Number(a.id) - Number(b.id))) {
        const id = Number(post.id);
        if (!cursor || id > cursor.lastPostId) {
          const m = mapVkPost(post, ctx);
          if (m) messages.push(m);
        }
        next.lastPostId = Math.max(next.lastPostId, id);
        const seen = cursor?.posts[String(id)] ?? 0;
        const count = Number((post.comments as { count?: number } | undefined)?.count ?? 0);
        next.posts[String(id)] = seen;
        if (count === 0) continue;
        for (const c of await readComments(api, ownerId, id, addNames)) {
          const cid = Number(c.id);
          if (cid <= seen) continue;
          next.posts[String(id)] = Math.max(next.posts[String(id)], cid);
          const m = mapVkComment({ ...c, post_owner_id: ownerId, post_id: id }, ctx);
          if (m) messages.push(m);
        }
      }
      return { messages, nextCursor: next };
    },
  };
}

/** Every comment of a post, thread replies included (root pages of 100; threads beyond 10 replies fetched). */
async function readComments(api: API, ownerId: number, postId: number, addNames: (a: unknown) => void): Promise<Item[]> {
  const out: Item[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = (await call('wall.getComments', () =>
      api.wall.getComments({ owner_id: ownerId, post_id: postId, count: 100, offset, sort: 'asc', extended: 1, thread_items_count: 10 }),
    )) as unknown as Page;
    addNames(page);
    for (const root of page.items) {
      out.push(root);
      const thread = root.thread as { count?: number; items?: Item[] } | undefined;
      const inline = thread?.items ?? [];
      if ((thread?.count ?? 0) <= inline.length) {
        out.push(...inline);
        continue;
      }
      for (let tOffset = 0; ; tOffset += 100) {
        const t = (await call('wall.getComments', () =>
          api.wall.getComments({ owner_id: ownerId, post_id: postId, comment_id: Number(root.id), count: 100, offset: tOffset, sort: 'asc', extended: 1 }),
        )) as unknown as Page;
        addNames(t);
        out.push(...t.items);
        if (t.items.length < 100) break;
      }
    }
    if (page.items.length < 100) break;
  }
  return out;
}

/** Cursor of a keyword search: the newest publication time read, and the ids read at that very second. */
export interface SearchCursor {
  since: number;
  ids: string[];
}

/**
 * Keyword search over public posts (`newsfeed.search`, source.settings.q; service token). The first poll
 * looks back settings.backfill_hours (default 24).
 */
export function vkSearchReader(o: VkClientOptions & { ownGroupId?: number | null; everyMs: number; now?: () => Date }) {
  const api = createVkApi(o);
  const now = o.now ?? (() => new Date());
  return {
    everyMs: o.everyMs,
    async poll(source: PolledSource): Promise<{ messages: RawMessage[]; nextCursor: SearchCursor }> {
      const q = typeof source.settings.q === 'string' ? source.settings.q.trim() : '';
      if (!q) throw new PermanentError(`source ${source.id}: settings.q (the search query) is required`);
      const c = source.cursor as Partial<SearchCursor> | null;
      const backfill = (Number(source.settings.backfill_hours) || 24) * 3600;
      const since = typeof c?.since === 'number' ? c.since : Math.floor(now().getTime() / 1000) - backfill;
      const seenAtSince = new Set(Array.isArray(c?.ids) ? c.ids : []);
      const names = new Map<number, string>();
      const ctx: VkMapContext = { ownGroupId: o.ownGroupId, names };
      const found: Item[] = [];
      let startFrom: string | undefined;
      for (let pages = 0; pages < 5; pages++) {
        const page = (await call('newsfeed.search', () =>
          api.newsfeed.search({ q, count: 200, start_time: since, extended: 1, ...(startFrom ? { start_from: startFrom } : {}) }),
        )) as unknown as Page & { next_from?: string };
        namesOf(page).forEach((v, k) => names.set(k, v));
        found.push(...page.items);
        startFrom = page.next_from;
        if (!startFrom) break;
      }
      const messages: RawMessage[] = [];
      let newest = since;
      for (const p of found) newest = Math.max(newest, Number(p.date) || 0);
      const idsAtNewest = new Set(newest === since ? seenAtSince : []);
      for (const p of [...found].sort((a, b) => Number(a.date) - Number(b.date))) {
        const key = `${p.owner_id}_${p.id}`;
        const date = Number(p.date) || 0;
        if (date < since || (date === since && seenAtSince.has(key))) continue;
        if (date === newest) idsAtNewest.add(key);
        const m = mapVkPost(p, ctx);
        if (m) messages.push(m);
      }
      return { messages, nextCursor: { since: newest, ids: [...idsAtNewest] } };
    },
  };
}

// ------------------------------------------------------------------------------------------ publisher

/** VK's `random_id` is an int32 that makes messages.send idempotent: derive it from the reply key. */
export function randomIdOf(replyKey: string): number {
  const n = createHash('sha256').update(replyKey).digest().readInt32BE(0);
  return n === 0 ? 1 : n;
}

/**
 * Publishes replies as the community (VK_GROUP_TOKEN): a comment under the citizen's wall comment
 * (`reply_to_comment`, `guid` = reply key so a retry does not post twice), under a photo or video, in a
 * board topic, or a private message (`random_id` from the reply key: VK drops a repeat).
 */
export function vkPublisher(o: VkClientOptions & { groupId: number }) {
  const api = createVkApi({ apiLimit: 20, ...o });
  return {
    async publish(target: ReplyTarget, text: string, replyKey: string): Promise<{ externalId: string; at: Date }> {
      const ownerId = Number(target.chatId);
      const postId = Number(target.postId);
      const replyTo = target.commentId ? Number(target.commentId) : undefined;
      switch (target.kind ?? 'wall') {
        case 'wall': {
          const r = await call('wall.createComment', () =>
            api.wall.createComment({ owner_id: ownerId, post_id: postId, from_group: o.groupId, message: text, guid: replyKey, ...(replyTo ? { reply_to_comment: replyTo } : {}) }),
          );
          return { externalId: `wall${ownerId}_${postId}_${r.comment_id}`, at: new Date() };
        }
        case 'message': {
          const r = await call('messages.send', () => api.messages.send({ peer_id: ownerId, random_id: randomIdOf(replyKey), message: text }));
          return { externalId: `msg${ownerId}_${Number(r)}`, at: new Date() };
        }
        case 'photo': {
          const r = await call('photos.createComment', () =>
            api.photos.createComment({ owner_id: ownerId, photo_id: postId, from_group: 1, message: text, guid: replyKey, ...(replyTo ? { reply_to_comment: replyTo } : {}) }),
          );
          return { externalId: `photo${ownerId}_${postId}_${Number(r)}`, at: new Date() };
        }
        case 'video': {
          const r = await call('video.createComment', () =>
            api.video.createComment({ owner_id: ownerId, video_id: postId, from_group: 1, message: text, guid: replyKey, ...(replyTo ? { reply_to_comment: replyTo } : {}) }),
          );
          return { externalId: `video${ownerId}_${postId}_${Number(r)}`, at: new Date() };
        }
        case 'board': {
          const r = await call('board.createComment', () =>
            api.board.createComment({ group_id: Math.abs(ownerId), topic_id: postId, from_group: 1, message: text, guid: replyKey }),
          );
          return { externalId: `topic${ownerId}_${postId}_${Number(r)}`, at: new Date() };
        }
        default:
          throw new PermanentError(`vk: cannot reply to a target of kind ${target.kind}`);
      }
    },
  };
}

// ------------------------------------------------------------------------------------------ long poll

export interface VkStream {
  stop(): Promise<void>;
}

/**
 * Bots Long Poll for the region's own community (VK_GROUP_TOKEN + VK_GROUP_ID). vk-io re-requests the key
 * on `failed: 2/3` and keeps the ts on `failed: 1`; events that arrive while it reconnects are lost, and
 * the wall poll's cursor (the same community as a `wall` source) brings them in. `onMessage` failures are
 * logged, never thrown into vk-io (its composer would print them to the console).
 */
export async function startVkLongPoll(o: VkClientOptions & {
  groupId: number;
  onMessage: (raw: RawMessage, event: { type: string }) => Promise<void>;
  log: ConnectorLog;
}): Promise<VkStream> {
  const api = createVkApi({ apiLimit: 20, ...o });
  const agent = agentFor(o.apiUrl);
  const updates = new Updates({ api, upload: new Upload({ api }), agent, pollingGroupId: o.groupId });
  // Bots Long Poll updates have the Callback API shape ({type, object, group_id, event_id}); vk-io hands
  // each to this public method (bound when polling starts). Taking the raw update here keeps one mapping for
  // both paths instead of re-reading vk-io's per-type contexts, whose subTypes differ by event kind.
  let stopped = false;
  updates.handleWebhookUpdate = async (update: Record<string, unknown>) => {
    const type = String(update.type);
    if (stopped) return; // an answer to a request made before stop(): the next start reads it again
    try {
      const raw = mapVkEvent(type, update.object, { ownGroupId: o.groupId });
      if (raw) await o.onMessage(raw, { type });
    } catch (err) {
      o.log.warn('vk.longpoll.event-failed', { type, errName: err instanceof Error ? err.name : 'Error', errMessage: err instanceof Error ? err.message : String(err) });
    }
  };
  try {
    await updates.startPolling();
  } catch (err) {
    throw mapVkError(err, 'groups.getLongPollServer');
  }
  o.log.info('vk.longpoll.started', { groupId: o.groupId });
  return {
    async stop() {
      stopped = true;
      await updates.stop();
      // vk-io does not abort its held a_check request; destroying the agent does (vk-io then waits 3 s and
      // sees it was stopped).
      agent.destroy();
    },
  };
}
