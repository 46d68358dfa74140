/** connectors/vk/map.ts and callback.ts: table-driven over test/fixtures/vk/events.json. Pure, no I/O. */
import fs from 'node:fs';
import path from 'node:path';
import { decideCallback, sameSecret } from '../../../connectors/vk/callback';
import { cleanVkMarkup, mapVkComment, mapVkEvent, mapVkPost, namesOf } from '../../../connectors/vk/map';

interface Case {
  name: string;
  type: string;
  object: Record<string, unknown>;
  expect: Record<string, unknown> | null;
}
const cases: Case[] = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/vk/events.json'), 'utf8'));
const GROUP = 1000001;

describe('mapVkEvent', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const m = mapVkEvent(c.type, c.object, { ownGroupId: GROUP });
    if (c.expect === null) {
      expect(m).toBeNull();
      return;
    }
    const { publishedAt, ...rest } = c.expect;
    expect(m).toMatchObject({ platform: 'vk', sourceId: null, ...rest });
    if (publishedAt) expect(m!.publishedAt.toISOString()).toBe(publishedAt);
    if (!c.expect.edited) expect(m!.edited).toBeUndefined();
  });

  it('gives every event of the fixture table a distinct external id (except the edit of the same comment)', () => {
    const ids = cases.map((c) => mapVkEvent(c.type, c.object, { ownGroupId: GROUP })).filter((m) => m && !m.edited).map((m) => m!.externalId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never throws on odd input', () => {
    for (const o of [null, 1, 'x', [], {}, { id: 'a' }, { message: null }]) {
      for (const t of ['wall_post_new', 'wall_reply_new', 'message_new', 'board_post_new', 'photo_comment_new', 'video_comment_new']) {
        expect(() => mapVkEvent(t, o)).not.toThrow();
      }
    }
  });
});

describe('VK markup', () => {
  it.each([
    ['[club123|Администрация города Абакана], ответьте', 'Администрация города Абакана, ответьте', ['Администрация города Абакана']],
    ['[id1|Имя] и [public5|Подслушано Абакан]', 'Имя и Подслушано Абакан', ['Подслушано Абакан']],
    ['@club9 (Мэрия Черногорска) где автобус?', 'Мэрия Черногорска где автобус?', ['Мэрия Черногорска']],
    ['[https://vk.com/wall-1_2|ссылка] тут', 'ссылка тут', []],
    ['без разметки [не ссылка]', 'без разметки [не ссылка]', []],
  ])('%s', (input, text, mentions) => {
    expect(cleanVkMarkup(input)).toEqual({ text, mentions });
  });
});

describe('wall.get / wall.getComments items', () => {
  it('names authors from extended answers and keeps other communities’ posts (city publics post as the community)', () => {
    const names = namesOf({ profiles: [{ id: 42, first_name: 'Иван', last_name: 'Петров' }], groups: [{ id: 555, name: 'Подслушано Абакан' }] });
    const post = mapVkPost({ id: 9, owner_id: -555, from_id: -555, date: 1, text: 'Опять нет воды' }, { ownGroupId: GROUP, names });
    expect(post).toMatchObject({ externalId: 'wall-555_9', author: { platformId: '-555', displayName: 'Подслушано Абакан', profileUrl: 'https://vk.com/club555' } });
    const signed = mapVkPost({ id: 10, owner_id: -555, from_id: -555, signer_id: 42, date: 1, text: 'Подписано' }, { names });
    expect(signed?.author).toMatchObject({ platformId: '42', displayName: 'Иван Петров' });
    expect(mapVkPost({ id: 11, owner_id: -555, from_id: -555, date: 1, text: 'Отложено', post_type: 'postpone' })).toBeNull();
    const comment = mapVkComment({ id: 12, owner_id: -555, post_id: 9, from_id: 42, date: 1, text: 'Да', parents_stack: [] }, { names });
    expect(comment).toMatchObject({ externalId: 'wall-555_9_12', author: { displayName: 'Иван Петров' } });
  });
});

describe('decideCallback', () => {
  const s = { secret: 's3cr3t', confirmation: 'conf-123', groupId: GROUP };
  const body = (extra: Record<string, unknown>) => ({ type: 'wall_reply_new', group_id: GROUP, event_id: 'ab12', v: '5.199', secret: 's3cr3t', object: cases[2].object, ...extra });

  it.each([
    ['confirmation', body({ type: 'confirmation', object: undefined }), { kind: 'confirm', text: 'conf-123' }],
    ['an event', body({}), { kind: 'event', eventId: 'ab12', type: 'wall_reply_new', message: expect.objectContaining({ externalId: 'wall-1000001_310_320' }) }],
    ['an ignored event type', body({ type: 'group_leave', object: { user_id: 1 } }), { kind: 'event', message: null }],
    ['a wrong secret', body({ secret: 'nope' }), { kind: 'forbidden', reason: 'secret' }],
    ['no secret', body({ secret: undefined }), { kind: 'forbidden', reason: 'secret' }],
    ['a confirmation with a wrong secret', body({ type: 'confirmation', secret: 'x' }), { kind: 'forbidden', reason: 'secret' }],
    ['another community', body({ group_id: 7 }), { kind: 'forbidden', reason: 'group' }],
    ['an array', [], { kind: 'bad-request' }],
    ['no type', body({ type: undefined }), { kind: 'bad-request' }],
    ['a string group id', body({ group_id: '1000001' }), { kind: 'bad-request' }],
    ['no event id', body({ event_id: undefined }), { kind: 'bad-request' }],
    ['an object that is a string', body({ object: 'x' }), { kind: 'bad-request' }],
  ])('%s', (_name, b, expected) => {
    expect(decideCallback(b, s)).toMatchObject(expected);
  });

  it('refuses events when no secret is configured', () => {
    expect(decideCallback(body({}), { confirmation: 'c' })).toEqual({ kind: 'forbidden', reason: 'not-configured' });
  });

  it('compares secrets in constant time and exactly', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abcd', 'abc')).toBe(false);
    expect(sameSecret(undefined, 'abc')).toBe(false);
  });
});
