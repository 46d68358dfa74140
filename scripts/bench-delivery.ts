/**
 * Delivery latency: from `POST /api/comments` to the incident card arriving at the Telegram emulator
 * (the real node-telegram-bot-api client, the real pipeline on Redis and PostgreSQL/PGlite).
 *
 *   TEST_REDIS_URL=redis://127.0.0.1:6390 [TEST_DATABASE_URL=postgres://…/postgres] \
 *   BENCH_N=200 BENCH_RATE=10 npx tsx scripts/bench-delivery.ts
 *
 * Prints p50/p95/max over the complaints that opened a new incident (a repeat is attached, not carded), and the
 * sustained rate from the first post to the last card (BENCH_RATE=10000: as fast as the intake takes them).
 */
import { performance } from 'node:perf_hooks';
import { createAnalyzer } from '../classifiers';
import { buildServer } from '../src/api/server';
import { seedRegion, startApp } from '../src/app';
import { DEMO_OFFICIALS_FILE } from '../src/demo/feed';
import { importFile } from '../src/import';
import { startFakeTelegram, type TgSentMessage } from '../test/emulators/telegram';
import { freshPgDatabase, testConfig } from '../test/helpers/env';

const N = Number(process.env.BENCH_N ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 10); // complaints per second
const out = (s: string) => process.stdout.write(`${s}\n`);

const PLACES = ['В Абакане', 'В Черногорске', 'В Саяногорске', 'В Абазе', 'В Сорске', 'В Усть-Абакане', 'В Шира', 'В Аскизе', 'В Белом Яре', 'В Бее'];
const STREETS = ['Ленина', 'Мира', 'Пушкина', 'Щетинкина', 'Чертыгашева', 'Кирова', 'Советской', 'Гагарина', 'Набережной', 'Школьной', 'Пирятинской', 'Комарова'];
const PROBLEMS = [
  'третий день нет горячей воды, управляющая компания не отвечает',
  'огромная яма на дороге, вчера пробил колесо',
  'неделю не вывозят мусор, контейнеры переполнены, крысы',
  'не горят фонари, вечером на улице темно и страшно',
  'прорвало трубу отопления, в подвале стоит вода',
  'на детской площадке сломаны качели, дети могут пораниться',
  'автобус не приходит по расписанию, ждали час на морозе',
  'в поликлинике невозможно записаться к терапевту',
  'с крыши свисают сосульки над входом в подъезд',
  'в квартирах холодные батареи, дома плюс пятнадцать',
];
const EXTRA = ['Просим разобраться.', 'Жители обращались в УК, толку нет.', 'Сколько можно ждать?', 'Помогите, пожалуйста.', 'Фото приложу в комментариях.', 'Это длится уже давно.', 'Пенсионеры не могут выйти.', 'Обращаемся уже не первый раз.'];

async function main(): Promise<void> {
  const tg = await startFakeTelegram();
  const pg = process.env.TEST_DATABASE_URL ? await freshPgDatabase() : null;
  const cfg = testConfig({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_URL: tg.url, ...(pg ? { DATABASE_URL: pg.url } : {}) }, ['pipeline', 'bot']);
  const app = await startApp(cfg);
  // The intake's own server without its per-IP limit (30/min): every complaint here comes from one address.
  const http = await buildServer(app.deps, { commentsPerMinute: 1_000_000 });
  const url = await http.listen({ port: 0, host: '127.0.0.1' });
  const arrivals = new Map<TgSentMessage, number>();
  void tg.waitForSent((m) => {
    if (!arrivals.has(m)) arrivals.set(m, performance.now());
    return false;
  });
  try {
    await seedRegion(app.db, createAnalyzer(cfg.REGION).region);
    await importFile(app.db, DEMO_OFFICIALS_FILE);
    const step = (s: string) => process.stderr.write(`bench: ${s}\n`);
    step('app started');
    await tg.waitForPoller();
    for (let id = 100001; id <= 100034; id++) {
      tg.userSends({ from: { id, first_name: 'Сотрудник' }, text: '/start' });
      await tg.waitForSent((m) => m.chatId === id);
    }
    step('officials started');
    const posted: { messageId: string; at: number }[] = [];
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const wait = t0 + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const text = `${PLACES[i % PLACES.length]} на улице ${STREETS[(i * 7) % STREETS.length]}, дом ${i + 1}: ${PROBLEMS[Math.floor(i / PLACES.length) % PROBLEMS.length]}. ${EXTRA[i % EXTRA.length]}`;
      const at = performance.now();
      const r = await fetch(`${url}/api/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, name: `Житель ${i}`, contact: `+7 900 ${String(i).padStart(7, '0')}` }) });
      if (r.status !== 202) throw new Error(`intake answered ${r.status}`);
      posted.push({ messageId: ((await r.json()) as { id: string }).id, at });
    }
    step('posted');
    const deadline = Date.now() + 120_000;
    const latencies: number[] = [];
    let attached = 0;
    let pending = [...posted];
    while (pending.length > 0 && Date.now() < deadline) {
      const next: typeof pending = [];
      for (const p of pending) {
        const inc = await app.db.incidents.byMessage(p.messageId);
        const msg = await app.db.messages.get(p.messageId);
        if (msg && msg.status !== 'received' && msg.status !== 'complaint' && !inc) { attached++; continue; }
        if (!inc) { next.push(p); continue; }
        if (inc.primaryMessageId !== p.messageId) { attached++; continue; }
        const card = tg.sent.find((m) => m.text.includes(`Обращение №${inc.id}\n`) || m.text.startsWith(`Обращение №${inc.id} `));
        const arrived = card ? arrivals.get(card) : undefined;
        if (arrived === undefined) { next.push(p); continue; }
        latencies.push(arrived - p.at);
      }
      pending = next;
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 100));
    }
    latencies.sort((a, b) => a - b);
    const q = (f: number) => latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))];
    out(`database: ${pg ? 'postgresql' : 'pglite'}; ${N} complaints at ${RATE}/s; ${latencies.length} new incidents carded, ${attached} attached/not complaints, ${pending.length} not delivered in 120 s`);
    if (latencies.length > 0) out(`delivery latency POST /api/comments → card at Telegram: p50 ${q(0.5).toFixed(0)} ms, p95 ${q(0.95).toFixed(0)} ms, max ${latencies[latencies.length - 1].toFixed(0)} ms`);
    const lastCard = Math.max(...arrivals.values());
    if (latencies.length > 0) out(`sustained: ${N} complaints posted and all ${latencies.length} cards at Telegram in ${((lastCard - t0) / 1000).toFixed(1)} s — ${(N / ((lastCard - t0) / 1000)).toFixed(0)} complaints/s, ${(latencies.length / ((lastCard - t0) / 1000)).toFixed(0)} cards/s`);
    await tg.waitForPoller();
  } finally {
    await http.close();
    await app.stop();
    await tg.stop();
    await pg?.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
    process.exit(1);
  },
);
