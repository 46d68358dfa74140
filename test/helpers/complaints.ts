import type { RawMessage } from '../../src/domain/types';

/** Words of synthetic complaints for load and fault tests (varied enough to open many incidents). */
export const PLACES = ['Абакане', 'Черногорске', 'Саяногорске', 'Абазе', 'Сорске', 'Усть-Абакане', 'Шире'];
export const PROBLEMS = [
  'нет горячей воды в доме',
  'не вывозят мусор со двора',
  'огромная яма на дороге у дома',
  'автобус не пришёл, ждали час, у дома',
  'не горят фонари во дворе дома',
  'в подъезде прорвало трубу, дом',
];

/** A VK-like RawMessage with empty extras; tests give what matters to them. */
export function rawMessage(over: Partial<RawMessage> & Pick<RawMessage, 'externalId' | 'text'>): RawMessage {
  return {
    platform: 'vk',
    sourceId: null,
    author: { platformId: '1', displayName: null, profileUrl: null },
    publishedAt: new Date(Date.now() - 30 * 60_000),
    permalink: null,
    parentExternalId: null,
    threadExternalId: null,
    attachments: [],
    hints: {},
    replyTarget: null,
    ...over,
  };
}
