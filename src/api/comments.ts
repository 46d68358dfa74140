/** The public comment intake: validation and mapping of `POST /api/comments` bodies to RawMessage. Pure. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RawMessage } from '../domain/types';

export const MAX_COMMENT_CHARS = 10_000;

/** Lone surrogates become U+FFFD; control characters other than tab and newline are dropped. */
const clean = (s: string) => s.toWellFormed().replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');

export const CommentBody = z
  .object({
    text: z
      .string({ error: 'нужен текст обращения' })
      .transform(clean)
      .pipe(z.string().trim().min(3, 'текст слишком короткий').max(MAX_COMMENT_CHARS, `текст длиннее ${MAX_COMMENT_CHARS} символов`)),
    name: z.string().transform(clean).pipe(z.string().trim().max(200)).optional(),
    contact: z.string().trim().max(200).optional(),
    place: z.string().transform(clean).pipe(z.string().trim().max(500)).optional(),
    url: z.url().max(2000).optional(),
    /** The site's own id of the comment: makes a re-submission idempotent. */
    id: z.string().trim().min(1).max(200).optional(),
    source: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).max(100).optional(),
  })
  .strict();
export type CommentInput = z.infer<typeof CommentBody>;

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

/**
 * Maps a validated comment to a RawMessage. Without a site id the external id is a hash of author and
 * content, so the same comment posted twice is stored once.
 */
export function commentToMessage(c: CommentInput, sourceId: string | null, now: Date): RawMessage {
  const authorKey = sha(`${(c.contact ?? '').toLowerCase()}|${(c.name ?? '').toLowerCase()}`);
  const externalId = c.id ? `site-${sourceId ?? 'web'}-${c.id}` : `hash-${sha(`${authorKey}|${c.text}|${c.place ?? ''}`)}`;
  return {
    platform: 'web',
    externalId,
    sourceId,
    author: { platformId: `web-${authorKey}`, displayName: c.name ?? null, profileUrl: null, contact: c.contact ?? null },
    text: c.place ? `${c.text}\n\nМесто: ${c.place}` : c.text,
    publishedAt: now,
    permalink: c.url ?? null,
    parentExternalId: null,
    threadExternalId: null,
    attachments: [],
    // Typed into our appeal form (no site comment id): the author wrote to the authorities, and the analysis
    // weighs "is this an appeal?" accordingly. A site's comment relayed with its own id is community talk.
    hints: { place: c.place ?? null, addressed: !c.id },
    replyTarget: { platform: 'web', chatId: sourceId ?? 'web', postId: externalId },
  };
}
