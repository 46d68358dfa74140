/** Signing in to a test app as an official: sets a password, posts the sign-in, returns the session cookie. */
import { setPassword } from '../../src/web/auth';
import type { TestApp } from './app';
import { readResponse } from './env';

export async function signIn(app: TestApp, officialId: string, password = 'пароль-для-теста'): Promise<string> {
  await setPassword(app.db, officialId, password, new Date());
  const r = await fetch(`${app.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: officialId, password }),
    redirect: 'manual',
  });
  if (r.status !== 200) throw new Error(`sign-in as ${officialId} failed: ${r.status}`);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
  if (!cookie.startsWith('otklik_session=')) throw new Error('no session cookie');
  return cookie;
}

/** GET with a cookie (or none); redirects are not followed. */
export async function getAs(app: TestApp, cookie: string | null, path: string): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  return readResponse(await fetch(`${app.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' }));
}
