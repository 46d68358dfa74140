/**
 * HTTP intake of the connectors: the VK Callback API (`POST /webhooks/vk`) and the embeddable public
 * comment form (`GET /comments/form`, which posts to the existing `POST /api/comments`).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { decideCallback } from '../../connectors/vk/callback';
import { formHeaders, renderCommentForm } from '../../connectors/web/form';
import type { Config } from '../config';
import { errorFields } from '../errors';
import type { Logger } from '../log';
import { withTimeout } from '../lib/timeout';
import { ingestFromStream } from './connectors';
import type { IngestDeps } from './ingest';

const INTAKE_TIMEOUT_MS = 4000;
const KEEP_EVENTS_MS = 3 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;

/** Registers the routes (after the sign-in hook: both are public). */
export function registerConnectorRoutes(app: FastifyInstance, deps: IngestDeps & { cfg: Config; log: Logger }): void {
  const { db, cfg } = deps;
  const log = deps.log.child({ source: 'vk-callback' });
  let prunedAt = 0;

  app.post('/webhooks/vk', { config: { public: true } }, async (req, reply) => {
    const d = decideCallback(req.body, { secret: cfg.VK_CALLBACK_SECRET, confirmation: cfg.VK_CALLBACK_CONFIRMATION, groupId: cfg.VK_GROUP_ID });
    const text = (status: number, body: string) => reply.status(status).type('text/plain; charset=utf-8').send(body);
    switch (d.kind) {
      case 'bad-request':
        log.warn('vk.callback.bad-request', { reason: d.reason });
        return text(400, 'bad request');
      case 'forbidden':
        log.warn('vk.callback.forbidden', { reason: d.reason });
        return text(403, 'forbidden');
      case 'confirm':
        log.info('vk.callback.confirmation');
        return text(200, d.text);
      case 'event':
        break;
    }
    // A redelivery VK makes when our `ok` came late: answered at once.
    if (await db.webhookEvents.seen('vk', d.eventId)) return text(200, 'ok');
    if (d.message) {
      try {
        const r = await withTimeout(ingestFromStream(deps, d.message, String(-d.groupId)), INTAKE_TIMEOUT_MS, 'vk callback intake');
        log.info('vk.callback.ingested', { eventId: d.eventId, type: d.type, messageId: r.messageId, created: r.created });
      } catch (err) {
        // Stored but not queued (Redis down): reconcile queues it, so acknowledge. Not stored: VK retries.
        const stored = await db.messages.byExternalId('vk', d.message.externalId).catch(() => null);
        log.warn('vk.callback.degraded', { eventId: d.eventId, stored: !!stored, ...errorFields(err) });
        if (!stored) return text(503, 'retry');
      }
    } else {
      log.debug('vk.callback.ignored', { eventId: d.eventId, type: d.type });
    }
    const now = deps.now();
    await db.webhookEvents.remember('vk', d.eventId, now);
    if (now.getTime() - prunedAt > PRUNE_EVERY_MS) {
      prunedAt = now.getTime();
      await db.webhookEvents.prune(new Date(now.getTime() - KEEP_EVENTS_MS));
    }
    return text(200, 'ok');
  });

  app.get<{ Querystring: { source?: string; title?: string } }>('/comments/form', { config: { public: true } }, async (req, reply) => {
    const source = typeof req.query.source === 'string' && /^[a-z0-9][a-z0-9_-]{0,99}$/.test(req.query.source) ? req.query.source : null;
    const known = source ? await db.sources.get(source) : null;
    const title = typeof req.query.title === 'string' ? req.query.title.slice(0, 200) : null;
    const nonce = randomBytes(16).toString('base64');
    return reply
      .headers(formHeaders(nonce))
      .type('text/html; charset=utf-8')
      .send(renderCommentForm({ source: known?.id ?? null, title, nonce }));
  });
}
