/** The demo sign-in: made in demo mode so a newcomer can look around, removed by any non-demo start. */
import type { Db } from '../db';
import { setPassword } from './auth';

/** The control centre's duty officer of the demo officials file (sees the whole region). */
export const DEMO_ACCOUNT = { login: 'demo', password: 'demo', officialId: 'khakassia-duty' } as const;

/**
 * In demo mode: ensures the demo account exists (never over a real account of that official) and returns
 * its credentials. Otherwise: deletes any demo account left from an earlier demo run and returns null.
 */
export async function syncDemoAccount(db: Db, demo: boolean, at: Date): Promise<{ login: string; password: string } | null> {
  if (!demo) {
    await db.users.removeDemoAccounts();
    return null;
  }
  const { login, password, officialId } = DEMO_ACCOUNT;
  if (!(await db.officials.get(officialId))) return null;
  const existing = await db.users.byLogin(login);
  if (existing && existing.account.officialId !== officialId) return null;
  if (!existing) {
    if (await db.users.hasAccount(officialId)) return null;
    await setPassword(db, officialId, password, at, { login, demo: true });
  }
  return { login, password };
}
