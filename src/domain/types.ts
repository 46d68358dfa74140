/** Domain types shared by every part of otklik. No I/O here. */

/** Topic codes of DESIGN.md. A region may refine them into sub-topics, never rename them. */
export const TOPICS = [
  'housing',
  'roads',
  'waste',
  'transport',
  'healthcare',
  'education',
  'landscaping',
  'social',
  'safety',
  'ecology',
  'other',
] as const;
export type TopicCode = (typeof TOPICS)[number];

/** Russian names of the topics, for everything a person sees. */
export const TOPIC_NAMES_RU: Record<TopicCode, string> = {
  housing: 'ЖКХ',
  roads: 'Дороги',
  waste: 'Мусор и ТКО',
  transport: 'Транспорт',
  healthcare: 'Здравоохранение',
  education: 'Образование',
  landscaping: 'Благоустройство',
  social: 'Социальная поддержка',
  safety: 'Безопасность',
  ecology: 'Экология',
  other: 'Прочее',
};

export const PLATFORMS = ['vk', 'telegram', 'web'] as const;
export type Platform = (typeof PLATFORMS)[number];

export type Priority = 'high' | 'normal';

/** An incident is resonant — a mass complaint, high priority — from this many distinct authors. */
export const RESONANT_AUTHORS = 3;

/** Where a reply must be published so that it lands under the citizen's post. */
export interface ReplyTarget {
  platform: Platform;
  /** VK: owner id of the wall (negative for communities) or peer id; Telegram: chat id; web: source id. */
  chatId: string;
  /** VK: post id; Telegram: message id; web: the comment's id. */
  postId?: string;
  /** VK: the comment to answer (reply_to_comment). */
  commentId?: string;
  /** VK: 'wall' | 'message' | 'board' | 'photo' | 'video'. */
  kind?: string;
}

/**
 * One normalized message from any source: what every connector produces and `ingest` stores.
 * `externalId` is unique per platform (VK: `wall-1_10_100` style; Telegram: `chatId_messageId`).
 */
export interface RawMessage {
  platform: Platform;
  externalId: string;
  /** Id of the watched source (communities, chats, feeds) if known, else null. */
  sourceId: string | null;
  author: {
    platformId: string;
    displayName: string | null;
    profileUrl: string | null;
    /** Phone or e-mail given in a public comment; stored only hashed. */
    contact?: string | null;
  };
  text: string;
  publishedAt: Date;
  permalink: string | null;
  /** Id of the post or message this one answers, and of the thread root. */
  parentExternalId: string | null;
  threadExternalId: string | null;
  attachments: { type: string; count: number }[];
  /** Hints for classification: the source's municipality, communities mentioned in VK markup, a typed place, and
   * whether the author addressed the authorities directly (the appeal form) rather than posting in a community. */
  hints: { municipality?: string | null; mentions?: string[]; place?: string | null; addressed?: boolean };
  /** Where a reply goes. */
  replyTarget: ReplyTarget | null;
  /** True when the platform says the text was edited (update the stored text, do not re-open). */
  edited?: boolean;
}
