/** Publishes replies where the citizen wrote, by platform. Connectors register their publishers here. */
import type { Config } from '../config';
import type { Platform, ReplyTarget } from '../domain/types';
import { PermanentError } from '../errors';
import type { Publisher } from '../pipeline/ports';

export type PlatformPublisher = Publisher;

/**
 * Web comments have no outside platform: the reply becomes a public status record of the comment (stored by
 * the publish stage as the reply's publication), so its id is derived from the reply key.
 */
const webPublisher: PlatformPublisher = {
  async publish(_target, _text, replyKey) {
    return { externalId: `web-${replyKey}`, at: new Date() };
  },
};

/** A publisher that dispatches on the target's platform. */
export function createPublisher(_cfg: Config, extra: Partial<Record<Platform, PlatformPublisher>> = {}): Publisher {
  const byPlatform: Partial<Record<Platform, PlatformPublisher>> = { web: webPublisher, ...extra };
  return {
    publish(target: ReplyTarget, text: string, replyKey: string) {
      const p = byPlatform[target.platform];
      if (!p) throw new PermanentError(`no publisher for ${target.platform}: set its token`);
      return p.publish(target, text, replyKey);
    },
  };
}
