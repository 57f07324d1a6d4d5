// `jcadi-engine run --config FILE`: the sync agent as a service runs it. The only argument is
// the config's path (no secret is ever on the command line); logs go to logs/agent.log beside
// the config. SIGTERM/SIGINT stop it gracefully. A fatal start problem (a used connect key, a
// bad config) is also written, scrubbed, as one line on stderr for the service manager.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode } from '../cli/errors';
import { agentPaths } from '../config/agent';
import { createFileLogger, type LogLevel } from '../log/logger';
import { SecretScrubber } from '../log/secrets';
import { AgentRunner } from './runner';
import { peekAgentState } from './state';

export const RUN_USAGE = `jcadi-engine run --config FILE   run the sync agent (long-running; a service starts it)`;

function configuredLogLevel(file: string): LogLevel {
  try {
    const level = (JSON.parse(readFileSync(file, 'utf8')) as { sync?: { logLevel?: unknown } }).sync?.logLevel;
    return typeof level === 'string' && ['error', 'warning', 'info', 'verbose', 'debug'].includes(level) ? (level as LogLevel) : 'info';
  } catch {
    return 'info';
  }
}

export async function runAgentCli(argv: string[]): Promise<number> {
  let config: string | undefined;
  try {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } }, strict: true, allowPositionals: false });
    config = values.config;
  } catch (err) {
    process.stderr.write(`jcadi-engine run: ${(err as Error).message}\n${RUN_USAGE}\n`);
    return ExitCode.BadRequest;
  }
  if (!config) {
    process.stderr.write(`jcadi-engine run: --config FILE is required.\n${RUN_USAGE}\n`);
    return ExitCode.BadRequest;
  }
  const configFile = resolve(config);
  if (!existsSync(configFile)) {
    process.stderr.write(`jcadi-engine run: no agent config at ${configFile} (Install-JCSyncAgent writes it).\n`);
    return ExitCode.BadRequest;
  }
  const scrubber = new SecretScrubber();
  const logger = createFileLogger(agentPaths(dirname(configFile)).log, configuredLogLevel(configFile), scrubber);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const runner = new AgentRunner({ configFile, logger, scrubber, signal: controller.signal });
  const code = await runner.run();
  if (code !== ExitCode.Ok) {
    const last = peekAgentState(runner.paths.state)?.lastError;
    process.stderr.write(scrubber.scrub(`jcadi-engine run: ${last ? `${last.id}: ${last.message}` : `stopped with exit code ${code}`}`) + '\n');
  }
  await logger.close();
  return code;
}
