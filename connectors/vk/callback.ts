/**
 * VK Callback API: what to answer a POSTed body. Pure (the HTTP route in src/ingest/vk-webhook.ts does the
 * I/O). https://dev.vk.com/ru/api/callback/getting-started — VK wants the confirmation string for
 * `confirmation`, `ok` for everything else within a few seconds, and retries otherwise.
 */
import { timingSafeEqual } from 'node:crypto';
import type { RawMessage } from '../../src/domain/types';
import { mapVkEvent } from './map';

export interface CallbackSettings {
  /** VK_CALLBACK_SECRET: VK puts it in every body; events are refused without it. */
  secret?: string;
  /** VK_CALLBACK_CONFIRMATION: the string VK expects back for `confirmation`. */
  confirmation?: string;
  /** VK_GROUP_ID, when set: bodies of other communities are refused. */
  groupId?: number;
}

export type CallbackDecision =
  | { kind: 'bad-request'; reason: string }
  | { kind: 'forbidden'; reason: 'secret' | 'group' | 'not-configured' }
  | { kind: 'confirm'; text: string }
  | { kind: 'event'; eventId: string; type: string; groupId: number; message: RawMessage | null };

/** Constant-time string comparison (a secret must not leak through timing). */
export function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Validates a Callback body and decides the answer. */
export function decideCallback(body: unknown, s: CallbackSettings): CallbackDecision {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { kind: 'bad-request', reason: 'not an object' };
  const b = body as Record<string, unknown>;
  if (typeof b.type !== 'string' || !/^[a-z_]{1,64}$/.test(b.type)) return { kind: 'bad-request', reason: 'type' };
  if (typeof b.group_id !== 'number' || !Number.isInteger(b.group_id) || b.group_id <= 0) return { kind: 'bad-request', reason: 'group_id' };
  if (!s.secret) return { kind: 'forbidden', reason: 'not-configured' };
  if (!sameSecret(b.secret, s.secret)) return { kind: 'forbidden', reason: 'secret' };
  if (s.groupId && b.group_id !== s.groupId) return { kind: 'forbidden', reason: 'group' };
  if (b.type === 'confirmation') {
    return s.confirmation ? { kind: 'confirm', text: s.confirmation } : { kind: 'forbidden', reason: 'not-configured' };
  }
  if (typeof b.event_id !== 'string' || !/^[0-9a-zA-Z_-]{1,128}$/.test(b.event_id)) return { kind: 'bad-request', reason: 'event_id' };
  if (b.object !== undefined && (typeof b.object !== 'object' || b.object === null || Array.isArray(b.object))) {
    return { kind: 'bad-request', reason: 'object' };
  }
  return { kind: 'event', eventId: b.event_id, type: b.type, groupId: b.group_id, message: mapVkEvent(b.type, b.object, { ownGroupId: b.group_id }) };
}
