/**
 * Telegram's formatted-text parsers as the emulator needs them: turn `parse_mode` text into plain
 * text + entities, or fail with the "can't parse entities" reason Telegram gives. Offsets and
 * lengths are UTF-16 code units, error positions are UTF-8 byte offsets, as on the real Bot API.
 */

export interface TgEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
}

export type ParseResult = { ok: true; text: string; entities: TgEntity[] } | { ok: false; reason: string };

const byteOffset = (s: string, i: number): number => Buffer.byteLength(s.slice(0, i), 'utf8');

const HTML_TAGS: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/**
 * HTML mode. Stricter than tdlib in one place, on purpose: a `&` that does not start an entity is
 * refused (the Bot API documentation requires it escaped; tdlib keeps it literally).
 */
export function parseHtml(src: string, opts: { strictAmpersand?: boolean } = {}): ParseResult {
  const strictAmp = opts.strictAmpersand ?? true;
  let out = '';
  const entities: TgEntity[] = [];
  const stack: { tag: string; start: number; attrs: Record<string, string> }[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '&') {
      const m = /^&(?:(lt|gt|amp|quot)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/.exec(src.slice(i, i + 12));
      if (m) {
        out += m[1] ? NAMED_ENTITIES[m[1]] : String.fromCodePoint(m[2] ? Number(m[2]) : parseInt(m[3], 16));
        i += m[0].length;
        continue;
      }
      if (strictAmp) return { ok: false, reason: `Unsupported HTML entity at byte offset ${byteOffset(src, i)}` };
    }
    if (c !== '<') {
      out += c;
      i += 1;
      continue;
    }
    const tagStart = i;
    if (src[i + 1] === '/') {
      const close = src.indexOf('>', i);
      if (close === -1) return { ok: false, reason: `Unclosed end tag at byte offset ${byteOffset(src, tagStart)}` };
      const name = src.slice(i + 2, close).trim().toLowerCase();
      const top = stack.pop();
      if (!top) return { ok: false, reason: `Unexpected end tag at byte offset ${byteOffset(src, tagStart)}` };
      if (top.tag !== name) {
        return { ok: false, reason: `Unmatched end tag at byte offset ${byteOffset(src, tagStart)}, expected "</${top.tag}>", found "</${name}>"` };
      }
      const length = out.length - top.start;
      if (length > 0) {
        const type = HTML_TAGS[top.tag];
        const e: TgEntity = { type, offset: top.start, length };
        if (type === 'text_link') {
          if (!top.attrs.href) e.type = '';
          else e.url = top.attrs.href;
        }
        if (type === 'blockquote' && 'expandable' in top.attrs) e.type = 'expandable_blockquote';
        if (type === 'custom_emoji') e.custom_emoji_id = top.attrs['emoji-id'];
        if (type === 'code' && stack[stack.length - 1]?.tag === 'pre' && top.attrs.class?.startsWith('language-')) {
          const pre = stack[stack.length - 1];
          pre.attrs['data-language'] = top.attrs.class.slice('language-'.length);
        } else if (type === 'pre' && top.attrs['data-language']) {
          e.language = top.attrs['data-language'];
          const inner = entities.findIndex((x) => x.type === 'code' && x.offset === top.start && x.length === length);
          if (inner !== -1) entities.splice(inner, 1);
          entities.push(e);
          i = close + 1;
          continue;
        }
        if (e.type) entities.push(e);
      }
      i = close + 1;
      continue;
    }
    const nameMatch = /^[^\s>/="']*/.exec(src.slice(i + 1));
    const name = (nameMatch?.[0] ?? '').toLowerCase();
    if (!(name in HTML_TAGS)) return { ok: false, reason: `Unsupported start tag "${name}" at byte offset ${byteOffset(src, tagStart)}` };
    const close = src.indexOf('>', i);
    if (close === -1) return { ok: false, reason: `Unclosed start tag at byte offset ${byteOffset(src, tagStart)}` };
    const attrs: Record<string, string> = {};
    const attrRe = /([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
    const attrText = src.slice(i + 1 + name.length, close);
    for (const m of attrText.matchAll(attrRe)) attrs[m[1].toLowerCase()] = decodeAttr(m[2] ?? m[3] ?? m[4] ?? '');
    if (name === 'span' && attrs.class !== 'tg-spoiler') {
      return { ok: false, reason: `Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(src, tagStart)}` };
    }
    stack.push({ tag: name, start: out.length, attrs });
    i = close + 1;
  }
  if (stack.length > 0) return { ok: false, reason: `Can't find end tag corresponding to start tag "${stack[stack.length - 1].tag}"` };
  return { ok: true, text: out, entities: sortEntities(entities) };
}

function decodeAttr(v: string): string {
  return v.replace(/&(lt|gt|amp|quot);/g, (_, n: string) => NAMED_ENTITIES[n]);
}

const MDV2_RESERVED = '_*[]()~`>#+-=|{}.!';
const ENTITY_NAMES: Record<string, string> = {
  bold: 'Bold',
  italic: 'Italic',
  underline: 'Underline',
  strikethrough: 'Strikethrough',
  spoiler: 'Spoiler',
  text_link: 'TextUrl',
  code: 'Code',
  pre: 'Pre',
};

/** MarkdownV2 mode: every reserved character outside entity syntax must be escaped with `\`. */
export function parseMarkdownV2(src: string): ParseResult {
  let out = '';
  const entities: TgEntity[] = [];
  const stack: { type: string; start: number; srcPos: number }[] = [];
  let quoteStart: number | null = null;
  let i = 0;
  const closeQuote = () => {
    if (quoteStart !== null && out.length > quoteStart) entities.push({ type: 'blockquote', offset: quoteStart, length: out.length - quoteStart });
    quoteStart = null;
  };
  while (i < src.length) {
    const c = src[i];
    const atLineStart = i === 0 || src[i - 1] === '\n';
    if (c === '\\' && i + 1 < src.length && src.charCodeAt(i + 1) > 0 && src.charCodeAt(i + 1) <= 126) {
      out += src[i + 1];
      i += 2;
      continue;
    }
    if (c === '\n' && quoteStart !== null && src[i + 1] !== '>') {
      closeQuote();
    }
    if (!MDV2_RESERVED.includes(c)) {
      out += c;
      i += 1;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === '>' && atLineStart) {
      if (quoteStart === null) quoteStart = out.length;
      i += 1;
      continue;
    }
    if (c === '`') {
      const isPre = src.startsWith('```', i);
      const fence = isPre ? '```' : '`';
      let j = i + fence.length;
      let language: string | undefined;
      if (isPre) {
        const nl = src.indexOf('\n', j);
        const firstLine = nl === -1 ? '' : src.slice(j, nl);
        if (nl !== -1 && /^[^\s`\\]*$/.test(firstLine)) {
          language = firstLine || undefined;
          j = nl + 1;
        }
      }
      const start = out.length;
      let closed = false;
      while (j < src.length) {
        if (src[j] === '\\' && j + 1 < src.length) {
          out += src[j + 1];
          j += 2;
          continue;
        }
        if (src.startsWith(fence, j)) {
          closed = true;
          break;
        }
        out += src[j];
        j += 1;
      }
      if (!closed) return { ok: false, reason: `Can't find end of ${isPre ? 'Pre' : 'Code'} entity at byte offset ${byteOffset(src, i)}` };
      if (out.length > start) {
        const e: TgEntity = { type: isPre ? 'pre' : 'code', offset: start, length: out.length - start };
        if (language) e.language = language;
        entities.push(e);
      }
      i = j + fence.length;
      continue;
    }
    let type: string | null = null;
    let width = 1;
    if (c === '*') type = 'bold';
    else if (c === '_') {
      if (src[i + 1] === '_') {
        type = 'underline';
        width = 2;
      } else type = 'italic';
    } else if (c === '~') type = 'strikethrough';
    else if (c === '|' && src[i + 1] === '|') {
      type = 'spoiler';
      width = 2;
    } else if (c === '[') type = 'text_link';
    if (c === ']' && top?.type === 'text_link') {
      if (src[i + 1] !== '(') return { ok: false, reason: `Can't find end of a URL at byte offset ${byteOffset(src, i)}` };
      let j = i + 2;
      let url = '';
      while (j < src.length && src[j] !== ')') {
        if (src[j] === '\\' && j + 1 < src.length) {
          url += src[j + 1];
          j += 2;
          continue;
        }
        url += src[j];
        j += 1;
      }
      if (j >= src.length) return { ok: false, reason: `Can't find end of a URL at byte offset ${byteOffset(src, i + 1)}` };
      stack.pop();
      if (out.length > top.start) entities.push({ type: 'text_link', offset: top.start, length: out.length - top.start, url });
      i = j + 1;
      continue;
    }
    if (type === null) {
      return { ok: false, reason: `Character '${c}' is reserved and must be escaped with the preceding '\\'` };
    }
    if (top && top.type === type && type !== 'text_link') {
      stack.pop();
      if (out.length > top.start) entities.push({ type, offset: top.start, length: out.length - top.start });
    } else {
      stack.push({ type, start: out.length, srcPos: i });
    }
    i += width;
  }
  closeQuote();
  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    return { ok: false, reason: `Can't find end of ${ENTITY_NAMES[open.type] ?? open.type} entity at byte offset ${byteOffset(src, open.srcPos)}` };
  }
  return { ok: true, text: out, entities: sortEntities(entities) };
}

/** Legacy Markdown: `*bold*`, `_italic_`, `` `code` ``, `[text](url)`; no reserved characters. */
export function parseMarkdownLegacy(src: string): ParseResult {
  let out = '';
  const entities: TgEntity[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\' && '_*`['.includes(src[i + 1] ?? '')) {
      out += src[i + 1];
      i += 2;
      continue;
    }
    if (c === '*' || c === '_' || c === '`') {
      const end = src.indexOf(c, i + 1);
      if (end === -1) return { ok: false, reason: `Can't find end of the entity starting at byte offset ${byteOffset(src, i)}` };
      const start = out.length;
      out += src.slice(i + 1, end);
      if (out.length > start) entities.push({ type: c === '*' ? 'bold' : c === '_' ? 'italic' : 'code', offset: start, length: out.length - start });
      i = end + 1;
      continue;
    }
    if (c === '[') {
      const m = /^\[([^\]]*)\]\(([^)]*)\)/.exec(src.slice(i));
      if (!m) return { ok: false, reason: `Can't find end of the entity starting at byte offset ${byteOffset(src, i)}` };
      const start = out.length;
      out += m[1];
      if (m[1].length > 0) entities.push({ type: 'text_link', offset: start, length: m[1].length, url: m[2] });
      i += m[0].length;
      continue;
    }
    out += c;
    i += 1;
  }
  return { ok: true, text: out, entities: sortEntities(entities) };
}

export function parseFormatted(text: string, parseMode: string | undefined, opts: { strictAmpersand?: boolean } = {}): ParseResult | { ok: false; reason: null } {
  const mode = (parseMode ?? '').toLowerCase();
  if (mode === '') return { ok: true, text, entities: [] };
  if (mode === 'html') return parseHtml(text, opts);
  if (mode === 'markdownv2') return parseMarkdownV2(text);
  if (mode === 'markdown') return parseMarkdownLegacy(text);
  return { ok: false, reason: null };
}

function sortEntities(list: TgEntity[]): TgEntity[] {
  return [...list].sort((a, b) => a.offset - b.offset || b.length - a.length);
}

/** Escapes text for HTML parse mode (what callers must do to citizen text). */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes text for MarkdownV2 parse mode. */
export function escapeMarkdownV2(s: string): string {
  return s.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, '\\$&');
}
