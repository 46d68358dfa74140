/** Configuration: the ONLY reader of process.env. Parsed once, validated, frozen. */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './errors';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));
const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL (${protocols.join(' or ')})`);

const ROLE_NAMES = ['ingest', 'pipeline', 'bot', 'api', 'connectors', 'demo'] as const;
export type Role = (typeof ROLE_NAMES)[number];

const Env = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('otklik'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HTTP_HOST: z.string().default('0.0.0.0'),
  REGION: z.string().regex(/^[a-z0-9-]+$/, 'a region code like khakassia').default('khakassia'),
  SLA_TARGET_MINUTES: z.coerce.number().int().positive().default(240),
  /** Incidents or messages stuck in one status longer than this are re-enqueued by reconcile. */
  RECONCILE_AFTER_MINUTES: z.coerce.number().positive().default(5),
  RECONCILE_EVERY_SECONDS: z.coerce.number().positive().default(60),
  /** How far back reconcile looks for messages stuck before analysis (they are read by arrival time). */
  RECONCILE_LOOKBACK_DAYS: z.coerce.number().positive().default(30),
  STAGE_CONCURRENCY: z.coerce.number().int().positive().default(20),
  /**
   * Items in flight per process in the stages that only use our database and Redis (detect, dedupe, classify,
   * assign): concurrent items share round trips (src/lib/batch.ts), so more of them cost less each. Their jobs
   * carry up to BUNDLE_MAX items (src/pipeline/queues.ts), so a worker takes this / BUNDLE_MAX jobs at once. With
   * HANDOFF=inline a detect job carries its items through all four, so they share this number.
   */
  DB_STAGE_CONCURRENCY: z.coerce.number().int().positive().default(300),
  /**
   * How a database-only stage passes an item to the next one when this process runs both: `inline` (in the
   * same job, no queue round trip) or `queue` (every stage a job of its own queue, as separate processes do).
   */
  HANDOFF: z.enum(['inline', 'queue']).default('inline'),
  /**
   * Worker threads that analyse texts for detect (src/analysis/pool.ts); 0 analyses in the pipeline's own
   * thread. One leaves the pipeline's event loop to its database and queue work and uses a second core.
   */
  ANALYSIS_THREADS: z.coerce.number().int().min(0).max(16).default(1),
  /** How long a job stays locked to a worker; a killed worker's jobs return to the queue after this. */
  JOB_LOCK_SECONDS: z.coerce.number().positive().default(30),
  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_API_URL: url(['http:', 'https:']).default('https://api.telegram.org'),
  /** HMAC key of the bot's button data; unset → derived from TELEGRAM_BOT_TOKEN (same in every process). */
  BOT_CALLBACK_SECRET: optionalString.pipe(z.string().min(16, 'at least 16 characters').optional()),
  /** May an official publish a reply directly (true), or does the press service approve every reply (false)? */
  OFFICIALS_MAY_PUBLISH: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1'),
  /** When the response clock runs: 24x7, or workdays-H1-H2 (Mon–Fri, local hours H1..H2 of the region). */
  SLA_CALENDAR: z
    .string()
    .regex(/^(24x7|workdays-([01]?\d|2[0-3])-([01]?\d|2[0-4]))$/, '24x7 or workdays-H1-H2, e.g. workdays-9-18')
    .refine((v) => v === '24x7' || Number(v.split('-')[1]) < Number(v.split('-')[2]), 'start hour must be before end hour')
    .default('24x7'),
  VK_GROUP_TOKEN: optionalString,
  VK_GROUP_ID: z.coerce.number().int().positive().optional(),
  VK_SERVICE_TOKEN: optionalString,
  VK_API_URL: url(['http:', 'https:']).default('https://api.vk.com/method'),
  VK_CALLBACK_SECRET: optionalString,
  VK_CALLBACK_CONFIRMATION: optionalString,
  /** How often watched VK walls and searches (sources of kind wall/search) are polled. */
  VK_POLL_SECONDS: z.coerce.number().positive().default(120),
  /** How often comment feeds of official sites (sources of kind feed) are polled. */
  FEED_POLL_SECONDS: z.coerce.number().positive().default(300),
  /** Feed the bundled demo posts at start; default: on when no platform token is set. */
  DEMO: z.enum(['auto', 'on', 'off']).default('auto'),
  /** Statistics: a municipality or official is ranked only with at least this many incidents in the period. */
  STATS_MIN_INCIDENTS: z.coerce.number().int().min(1).default(5),
  /** HMAC key of session cookies; unset → a random key kept in the database (shared by every api process). */
  SESSION_SECRET: optionalString.pipe(z.string().min(32, 'at least 32 characters').optional()),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  /** Telegram chat ids of the governor's office for the daily and weekly digests (comma-separated). */
  DIGEST_CHAT_IDS: optionalString.pipe(
    z.string().regex(/^\s*-?\d+(\s*,\s*-?\d+)*\s*$/, 'comma-separated Telegram chat ids').optional(),
  ),
  /** Local time (region's time zone) of the digests, HH:MM; the weekly one goes out on Mondays. */
  DIGEST_TIME: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour').default('09:00'),
  /**
   * Triage threshold: an incident whose analysis has a confidence below this waits for the duty officer. Unset:
   * the analysis's own verdict (`confident`). An incident with no municipality waits either way.
   */
  TRIAGE_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).optional(),
  /**
   * Local time (region's time zone) of the nightly training of the region's model from the officials'
   * corrections, HH:MM, or `off`; runs in the pipeline role (src/training/schedule.ts).
   */
  TRAIN_TIME: z.string().regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/, 'HH:MM, 24-hour, or off').default('03:00'),
  /** The dashboard's public address, for links in digests (optional). */
  DASHBOARD_URL: url(['http:', 'https:']).optional(),
});

export type Config = Readonly<z.infer<typeof Env> & { roles: Role[] }>;

/** Reads `.env` (if present) under the real environment, which wins. */
function withDotenv(env: NodeJS.ProcessEnv, cwd: string): NodeJS.ProcessEnv {
  const file = path.join(cwd, '.env');
  if (!fs.existsSync(file)) return env;
  return { ...parseDotenv(fs.readFileSync(file)), ...env };
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  opts: { roles?: Role[]; cwd?: string; dotenv?: boolean } = {},
): Config {
  const source = opts.dotenv === false ? env : withDotenv(env, opts.cwd ?? process.cwd());
  const r = Env.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  return Object.freeze({ ...r.data, roles: opts.roles ?? [...ROLE_NAMES] });
}

/** The role names `worker --stages` and `start` accept. */
export const ROLES: readonly Role[] = ROLE_NAMES;

/** Where the region's own model lives: `DATA_DIR/models` (none for an in-memory database, as in tests). */
export function modelDirOf(cfg: Pick<Config, 'DATA_DIR'>): string | null {
  return cfg.DATA_DIR === 'memory://' ? null : path.resolve(cfg.DATA_DIR, 'models');
}
