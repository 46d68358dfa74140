/** Publishes replies where the citizen wrote, by platform. Connectors register their publishers here. */
import type { Config } from '../config';
import type { Platform, ReplyTarget } from '../domain/types';
import { PermanentError } from '../errors';
import type { Publisher } from '../pipeline/ports';
import { vkPublisher } from '../../connectors/vk/client';
import { telegramPublisher } from '../../connectors/telegram/client';

export type PlatformPublisher = Publisher;

/**
 * Web comments have no outside platform: the reply becomes a public status record of the comment (stored by
 * the publish stage as the reply's publication), so its id is derived from the reply key.
 */
const webPublisher = (now: () => Date): PlatformPublisher => ({
  async publish(_target, _text, replyKey) {
    return { externalId: `web-${replyKey}`, at: now() };
  },
});

/** A publisher that dispatches on the target's platform; `now` (the injected clock) stamps web replies. */
export function createPublisher(cfg: Config, extra: Partial<Record<Platform, PlatformPublisher>> = {}, now: () => Date = () => new Date()): Publisher {
  const byPlatform: Partial<Record<Platform, PlatformPublisher>> = { web: webPublisher(now), ...platformPublishers(cfg), ...extra };
  return {
    publish(target: ReplyTarget, text: string, replyKey: string) {
      const p = byPlatform[target.platform];
      if (!p) throw new PermanentError(`no publisher for ${target.platform}: set its token`);
      return p.publish(target, text, replyKey);
    },
  };
}

/** The VK (as the community: VK_GROUP_TOKEN + VK_GROUP_ID) and Telegram (TELEGRAM_BOT_TOKEN) publishers whose tokens are set. */
function platformPublishers(cfg: Config): Partial<Record<Platform, PlatformPublisher>> {
  const out: Partial<Record<Platform, PlatformPublisher>> = {};
  if (cfg.VK_GROUP_TOKEN && cfg.VK_GROUP_ID) out.vk = vkPublisher({ token: cfg.VK_GROUP_TOKEN, apiUrl: cfg.VK_API_URL, groupId: cfg.VK_GROUP_ID });
  if (cfg.TELEGRAM_BOT_TOKEN) out.telegram = telegramPublisher({ token: cfg.TELEGRAM_BOT_TOKEN, apiUrl: cfg.TELEGRAM_API_URL });
  return out;
}
