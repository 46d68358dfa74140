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

  it('takes the nightly training time (or off) and a triage threshold between 0 and 1', () => {
    expect(loadConfig({}, { dotenv: false })).toMatchObject({ TRAIN_TIME: '03:00' });
    expect(loadConfig({}, { dotenv: false }).TRIAGE_MIN_CONFIDENCE).toBeUndefined();
    expect(loadConfig({ TRAIN_TIME: 'off', TRIAGE_MIN_CONFIDENCE: '0.7' }, { dotenv: false })).toMatchObject({ TRAIN_TIME: 'off', TRIAGE_MIN_CONFIDENCE: 0.7 });
    expect(() => loadConfig({ TRAIN_TIME: '25:00' }, { dotenv: false })).toThrow(/TRAIN_TIME/);
    expect(() => loadConfig({ TRIAGE_MIN_CONFIDENCE: '1.5' }, { dotenv: false })).toThrow(/TRIAGE_MIN_CONFIDENCE/);
  });

  it('treats an empty token as unset, so a blank line in .env does not switch platforms on', () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '', VK_GROUP_TOKEN: ' ' }, { dotenv: false }).TELEGRAM_BOT_TOKEN).toBeUndefined();
  });
});
