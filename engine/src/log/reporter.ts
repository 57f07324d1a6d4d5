// What a running command may say: progress, log lines, records and errors. Implemented by the
// CLI's protocol writer; lower layers (sync, jumpcloud) take it as a parameter and never import cli/.
import type { EngineError } from '../errors';
import type { LogLevel } from './logger';

export interface ProgressUpdate {
  activity: string;
  status: string;
  percent?: number;
  id?: number;
  completed?: boolean;
}

/** What a command may say while it runs. Commands never write stdout themselves. */
export interface Reporter {
  progress(update: ProgressUpdate): void;
  log(level: Exclude<LogLevel, 'error'>, message: string, meta?: Record<string, unknown>): void;
  record(recordType: string, data: Record<string, unknown>): void;
  error(err: EngineError, fatal: boolean): void;
}
