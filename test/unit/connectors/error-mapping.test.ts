/** Each connector maps its library's errors once (STYLE §4): table-driven, no network. */
import { AxiosError, AxiosHeaders } from 'axios';
import { TelegramApiError } from 'node-telegram-bot-api';
import { APIError } from 'vk-io';
import { mapTelegramError } from '../../../connectors/telegram/client';
import { mapVkError, randomIdOf } from '../../../connectors/vk/client';
import { mapFeedError } from '../../../connectors/web/client';
import { PermanentError, TransientError } from '../../../src/errors';

const vkApiError = (code: number) => new APIError({ error_code: code, error_msg: `error ${code}`, request_params: [] } as never);

describe('mapVkError', () => {
  it.each([
    [6, TransientError, undefined],
    [9, TransientError, undefined],
    [10, TransientError, undefined],
    [29, TransientError, 3_600_000],
    [5, PermanentError, undefined],
    [15, PermanentError, undefined],
    [27, PermanentError, undefined],
    [100, PermanentError, undefined],
  ])('APIError %i → %p', (code, cls, retryAfter) => {
    const e = mapVkError(vkApiError(code), 'wall.get');
    expect(e).toBeInstanceOf(cls);
    if (e instanceof TransientError) expect(e.retryAfterMs).toBe(retryAfter);
    expect(e.message).toBe(`vk wall.get: error ${code}`);
  });

  it('a 5xx page vk-io failed to parse, or a network error, is transient', () => {
    expect(mapVkError(new SyntaxError('Unexpected token < in JSON'), 'wall.get')).toBeInstanceOf(TransientError);
    expect(mapVkError(Object.assign(new Error('connect ECONNREFUSED'), { name: 'FetchError' }), 'wall.get')).toBeInstanceOf(TransientError);
  });

  it('derives a stable non-zero int32 random_id from the reply key', () => {
    expect(randomIdOf('reply-1')).toBe(randomIdOf('reply-1'));
    expect(randomIdOf('reply-1')).not.toBe(randomIdOf('reply-2'));
    for (const k of ['a', 'b', 'reply-99']) expect(Math.abs(randomIdOf(k))).toBeLessThan(2 ** 31 + 1);
  });
});

describe('mapTelegramError', () => {
  it.each([
    [new TelegramApiError(429, 'Too Many Requests: retry after 30', { retry_after: 30 }), TransientError, 30_000],
    [new TelegramApiError(502, 'Bad Gateway'), TransientError, undefined],
    [new TelegramApiError(400, 'Bad Request: message to be replied not found'), PermanentError, undefined],
    [new TelegramApiError(403, 'Forbidden: bot was kicked from the supergroup chat'), PermanentError, undefined],
    [new Error('Server error 502 on sendMessage'), TransientError, undefined],
  ])('%s', (err, cls, retryAfter) => {
    const e = mapTelegramError(err, 'sendMessage');
    expect(e).toBeInstanceOf(cls);
    if (e instanceof TransientError) expect(e.retryAfterMs).toBe(retryAfter);
  });
});

describe('mapFeedError', () => {
  const http = (status: number, headers: Record<string, string> = {}) =>
    new AxiosError('x', 'ERR_BAD_RESPONSE', undefined, undefined, { status, statusText: '', headers: new AxiosHeaders(headers), config: { headers: new AxiosHeaders() }, data: '' });
  it.each([
    [http(503, { 'retry-after': '120' }), TransientError, 120_000],
    [http(429), TransientError, undefined],
    [http(404), PermanentError, undefined],
    [new AxiosError('timeout', 'ECONNABORTED'), TransientError, undefined],
    [new Error('not an RSS, Atom or JSON feed'), PermanentError, undefined],
  ])('%s', (err, cls, retryAfter) => {
    const e = mapFeedError(err, 'site');
    expect(e).toBeInstanceOf(cls);
    if (e instanceof TransientError) expect(e.retryAfterMs).toBe(retryAfter);
  });
});
