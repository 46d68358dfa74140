/**
 * Polling of comment feeds (kind `feed`, settings.url) with axios. The cursor holds the ids of the items of
 * the last fetch (a feed is a window of its newest items) and the validators for a conditional GET.
 */
import axios, { AxiosError } from 'axios';
import type { RawMessage } from '../../src/domain/types';
import { PermanentError, TransientError } from '../../src/errors';
import type { PolledSource } from '../vk/client';
import { feedItemToMessage, parseFeed } from './map';

export interface FeedCursor {
  /** Item ids seen in the last fetch (bounded by the feed's own size, capped at MAX_IDS). */
  ids: string[];
  etag?: string;
  lastModified?: string;
}

const MAX_IDS = 2000;
const MAX_BYTES = 5 * 1024 * 1024;

/** HTTP answers: 429/5xx and network failures → Transient (Retry-After honoured); other 4xx → Permanent. */
export function mapFeedError(err: unknown, sourceId: string): Error {
  if (err instanceof AxiosError) {
    const status = err.response?.status;
    if (status === undefined) return new TransientError(`feed ${sourceId}: ${err.code ?? 'network error'}`, undefined, { cause: err });
    if (status === 429 || status >= 500) {
      const after = Number(err.response?.headers?.['retry-after']);
      return new TransientError(`feed ${sourceId}: HTTP ${status}`, Number.isFinite(after) && after > 0 ? after * 1000 : undefined, { cause: err });
    }
    return new PermanentError(`feed ${sourceId}: HTTP ${status}`, { cause: err });
  }
  return new PermanentError(`feed ${sourceId}: ${err instanceof Error ? err.message : String(err)}`, { cause: err instanceof Error ? err : undefined });
}

/** A reader of RSS/Atom/JSON comment feeds. */
export function feedReader(o: { everyMs: number; timeoutMs?: number; now?: () => Date }) {
  const now = o.now ?? (() => new Date());
  return {
    everyMs: o.everyMs,
    async poll(source: PolledSource): Promise<{ messages: RawMessage[]; nextCursor: FeedCursor }> {
      const url = typeof source.settings.url === 'string' ? source.settings.url : '';
      if (!/^https?:\/\//.test(url)) throw new PermanentError(`source ${source.id}: settings.url must be an http(s) URL`);
      const cursor = (source.cursor ?? null) as FeedCursor | null;
      const seen = new Set(Array.isArray(cursor?.ids) ? cursor.ids : []);
      let res;
      try {
        res = await axios.get<string>(url, {
          responseType: 'text',
          transformResponse: (x: unknown) => x,
          timeout: o.timeoutMs ?? 15_000,
          maxContentLength: MAX_BYTES,
          maxRedirects: 3,
          headers: {
            accept: 'application/rss+xml, application/atom+xml, application/feed+json, application/json, application/xml, text/xml;q=0.9',
            'user-agent': 'otklik-feed-reader/1.0',
            ...(cursor?.etag ? { 'if-none-match': cursor.etag } : {}),
            ...(cursor?.lastModified ? { 'if-modified-since': cursor.lastModified } : {}),
          },
          validateStatus: (s) => (s >= 200 && s < 300) || s === 304,
        });
      } catch (err) {
        throw mapFeedError(err, source.id);
      }
      if (res.status === 304 && cursor) return { messages: [], nextCursor: cursor };
      let items;
      try {
        items = parseFeed(String(res.data));
      } catch (err) {
        throw mapFeedError(err, source.id);
      }
      const at = now();
      const messages: RawMessage[] = [];
      // Oldest first, so that the stored order follows the feed's.
      for (const item of [...items].reverse()) {
        if (seen.has(item.id)) continue;
        const m = feedItemToMessage(item, source.id, at);
        if (m) messages.push(m);
      }
      const etag = typeof res.headers.etag === 'string' ? res.headers.etag : undefined;
      const lastModified = typeof res.headers['last-modified'] === 'string' ? res.headers['last-modified'] : undefined;
      const ids = [...new Set([...items.map((i) => i.id), ...seen])].slice(0, MAX_IDS);
      return { messages, nextCursor: { ids, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) } };
    },
  };
}
