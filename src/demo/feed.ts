/** The demo feed: the bundled sample posts, read a few at a time like a polled source (no tokens needed). */
import path from 'node:path';
import type { Source } from '../db/sources';
import type { RawMessage } from '../domain/types';
import type { KindReader } from '../sources/readers';
import { loadDemoCorpus } from './corpus';

/** The demo officials and routing (YAML of `otklik import`). */
export const DEMO_OFFICIALS_FILE = path.join(__dirname, 'officials.yaml');

/** A reader returning `batch` new posts of a source per poll; the cursor is the count already read. */
export function demoReader(now: () => Date, opts: { batch?: number; everyMs?: number } = {}): KindReader {
  const { posts } = loadDemoCorpus();
  return {
    everyMs: opts.everyMs ?? 3000,
    async poll(source: Source) {
      const mine = posts.map((p, index) => ({ p, index })).filter((x) => x.p.source === source.id);
      const from = typeof source.cursor === 'number' ? source.cursor : 0;
      const page = mine.slice(from, from + (opts.batch ?? 2));
      const at = now().getTime();
      const messages: RawMessage[] = page.map(({ p, index }) => ({
        platform: p.platform,
        externalId: `demo-${index}`,
        sourceId: source.id,
        author: { platformId: `demo-${p.author.id}`, displayName: p.author.name, profileUrl: null },
        text: p.text,
        publishedAt: new Date(at - p.minutesAgo * 60_000),
        permalink: null,
        parentExternalId: null,
        threadExternalId: null,
        attachments: [],
        hints: {},
        replyTarget: { platform: 'web', chatId: source.id, postId: `demo-${index}` },
      }));
      return { messages, nextCursor: from + page.length };
    },
  };
}
