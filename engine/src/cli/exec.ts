// Runs one request: parse → validate → run the command → exactly one `result` line.
// All errors are handled here, once, and mapped to the documented exit codes.
import { createDefaultLogger, createFileLogger, nullLogger, type EngineLogger } from '../log/logger';
import { SecretScrubber } from '../log/secrets';
import { requestEnvelopeSchema } from '../config/request';
import { parseOrThrow } from '../config/validation';
import { COMMAND_NAMES, loadCommand } from './commands';
import { asEngineError, badRequest, ExitCode, type ExitCodeValue } from '../errors';
import { ProtocolWriter, type LineSink } from './protocol';

export interface ExecIo {
  writeLine: LineSink;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Tests pass a logger; otherwise a file logger is opened from the request or the default path. */
  logger?: EngineLogger;
}

/** Parses the stdin text as JSON without echoing any of it (it may hold secrets). */
function parseJson(text: string): unknown {
  let prototypeKey = false;
  let value: unknown;
  try {
    // A "__proto__" key would not survive validation as a key (copying it sets a prototype), so
    // it could slip past the strict schemas: such a request is refused instead.
    value = JSON.parse(text, (key: string, inner: unknown) => {
      if (key === '__proto__') prototypeKey = true;
      return inner;
    });
  } catch (err) {
    if (err instanceof RangeError)
      throw badRequest(
        'Request.InvalidJson',
        'The request on stdin is nested too deeply to read; send one JSON object such as {"protocol":1,"command":"version"}.',
      );
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    throw badRequest(
      'Request.InvalidJson',
      `The request on stdin is not valid JSON${position ? ` (problem at character ${position})` : ''}; send one JSON object such as {"protocol":1,"command":"version"}.`,
    );
  }
  if (prototypeKey) throw badRequest('Request.Invalid', 'The request holds a key named "__proto__", which no command accepts.');
  return value;
}

export async function execRequest(stdinText: string, io: ExecIo): Promise<ExitCodeValue> {
  const scrubber = new SecretScrubber();
  let logger: EngineLogger | undefined = io.logger;
  const writer = new ProtocolWriter(io.writeLine, scrubber, { log: (...args) => logger?.log(...args), close: async () => undefined });
  let exitCode: ExitCodeValue = ExitCode.Internal;
  let summary: Record<string, unknown> = {};
  try {
    if (stdinText.trim() === '') throw badRequest('Request.Empty', 'No request on stdin; send one JSON object such as {"protocol":1,"command":"version"}.');
    const raw = parseJson(stdinText);
    scrubber.collect(raw);
    const request = parseOrThrow(requestEnvelopeSchema, raw, 'request');
    logger ??=
      request.logFile !== undefined
        ? createFileLogger(request.logFile, request.logLevel ?? 'info', scrubber)
        : createDefaultLogger(io.env ?? process.env, request.logLevel ?? 'info', scrubber);
    const command = await loadCommand(request.command);
    if (!command) {
      throw badRequest('Request.UnknownCommand', `Unknown command '${request.command}'. Known commands: ${COMMAND_NAMES.join(', ')}.`, request.command);
    }
    const params = parseOrThrow(command.params, request.params, 'params');
    logger.log('info', `command ${command.name} started`, { params });
    const outcome = await command.run(params, { reporter: writer, signal: io.signal ?? new AbortController().signal });
    exitCode = outcome.exitCode;
    summary = outcome.summary;
    logger.log('info', `command ${command.name} finished`, { exitCode });
  } catch (thrown) {
    const err = asEngineError(thrown);
    // A request that failed before naming its log file is still logged, to the default file
    // (not at all when the state folder itself was refused: the error says why).
    if (!logger) {
      try {
        logger = createDefaultLogger(io.env ?? process.env, 'info', scrubber);
      } catch {
        logger = nullLogger;
      }
    }
    writer.error(err, true);
    exitCode = err.exitCode;
    summary = { errorId: err.id };
    if (err.exitCode === ExitCode.Internal && thrown instanceof Error && thrown.stack) {
      // Crash text belongs on stderr (protocol rule); scrubbed like everything else.
      process.stderr.write(scrubber.scrub(thrown.stack) + '\n');
    }
  } finally {
    writer.result(exitCode, summary);
    if (!io.logger) await logger?.close();
  }
  return exitCode;
}
