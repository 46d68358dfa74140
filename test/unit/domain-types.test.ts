import { TOPICS, TOPIC_NAMES_RU } from '../../src/domain/types';

describe('topic codes', () => {
  it('has a Russian name for every topic code of DESIGN.md', () => {
    expect(TOPICS).toHaveLength(11);
    for (const t of TOPICS) expect(TOPIC_NAMES_RU[t]).toMatch(/[А-Яа-я]/);
  });
});
