/**
 * The Russian words people see for the system's codes, shared by the bot, the web pages and the digests: statuses,
 * reply statuses and stages, roles, platforms, topics, how a repeat was recognised, durations. One home, so the
 * bot and the dashboard never call one thing by two names. Pure.
 */
import { TOPIC_NAMES_RU, type TopicCode } from './types';

/** Incident statuses in the words an official uses (not the pipeline's: «классифицировано» means nothing to them). */
export const STATUS_NAMES_RU: Record<string, string> = {
  new: 'новое',
  needs_review: 'ждёт разбора дежурным',
  classified: 'ждёт назначения',
  assigned: 'назначено, не взято в работу',
  in_progress: 'в работе',
  answered: 'ответ опубликован',
  resolved: 'решено',
  closed: 'закрыто',
  dismissed: 'не обращение',
};

/** A status code in words (the code itself if unknown). */
export const statusName = (s: string): string => STATUS_NAMES_RU[s] ?? s;

/** Reply statuses as the press service and the officials see them. */
export const REPLY_STATUS_NAMES_RU: Record<string, string> = {
  draft: 'на согласовании',
  approved: 'одобрен, публикуется',
  published: 'опубликован',
  failed: 'не опубликован',
  cancelled: 'отменён',
};

/** Reply stages (templates' `stage`) as the press service calls them. */
export const REPLY_STAGE_NAMES_RU: Record<string, string> = {
  ack: 'Принято в работу',
  clarify: 'Запрос уточнения',
  promise: 'Обещание со сроком',
  resolved: 'Решено',
  redirect: 'Перенаправление',
  refusal: 'Отказ с объяснением',
};

/** Roles of officials (import file `role`). */
export const ROLE_NAMES_RU: Record<string, string> = {
  official: 'ответственный исполнитель',
  supervisor: 'руководитель',
  press: 'пресс-служба',
  governor_office: 'Центр управления регионом',
  admin: 'администратор',
};

/** Where a citizen wrote. */
export const PLATFORM_NAMES_RU: Record<string, string> = { vk: 'ВКонтакте', telegram: 'Telegram', web: 'Сайт' };
export const platformName = (p: string): string => PLATFORM_NAMES_RU[p] ?? p;

/** What is shown when something is not known yet — one wording everywhere: after a label («Муниципалитет: не определён»)… */
export const NOT_SET = {
  municipality: 'не определён',
  topic: 'не определена',
  official: 'не назначен',
} as const;
/** …and standing alone, in a list cell or a statistics row. */
export const NOT_SET_ALONE = {
  municipality: 'муниципалитет не определён',
  topic: 'тема не определена',
  official: 'ответственный не назначен',
} as const;

/** A topic code in words (after a label «Тема:»: «не определена» for none; `alone`: «тема не определена»). */
export function topicName(t: string | null | undefined, alone = false): string {
  return t ? (TOPIC_NAMES_RU[t as TopicCode] ?? t) : alone ? NOT_SET_ALONE.topic : NOT_SET.topic;
}

/** How a repeat message was recognised as the same problem (incident_messages.reason). */
export const ATTACH_REASONS_RU: Record<string, string> = {
  first: 'первое сообщение',
  'same-author': 'повтор того же автора',
  'near-duplicate': 'похожий текст о той же проблеме',
  'same-address': 'тот же адрес',
};
export const attachReason = (r: string): string => ATTACH_REASONS_RU[r] ?? 'повторное сообщение';

/**
 * '45 мин', '3 ч 05 мин', '2 дн 4 ч' (or '—'). Non-breaking spaces keep a number with its unit on one line;
 * `space: ' '` for texts whose tests or readers expect plain spaces (Telegram).
 */
export function formatMinutes(minutes: number | null, space = '\u00a0'): string {
  if (minutes === null || !Number.isFinite(minutes)) return '—';
  const m = Math.round(minutes);
  if (m < 60) return `${m}${space}мин`;
  if (m < 24 * 60) return `${Math.floor(m / 60)}${space}ч ${String(m % 60).padStart(2, '0')}${space}мин`;
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  return h ? `${d}${space}дн ${h}${space}ч` : `${d}${space}дн`;
}

/** A duration in milliseconds, never negative, with plain spaces (the bot's messages). */
export const formatDuration = (ms: number): string => formatMinutes(Math.max(0, Math.round(ms / 60_000)), ' ');

/** '87 %' (or '—' when there is nothing to measure). */
export function formatShare(share: number | null): string {
  return share === null ? '—' : `${Math.round(share * 100)}\u00a0%`;
}

/** Ends a sentence after a value that may end with a dot itself («передано: Морозов М. А.», not «М. А..»). */
export const endSentence = (s: string): string => (/[.!?…]$/.test(s.trimEnd()) ? s.trimEnd() : `${s.trimEnd()}.`);

/** Russian plural form: `pluralRu(3, ['сообщение', 'сообщения', 'сообщений'])` → 'сообщения'. */
export function pluralRu(n: number, forms: readonly [string, string, string]): string {
  const a = Math.abs(n) % 100;
  const b = a % 10;
  if (a > 10 && a < 20) return forms[2];
  if (b === 1) return forms[0];
  if (b >= 2 && b <= 4) return forms[1];
  return forms[2];
}

/** Priorities in words («Приоритет: высокий»). */
export const PRIORITY_NAMES_RU: Record<string, string> = { high: 'высокий', normal: 'обычный' };
export const priorityName = (p: string): string => PRIORITY_NAMES_RU[p] ?? p;

/** «ещё 2 сообщения, авторов: 3» — what came after the first post of an incident (empty for none). */
export function followUpsLine(messagesCount: number, authorsCount: number): string {
  const more = Math.max(0, messagesCount - 1);
  if (more === 0) return '';
  return `ещё ${more} ${pluralRu(more, ['сообщение', 'сообщения', 'сообщений'])}, авторов: ${authorsCount}`;
}

/** The reply stages an official chooses between in the bot («Ответить»), in this order. */
export const BOT_REPLY_STAGES = ['ack', 'promise', 'resolved'] as const;

/**
 * The bot's words about replies and resolution (issue 15): choosing the stage, editing a template, press approval
 * (approve, return with a reason, edit with a preview), what the official is told, «Решено» with its confirmation,
 * closing reply and undo. Plain text: the bot escapes the values (names, reasons, citizens' texts) it puts in.
 */
export const REPLY_WORDS = {
  stageNow: (stage: string) => `Вид ответа: «${REPLY_STAGE_NAMES_RU[stage] ?? stage}». Другой вид — кнопками ниже.`,
  askPromiseForReply: (n: string) =>
    `Обращение №${n}: чтобы ответить обещанием, сначала запишите срок и что будет сделано, например: 25.12 заменим участок трубы. Затем бот предложит текст ответа с этой датой.`,
  editDraft: (n: string) =>
    `Ответ на обращение №${n}: скопируйте текст из следующего сообщения, исправьте и отправьте одним сообщением. Или выберите другой вариант шаблона.`,
  previewPosts: (posts: number) => `Ответ будет опубликован под сообщением каждого автора (${posts}).`,
  approvalTitle: (n: string) => `На согласование: ответ на обращение №${n}`,
  approvalCitizen: 'Сообщение гражданина',
  approvalReply: 'Предлагаемый ответ',
  responseDue: 'Срок ответа',
  firstResponseDone: 'Первый ответ уже опубликован',
  askReturnReason: (n: string) => `Ответ на обращение №${n}: напишите одним сообщением, что нужно исправить, — ответ вернётся ответственному.`,
  returned: (n: string) => `Ответ на обращение №${n} возвращён на доработку. Ответственный получил ваш комментарий.`,
  returnedToOfficial: (n: string) => `Пресс-служба вернула ваш ответ на обращение №${n} на доработку.`,
  returnReason: 'Комментарий',
  tryAgain: 'Подготовьте новый ответ кнопкой «Ответить» ниже или под карточкой обращения.',
  askPressEdit: (n: string) => `Напишите исправленный текст ответа на обращение №${n} одним сообщением. Перед публикацией бот покажет, как он будет выглядеть.`,
  pressPreview: (n: string) => `Предпросмотр исправленного ответа на обращение №${n}`,
  pressPreviewQuestion: 'Опубликовать под сообщением гражданина?',
  approvedToOfficial: (n: string, edited: boolean) =>
    edited ? `Пресс-служба одобрила ваш ответ на обращение №${n} с правками и отправила на публикацию.` : `Пресс-служба одобрила ваш ответ на обращение №${n} и отправила на публикацию.`,
  publishedToOfficial: (n: string, where: number) =>
    where > 1 ? `Ответ на обращение №${n} опубликован под сообщениями граждан (${where}).` : `Ответ на обращение №${n} опубликован под сообщением гражданина.`,
  finalText: 'Опубликованный текст',
  tooLateToReturn: 'Этот ответ уже согласован или отменён — вернуть его нельзя.',
  confirmResolve: (n: string) => `Отметить обращение №${n} как решённое? Проблема устранена? Гражданину будет предложено сообщить об этом.`,
  resolvedOffer: (n: string, minutes: number) =>
    `Обращение №${n} отмечено как решённое. Сообщите гражданину: «Ответить гражданину». Ошиблись? «Вернуть в работу» действует ${minutes} мин.`,
  reopened: (n: string) => `Обращение №${n} возвращено в работу.`,
  undoExpired: 'Время для отмены истекло: обращение остаётся решённым.',
  notResolved: 'Обращение уже не в статусе «решено».',
} as const;

/** Button labels of the reply and resolution dialogues. */
export const REPLY_BUTTONS = {
  resolveYes: 'Да, решено',
  replyToCitizen: 'Ответить гражданину',
  reopen: 'Вернуть в работу',
  approve: 'Одобрить',
  edit: 'Изменить',
  return: 'Вернуть на доработку',
  publish: 'Опубликовать',
  editMore: 'Изменить ещё',
  reply: 'Ответить',
  cancel: 'Отмена',
} as const;

/** The officials' bot as Telegram shows it before /start (setMyDescription ≤ 512, setMyShortDescription ≤ 120). */
export const BOT_DESCRIPTION_RU =
  'Бот системы «Отклик» для сотрудников органов власти: сюда приходят обращения граждан из ВКонтакте, Telegram и с сайтов, назначенные вам, с кнопками для работы — взять в работу, ответить, передать, записать обещание, отметить решённым. Срок первого ответа — 4 часа с момента публикации. Нажмите «Старт», чтобы подключиться; если ваш аккаунт не в списке сотрудников, обратитесь к администратору системы.';
export const BOT_SHORT_DESCRIPTION_RU = 'Обращения граждан для сотрудников органов власти: карточки, сроки, ответы. Система «Отклик».';

/** The press page's choice of posts a reply to a resonant incident goes under. */
export const REPLY_TARGET_WORDS = {
  legend: (n: number) => `Опубликовать ответ под сообщениями авторов (${n})`,
  hint: 'Ответ появится под каждым отмеченным сообщением, один раз под каждым. Время первой публикации станет временем ответа.',
} as const;

/** The incident page's staff actions (issue 15): reassign, notes, reopen; outcomes and refusals by `?done=` / `?error=`. */
export const INCIDENT_ACTION_WORDS = {
  reassignTitle: 'Переназначить',
  reassignTo: 'Кому',
  pickOfficial: 'выберите сотрудника',
  reassignReason: 'Причина (увидит новый ответственный, останется в ходе работы)',
  reassignButton: 'Переназначить',
  regionWide: 'Региональный уровень',
  notesTitle: 'Заметки',
  notesHint: 'Заметки видят только сотрудники на этой странице; гражданам они не публикуются.',
  noNotes: 'Заметок пока нет.',
  noteLabel: 'Новая заметка',
  noteButton: 'Добавить заметку',
  reopenButton: 'Вернуть в работу',
  reopenHint: 'Обращение снова станет открытым у того же ответственного.',
  replyLink: 'Ответить',
  notices: {
    'handed-over': 'Обращение передано. Новый ответственный получит карточку с причиной.',
    noted: 'Заметка добавлена.',
    reopened: 'Обращение возвращено в работу.',
  } as Record<string, string>,
  refusals: {
    'unknown-official': 'Такого сотрудника нет среди тех, кому можно передать обращение.',
    'no-reason': 'Укажите причину переназначения (хотя бы несколько слов).',
    'empty-note': 'Заметка пустая.',
    stale: 'Обращение уже изменилось (передано, решено или закрыто). Обновите страницу.',
    'not-reopenable': 'Вернуть в работу можно только решённое или закрытое обращение.',
  } as Record<string, string>,
};

/** The press queue's filters and claims (issue 15). */
export const PRESS_QUEUE_WORDS = {
  stages: { failed: 'не опубликовано', draft: 'на согласовании', approved: 'публикуются', awaiting: 'ждут ответа' } as Record<string, string>,
  all: 'все',
  stage: 'Этап',
  show: 'Показать',
  claim: 'Взять',
  release: 'Отпустить',
  claimedByYou: (until: string) => `вы взяли · до ${until}`,
  claimedBy: (name: string) => `взял(а) ${name}`,
  refreshed: 'обновляется каждые 30 секунд',
  claimed: 'Обращение за вами на 30 минут: другие сотрудники пресс-службы увидят, что вы его взяли.',
  released: 'Обращение снова свободно.',
  takenByOther: (name: string) => `Это обращение уже взял(а) ${name}: ответ готовит другой сотрудник.`,
};
