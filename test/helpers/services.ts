/**
 * Private Redis and PostgreSQL servers for fault tests: each on a free loopback port in its own temp
 * dir, so a test may kill and restart them without touching the shared services (6390/5439) that other
 * test files use at the same time. Same Debian binaries as scripts/lib/setup.sh.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A port nobody listens on right now (the kernel's choice for :0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<number> {
  const t0 = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - t0;
}

/** One PING over a raw socket (no client library, so nothing to clean up). */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.setTimeout(500);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  dir: string;
  /** SIGKILL (no shutdown, no final fsync): what survives is what AOF already had. */
  kill(): Promise<void>;
  /** Starts it again on the same port and dir (AOF replayed); resolves when it answers PING, with the ms it took. */
  start(): Promise<number>;
  stop(): Promise<void>;
}

/** redis-server with AOF on (`appendfsync` as given), noeviction, in a temp dir, as a child process. */
export async function startPrivateRedis(opts: { appendfsync?: 'always' | 'everysec' } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otklik-redis-'));
  let child: ChildProcess | null = null;
  const args = [
    '--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--daemonize', 'no',
    '--appendonly', 'yes', '--appendfsync', opts.appendfsync ?? 'always', '--maxmemory-policy', 'noeviction',
    '--save', '', '--logfile', path.join(dir, 'redis.log'),
  ];
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    return until(() => redisPing(port), `redis on ${port}`);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    child = null;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill,
    start,
    stop: async () => {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivatePostgres {
  /** The `postgres` database as superuser (create test databases from it). */
  adminUrl: string;
  port: number;
  dir: string;
  /** A new database on this server; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl restart -m fast` (every connection is cut); resolves with the ms it took. */
  restart(): Promise<number>;
  stop(): Promise<void>;
}

const pgBin = () => {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(a) - Number(b)) : [];
  if (!versions.length) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql (scripts/test installs them)');
  return path.join(root, versions[versions.length - 1], 'bin');
};

/** initdb + pg_ctl start on a free port; as root, the server runs as the postgres user (it refuses root). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const bin = pgBin();
  const root = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otklik-pg-'));
  if (root) fs.chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
  const pgRun = (tool: string, args: string[]) => (root ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]) : run(path.join(bin, tool), args));
  await pgRun('initdb', ['-D', dir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const serverOpts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  await pgRun('pg_ctl', ['-D', dir, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', serverOpts, 'start']);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    port,
    dir,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async restart() {
      const t0 = Date.now();
      await pgRun('pg_ctl', ['-D', dir, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-m', 'fast', '-o', serverOpts, 'restart']);
      return Date.now() - t0;
    },
    async stop() {
      await pgRun('pg_ctl', ['-D', dir, '-w', '-m', 'immediate', 'stop']).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
