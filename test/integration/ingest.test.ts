import type { RawMessage } from '../../src/domain/types';
import { ingestMessage } from '../../src/ingest/ingest';
import { startTestApp, type TestApp } from '../helpers/app';
import { rawMessage } from '../helpers/complaints';
import { waitFor } from '../helpers/env';

const raw = (over: Partial<RawMessage>): RawMessage =>
  rawMessage({
    externalId: 'wall-5_1_2',
    author: { platformId: '77', displayName: 'Ки\u0000ра', profileUrl: null },
    text: 'Нет горячей воды в Абакане на Пушкина 12\u0000, третий день!',
    publishedAt: new Date(0),
    ...over,
  });

describe('ingest of odd platform data', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('pg', { roles: ['pipeline'] });
  });
  afterAll(async () => app.stop());

  it('stores a text with NUL bytes and a missing date, and starts the clock at receipt instead of 1970', async () => {
    const before = Date.now();
    const r = await ingestMessage({ db: app.db, queues: app.queues, now: () => new Date() }, raw({}));
    const incident = await waitFor(() => app.db.incidents.byMessage(r.messageId), (i) => i?.status === 'assigned');
    const m = await app.db.messages.get(r.messageId);
    expect(m!.text).toBe('Нет горячей воды в Абакане на Пушкина 12, третий день!');
    expect(m!.authorName).toBe('Кира');
    expect(incident!.openedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(incident!.escalatedAt).toBeNull();
  });
});
