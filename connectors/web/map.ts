/**
 * Comment feeds of official sites (RSS 2.0, Atom, JSON Feed) → RawMessage. Pure: parsing and mapping only;
 * connectors/web/client.ts fetches.
 */
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { RawMessage } from '../../src/domain/types';

/** One item of a feed, normalized. */
export interface FeedItem {
  /** guid / id / link: stable across fetches. */
  id: string;
  author: string | null;
  text: string;
  link: string | null;
  publishedAt: Date | null;
  /** The post the comment belongs to (RSS `wfw:commentRss` parents are rarely given; `source`/`thr:in-reply-to`). */
  inReplyTo: string | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
/** Text of an XML node that may carry attributes (`{'#text': …}`) or be a CDATA string. */
const text = (v: unknown): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (isObj(v)) return text(v['#text']);
  return '';
};

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", laquo: '«', raquo: '»', mdash: '—', ndash: '–', hellip: '…' };

/** HTML (comment bodies are often HTML in CDATA) → plain text: tags dropped, block ends kept as newlines, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|li|h\d)>/gi, '\n')
    // Only real tags (a letter, '/' or '!' after '<'): "яма <1 м>" is text, as in a browser.
    .replace(/<\/?[a-zA-Z!][^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t\r\f\v]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const date = (s: string): Date | null => {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Entities of the XML itself are decoded; no DOCTYPE entity expansion (billion laughs).
  processEntities: true,
  htmlEntities: false,
  parseTagValue: false,
  trimValues: true,
});

/** Parses an RSS 2.0, Atom or JSON Feed document; throws on anything else (the reader maps it). */
export function parseFeed(body: string): FeedItem[] {
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{')) return parseJsonFeed(JSON.parse(trimmed) as unknown);
  const doc = parser.parse(trimmed) as Obj;
  if (isObj(doc.rss) && isObj(doc.rss.channel)) {
    return list(doc.rss.channel.item).filter(isObj).map((i): FeedItem => {
      const link = text(i.link) || null;
      const content = text(i['content:encoded']) || text(i.description);
      return {
        id: text(i.guid) || link || sha(`${text(i.pubDate)}|${content}`),
        author: text(i['dc:creator']) || text(i.author) || null,
        text: htmlToText(content || text(i.title)),
        link,
        publishedAt: date(text(i.pubDate) || text(i['dc:date'])),
        inReplyTo: text(i.source) || null,
      };
    });
  }
  if (isObj(doc.feed)) {
    return list(doc.feed.entry).filter(isObj).map((e): FeedItem => {
      const links = list(e.link).filter(isObj);
      const alt = links.find((l) => !l['@rel'] || l['@rel'] === 'alternate');
      const link = alt ? text(alt['@href']) || null : null;
      const content = text(e.content) || text(e.summary);
      const reply = list(e['thr:in-reply-to']).filter(isObj)[0];
      return {
        id: text(e.id) || link || sha(`${text(e.updated)}|${content}`),
        author: isObj(e.author) ? text(e.author.name) || null : null,
        text: htmlToText(content || text(e.title)),
        link,
        publishedAt: date(text(e.published) || text(e.updated)),
        inReplyTo: reply ? text(reply['@ref']) || null : null,
      };
    });
  }
  throw new Error('not an RSS, Atom or JSON feed');
}

function parseJsonFeed(doc: unknown): FeedItem[] {
  if (!isObj(doc) || !Array.isArray(doc.items)) throw new Error('not a JSON feed');
  return doc.items.filter(isObj).map((i): FeedItem => {
    const authors = list(i.authors ?? i.author).filter(isObj);
    const content = typeof i.content_text === 'string' ? i.content_text : htmlToText(text(i.content_html));
    return {
      id: text(i.id) || text(i.url) || sha(`${text(i.date_published)}|${content}`),
      author: authors[0] ? text(authors[0].name) || null : null,
      text: content.trim(),
      link: text(i.url) || null,
      publishedAt: date(text(i.date_published) || text(i.date_modified)),
      inReplyTo: text(i.in_reply_to) || null,
    };
  });
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

/** External id of a feed item: stable per source and item id, short whatever the guid (often a long URL). */
export const feedExternalId = (sourceId: string, itemId: string) => `feed-${sourceId}-${sha(itemId)}`;

/** A feed item → RawMessage (platform `web`); null when it has no text. `fallbackDate` stands in for a missing date. */
export function feedItemToMessage(item: FeedItem, sourceId: string, fallbackDate: Date): RawMessage | null {
  if (!item.text) return null;
  const externalId = feedExternalId(sourceId, item.id);
  const authorKey = item.author ? sha(`${sourceId}|${item.author.toLowerCase()}`) : sha(`${sourceId}|anonymous`);
  return {
    platform: 'web',
    externalId,
    sourceId,
    author: { platformId: `feed-${authorKey}`, displayName: item.author, profileUrl: null },
    text: item.text,
    publishedAt: item.publishedAt ?? fallbackDate,
    permalink: item.link && /^https?:\/\//.test(item.link) ? item.link : null,
    parentExternalId: item.inReplyTo ? feedExternalId(sourceId, item.inReplyTo) : null,
    threadExternalId: null,
    attachments: [],
    hints: {},
    replyTarget: { platform: 'web', chatId: sourceId, postId: externalId },
  };
}
