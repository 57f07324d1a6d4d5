// Protocol v1: one JSON object per line on stdout (see engine/PROTOCOL.md).
import type { EngineError, ExitCodeValue } from '../errors';
import type { EngineLogger, LogLevel } from '../log/logger';
import type { ProgressUpdate, Reporter } from '../log/reporter';
import type { SecretScrubber } from '../log/secrets';

export const PROTOCOL_VERSION = 1;

export type LineSink = (line: string) => void;

export class ProtocolWriter implements Reporter {
  constructor(
    private readonly sink: LineSink,
    private readonly scrubber: SecretScrubber,
    private readonly logger: EngineLogger,
  ) {}

  private emit(type: string, body: Record<string, unknown>): void {
    this.sink(this.scrubber.scrub(JSON.stringify({ v: PROTOCOL_VERSION, type, ...body })) + '\n');
  }

  progress(update: ProgressUpdate): void {
    this.emit('progress', {
      activity: update.activity,
      status: update.status,
      percent: update.percent ?? -1,
      id: update.id ?? 1,
      completed: update.completed ?? false,
    });
  }

  log(level: Exclude<LogLevel, 'error'>, message: string, meta?: Record<string, unknown>): void {
    this.logger.log(level, message, meta);
    if (level !== 'debug') this.emit('log', { level, message });
  }

  record(recordType: string, data: Record<string, unknown>): void {
    this.emit('record', { recordType, data: this.scrubber.redact(data) });
  }

  error(err: EngineError, fatal: boolean): void {
    this.logger.log('error', err.message, { id: err.id, target: err.target, details: err.details });
    this.emit('error', {
      id: err.id,
      category: err.category,
      message: err.message,
      target: err.target,
      fatal,
      details: this.scrubber.redact(err.details),
    });
  }

  result(exitCode: ExitCodeValue, summary: Record<string, unknown>): void {
    this.emit('result', { exitCode, summary: this.scrubber.redact(summary) });
  }
}
