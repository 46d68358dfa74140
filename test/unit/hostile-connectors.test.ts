import fc from 'fast-check';
import { mapTelegramUpdate } from '../../connectors/telegram/map';
import { decideCallback } from '../../connectors/vk/callback';
import { cleanVkMarkup, mapVkEvent, VK_EVENT_TYPES } from '../../connectors/vk/map';
import { parseFeed } from '../../connectors/web/map';
import type { RawMessage } from '../../src/domain/types';
import { sanePublishedAt, storableText } from '../../src/ingest/ingest';

const json = fc.jsonValue({ maxDepth: 5 });
/** Objects shaped like the platforms' own, with hostile values in every field. */
const vkLike = fc.record(
  {
    id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
    owner_id: fc.oneof(fc.integer(), fc.string()),
    from_id: fc.oneof(fc.integer(), fc.string()),
    post_id: fc.oneof(fc.integer(), fc.string()),
    date: fc.oneof(fc.integer(), fc.double(), fc.string()),
    text: fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.constant('[club1|<script>]'), fc.constant('[id1|' + 'x'.repeat(5000))),
    attachments: fc.oneof(fc.array(json, { maxLength: 3 }), json),
  },
  { requiredKeys: [] },
);
const tgLike = fc.record(
  {
    update_id: fc.oneof(fc.integer(), fc.string()),
    message: fc.oneof(json, fc.record({ message_id: fc.integer(), chat: fc.record({ id: fc.integer(), type: fc.constantFrom('group', 'supergroup', 'channel', 'private', 'weird') }), text: fc.string({ unit: 'binary' }), date: fc.integer(), from: fc.oneof(json, fc.record({ id: fc.integer(), is_bot: fc.boolean() })) }, { requiredKeys: [] })),
    channel_post: json,
    edited_message: json,
  },
  { requiredKeys: [] },
);

/** Whatever a mapper returns for hostile input is either nothing or a message the pipeline can store. */
function wellFormed(m: RawMessage | null) {
  if (m === null) return;
  expect(typeof m.externalId).toBe('string');
  expect(m.externalId.length).toBeGreaterThan(0);
  expect(typeof m.text).toBe('string');
  expect(storableText(m.text)).not.toContain('\u0000');
  expect(storableText(m.text).isWellFormed()).toBe(true);
  // Platforms' dates may be anything; ingest starts the clock from a sane one.
  const now = new Date('2026-11-23T10:00:00Z');
  const at = sanePublishedAt(m.publishedAt, now).getTime();
  expect(at).toBeLessThanOrEqual(now.getTime() + 10 * 60_000);
  expect(at).toBeGreaterThanOrEqual(Date.UTC(2006, 0, 1));
}

describe('the clock starts from a sane publication time', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  it('keeps a real one and replaces a missing, ancient or future one with the time of receipt', () => {
    expect(sanePublishedAt(new Date('2026-11-23T06:00:00Z'), now).toISOString()).toBe('2026-11-23T06:00:00.000Z');
    for (const bad of [new Date(0), new Date(NaN), new Date('2027-01-01T00:00:00Z')]) expect(sanePublishedAt(bad, now)).toBe(now);
  });
});

describe('parsers of outside data never crash', () => {
  it('VK Callback bodies: any JSON is an answer (bad request, forbidden, confirmation or an event)', () => {
    fc.assert(
      fc.property(fc.oneof(json, fc.record({ type: fc.constantFrom(...VK_EVENT_TYPES, 'confirmation'), group_id: fc.integer({ min: 1 }), secret: fc.constantFrom('s', 'wrong'), event_id: fc.string(), object: fc.oneof(vkLike, json) }, { requiredKeys: [] })), (body) => {
        const d = decideCallback(body, { secret: 's', confirmation: 'c', groupId: undefined });
        expect(['bad-request', 'forbidden', 'confirm', 'event']).toContain(d.kind);
        if (d.kind === 'event') wellFormed(d.message);
      }),
      { numRuns: 800 },
    );
  });

  it('VK events and markup', () => {
    fc.assert(
      fc.property(fc.constantFrom(...VK_EVENT_TYPES), fc.oneof(vkLike, json), (type, object) => wellFormed(mapVkEvent(type, object, { ownGroupId: 1 }))),
      { numRuns: 800 },
    );
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (s) => expect(typeof cleanVkMarkup(s).text).toBe('string')));
  });

  it('Telegram updates', () => {
    fc.assert(fc.property(fc.oneof(tgLike, json), (u) => wellFormed(mapTelegramUpdate(u, 42))), { numRuns: 800 });
  });

  it('RSS, Atom and JSON feeds: items or an error, never a crash of another kind', () => {
    const xmlish = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 500 }),
      fc.string({ maxLength: 200 }).map((t) => `<rss><channel><item><title>${t}</title><guid>${t}</guid></item></channel></rss>`),
      fc.constant('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><rss><channel><item><title>&b;</title></item></channel></rss>'),
      json.map((j) => JSON.stringify(j)),
    );
    fc.assert(
      fc.property(xmlish, (body) => {
        try {
          const items = parseFeed(body);
          expect(Array.isArray(items)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
