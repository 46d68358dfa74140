/**
 * Wires the connectors (connectors/**, which never touch the database or queues) into intake: polled
 * readers for the `ingest` stage, the VK Bots Long Poll stream, and the Telegram update mapper for the bot's
 * poller. Every path ends in `ingestMessage` (persist once, then enqueue `detect`).
 */
import { startVkLongPoll, vkSearchReader, vkWallReader, type VkStream } from '../../connectors/vk/client';
import { mapTelegramUpdate } from '../../connectors/telegram/map';
import { feedReader } from '../../connectors/web/client';
import type { Config } from '../config';
import type { RawMessage } from '../domain/types';
import { PermanentError, errorFields } from '../errors';
import type { Logger } from '../log';
import type { SourceReaders } from '../sources/readers';
import { ingestMessage, type IngestDeps } from './ingest';

/** Registers the polled readers: VK walls and search (with VK_SERVICE_TOKEN), web feeds (always). */
export function registerConnectorReaders(readers: SourceReaders, cfg: Config, now: () => Date): void {
  if (cfg.VK_SERVICE_TOKEN) {
    const vk = { token: cfg.VK_SERVICE_TOKEN, apiUrl: cfg.VK_API_URL, ownGroupId: cfg.VK_GROUP_ID ?? null, everyMs: cfg.VK_POLL_SECONDS * 1000 };
    readers.register('vk', 'wall', vkWallReader(vk)).register('vk', 'search', vkSearchReader({ ...vk, now }));
  }
  readers.register('web', 'feed', feedReader({ everyMs: cfg.FEED_POLL_SECONDS * 1000, now }));
}

/** The message with the watched source of its community or chat, when one is configured (municipality hint). */
async function withSource(deps: IngestDeps, raw: RawMessage, externalId: string): Promise<RawMessage> {
  if (raw.sourceId) return raw;
  const source = await deps.db.sources.byExternal(raw.platform, externalId);
  return source ? { ...raw, sourceId: source.id } : raw;
}

/** Ingests a message from a stream or webhook of a community/chat (`externalId` of its source). */
export async function ingestFromStream(deps: IngestDeps, raw: RawMessage, sourceExternalId: string) {
  return ingestMessage(deps, await withSource(deps, raw, sourceExternalId));
}

/**
 * For the bot's single getUpdates poller: stores a group/channel update as a message (null when the
 * update is not a citizen's text — private chats, bots, service messages).
 */
export async function ingestTelegramUpdate(deps: IngestDeps, update: unknown, botUserId: number) {
  const raw = mapTelegramUpdate(update, botUserId);
  if (!raw) return null;
  return ingestFromStream(deps, raw, raw.replyTarget?.chatId ?? '');
}

/**
 * Starts the streams of the 'connectors' role: VK Bots Long Poll when VK_GROUP_TOKEN and VK_GROUP_ID are
 * set. A failing start (VK down) is retried in the background with backoff; a refused token stops trying.
 */
export function startConnectorStreams(deps: IngestDeps & { cfg: Config; log: Logger }): { stop(): Promise<void> } {
  const { cfg } = deps;
  const groupId = cfg.VK_GROUP_ID;
  if (!cfg.VK_GROUP_TOKEN || !groupId) return { stop: async () => undefined };
  const log = deps.log.child({ source: `vk-longpoll-${groupId}` });
  let stream: VkStream | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const start = async (attempt: number): Promise<void> => {
    try {
      const s = await startVkLongPoll({
        token: cfg.VK_GROUP_TOKEN as string,
        apiUrl: cfg.VK_API_URL,
        groupId,
        log,
        onMessage: async (raw, event) => {
          const r = await ingestFromStream(deps, raw, String(-groupId));
          log.info('vk.longpoll.ingested', { type: event.type, messageId: r.messageId, created: r.created });
        },
      });
      if (stopped) await s.stop();
      else stream = s;
    } catch (err) {
      if (stopped) return;
      if (err instanceof PermanentError) {
        log.error('vk.longpoll.refused', errorFields(err));
        return;
      }
      const delay = Math.min(1000 * 2 ** attempt, 60_000);
      log.warn('vk.longpoll.start-failed', { retryInMs: delay, ...errorFields(err) });
      timer = setTimeout(() => void start(attempt + 1), delay);
    }
  };
  const started = start(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await started;
      await stream?.stop();
    },
  };
}
