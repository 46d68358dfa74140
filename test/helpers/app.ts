/** Starts the real app (real Redis, a fresh PostgreSQL database or PGlite) for an integration test. */
import { createAnalyzer } from '../../classifiers';
import { seedRegion, startApp, type App, type AppOptions } from '../../src/app';
import type { Role } from '../../src/config';
import { DEMO_OFFICIALS_FILE } from '../../src/demo/feed';
import { importFile } from '../../src/import';
import type { DbKind } from './db';
import { freshPgDatabase, readResponse, testConfig } from './env';

export interface TestApp extends App {
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  get(path: string): Promise<{ status: number; body: any; text: string }>;
}

/** The app with the given roles; officials of the demo file are imported unless `officials: false`. */
export async function startTestApp(
  kind: DbKind,
  { roles = ['api', 'pipeline'] as Role[], env = {} as Record<string, string>, officials = true, ...opts }: AppOptions & { roles?: Role[]; env?: Record<string, string>; officials?: boolean } = {},
): Promise<TestApp> {
  const fresh = kind === 'pg' ? await freshPgDatabase() : null;
  const cfg = testConfig({ ...(fresh ? { DATABASE_URL: fresh.url } : {}), ...env }, roles);
  const app = await startApp(cfg, { lockDurationMs: 5000, ...opts });
  if (officials) {
    await seedRegion(app.db, createAnalyzer(cfg.REGION).region);
    await importFile(app.db, DEMO_OFFICIALS_FILE);
  }
  const base = app.url ?? 'http://127.0.0.1:0';
  return {
    ...app,
    async post(path, body) {
      const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
    get: async (path) => readResponse(await fetch(base + path)),
    async stop() {
      await app.stop();
      await fresh?.drop();
    },
  };
}
