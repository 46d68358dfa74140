/** The officials' bot as a test meets it: buttons of sent messages, and officials who wrote /start. */
import type { FakeTelegram, TgSentMessage } from '../emulators/telegram';

/** The signed callback data of the button labelled `label` on a sent message (throws naming what is there). */
export const button = (m: TgSentMessage, label: string): string => {
  const b = (m.replyMarkup?.inline_keyboard ?? []).flat().find((x) => x.text === label);
  if (!b?.callback_data) throw new Error(`no button "${label}" on message ${m.messageId}: ${JSON.stringify(m.replyMarkup)}`);
  return b.callback_data;
};

/** The labels of a sent message's buttons. */
export const labels = (m: TgSentMessage): string[] => (m.replyMarkup?.inline_keyboard ?? []).flat().map((b) => b.text);

/** Each official writes /start and is greeted (a bot cannot message a user who never wrote to it). */
export async function startOfficials(tg: FakeTelegram, ids: number[]): Promise<void> {
  for (const id of ids) {
    tg.userSends({ from: { id, first_name: 'Сотрудник' }, text: '/start' });
    await tg.waitForSent((m) => m.chatId === id && m.text.includes('Вы подключены'));
  }
}
