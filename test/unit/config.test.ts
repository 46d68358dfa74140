import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';

describe('config', () => {
  it('defaults to the embedded database, local Redis, port 8080 and the four-hour target', () => {
    const cfg = loadConfig({}, { dotenv: false });
    expect(cfg.DATABASE_URL).toBeUndefined();
    expect(cfg.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(cfg.HTTP_PORT).toBe(8080);
    expect(cfg.SLA_TARGET_MINUTES).toBe(240);
    expect(cfg.REGION).toBe('khakassia');
  });

  it('names every bad variable in one error', () => {
    let err: unknown;
    try {
      loadConfig({ HTTP_PORT: 'eighty', REDIS_URL: 'localhost:6379', SLA_TARGET_MINUTES: '-5', DATABASE_URL: 'mysql://x' }, { dotenv: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const name of ['HTTP_PORT', 'REDIS_URL', 'SLA_TARGET_MINUTES', 'DATABASE_URL']) expect(msg).toContain(name);
  });

  it('treats an empty token as unset, so a blank line in .env does not switch platforms on', () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '', VK_GROUP_TOKEN: ' ' }, { dotenv: false }).TELEGRAM_BOT_TOKEN).toBeUndefined();
  });
});
