/**
 * VK API emulator: a real `node:http` server on 127.0.0.1 that speaks the VK wire format
 * (`/method/<name>` with `access_token` + `v`, `{response}` / `{error}` envelopes) and runs a
 * Bots Long Poll server, so tests drive the real vk-io client against it.
 *
 * Pass `vk.url` as `VK_API_URL` (vk-io option `apiBaseUrl`) together with `agent: new http.Agent()`:
 * vk-io's default agent is `https.globalAgent`, which refuses `http://` URLs.
 */
import { randomBytes } from 'node:crypto';
import type * as http from 'node:http';
import { listenLoopback, parseRequest, sendHtmlError, sendJson, Signals, type LoopbackServer } from './http-util';

export const VK_API_VERSION = '5.199';

export type VkTokenKind = 'group' | 'service' | 'user';

export interface VkAttachment {
  type: string;
  [key: string]: unknown;
}

/** A wall post as `wall.get` / `wall.getById` / `newsfeed.search` return it (v5.199). */
export interface VkPost {
  id: number;
  owner_id: number;
  from_id: number;
  date: number;
  text: string;
  post_type: string;
  attachments: VkAttachment[];
  marked_as_ads: 0 | 1;
  is_pinned?: 0 | 1;
  signer_id?: number;
  copy_history?: VkPost[];
  post_source: { type: string };
  comments: { count: number; can_post: 0 | 1; groups_can_post: boolean };
  likes: { count: number; user_likes: 0 | 1; can_like: 0 | 1; can_publish: 0 | 1 };
  reposts: { count: number; user_reposted: 0 | 1 };
  views: { count: number };
  hash: string;
  [key: string]: unknown;
}

export interface VkThread {
  count: number;
  items?: VkComment[];
  can_post: boolean;
  show_reply_button: boolean;
  groups_can_post: boolean;
}

/** A wall comment as `wall.getComments` returns it (v5.199). Replies carry `parents_stack: [rootId]`. */
export interface VkComment {
  id: number;
  from_id: number;
  post_id: number;
  owner_id: number;
  parents_stack: number[];
  date: number;
  text: string;
  attachments?: VkAttachment[];
  reply_to_user?: number;
  reply_to_comment?: number;
  likes?: { count: number; user_likes: 0 | 1; can_like: 0 | 1; can_publish: 0 | 1 };
  thread?: VkThread;
  [key: string]: unknown;
}

export interface VkUser {
  id: number;
  first_name: string;
  last_name: string;
  can_access_closed: boolean;
  is_closed: boolean;
  [key: string]: unknown;
}

export interface VkGroup {
  id: number;
  name: string;
  screen_name: string;
  is_closed: 0 | 1 | 2;
  type: 'group' | 'page' | 'event';
  [key: string]: unknown;
}

/** A message sent through `messages.send`. */
export interface VkSentMessage {
  id: number;
  peer_id: number;
  random_id: number;
  message: string;
  from_group: number;
  date: number;
  params: Record<string, string>;
}

/** One event in a Bots Long Poll response / Callback API body. */
export interface VkLongPollUpdate {
  group_id: number;
  type: string;
  event_id: string;
  v: string;
  object: Record<string, unknown>;
}

/** The JSON body VK POSTs to a Callback API server. */
export interface VkCallbackBody {
  type: string;
  event_id: string;
  v: string;
  object?: Record<string, unknown>;
  group_id: number;
  secret?: string;
}

export interface VkCall {
  method: string;
  /** All request parameters except `access_token`, as strings (the wire form). */
  params: Record<string, string>;
  token: string | undefined;
  httpMethod: string;
  contentType: string;
}

export interface VkLongPollCheck {
  key: string;
  ts: string;
  wait: number;
  /** What the emulator answered: `updates`, `timeout`, `failed:1|2|3`, `http:<status>`. */
  outcome?: string;
}

/** A failure to inject: an API error envelope (HTTP 200) or a bare HTTP status with an nginx page. */
export type VkFailure = { errorCode: number; errorMsg?: string } | { httpStatus: number };

export interface FakeVkOptions {
  /** The community the group tokens belong to (positive id). Default 1000001. */
  group?: Partial<VkGroup> & { id?: number };
  /** Community access tokens (act as `group.id`). Default `['vk-group-token']`. */
  groupTokens?: string[];
  /** Service tokens of the app. Default `['vk-service-token']`. */
  serviceTokens?: string[];
  /** User tokens: token → user id. Default none. */
  userTokens?: Record<string, number>;
  /** Accept any token (as a service token that may also call group methods). Default false. */
  anyToken?: boolean;
  /** Methods a community token may not call (error 27). */
  groupForbiddenMethods?: string[];
  /** Methods a service token may not call (error 28). */
  serviceForbiddenMethods?: string[];
  /** Users known to `users.get`; unknown ids get a generated profile. */
  users?: Array<Partial<VkUser> & { id: number }>;
  /** Peers that have not allowed community messages (`messages.send` → error 901). */
  messagesDeniedPeers?: number[];
  /** Emit `wall_post_new` / `wall_reply_new` long-poll events for posts/comments on the community wall. Default true. */
  autoEvents?: boolean;
  /** Unix time source. Default the wall clock. */
  now?: () => number;
  /** API version stamped on events (`v`). Default 5.199. */
  eventsVersion?: string;
}

const ERROR_MESSAGES: Record<number, string> = {
  1: 'Unknown error occurred',
  3: 'Unknown method passed',
  5: 'User authorization failed: invalid access_token (4).',
  6: 'Too many requests per second',
  7: 'Permission to perform this action is denied',
  8: 'Invalid request: v is required',
  9: 'Flood control',
  10: 'Internal server error',
  15: 'Access denied',
  18: 'User was deleted or banned',
  27: 'Group authorization failed: method is unavailable with group auth.',
  28: 'Application authorization failed: method is unavailable with service token.',
  29: 'Rate limit reached',
  30: 'This profile is private',
  100: 'One of the parameters specified was missing or invalid',
  113: 'Invalid user id',
  210: "Access to wall's post denied",
  212: 'Access to post comments denied',
  901: "Can't send messages for users without permission",
};

class VkApiError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string = ERROR_MESSAGES[code] ?? 'Unknown error occurred',
  ) {
    super(msg);
  }
}

interface TokenInfo {
  kind: VkTokenKind | 'any';
  groupId?: number;
  userId?: number;
}

interface LongPollKey {
  key: string;
  groupId: number;
  valid: boolean;
  failure: 2 | 3;
}

interface HeldCheck {
  groupId: number;
  ts: number;
  res: http.ServerResponse;
  timer: NodeJS.Timeout;
  record: VkLongPollCheck;
}

const IMPLEMENTED = [
  'groups.getById',
  'groups.getLongPollServer',
  'wall.get',
  'wall.getComments',
  'wall.getById',
  'newsfeed.search',
  'wall.createComment',
  'messages.send',
  'users.get',
];

export class FakeVk {
  /** Base to pass as `VK_API_URL` / vk-io `apiBaseUrl`: `http://127.0.0.1:PORT/method`. */
  readonly url: string;
  /** The origin, `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly group: VkGroup;
  readonly groupToken: string;
  readonly serviceToken: string;
  /** Every API call, in arrival order (long-poll checks are in `longPollChecks`). */
  readonly calls: VkCall[] = [];
  readonly longPollChecks: VkLongPollCheck[] = [];
  /** Comments created through `wall.createComment` (also stored on the wall). */
  readonly createdComments: VkComment[] = [];
  readonly sentMessages: VkSentMessage[] = [];
  /** Every long-poll event ever pushed, in order. */
  readonly events: VkLongPollUpdate[] = [];

  private readonly server: LoopbackServer;
  private readonly opts: FakeVkOptions;
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly posts = new Map<string, VkPost>();
  private readonly comments = new Map<string, VkComment[]>();
  private readonly nextItemId = new Map<number, number>();
  private readonly users = new Map<number, VkUser>();
  private readonly failures = new Map<string, { failure: VkFailure; remaining: number }[]>();
  private readonly lpKeys = new Map<string, LongPollKey>();
  private readonly held = new Set<HeldCheck>();
  private pendingLpFailure: 1 | null = null;
  private nextMessageId = 1;
  private readonly randomIds = new Map<string, number>();
  private readonly callSignals = new Signals<VkCall>();
  private readonly checkSignals = new Signals<VkLongPollCheck>();
  private readonly parkSignals = new Signals<number>();
  private stopped = false;

  /** @internal use `startFakeVk` */
  constructor(server: LoopbackServer, opts: FakeVkOptions) {
    this.server = server;
    this.opts = opts;
    this.origin = server.origin;
    this.url = `${server.origin}/method`;
    const groupId = opts.group?.id ?? 1000001;
    this.group = {
      name: 'Test community',
      screen_name: `club${groupId}`,
      is_closed: 0,
      type: 'page',
      photo_50: `https://sun1-1.userapi.com/${groupId}_50.jpg`,
      ...opts.group,
      id: groupId,
    };
    const groupTokens = opts.groupTokens ?? ['vk-group-token'];
    const serviceTokens = opts.serviceTokens ?? ['vk-service-token'];
    this.groupToken = groupTokens[0] ?? '';
    this.serviceToken = serviceTokens[0] ?? '';
    for (const t of groupTokens) this.tokens.set(t, { kind: 'group', groupId });
    for (const t of serviceTokens) this.tokens.set(t, { kind: 'service' });
    for (const [t, userId] of Object.entries(opts.userTokens ?? {})) this.tokens.set(t, { kind: 'user', userId });
    for (const u of opts.users ?? []) this.users.set(u.id, this.userObject(u.id, u));
  }

  // ---------------------------------------------------------------- controls

  /** Adds a post to a wall (ownerId < 0 for a community). Missing fields get realistic defaults. */
  addPost(ownerId: number, post: Partial<VkPost> = {}): VkPost {
    const id = post.id ?? this.allocateId(ownerId);
    this.bumpId(ownerId, id);
    const full: VkPost = {
      id,
      owner_id: ownerId,
      from_id: post.from_id ?? ownerId,
      date: post.date ?? this.now(),
      text: '',
      post_type: 'post',
      attachments: [],
      marked_as_ads: 0,
      post_source: { type: 'vk' },
      comments: { count: 0, can_post: 1, groups_can_post: true },
      likes: { count: 0, user_likes: 0, can_like: 1, can_publish: 1 },
      reposts: { count: 0, user_reposted: 0 },
      views: { count: 0 },
      hash: randomBytes(9).toString('base64url'),
      ...post,
    };
    full.owner_id = ownerId;
    this.posts.set(`${ownerId}_${id}`, full);
    if (this.autoEvents && ownerId === -this.group.id) this.pushLongPollEvent('wall_post_new', this.postView(full));
    return this.postView(full);
  }

  /**
   * Adds a comment under a post. `reply_to_comment` makes it a thread reply (its `parents_stack`
   * is the thread root). Returns the stored comment.
   */
  addComment(ownerId: number, postId: number, comment: Partial<VkComment> = {}): VkComment {
    const stored = this.storeComment(ownerId, postId, comment);
    if (this.autoEvents && ownerId === -this.group.id) this.pushLongPollEvent('wall_reply_new', this.replyEventObject(stored));
    return this.commentView(stored);
  }

  /** Deletes a comment (hidden from `wall.getComments`, counts drop) and emits `wall_reply_delete`. */
  deleteComment(ownerId: number, commentId: number, deleterId: number = -this.group.id): void {
    for (const [key, list] of this.comments) {
      const c = list.find((x) => x.id === commentId && x.owner_id === ownerId);
      if (!c) continue;
      c.deleted = true;
      if (this.autoEvents && ownerId === -this.group.id) {
        this.pushLongPollEvent('wall_reply_delete', { owner_id: ownerId, id: commentId, deleter_id: deleterId, post_id: Number(key.split('_')[1]) });
      }
      return;
    }
    throw new Error(`FakeVk: no comment ${commentId} on wall ${ownerId}`);
  }

  /** The comments stored under a post (thread replies included), oldest first. */
  commentsOf(ownerId: number, postId: number): VkComment[] {
    return (this.comments.get(`${ownerId}_${postId}`) ?? []).map((c) => this.commentView(c));
  }

  /** Appends an event to the community's long-poll stream and releases held `a_check` requests. */
  pushLongPollEvent(type: string, object: Record<string, unknown>, groupId: number = this.group.id): VkLongPollUpdate {
    const update: VkLongPollUpdate = { group_id: groupId, type, event_id: randomBytes(20).toString('hex'), v: this.eventsVersion, object };
    this.events.push(update);
    for (const h of [...this.held]) {
      if (h.groupId === groupId) this.answerHeld(h, 'updates');
    }
    return update;
  }

  /**
   * Injects a long-poll failure. 1: the next (or held) check answers `{failed:1, ts}` (history lost,
   * keep polling with the new ts). 2/3: every key handed out so far stops working (`{failed:2}` key
   * expired / `{failed:3}` information lost) until the client calls `groups.getLongPollServer` again.
   */
  failLongPoll(code: 1 | 2 | 3): void {
    if (code === 1) {
      this.pendingLpFailure = 1;
      const first = [...this.held][0];
      if (first) this.answerHeld(first, 'failed');
      return;
    }
    for (const k of this.lpKeys.values()) {
      if (k.valid) {
        k.valid = false;
        k.failure = code;
      }
    }
    for (const h of [...this.held]) this.answerHeld(h, 'failed');
  }

  /**
   * A Callback API body for `type`/`object` as VK would POST it (`event_id`, `v`, `group_id`, and
   * `secret` when given). POST the same body twice to emulate VK's redelivery.
   */
  callbackEvent(type: string, object?: Record<string, unknown>, opts: { groupId?: number; secret?: string; eventId?: string; v?: string } = {}): VkCallbackBody {
    const body: VkCallbackBody = {
      group_id: opts.groupId ?? this.group.id,
      type,
      event_id: opts.eventId ?? randomBytes(20).toString('hex'),
      v: opts.v ?? this.eventsVersion,
    };
    if (object !== undefined && type !== 'confirmation') body.object = object;
    if (opts.secret !== undefined) body.secret = opts.secret;
    return body;
  }

  /** The `wall_reply_new` object VK sends for a stored comment (comment + `post_owner_id`). */
  replyEventObject(comment: VkComment): Record<string, unknown> {
    const view: Record<string, unknown> = { ...this.commentView(comment), post_owner_id: comment.owner_id };
    delete view.thread;
    return view;
  }

  /** POSTs a Callback API body to `url` like VK does (JSON, no auth header). */
  async deliverCallback(url: string, body: VkCallbackBody): Promise<{ status: number; text: string }> {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, text: await r.text() };
  }

  /** Makes the next `times` calls of `method` (or `'*'` for any; `'longpoll'` for `a_check`) fail. */
  failNext(method: string, failure: VkFailure, times = 1): void {
    const list = this.failures.get(method) ?? [];
    list.push({ failure, remaining: times });
    this.failures.set(method, list);
  }

  /** Resolves with the first call (past or future) of `method` matching `match`. */
  waitForCall(method: string, match: (call: VkCall) => boolean = () => true, opts: { after?: number } = {}): Promise<VkCall> {
    const pred = (c: VkCall) => c.method === method && match(c);
    return this.callSignals.waitFor(pred, this.calls.slice(opts.after ?? 0));
  }

  /** Resolves when the `n`-th long-poll check (1-based, counting all so far) has arrived. */
  waitForLongPollCheck(n: number): Promise<VkLongPollCheck> {
    const existing = this.longPollChecks[n - 1];
    if (existing) return Promise.resolve(existing);
    return this.checkSignals.waitFor(() => this.longPollChecks.length >= n).then(() => this.longPollChecks[n - 1]);
  }

  /**
   * Resolves once a client is parked in a held `a_check` (now or later). Await it before stopping a
   * vk-io poller: vk-io's `updates.stop()` does not abort its in-flight request, and a request that
   * reaches a closed emulator makes vk-io sleep 3 s before noticing it was stopped.
   */
  waitForParkedLongPoll(): Promise<void> {
    if (this.held.size > 0) return Promise.resolve();
    return this.parkSignals.waitFor(() => this.held.size > 0).then(() => undefined);
  }

  /** Number of `a_check` requests currently held open. */
  get heldLongPolls(): number {
    return this.held.size;
  }

  /** The long-poll `ts` a client would be at after reading everything. */
  get longPollTs(): number {
    return this.events.length;
  }

  /** Answers held long polls (empty `updates`), waits for those answers to flush, then closes every socket. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const flushed = [...this.held].map((h) => {
      const done = new Promise<void>((resolve) => h.res.once('close', () => resolve()));
      this.answerHeld(h, 'timeout');
      return done;
    });
    await Promise.all(flushed);
    await this.server.close();
  }

  // ---------------------------------------------------------------- HTTP

  /** @internal */
  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let parsed;
    try {
      parsed = await parseRequest(req);
    } catch {
      sendJson(res, 400, { error: { error_code: 8, error_msg: 'Invalid request: malformed body', request_params: [] } });
      return;
    }
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.fields)) params[k] = typeof v === 'string' ? v : JSON.stringify(v);
    if (parsed.path.startsWith('/method/')) {
      this.handleMethod(decodeURIComponent(parsed.path.slice('/method/'.length)), params, parsed.method, parsed.contentType, res);
      return;
    }
    const lp = /^\/lp\/(\d+)$/.exec(parsed.path);
    if (lp) {
      this.handleLongPoll(Number(lp[1]), params, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not Found');
  }

  private handleMethod(method: string, params: Record<string, string>, httpMethod: string, contentType: string, res: http.ServerResponse): void {
    const token = params.access_token;
    const visible = { ...params };
    delete visible.access_token;
    const call: VkCall = { method, params: visible, token, httpMethod, contentType };
    this.calls.push(call);
    this.callSignals.emit(call);

    const failure = this.takeFailure(method);
    if (failure && 'httpStatus' in failure) {
      sendHtmlError(res, failure.httpStatus);
      return;
    }
    try {
      if (failure) throw new VkApiError(failure.errorCode, failure.errorMsg);
      const info = this.authenticate(token);
      if (!params.v) throw new VkApiError(8);
      if (!IMPLEMENTED.includes(method)) throw new VkApiError(3);
      this.checkTokenKind(method, info);
      const response = this.dispatch(method, params, info);
      sendJson(res, 200, { response });
    } catch (err) {
      if (!(err instanceof VkApiError)) throw err;
      const requestParams = [
        { key: 'method', value: method },
        { key: 'oauth', value: '1' },
        ...Object.entries(visible).map(([key, value]) => ({ key, value })),
      ];
      sendJson(res, 200, { error: { error_code: err.code, error_msg: err.msg, request_params: requestParams } });
    }
  }

  private authenticate(token: string | undefined): TokenInfo {
    if (!token) throw new VkApiError(5, 'User authorization failed: no access_token passed.');
    if (this.opts.anyToken) return this.tokens.get(token) ?? { kind: 'any' };
    const info = this.tokens.get(token);
    if (!info) throw new VkApiError(5);
    return info;
  }

  private checkTokenKind(method: string, info: TokenInfo): void {
    const groupForbidden = this.opts.groupForbiddenMethods ?? ['wall.get', 'wall.getComments', 'newsfeed.search'];
    const serviceForbidden = this.opts.serviceForbiddenMethods ?? ['groups.getLongPollServer', 'messages.send', 'wall.createComment'];
    if (info.kind === 'group' && groupForbidden.includes(method)) throw new VkApiError(27);
    if (info.kind === 'service' && serviceForbidden.includes(method)) throw new VkApiError(28);
  }

  private dispatch(method: string, p: Record<string, string>, info: TokenInfo): unknown {
    switch (method) {
      case 'groups.getById':
        return this.groupsGetById(p, info);
      case 'groups.getLongPollServer':
        return this.groupsGetLongPollServer(p, info);
      case 'wall.get':
        return this.wallGet(p);
      case 'wall.getById':
        return this.wallGetById(p);
      case 'wall.getComments':
        return this.wallGetComments(p);
      case 'newsfeed.search':
        return this.newsfeedSearch(p);
      case 'wall.createComment':
        return this.wallCreateComment(p, info);
      case 'messages.send':
        return this.messagesSend(p, info);
      case 'users.get':
        return this.usersGet(p);
      default:
        throw new VkApiError(3);
    }
  }

  // ---------------------------------------------------------------- methods

  private groupsGetById(p: Record<string, string>, info: TokenInfo): unknown {
    const raw = p.group_ids ?? p.group_id;
    let ids: string[];
    if (raw) ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
    else if (info.kind === 'group' && info.groupId !== undefined) ids = [String(info.groupId)];
    else throw new VkApiError(100, 'One of the parameters specified was missing or invalid: group_ids is undefined');
    const groups = ids.map((id) => {
      const n = Number(id.replace(/^(club|public)/, ''));
      if (n === this.group.id || id === this.group.screen_name) return this.group;
      if (!Number.isInteger(n) || n <= 0) throw new VkApiError(100, 'One of the parameters specified was missing or invalid: group_ids is invalid');
      return { id: n, name: `Community ${n}`, screen_name: `club${n}`, is_closed: 0, type: 'group' };
    });
    return this.atLeast(p.v, 5.194) ? { groups, profiles: [] } : groups;
  }

  private groupsGetLongPollServer(p: Record<string, string>, info: TokenInfo): unknown {
    const groupId = Number(p.group_id);
    if (!p.group_id || !Number.isInteger(groupId) || groupId <= 0) {
      throw new VkApiError(100, 'One of the parameters specified was missing or invalid: group_id is undefined');
    }
    if (info.kind === 'group' && info.groupId !== groupId) throw new VkApiError(15, 'Access denied: no access to call this method');
    const key = randomBytes(20).toString('hex');
    this.lpKeys.set(key, { key, groupId, valid: true, failure: 2 });
    return { key, server: `${this.origin}/lp/${groupId}`, ts: String(this.events.length) };
  }

  private wallGet(p: Record<string, string>): unknown {
    const ownerId = this.ownerFrom(p);
    const offset = this.intParam(p, 'offset', 0);
    const count = Math.min(this.intParam(p, 'count', 20), 100);
    const filter = p.filter ?? 'all';
    let items = [...this.posts.values()].filter((x) => x.owner_id === ownerId);
    if (filter === 'owner') items = items.filter((x) => x.from_id === ownerId);
    else if (filter === 'others') items = items.filter((x) => x.from_id !== ownerId);
    items.sort((a, b) => (b.is_pinned ?? 0) - (a.is_pinned ?? 0) || b.date - a.date || b.id - a.id);
    return { count: items.length, items: items.slice(offset, offset + count).map((x) => this.postView(x)) };
  }

  private wallGetById(p: Record<string, string>): unknown {
    if (!p.posts) throw new VkApiError(100, 'One of the parameters specified was missing or invalid: posts is undefined');
    const items = p.posts
      .split(',')
      .map((s) => this.posts.get(s.trim()))
      .filter((x): x is VkPost => x !== undefined)
      .map((x) => this.postView(x));
    return this.atLeast(p.v, 5.194) ? { items } : items;
  }

  private wallGetComments(p: Record<string, string>): unknown {
    const ownerId = this.ownerFrom(p);
    const postId = this.intParam(p, 'post_id', NaN);
    if (!Number.isInteger(postId)) throw new VkApiError(100, 'One of the parameters specified was missing or invalid: post_id is undefined');
    const post = this.posts.get(`${ownerId}_${postId}`);
    if (!post) throw new VkApiError(100, 'One of the parameters specified was missing or invalid: post_id is invalid');
    const all = (this.comments.get(`${ownerId}_${postId}`) ?? []).filter((c) => !c.deleted);
    const offset = this.intParam(p, 'offset', 0);
    const count = Math.min(this.intParam(p, 'count', 10), 100);
    const desc = p.sort === 'desc';
    const threadItems = Math.min(this.intParam(p, 'thread_items_count', 0), 10);
    const rootId = p.comment_id ? Number(p.comment_id) : undefined;
    let level = rootId !== undefined ? all.filter((c) => c.parents_stack[0] === rootId) : all.filter((c) => c.parents_stack.length === 0);
    level = [...level].sort((a, b) => (desc ? b.id - a.id : a.id - b.id));
    let start = offset;
    if (p.start_comment_id) {
      const idx = level.findIndex((c) => c.id === Number(p.start_comment_id));
      if (idx === -1) throw new VkApiError(100, 'One of the parameters specified was missing or invalid: start_comment_id is invalid');
      start = idx + offset;
    }
    const page = level.slice(start, start + count).map((c) => {
      const view = this.commentView(c, { withThread: rootId === undefined });
      if (view.thread && threadItems > 0) {
        view.thread.items = all
          .filter((r) => r.parents_stack[0] === c.id)
          .sort((a, b) => a.id - b.id)
          .slice(0, threadItems)
          .map((r) => this.commentView(r, { withThread: false }));
      }
      return view;
    });
    const response: Record<string, unknown> = {
      count: rootId !== undefined ? level.length : all.length,
      items: page,
      current_level_count: level.length,
      can_post: true,
      show_reply_button: true,
      groups_can_post: true,
    };
    if (this.flag(p.extended)) Object.assign(response, this.extendedOf(page.flatMap((c) => [c, ...(c.thread?.items ?? [])])));
    return response;
  }

  private newsfeedSearch(p: Record<string, string>): unknown {
    const words = (p.q ?? '')
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean);
    const startTime = p.start_time ? Number(p.start_time) : -Infinity;
    const endTime = p.end_time ? Number(p.end_time) : Infinity;
    const count = Math.min(this.intParam(p, 'count', 30), 200);
    const offset = p.start_from ? Number(/^(\d+)/.exec(p.start_from)?.[1] ?? 0) : 0;
    const matches = [...this.posts.values()]
      .filter((x) => x.date >= startTime && x.date <= endTime)
      .filter((x) => words.every((w) => x.text.toLowerCase().includes(w)))
      .sort((a, b) => b.date - a.date || b.id - a.id);
    const page = matches.slice(offset, offset + count).map((x) => this.postView(x));
    const response: Record<string, unknown> = { items: page, count: matches.length, total_count: matches.length };
    if (offset + count < matches.length) {
      const last = page[page.length - 1];
      response.next_from = `${offset + count}/${last.owner_id}_${last.id}`;
    }
    if (this.flag(p.extended)) Object.assign(response, this.extendedOf(page));
    return response;
  }

  private wallCreateComment(p: Record<string, string>, info: TokenInfo): unknown {
    const ownerId = this.ownerFrom(p);
    const postId = this.intParam(p, 'post_id', NaN);
    if (!this.posts.has(`${ownerId}_${postId}`)) throw new VkApiError(100, 'One of the parameters specified was missing or invalid: post_id is invalid');
    const message = p.message ?? '';
    if (!message && !p.attachments && !p.sticker_id) throw new VkApiError(100, 'One of the parameters specified was missing or invalid: message is empty');
    let fromId: number;
    if (info.kind === 'group' && info.groupId !== undefined) fromId = -info.groupId;
    else if (p.from_group && Number(p.from_group) > 0) fromId = -Number(p.from_group);
    else if (info.kind === 'user' && info.userId !== undefined) fromId = info.userId;
    else fromId = -this.group.id;
    const replyTo = p.reply_to_comment ? Number(p.reply_to_comment) : undefined;
    if (replyTo !== undefined && !(this.comments.get(`${ownerId}_${postId}`) ?? []).some((c) => c.id === replyTo && !c.deleted)) {
      throw new VkApiError(100, 'One of the parameters specified was missing or invalid: reply_to_comment is invalid');
    }
    const stored = this.storeComment(ownerId, postId, { from_id: fromId, text: message, reply_to_comment: replyTo });
    this.createdComments.push(this.commentView(stored));
    if (this.autoEvents && ownerId === -this.group.id) this.pushLongPollEvent('wall_reply_new', this.replyEventObject(stored));
    return { comment_id: stored.id, parents_stack: stored.parents_stack };
  }

  private messagesSend(p: Record<string, string>, info: TokenInfo): unknown {
    if (p.random_id === undefined) throw new VkApiError(100, 'One of the parameters specified was missing or invalid: random_id is a required parameter');
    const randomId = Number(p.random_id);
    const peerIds = p.peer_ids ? p.peer_ids.split(',').map(Number) : [Number(p.peer_id ?? p.user_id ?? p.chat_id)];
    if (peerIds.some((x) => !Number.isFinite(x) || x === 0)) throw new VkApiError(100, 'One of the parameters specified was missing or invalid: peer_id is undefined');
    if (!p.message && !p.attachment && !p.sticker_id) throw new VkApiError(100, 'One of the parameters specified was missing or invalid: message is empty or invalid');
    const fromGroup = info.kind === 'group' && info.groupId !== undefined ? info.groupId : this.group.id;
    const results = peerIds.map((peerId) => {
      if ((this.opts.messagesDeniedPeers ?? []).includes(peerId)) throw new VkApiError(901);
      const dedupKey = `${peerId}:${randomId}`;
      const existing = randomId !== 0 ? this.randomIds.get(dedupKey) : undefined;
      if (existing !== undefined) return { peer_id: peerId, message_id: existing, conversation_message_id: existing };
      const id = this.nextMessageId++;
      if (randomId !== 0) this.randomIds.set(dedupKey, id);
      this.sentMessages.push({ id, peer_id: peerId, random_id: randomId, message: p.message ?? '', from_group: fromGroup, date: this.now(), params: { ...p } });
      return { peer_id: peerId, message_id: id, conversation_message_id: id };
    });
    return p.peer_ids ? results : results[0].message_id;
  }

  private usersGet(p: Record<string, string>): unknown {
    const raw = p.user_ids ?? p.user_id ?? '';
    const ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
    return ids.map((s) => {
      const id = Number(s.replace(/^id/, ''));
      if (!Number.isInteger(id) || id <= 0) throw new VkApiError(113);
      return this.users.get(id) ?? this.userObject(id, {});
    });
  }

  // ---------------------------------------------------------------- long poll

  private handleLongPoll(groupId: number, p: Record<string, string>, res: http.ServerResponse): void {
    const record: VkLongPollCheck = { key: p.key ?? '', ts: p.ts ?? '', wait: Math.min(Number(p.wait ?? 25) || 0, 90) };
    this.longPollChecks.push(record);
    this.checkSignals.emit(record);
    const failure = this.takeFailure('longpoll');
    if (failure && 'httpStatus' in failure) {
      record.outcome = `http:${failure.httpStatus}`;
      sendHtmlError(res, failure.httpStatus);
      return;
    }
    if (p.act !== 'a_check') {
      sendJson(res, 200, { failed: 2 });
      record.outcome = 'failed:2';
      return;
    }
    const key = this.lpKeys.get(record.key);
    if (!key || key.groupId !== groupId || !key.valid) {
      const code = key && !key.valid ? key.failure : 2;
      record.outcome = `failed:${code}`;
      sendJson(res, 200, { failed: code });
      return;
    }
    const ts = Number(record.ts);
    if (this.pendingLpFailure === 1 || !Number.isInteger(ts) || ts < 0 || ts > this.events.length) {
      this.pendingLpFailure = null;
      record.outcome = 'failed:1';
      sendJson(res, 200, { failed: 1, ts: String(this.events.length) });
      return;
    }
    const ready = this.pendingUpdates(groupId, ts);
    if (ready.length > 0 || record.wait === 0) {
      record.outcome = ready.length > 0 ? 'updates' : 'timeout';
      sendJson(res, 200, { ts: String(this.events.length), updates: ready });
      return;
    }
    const timer = setTimeout(() => this.answerHeld(held, 'timeout'), record.wait * 1000);
    const held: HeldCheck = { groupId, ts, res, timer, record };
    this.held.add(held);
    res.once('close', () => {
      clearTimeout(timer);
      this.held.delete(held);
    });
    this.parkSignals.emit(this.held.size);
  }

  private pendingUpdates(groupId: number, ts: number): VkLongPollUpdate[] {
    return this.events.slice(ts).filter((e) => e.group_id === groupId);
  }

  private answerHeld(h: HeldCheck, reason: 'updates' | 'timeout' | 'failed'): void {
    clearTimeout(h.timer);
    this.held.delete(h);
    if (reason === 'failed') {
      const key = this.lpKeys.get(h.record.key);
      if (key && !key.valid) {
        h.record.outcome = `failed:${key.failure}`;
        sendJson(h.res, 200, { failed: key.failure });
      } else {
        this.pendingLpFailure = null;
        h.record.outcome = 'failed:1';
        sendJson(h.res, 200, { failed: 1, ts: String(this.events.length) });
      }
      return;
    }
    const updates = this.pendingUpdates(h.groupId, h.ts);
    h.record.outcome = updates.length > 0 ? 'updates' : 'timeout';
    sendJson(h.res, 200, { ts: String(this.events.length), updates });
  }

  // ---------------------------------------------------------------- helpers

  private get autoEvents(): boolean {
    return this.opts.autoEvents ?? true;
  }

  private get eventsVersion(): string {
    return this.opts.eventsVersion ?? VK_API_VERSION;
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Math.floor(Date.now() / 1000);
  }

  /** Posts and comments of one wall share one id sequence, as on VK. */
  private allocateId(ownerId: number): number {
    const id = this.nextItemId.get(ownerId) ?? 1;
    this.nextItemId.set(ownerId, id + 1);
    return id;
  }

  private bumpId(ownerId: number, used: number): void {
    if ((this.nextItemId.get(ownerId) ?? 1) <= used) this.nextItemId.set(ownerId, used + 1);
  }

  private storeComment(ownerId: number, postId: number, comment: Partial<VkComment>): VkComment {
    const key = `${ownerId}_${postId}`;
    if (!this.posts.has(key)) throw new Error(`FakeVk: no post ${key}; addPost first`);
    const list = this.comments.get(key) ?? [];
    const id = comment.id ?? this.allocateId(ownerId);
    this.bumpId(ownerId, id);
    let parents: number[] = [];
    let replyToUser = comment.reply_to_user;
    if (comment.reply_to_comment !== undefined) {
      const target = list.find((c) => c.id === comment.reply_to_comment);
      if (!target) throw new Error(`FakeVk: no comment ${comment.reply_to_comment} under ${key}`);
      parents = target.parents_stack.length > 0 ? [...target.parents_stack] : [target.id];
      replyToUser ??= target.from_id;
    }
    const stored: VkComment = {
      id,
      from_id: 1,
      date: this.now(),
      text: '',
      ...comment,
      post_id: postId,
      owner_id: ownerId,
      parents_stack: comment.parents_stack ?? parents,
    };
    if (replyToUser !== undefined) stored.reply_to_user = replyToUser;
    if (stored.reply_to_comment === undefined) delete stored.reply_to_comment;
    if (stored.reply_to_user === undefined) delete stored.reply_to_user;
    list.push(stored);
    this.comments.set(key, list);
    return stored;
  }

  private commentView(c: VkComment, opts: { withThread?: boolean } = {}): VkComment {
    const view: VkComment = { ...c };
    delete view.deleted;
    if (!view.attachments || view.attachments.length === 0) delete view.attachments;
    const withThread = opts.withThread ?? c.parents_stack.length === 0;
    if (withThread && c.parents_stack.length === 0) {
      const replies = (this.comments.get(`${c.owner_id}_${c.post_id}`) ?? []).filter((r) => r.parents_stack[0] === c.id && !r.deleted);
      view.thread = { count: replies.length, items: [], can_post: true, show_reply_button: true, groups_can_post: true };
    } else {
      delete view.thread;
    }
    return view;
  }

  private postView(x: VkPost): VkPost {
    const count = (this.comments.get(`${x.owner_id}_${x.id}`) ?? []).filter((c) => !c.deleted).length;
    return { ...x, comments: { ...x.comments, count } };
  }

  private extendedOf(items: Array<{ from_id: number; owner_id: number }>): { profiles: VkUser[]; groups: VkGroup[] } {
    const ids = new Set(items.flatMap((i) => [i.from_id, i.owner_id]));
    const profiles = [...ids].filter((i) => i > 0).map((i) => this.users.get(i) ?? this.userObject(i, {}));
    const groups = [...ids]
      .filter((i) => i < 0)
      .map((i) => (-i === this.group.id ? this.group : { id: -i, name: `Community ${-i}`, screen_name: `club${-i}`, is_closed: 0 as const, type: 'group' as const }));
    return { profiles, groups };
  }

  private userObject(id: number, u: Partial<VkUser>): VkUser {
    return { id, first_name: 'User', last_name: String(id), can_access_closed: true, is_closed: false, ...u };
  }

  private ownerFrom(p: Record<string, string>): number {
    if (p.owner_id !== undefined) {
      const n = Number(p.owner_id);
      if (!Number.isInteger(n)) throw new VkApiError(100, 'One of the parameters specified was missing or invalid: owner_id not integer');
      return n;
    }
    if (p.domain !== undefined) {
      if (p.domain === this.group.screen_name) return -this.group.id;
      throw new VkApiError(100, 'One of the parameters specified was missing or invalid: domain is invalid');
    }
    throw new VkApiError(100, 'One of the parameters specified was missing or invalid: owner_id is undefined');
  }

  private intParam(p: Record<string, string>, name: string, fallback: number): number {
    if (p[name] === undefined || p[name] === '') return fallback;
    const n = Number(p[name]);
    if (!Number.isFinite(n)) throw new VkApiError(100, `One of the parameters specified was missing or invalid: ${name} not integer`);
    return n;
  }

  private flag(v: string | undefined): boolean {
    return v === '1' || v === 'true';
  }

  private atLeast(v: string | undefined, min: number): boolean {
    return Number(v ?? VK_API_VERSION) >= min;
  }

  private takeFailure(method: string): VkFailure | undefined {
    for (const name of [method, '*']) {
      if (method === 'longpoll' && name === '*') continue;
      const list = this.failures.get(name);
      const head = list?.[0];
      if (!list || !head) continue;
      head.remaining -= 1;
      if (head.remaining <= 0) list.shift();
      return head.failure;
    }
    return undefined;
  }
}

/** Starts the VK emulator on 127.0.0.1:0. */
export async function startFakeVk(opts: FakeVkOptions = {}): Promise<FakeVk> {
  let vk: FakeVk | undefined;
  const server = await listenLoopback((req, res) => {
    if (!vk) return;
    vk.handle(req, res).catch(() => {
      if (!res.headersSent) sendHtmlError(res, 500);
    });
  });
  vk = new FakeVk(server, opts);
  return vk;
}
