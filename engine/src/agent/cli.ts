// `jcadi-engine run --config FILE [--stop-on-stdin-close]`: the sync agent as a service runs it.
// The config's path is its only value (no secret is ever on the command line); logs go to
// logs/agent.log beside the config. SIGTERM/SIGINT stop it gracefully; with --stop-on-stdin-close
// so does the end of its stdin (the Windows service host closes the pipe: a Windows process
// cannot receive another process's SIGTERM). A fatal start problem (a used connect key, a bad
// config) is also written, scrubbed, as one line on stderr for the service manager.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ExitCode } from '../errors';
import { agentPaths } from './config';
import { createFileLogger, type LogLevel } from '../log/logger';
import { SecretScrubber } from '../log/secrets';
import { AgentRunner } from './runner';
import { peekAgentState } from './state';

export const RUN_USAGE = `jcadi-engine run --config FILE [--stop-on-stdin-close]
                                   run the sync agent (long-running; a service starts it); stops on
                                   SIGTERM/SIGINT, and on the end of stdin with --stop-on-stdin-close`;

/**
 * Calls `stop` once when `input` ends (the parent closed the pipe) or fails; what it carries is
 * read and discarded. Returns a function that stops watching and releases the stream.
 */
export function stopWhenInputEnds(input: Readable, stop: () => void): () => void {
  let stopped = false;
  const onEnd = () => {
    if (stopped) return;
    stopped = true;
    stop();
  };
  const discard = () => undefined;
  input.on('data', discard);
  input.once('end', onEnd);
  input.once('close', onEnd);
  input.once('error', onEnd);
  input.resume();
  return () => {
    input.off('data', discard);
    input.off('end', onEnd);
    input.off('close', onEnd);
    input.off('error', onEnd);
    input.pause();
  };
}

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
  let stopOnStdinClose = false;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, 'stop-on-stdin-close': { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    });
    config = values.config;
    stopOnStdinClose = values['stop-on-stdin-close'] === true;
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
  const unwatchStdin = stopOnStdinClose
    ? stopWhenInputEnds(process.stdin, () => {
        logger.log('info', 'stdin closed by the service host: stopping');
        stop();
      })
    : () => undefined;
  const runner = new AgentRunner({ configFile, logger, scrubber, signal: controller.signal });
  const code = await runner.run();
  unwatchStdin();
  if (code !== ExitCode.Ok) {
    const last = peekAgentState(runner.paths.state)?.lastError;
    process.stderr.write(scrubber.scrub(`jcadi-engine run: ${last ? `${last.id}: ${last.message}` : `stopped with exit code ${code}`}`) + '\n');
  }
  await logger.close();
  return code;
}
