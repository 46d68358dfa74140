/**
 * Sign-in for the dashboard and the API: password accounts, server-side sessions in a signed,
 * HttpOnly, SameSite=Lax cookie. Default-deny: every route needs a session unless it is on the public
 * list below or declares `config: { public: true }`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db';
import type { Logger } from '../log';
import { toViewer, type Viewer } from './access';
import { DUMMY_HASH, hashPassword, newToken, signToken, tokenHash, unsignToken, verifyPassword } from './passwords';
import { html, page, sendStrictPage } from './html';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in official, or null on public routes. */
    viewer: Viewer | null;
    /** The session's CSRF token for forms that change something (null without a session). */
    csrfToken: string | null;
  }
  interface FastifyContextConfig {
    /** The route answers without sign-in. */
    public?: boolean;
  }
  interface FastifyInstance {
    /** The region's name, for the header of pages rendered outside a route's own deps (403, 404). */
    otklikRegionName: string;
  }
}

export const SESSION_COOKIE = 'otklik_session';

/** Routes open without sign-in (DESIGN.md: health, metrics, the public intake, VK's callback). */
const PUBLIC_ROUTES = new Set([
  'GET /healthz',
  'GET /metrics',
  'POST /api/comments',
  'POST /webhooks/vk',
  'GET /login',
  'POST /login',
  'POST /logout',
]);

export interface AuthDeps {
  db: Db;
  log: Logger;
  now: () => Date;
  cfg: { SESSION_SECRET?: string; SESSION_TTL_HOURS: number };
  regionName: string;
}

/** The HMAC key: SESSION_SECRET, else one random key kept in the database so every api process agrees. */
export async function sessionSecret(db: Db, configured: string | undefined): Promise<string> {
  return configured ?? (await db.users.secret('session-hmac', () => randomBytes(32).toString('base64url')));
}

/** Sets an official's password (the CLI); ends their sessions. False when the official does not exist. */
export async function setPassword(db: Db, officialId: string, password: string, at: Date, opts: { login?: string; demo?: boolean } = {}): Promise<boolean> {
  const ok = await db.users.setPassword(officialId, opts.login ?? officialId, await hashPassword(password), at, opts.demo ?? false);
  if (ok) await db.users.deleteSessionsOf(officialId);
  return ok;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}

const isPublic = (req: FastifyRequest) => {
  if (req.routeOptions.config?.public === true) return true;
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  return PUBLIC_ROUTES.has(`${method} ${req.routeOptions.url ?? ''}`);
};

const wantsPage = (req: FastifyRequest) =>
  (req.method === 'GET' || req.method === 'HEAD') && !req.url.startsWith('/api/') && !req.url.startsWith('/assets/');

/** Only local paths are followed after sign-in (no open redirect). */
export const safeNext = (next: unknown) =>
  typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';

/** Installs the session hook (on the root instance, before any route) and the sign-in routes. */
export async function registerAuth(app: FastifyInstance, deps: AuthDeps): Promise<void> {
  const { db, log } = deps;
  const secret = await sessionSecret(db, deps.cfg.SESSION_SECRET);
  const ttlMs = deps.cfg.SESSION_TTL_HOURS * 3_600_000;

  const cookie = (req: FastifyRequest, value: string, maxAgeS: number) =>
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeS}${req.protocol === 'https' ? '; Secure' : ''}`;

  app.decorateRequest('viewer', null);
  app.decorateRequest('csrfToken', null);
  app.decorate('otklikRegionName', deps.regionName);
  app.addHook('onRequest', async (req, reply) => {
    const value = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    const pub = isPublic(req);
    if (value && !pub) {
      const token = unsignToken(value, secret);
      const account = token ? await db.users.session(tokenHash(token), deps.now()) : null;
      if (account && token) {
        req.viewer = toViewer(account);
        req.csrfToken = csrfFor(secret, tokenHash(token));
      }
      else log.debug('auth.session-rejected', { forged: !token });
    }
    if (req.viewer || pub) return;
    if (wantsPage(req)) return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 302);
    return reply.status(401).header('cache-control', 'no-store').send({ error: 'Требуется вход в систему' });
  });
  // After the hook, so an unknown address asks for sign-in first (nothing is told about what exists).
  app.setNotFoundHandler(async (req, reply) => notFound(req, reply));

  const loginPage = (error: string | null, next: string, login = '') =>
    page(
      { title: 'Вход', viewer: null, regionName: deps.regionName },
      html`<section class="login card">
        <h1>Вход в «Отклик»</h1>
        <p class="muted">Мониторинг обращений граждан и сроков ответа</p>
        ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
        <form method="post" action="/login">
          <input type="hidden" name="next" value="${next}">
          <label>Логин<input name="login" autocomplete="username" required value="${login}" autofocus></label>
          <label>Пароль<input name="password" type="password" autocomplete="current-password" required></label>
          <button type="submit">Войти</button>
        </form>
      </section>`,
    );

  await app.register(async (scope) => {
    acceptForms(scope, 4096);

    scope.get<{ Querystring: { next?: string } }>('/login', async (req, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(loginPage(null, safeNext(req.query.next))),
    );

    scope.post<{ Body: { login?: unknown; password?: unknown; next?: unknown } }>(
      '/login',
      { config: { rateLimit: { max: 10, timeWindow: 60_000 } } },
      async (req, reply) => {
        const json = (req.headers['content-type'] ?? '').startsWith('application/json');
        const login = typeof req.body?.login === 'string' ? req.body.login.trim().slice(0, 200) : '';
        const password = typeof req.body?.password === 'string' ? req.body.password.slice(0, 1000) : '';
        const next = safeNext(req.body?.next);
        const found = login ? await db.users.byLogin(login) : null;
        const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH);
        if (!found || !ok || !password) {
          log.info('auth.login-failed', { known: !!found });
          if (json) return reply.status(401).send({ error: 'Неверный логин или пароль' });
          return reply.status(401).type('text/html; charset=utf-8').send(loginPage('Неверный логин или пароль', next, login));
        }
        const token = newToken();
        const now = deps.now();
        await db.users.createSession(tokenHash(token), found.account.officialId, now, new Date(now.getTime() + ttlMs));
        log.info('auth.login', { officialId: found.account.officialId });
        void reply.header('set-cookie', cookie(req, signToken(token, secret), Math.floor(ttlMs / 1000)));
        if (json) return reply.send({ ok: true, officialId: found.account.officialId });
        return reply.redirect(next, 303);
      },
    );

    scope.post('/logout', async (req, reply) => {
      const value = parseCookies(req.headers.cookie)[SESSION_COOKIE];
      const token = value ? unsignToken(value, secret) : null;
      if (token) await db.users.deleteSession(tokenHash(token));
      void reply.header('set-cookie', cookie(req, '', 0));
      return reply.redirect('/login', 303);
    });
  });

  app.get('/api/me', async (req) => {
    const v = req.viewer as Viewer;
    return { officialId: v.officialId, login: v.login, name: v.name, role: v.role, municipalityId: v.municipalityId, scope: v.scope, readOnly: v.readOnly };
  });
}

/** Per-session CSRF token: an HMAC of the stored session's hash (changes with every sign-in, needs no storage). */
const csrfFor = (secret: string, sessionHash: string) => createHmac('sha256', secret).update(`csrf:${sessionHash}`).digest('base64url');

/**
 * Lets the routes of one plugin scope accept urlencoded form bodies (as flat objects) up to `bodyLimit` bytes; the
 * parser lives in that scope only, so no other route accepts them.
 */
export function acceptForms(scope: FastifyInstance, bodyLimit: number): void {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

/** True when a form carries its session's CSRF token (every POST that changes something checks this). */
export function csrfOk(req: FastifyRequest, given: unknown): boolean {
  if (!req.csrfToken || typeof given !== 'string') return false;
  const a = Buffer.from(req.csrfToken);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The signed-in viewer of a route behind the hook (never null there). */
export function viewerOf(req: FastifyRequest): Viewer {
  if (!req.viewer) throw new Error('route reached without a session');
  return req.viewer;
}

/** An error page in the normal frame (header, navigation, «Выйти»), so a person can go on from it. */
function errorPage(req: FastifyRequest, reply: FastifyReply, status: 400 | 403 | 404, detail?: string) {
  const [title, text] =
    status === 403
      ? ['Нет доступа', 'Эта страница или эти данные вне вашей зоны ответственности. Если доступ нужен для работы, обратитесь к администратору системы.']
      : status === 404
        ? ['Страница не найдена', 'Такой страницы нет: возможно, ссылка устарела или в адресе опечатка.']
        : ['Неверные условия отбора', `${detail ? `${detail}. ` : ''}Исправьте период или фильтры либо откройте страницу из меню.`];
  const body = html`<div class="card error-page"><p class="muted small">Ошибка ${status}</p><h1>${title}</h1><p>${text}</p>
    <p class="actions"><a class="button" href="/">На главную</a> <a class="button secondary" href="/incidents">К обращениям</a></p></div>`;
  return sendStrictPage(reply, page({ title, viewer: req.viewer, regionName: req.server.otklikRegionName ?? '' }, body), status);
}

/** 403 in the caller's language: a page for page routes, JSON for the API. */
export function forbidden(req: FastifyRequest, reply: FastifyReply) {
  if (wantsPage(req)) return errorPage(req, reply, 403);
  return reply.status(403).send({ error: 'Нет доступа к этим данным' });
}

/** 400 in the caller's language: a page for page routes, `body` as JSON for the API. */
export function badRequest(req: FastifyRequest, reply: FastifyReply, body: { error: string } & Record<string, unknown>) {
  if (wantsPage(req)) return errorPage(req, reply, 400, body.error);
  return reply.status(400).send(body);
}

/** 404 in the caller's language: a page for page routes, JSON for the API. */
export function notFound(req: FastifyRequest, reply: FastifyReply) {
  if (wantsPage(req)) return errorPage(req, reply, 404);
  return reply.status(404).send({ error: 'Не найдено' });
}
