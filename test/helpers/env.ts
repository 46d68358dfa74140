/** Real Redis and PostgreSQL for integration tests, started by scripts/test (never mocked). */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, type Config, type Role } from '../../src/config';

/** The test Redis (scripts/test starts one on 127.0.0.1:6390). */
export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set: run the tests with ./scripts/test');
  return url;
}

/** A fresh, empty PostgreSQL database on the test server; `drop()` removes it. */
export async function freshPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error('TEST_DATABASE_URL is not set: run the tests with ./scripts/test');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A unique BullMQ prefix, so test files never see each other's jobs. */
export const uniquePrefix = () => `t${randomBytes(5).toString('hex')}`;

/** A Config for tests: the test Redis, a fresh queue prefix, an ephemeral port, quiet logs. */
export function testConfig(env: Record<string, string | undefined>, roles: Role[]): Config {
  return loadConfig(
    {
      NODE_ENV: 'test',
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: uniquePrefix(),
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      DATA_DIR: 'memory://',
      DEMO: 'off',
      ...env,
    },
    { roles, dotenv: false },
  );
}

/** Polls `read` until `until` holds (no sleeps in assertions: a bounded wait on a real condition). */
export async function waitFor<T>(
  read: () => Promise<T>,
  until: (v: T) => boolean,
  { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!until(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await read();
  }
  return last;
}

/** A response's status, text and, when the text is JSON, its parsed body. */
export async function readResponse(r: Response): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const text = await r.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: r.status, body, text, headers: r.headers };
}
