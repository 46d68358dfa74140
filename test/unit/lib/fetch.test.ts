import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, TimeoutError } from 'node-telegram-bot-api';
import { keepAliveFetch } from '../../../src/lib/fetch';

describe('keepAliveFetch (the Telegram clients’ transport)', () => {
  const seen: { method?: string; type?: string; body: string; socket: unknown }[] = [];
  let hold = false;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, type: req.headers['content-type'], body, socket: req.socket });
      if (hold) return; // never answers
      res.writeHead(req.url?.endsWith('/fail') ? 502 : 200, { 'content-type': 'application/json' });
      res.end(req.url?.endsWith('/fail') ? 'Bad Gateway' : JSON.stringify({ ok: true, result: { echoed: Object.fromEntries(new URLSearchParams(body)) } }));
    });
  });
  let origin = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('posts form fields, answers status and text, and reuses the connection', async () => {
    const form = new URLSearchParams({ chat_id: '100001', text: 'Обращение №7 <b>срочно</b> & "кавычки"' });
    const answers = [];
    for (let i = 0; i < 6; i++) {
      const r = await keepAliveFetch(`${origin}/botX/sendMessage`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      answers.push({ status: r.status, json: JSON.parse(await r.text()) });
    }
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers[5].json.result.echoed).toEqual({ chat_id: '100001', text: 'Обращение №7 <b>срочно</b> & "кавычки"' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', type: 'application/x-www-form-urlencoded' });
    // six calls one after another over at most two kept-alive connections (a connection per call costs syscalls)
    expect(new Set(seen.slice(-6).map((x) => x.socket)).size).toBeLessThanOrEqual(2);
    expect((await keepAliveFetch(`${origin}/fail`, { method: 'POST', body: '' })).status).toBe(502);
  });

  it('through node-telegram-bot-api: results, and a request that outlives its timeout is a TimeoutError', async () => {
    const api = new Api('X', { apiRoot: origin, fetch: keepAliveFetch, maxRetries: 0, timeoutMs: 300 });
    expect(await api.sendMessage({ chat_id: 5, text: 'привет' })).toEqual({ echoed: { chat_id: '5', text: 'привет' } });
    hold = true;
    await expect(api.sendMessage({ chat_id: 5, text: 'ждём' })).rejects.toBeInstanceOf(TimeoutError);
    hold = false;
  });
});
