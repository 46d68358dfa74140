/** Russian texts of the officials' bot and Telegram HTML helpers. Pure. */
import { formatLocal } from '../domain/periods';
import { endSentence, formatDuration, pluralRu } from '../domain/wording';
import { escapeHtml } from '../lib/html';


/** Trims to `max` characters on a word boundary, with an ellipsis. */
export function trimText(s: string, max: number): string {
  const t = s.replace(/\s+\n/g, '\n').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Durations ("2 ч 05 мин"), status and role names live in the one home of the wording (domain/wording.ts). */
export { formatDuration, ROLE_NAMES_RU as ROLE_RU, STATUS_NAMES_RU as STATUS_RU } from '../domain/wording';

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

export const T = {
  greet: (name: string, role: string, position: string | null) =>
    `Здравствуйте, ${escapeHtml(name)}!\nВы подключены к боту «Отклик» как ${escapeHtml(role)}${position ? ` (${escapeHtml(position)})` : ''}.\n\nСюда будут приходить обращения граждан, назначенные вам, с кнопками для работы. Срок первого ответа — 4 часа с момента публикации.\n\n/help — список команд.`,
  greetPress: (name: string, role: string, position: string | null) =>
    `Здравствуйте, ${escapeHtml(name)}!\nВы подключены к боту «Отклик» как ${escapeHtml(role)}${position ? ` (${escapeHtml(position)})` : ''}.\n\nСюда будут приходить ответы гражданам, подготовленные должностными лицами, — на согласование: «Одобрить», «Изменить» (с предпросмотром) или «Вернуть на доработку». Ответ публикуется под публикацией гражданина.\n\n/drafts — ответы на согласовании\n/help — список команд.`,
  noDrafts: 'Ответов на согласовании нет.',
  draftsNotYours: 'Список ответов на согласовании доступен пресс-службе.',
  stranger:
    'Здравствуйте! Этот бот предназначен для сотрудников органов власти, подключённых к системе «Отклик». Ваш аккаунт не найден в списке. Если вы сотрудник, обратитесь к администратору системы.',
  help: [
    '<b>Команды</b>',
    '/my — мои открытые обращения',
    '/overdue — обращения с истёкшим сроком ответа',
    '/stats — мои показатели за 30 дней',
    '/triage — разбор обращений, в которых автоматический разбор не уверен (дежурный, главы муниципалитетов)',
    '/drafts — ответы на согласовании (пресс-служба)',
    '/cancel — отменить начатое действие (ответ, причину, обещание)',
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
  passed: (n: string, to: string) => `Обращение №${n} передано: ${escapeHtml(endSentence(to))}`,
  notRoutable: 'Не удалось найти другого ответственного. Обратитесь к дежурному Центра управления регионом.',
  chooseMunicipality: (n: string) => `Обращение №${n}: муниципалитет не определён. Выберите муниципалитет — обращение уйдёт ответственному по правилам маршрутизации:`,
  chooseInMunicipality: (n: string, place: string) => `Обращение №${n}: муниципалитет — ${escapeHtml(place)}. По правилам передать некому — выберите сотрудника:`,
  sentToTriage: (n: string) => `Обращение №${n}: муниципалитет не определён, поэтому оно возвращено дежурному Центра управления регионом на разбор. Ваша причина передана вместе с ним.`,
  returnedToTriage: (who: string, note: string) => `↩️ Возвращено на разбор: ${escapeHtml(who)} — «${escapeHtml(trimText(note, 300))}»`,
  passedToYou: (n: string, who: string, note: string | null) =>
    `Обращение №${n} передал(а) вам ${escapeHtml(who)}${note ? `. Причина: «${escapeHtml(trimText(note, 300))}»` : ''}.`,
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
  /** A list capped at `shown` of `total`. */
  shownOf: (shown: number, total: number) => `показаны ${shown} из ${total}`,
  /** A dialogue button pressed after its dialogue ended (done, cancelled or replaced by another). */
  alreadyDone: 'Уже выполнено.',
  nothingPending: 'Нет начатого действия. Используйте кнопки под карточкой обращения или /help.',
  remind: (n: string, part: 'half' | 'three-quarters', deadline: string) =>
    `⏰ Напоминание: по обращению №${n} ${part === 'half' ? 'прошла половина' : 'прошли три четверти'} срока первого ответа. Срок ${deadline}.`,
  resolutionWarn: (n: string, deadline: string) => `⏰ Приближается срок решения проблемы по обращению №${n}: ${deadline}.`,
  resolutionBreach: (n: string, deadline: string) => `❗ Истёк срок решения проблемы по обращению №${n} (${deadline}).`,
  escalationSummary: (total: number, lines: string[]) =>
    [
      `❗ <b>Истёк срок первого ответа: ${total} ${pluralRu(total, ['обращение', 'обращения', 'обращений'])}</b>`,
      'Пока система не работала, сроки истекли у нескольких обращений сразу; руководители ответственных уведомлены.',
      '',
      ...lines,
      ...(total > lines.length ? ['', `${T.shownOf(lines.length, total)}; полный список — /overdue`] : ['', 'Список — /overdue']),
    ].join('\n'),
  thanks: (n: string, text: string) => `🙏 <b>Благодарность</b> по обращению №${n}:\n<blockquote>${escapeHtml(trimText(text, 600))}</blockquote>`,
  promiseDue: (n: string, when: string, text: string) => `❗ Истёк срок обещания по обращению №${n}: «${escapeHtml(text)}» (срок ${when}). Отметьте «Решено» или запишите новое обещание.`,
};

/** formatLocal for an optional date ('—' when absent). */
export function formatLocalSafe(at: Date | null, timeZone: string): string {
  return at ? formatLocal(at, timeZone) : '—';
}
