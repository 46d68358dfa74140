/** Russian texts of the officials' bot and Telegram HTML helpers. Pure. */
import { formatLocal } from '../domain/periods';
import { escapeHtml } from '../lib/html';


/** Trims to `max` characters on a word boundary, with an ellipsis. */
export function trimText(s: string, max: number): string {
  const t = s.replace(/\s+\n/g, '\n').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** "2 ч 05 мин", "45 мин", "3 дн 4 ч". */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days} дн ${hours} ч`;
  if (hours > 0) return `${hours} ч ${String(mins).padStart(2, '0')} мин`;
  return `${mins} мин`;
}

/** "до 23.11.2026 13:00 (осталось 2 ч 05 мин)" or "(просрочено на …)", in the region's time zone. */
export function formatDeadline(due: Date, now: Date, timeZone: string): string {
  const left = due.getTime() - now.getTime();
  return `до ${formatLocal(due, timeZone)} (${left >= 0 ? `осталось ${formatDuration(left)}` : `просрочено на ${formatDuration(-left)}`})`;
}

const MONTHS_GENITIVE = ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'];

/** "25 декабря 2026 г." in the region's time zone (for public replies). */
export function formatDateRu(at: Date, timeZone: string): string {
  const [d, m, y] = formatLocal(at, timeZone, false).split('.').map(Number);
  return `${d} ${MONTHS_GENITIVE[m - 1]} ${y} г.`;
}

export const STATUS_RU: Record<string, string> = {
  new: 'новое',
  needs_review: 'на разборе',
  classified: 'ожидает назначения',
  assigned: 'назначено, не взято в работу',
  in_progress: 'в работе',
  answered: 'ответ опубликован',
  resolved: 'решено',
  closed: 'закрыто',
};

export const ROLE_RU: Record<string, string> = {
  official: 'ответственный исполнитель',
  supervisor: 'руководитель',
  press: 'пресс-служба',
  governor_office: 'Центр управления регионом',
  admin: 'администратор',
};

export const T = {
  greet: (name: string, role: string, position: string | null) =>
    `Здравствуйте, ${escapeHtml(name)}!\nВы подключены к боту «Отклик» как ${escapeHtml(role)}${position ? ` (${escapeHtml(position)})` : ''}.\n\nСюда будут приходить обращения граждан, назначенные вам, с кнопками для работы. Срок первого ответа — 4 часа с момента публикации.\n\n/help — список команд.`,
  stranger:
    'Здравствуйте! Этот бот предназначен для сотрудников органов власти, подключённых к системе «Отклик». Ваш аккаунт не найден в списке. Если вы сотрудник, обратитесь к администратору системы.',
  help: [
    '<b>Команды</b>',
    '/my — мои открытые обращения',
    '/overdue — обращения с истёкшим сроком ответа',
    '/stats — мои показатели за 30 дней',
    '/help — эта справка',
    '',
    'Кнопки под карточкой: «Взять в работу», «Ответить» (шаблон или свой текст), «Переназначить» коллеге, «Не наш вопрос» (с причиной), «Обещание» (срок), «Решено».',
  ].join('\n'),
  staleButton: 'Эта кнопка устарела или недействительна. Откройте актуальную карточку обращения.',
  notAllowed: 'У вас нет прав на действия с этим обращением.',
  notRegistered: 'Ваш аккаунт не подключён к системе «Отклик».',
  closed: 'Обращение уже закрыто.',
  taken: 'Обращение взято в работу.',
  alreadyTaken: 'Обращение уже взято в работу.',
  resolved: 'Обращение отмечено как решённое.',
  askReason: (n: string) => `Обращение №${n}: напишите одним сообщением, почему вопрос не относится к вашей компетенции и кому его стоит передать.`,
  askPromise: (n: string) =>
    `Обращение №${n}: напишите срок и что будет сделано, например:\n<code>25.12 заменим участок трубы</code> или <code>25.12.2026 12:00 установим контейнеры</code>.`,
  promiseError: {
    format: 'Не удалось разобрать дату. Формат: ДД.ММ или ДД.ММ.ГГГГ, затем текст обещания.',
    past: 'Эта дата уже прошла. Укажите будущую дату.',
    'too-far': 'Срок обещания — не дальше чем через год.',
    'no-text': 'Добавьте после даты, что именно будет сделано.',
  } as Record<string, string>,
  promiseSaved: (n: string, when: string) => `Обещание по обращению №${n} записано: ${when}. Напомню о сроке.`,
  chooseColleague: (n: string) => `Обращение №${n}: кому передать?`,
  noColleagues: 'Некому передать: в вашем муниципалитете нет других доступных сотрудников. Используйте «Не наш вопрос».',
  passed: (n: string, to: string) => `Обращение №${n} передано: ${escapeHtml(to)}.`,
  notRoutable: 'Не удалось найти другого ответственного. Обратитесь к дежурному Центра управления регионом.',
  chooseTemplate: (n: string) => `Ответ на обращение №${n}. Выберите шаблон или напишите свой текст:`,
  noTemplates: (n: string) => `Ответ на обращение №${n}. Подходящих шаблонов нет — напишите свой текст:`,
  askOwnText: (n: string) => `Напишите текст ответа на обращение №${n} одним сообщением.`,
  preview: (n: string, text: string, direct: boolean) =>
    `<b>Предпросмотр ответа на обращение №${n}</b>\n\n${escapeHtml(text)}\n\n${direct ? 'Опубликовать под постом гражданина?' : 'Ответ будет отправлен на согласование в пресс-службу.'}`,
  duplicate: 'Такой ответ уже есть в этой ветке. Измените текст.',
  tooShort: 'Текст ответа слишком короткий.',
  published: (n: string) => `Ответ на обращение №${n} отправлен на публикацию. Время публикации будет учтено как время ответа.`,
  sentForApproval: (n: string) => `Ответ на обращение №${n} отправлен на согласование в пресс-службу.`,
  noPress: 'В системе нет подключённых сотрудников пресс-службы для согласования. Обратитесь к администратору.',
  approval: (n: string, who: string, text: string) => `<b>На согласование: ответ на обращение №${n}</b>\nПодготовил(а): ${escapeHtml(who)}\n\n${escapeHtml(text)}`,
  approved: (n: string, text: string) => `<b>Одобрено: ответ на обращение №${n}</b>\n\n${escapeHtml(text)}`,
  alreadyDecided: 'Этот ответ уже согласован или отменён.',
  askPressEdit: (n: string) => `Напишите исправленный текст ответа на обращение №${n} одним сообщением — он будет одобрен и опубликован.`,
  cancelled: 'Действие отменено.',
  nothingPending: 'Нет начатого действия. Используйте кнопки под карточкой обращения или /help.',
  remind: (n: string, fraction: string, deadline: string) => `⏰ Напоминание: по обращению №${n} прошло ${fraction} срока первого ответа. Срок ${deadline}.`,
  resolutionWarn: (n: string, deadline: string) => `⏰ Приближается срок решения проблемы по обращению №${n}: ${deadline}.`,
  resolutionBreach: (n: string, deadline: string) => `❗ Истёк срок решения проблемы по обращению №${n} (${deadline}).`,
  promiseDue: (n: string, when: string, text: string) => `❗ Истёк срок обещания по обращению №${n}: «${escapeHtml(text)}» (срок ${when}). Отметьте «Решено» или запишите новое обещание.`,
};

/** formatLocal for an optional date ('—' when absent). */
export function formatLocalSafe(at: Date | null, timeZone: string): string {
  return at ? formatLocal(at, timeZone) : '—';
}
