/** connectors/web/map.ts: RSS, Atom and JSON Feed fixtures → items → RawMessage. Pure. */
import fs from 'node:fs';
import path from 'node:path';
import { feedItemToMessage, htmlToText, parseFeed } from '../../../connectors/web/map';
import { escapeHtml } from '../../../src/lib/html';
import { renderCommentForm } from '../../../connectors/web/form';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '../../fixtures/feeds', name), 'utf8');

describe('parseFeed', () => {
  it('reads RSS 2.0 with HTML in CDATA, dropping scripts and decoding entities', () => {
    const items = parseFeed(fixture('comments.rss'));
    expect(items).toEqual([
      { id: 'comment-2', author: 'Ольга', text: 'Третий день нет горячей воды на Пушкина 45 & никто не отвечает!', link: 'https://abakan.example/news/123#comment-2', publishedAt: new Date('2023-11-14T22:20:00Z'), inReplyTo: null },
      { id: 'comment-1', author: 'Пётр', text: 'Во дворе дома 10 по улице Ленина яма <1 м> глубиной', link: 'https://abakan.example/news/120#comment-1', publishedAt: new Date('2023-11-14T22:00:00Z'), inReplyTo: null },
    ]);
  });

  it('reads Atom with thr:in-reply-to', () => {
    expect(parseFeed(fixture('comments.atom'))).toEqual([
      { id: 'tag:sayanogorsk.example,2023:comment-9', author: 'Анна', text: 'Не работает уличное освещение в Саяногорске', link: 'https://sayanogorsk.example/news/5#c9', publishedAt: new Date('2023-11-14T22:30:00Z'), inReplyTo: 'tag:sayanogorsk.example,2023:post-5' },
    ]);
  });

  it('reads JSON Feed; an item without text maps to null', () => {
    const items = parseFeed(fixture('comments.json'));
    expect(items.map((i) => i.id)).toEqual(['c-100', 'c-101']);
    const at = new Date('2024-01-01T00:00:00Z');
    expect(feedItemToMessage(items[0], 'sorsk-site', at)).toMatchObject({
      platform: 'web',
      sourceId: 'sorsk-site',
      text: 'Когда уберут мусор у школы в Сорске?',
      author: { displayName: 'Игорь' },
      permalink: 'https://sorsk.example/c/100',
      publishedAt: new Date('2023-11-14T23:00:00Z'),
      replyTarget: { platform: 'web', chatId: 'sorsk-site' },
    });
    expect(feedItemToMessage(items[1], 'sorsk-site', at)).toBeNull();
  });

  it('gives stable, short, per-source external ids', () => {
    const [a] = parseFeed(fixture('comments.rss'));
    const m1 = feedItemToMessage(a, 's1', new Date())!;
    expect(m1.externalId).toMatch(/^feed-s1-[0-9a-f]{32}$/);
    expect(feedItemToMessage(a, 's1', new Date())!.externalId).toBe(m1.externalId);
    expect(feedItemToMessage(a, 's2', new Date())!.externalId).not.toBe(m1.externalId);
  });

  it('refuses what is not a feed', () => {
    expect(() => parseFeed('<html><body>503</body></html>')).toThrow(/not an RSS/);
    expect(() => parseFeed('{"foo": 1}')).toThrow();
  });

  it('htmlToText keeps line breaks and numeric entities', () => {
    expect(htmlToText('a<br>b&#33;&#x21;<p>c</p>')).toBe('a\nb!!c');
  });
});

describe('the comment form page', () => {
  it('escapes the title and the source', () => {
    const page = renderCommentForm({ title: '<script>alert("x")</script>', source: '"><img src=x>', nonce: 'n1' });
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toContain('value="&quot;&gt;&lt;img src=x&gt;"');
    expect(page).toContain('<script nonce="n1">');
    expect(page).toContain("fetch('/api/comments'");
    expect(page).not.toMatch(/innerHTML/);
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
