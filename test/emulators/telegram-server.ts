/**
 * The Telegram emulator as a process of its own (scripts/bench-pipeline.ts): Telegram's servers are not our
 * process, so the benchmark keeps their CPU apart. Prints one JSON line {url, token} when listening; on SIGTERM,
 * {sent} (messages the bot sent) and exits. Argument: a JSON array of the user ids that pressed Start.
 */
import { startFakeTelegram } from './telegram';

async function main(): Promise<void> {
  const tg = await startFakeTelegram({ startedUsers: JSON.parse(process.argv[2] ?? '[]') as number[] });
  process.stdout.write(`${JSON.stringify({ url: tg.url, token: tg.token })}\n`);
  process.once('SIGTERM', () => {
    process.stdout.write(`${JSON.stringify({ sent: tg.sent.length })}\n`);
    void tg.stop().finally(() => process.exit(0));
  });
}

void main();
