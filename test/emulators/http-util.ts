/**
 * Small helpers shared by the VK and Telegram emulators: a loopback `node:http` server that can be
 * stopped without leaving sockets behind, and body parsing for the encodings the client libraries
 * send (query string, `application/x-www-form-urlencoded`, JSON, `multipart/form-data`).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A field value as received: text, or an uploaded file (recorded, not stored). */
export type FieldValue = string | UploadedFile;

export interface UploadedFile {
  kind: 'file';
  filename: string;
  contentType: string;
  size: number;
}

export interface ParsedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Query parameters merged with body fields (body wins). JSON bodies keep their value types. */
  fields: Record<string, unknown>;
  contentType: string;
}

export interface LoopbackServer {
  server: http.Server;
  port: number;
  origin: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 with an ephemeral port. */
export async function listenLoopback(handler: http.RequestListener): Promise<LoopbackServer> {
  const server = http.createServer(handler);
  // A held long-poll request must not be cut by Node's default request/headers timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  // Connections are kept as the platforms' front servers keep them (nginx: 75 s). A one-second hint made HTTP
  // clients (undici subtracts a safety margin from it) open a new connection for every call.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses query + body of a request into one field record. */
export async function parseRequest(req: http.IncomingMessage): Promise<ParsedRequest> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const contentType = String(req.headers['content-type'] ?? '');
  const body = await readBody(req);
  const fields: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) fields[k] = v;
  if (body.length > 0) {
    const type = contentType.split(';')[0].trim().toLowerCase();
    if (type === 'application/json') {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(fields, parsed);
    } else if (type === 'multipart/form-data') {
      const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
      if (boundary) Object.assign(fields, parseMultipart(body, boundary[1] ?? boundary[2]));
    } else {
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) fields[k] = v;
    }
  }
  return { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, fields, contentType };
}

/** A minimal RFC 7578 parser: enough for the parts node-telegram-bot-api 2.x writes. */
export function parseMultipart(body: Buffer, boundary: string): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd === -1) break;
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next === -1) break;
    const content = body.subarray(headerEnd + 4, next - 2); // strip the CRLF before the delimiter
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    const partType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? 'application/octet-stream';
    if (name !== undefined) {
      out[name] = filename !== undefined ? { kind: 'file', filename, contentType: partType, size: content.length } : content.toString('utf8');
    }
    pos = next;
  }
  return out;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** What nginx in front of both platforms returns on a gateway failure. */
export function sendHtmlError(res: http.ServerResponse, status: number): void {
  if (res.writableEnded || res.destroyed) return;
  const reason = http.STATUS_CODES[status] ?? 'Error';
  const text = `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A one-shot waiter list: `waitFor` resolves on the first matching `emit`. Never times out on its own. */
export class Signals<T> {
  private waiters: { match: (v: T) => boolean; resolve: (v: T) => void }[] = [];

  emit(value: T): void {
    const ready = this.waiters.filter((w) => w.match(value));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(value);
  }

  waitFor(match: (v: T) => boolean, existing: readonly T[] = []): Promise<T> {
    const found = existing.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve) => this.waiters.push({ match, resolve }));
  }
}
