/**
 * Inline-button data: `<action>.<incidentId>.<epoch>.<arg>.<mac>`, at most 64 bytes (Telegram's limit).
 * The MAC (HMAC-SHA256 with BOT_CALLBACK_SECRET, 96 bits, base64url) makes it unforgeable; the epoch is
 * the id of the incident's assignment when the button was drawn, so a button of an older card (before a
 * reassignment) is recognised as stale. Pure apart from the crypto.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Every button the bot draws. */
export const CALLBACK_ACTIONS = {
  take: 't',
  reply: 'r',
  reassign: 'm',
  notOurs: 'n',
  promise: 'p',
  resolve: 'd',
  /** reassign menu: arg = index of the colleague in the dialogue state */
  pickColleague: 'g',
  /** the duty officer's reassign menu of an incident with no municipality: arg = the municipality id */
  pickMunicipality: 'h',
  /** reply flow: arg = index of the template in the dialogue state */
  pickTemplate: 'k',
  ownText: 'o',
  send: 's',
  editDraft: 'e',
  cancel: 'x',
  /** press service: arg = reply id */
  approve: 'a',
  pressEdit: 'b',
  /** triage (epoch '0'): arg = the labels chosen so far, `<topic>_<municipality>` (src/bot/triage.ts) */
  triageConfirm: 'y',
  triageTopics: 'q',
  triageMunicipalities: 'u',
  triageSet: 'w',
  triageNone: 'z',
  /** reply flow: arg = the reply stage the official chose (ack, promise, resolved) */
  replyStage: 'C',
  /** «Решено»: the confirmation, then «Вернуть в работу» (arg = the resolution time, ms) within the undo window */
  resolveConfirm: 'K',
  reopen: 'U',
  /** press service: arg = reply id — back to the official with a reason; publish the edited text after its preview */
  pressReturn: 'R',
  pressPublish: 'P',
} as const;
export type CallbackAction = keyof typeof CALLBACK_ACTIONS;
const BY_CODE = new Map<string, CallbackAction>(Object.entries(CALLBACK_ACTIONS).map(([k, v]) => [v, k as CallbackAction]));

export interface CallbackData {
  action: CallbackAction;
  incidentId: string;
  /** The assignment id the button belongs to ('0' where none applies). */
  epoch: string;
  arg: string;
}

const MAC_CHARS = 16;

/** The bot's key: BOT_CALLBACK_SECRET, or one derived from the token (the same in every process). */
export function callbackSecret(explicit: string | undefined, token: string): string {
  return explicit ?? createHash('sha256').update(`otklik-callback-v1:${token}`).digest('hex');
}

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('base64url').slice(0, MAC_CHARS);

/** Signed button data; throws if it would exceed 64 bytes (an arg must be short: ids, indexes). */
export function signCallback(secret: string, d: CallbackData): string {
  if (!/^\d+$/.test(d.incidentId) || !/^\d+$/.test(d.epoch) || !/^[A-Za-z0-9_-]*$/.test(d.arg)) throw new Error('bad callback fields');
  const payload = `${CALLBACK_ACTIONS[d.action]}.${d.incidentId}.${d.epoch}.${d.arg}`;
  const data = `${payload}.${mac(secret, payload)}`;
  if (Buffer.byteLength(data) > 64) throw new Error('callback data over 64 bytes');
  return data;
}

/** The parsed data when the MAC is right, otherwise null (forged, truncated or from another key). */
export function verifyCallback(secret: string, data: string | undefined): CallbackData | null {
  if (!data || Buffer.byteLength(data) > 64) return null;
  const m = /^([a-zA-Z])\.(\d+)\.(\d+)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{16})$/.exec(data);
  if (!m) return null;
  const action = BY_CODE.get(m[1]);
  if (!action) return null;
  const expected = Buffer.from(mac(secret, `${m[1]}.${m[2]}.${m[3]}.${m[4]}`));
  const given = Buffer.from(m[5]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { action, incidentId: m[2], epoch: m[3], arg: m[4] };
}
