/**
 * `otklik classify`, and the CLI's error handling. Kept apart from src/cli.ts so that bin/otklik.js can run
 * `classify` without loading the application (database drivers, queues, the web server): its first line comes in
 * well under a second.
 */
import { Command } from 'commander';
import { runClassify } from '../classifiers/cli';
import { loadConfig, modelDirOf } from './config';
import { ConfigError, InputError } from './errors';

/** Registers `classify` on a program. */
export function addClassifyCommand(program: Command): void {
  program
    .command('classify')
    .description('JSON lines in ({"id","text","platform"?,"source"?:{"municipality"}}) → JSON lines out (kind, complaint, topic, municipality, priority, confident)')
    .option('--region <code>', 'region pack', undefined)
    .action(async (o: { region?: string }) => {
      const cfg = loadConfig(process.env, { roles: [] });
      // The region's own model (DATA_DIR/models, from `train`) when there is one, and the region's triage threshold.
      const r = await runClassify(process.stdin, process.stdout, o.region ?? cfg.REGION, {
        modelDir: modelDirOf(cfg),
        ...(cfg.TRIAGE_MIN_CONFIDENCE !== undefined ? { minConfidence: cfg.TRIAGE_MIN_CONFIDENCE } : {}),
      });
      if (r.errors > 0) process.stderr.write(`otklik classify: ${r.errors} of ${r.lines} lines had errors\n`);
    });
}

/** `classify` alone, without the rest of the application (bin/otklik.js runs `otklik classify` through it). */
export function buildClassifyCli(): Command {
  const program = new Command('otklik').showHelpAfterError();
  addClassifyCommand(program);
  return program;
}

/** Runs a command tree: a configuration or input error is one line on stderr and exit code 1. */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof InputError) {
      process.stderr.write(`otklik: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
