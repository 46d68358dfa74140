/**
 * The one Telegram poller of a token (a second one gets 409). It routes every update: private chats and
 * button presses to the officials' bot; group, supergroup and channel messages (and their edits) are
 * citizens' posts, mapped by the Telegram connector and stored by `ingestTelegramUpdate` (linked to its watched source).
 */
import { Bot, type Update } from 'node-telegram-bot-api';
import { keepAliveFetch } from '../lib/fetch';
import { BOT_DESCRIPTION_RU, BOT_SHORT_DESCRIPTION_RU } from '../domain/wording';
import { errorFields } from '../errors';
import { ingestTelegramUpdate } from '../ingest/connectors';
import type { StageDeps } from '../pipeline/stage';
import { BOT_COMMANDS, OfficialsBot } from './officials';
import type { TelegramOffice } from './telegram';

export { createTelegramOffice, TelegramOffice } from './telegram';

/** Where an update goes. Pure. */
export function routeOf(update: Record<string, unknown>): 'officials-message' | 'officials-callback' | 'source' | 'ignore' {
  if (update.callback_query) return 'officials-callback';
  const message = update.message as { chat?: { type?: string } } | undefined;
  if (message) return message.chat?.type === 'private' ? 'officials-message' : 'source';
  const edited = update.edited_message as { chat?: { type?: string } } | undefined;
  if (edited) return edited.chat?.type === 'private' ? 'ignore' : 'source';
  if (update.channel_post || update.edited_channel_post) return 'source';
  return 'ignore';
}

const ALLOWED_UPDATES = ['message', 'edited_message', 'channel_post', 'edited_channel_post', 'callback_query'];

/** Starts polling; `stop()` ends it (call it before closing queues and the database). */
export async function startTelegramBot(deps: StageDeps, office: TelegramOffice, token: string): Promise<{ stop(): Promise<void> }> {
  const log = deps.log.child({ component: 'bot' });
  const bot = new Bot(token, { apiRoot: deps.cfg.TELEGRAM_API_URL, fetch: keepAliveFetch });
  bot.catch((err) => {
    log.error('bot.update-failed', errorFields(err));
  });
  const me = await bot.api.getMe();
  await bot.api.setMyCommands({ commands: BOT_COMMANDS }).catch((err: unknown) => log.warn('bot.set-commands-failed', errorFields(err)));
  // What a new user sees before pressing Start (the profile and the empty chat).
  await bot.api.setMyDescription({ description: BOT_DESCRIPTION_RU }).catch((err: unknown) => log.warn('bot.set-description-failed', errorFields(err)));
  await bot.api.setMyShortDescription({ short_description: BOT_SHORT_DESCRIPTION_RU }).catch((err: unknown) => log.warn('bot.set-description-failed', errorFields(err)));
  const officials = new OfficialsBot(deps, office);
  bot.use(async (ctx) => {
    const update = ctx.update as Update & Record<string, unknown>;
    switch (routeOf(update)) {
      case 'officials-callback':
        return officials.onCallback(ctx.callbackQuery!);
      case 'officials-message':
        return officials.onPrivateMessage(ctx.message!);
      case 'source': {
        // Linked to its watched source (the chat's name on the card, the source's municipality as a hint).
        const r = await ingestTelegramUpdate(deps, update, me.id);
        if (!r) return;
        log.debug('telegram.ingested', { messageId: r.messageId, created: r.created });
        return;
      }
      case 'ignore':
        return;
    }
  });
  const polling = bot.startPolling(undefined, { timeout: 30, allowedUpdates: ALLOWED_UPDATES });
  polling.catch((err: unknown) => log.error('bot.polling-stopped', errorFields(err)));
  log.info('bot.started', { botId: me.id });
  return {
    stop: async () => {
      bot.stop();
      await polling.catch(() => undefined);
      log.info('bot.stopped');
    },
  };
}
