// winston logging to a JSON-lines file with rotation. Every entry passes through the scrubber
// first, so neither a secret-named field nor a known secret value can reach the file.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import winston from 'winston';
import { ensureEngineFolder } from '../config/folder';
import { defaultStateDir } from '../config/paths';
import type { SecretScrubber } from './secrets';

export type LogLevel = 'error' | 'warning' | 'info' | 'verbose' | 'debug';

const LEVELS: Record<LogLevel, number> = { error: 0, warning: 1, info: 2, verbose: 3, debug: 4 };

export interface EngineLogger {
  log(level: LogLevel, message: string, meta?: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** Where logs go when the request names no file: the engine's state folder. */
function defaultLogFile(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  // An empty value (as PowerShell leaves behind when it 'clears' a variable) counts as unset.
  return env.JCADI_LOG_FILE || join(defaultStateDir(env, platform), 'logs', 'engine.log');
}

/**
 * The logger of a request that names no log file: the default file, once the state folder it lives
 * in is made (or checked) with the engine's own access only (engine/src/config/folder.ts). A
 * state folder that is refused (a link, another owner, loose access) throws Folder.*.
 */
export function createDefaultLogger(env: NodeJS.ProcessEnv, level: LogLevel, scrubber: SecretScrubber): EngineLogger {
  if (!env.JCADI_LOG_FILE) ensureEngineFolder(defaultStateDir(env), "engine's state folder");
  return createFileLogger(defaultLogFile(env), level, scrubber);
}

export function createFileLogger(file: string, level: LogLevel, scrubber: SecretScrubber): EngineLogger {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const scrubFormat = winston.format((info) => {
    const { level: lvl, message, timestamp, ...meta } = info as Record<string, unknown>;
    const clean = scrubber.redact(meta);
    for (const key of Object.keys(info)) if (!['level', 'timestamp'].includes(key)) delete (info as Record<string, unknown>)[key];
    Object.assign(info, clean, { level: lvl, timestamp, message: scrubber.scrub(String(message)) });
    return info;
  });
  const logger = winston.createLogger({
    levels: LEVELS,
    level,
    format: winston.format.combine(winston.format.timestamp(), scrubFormat(), winston.format.json()),
    transports: [new winston.transports.File({ filename: file, maxsize: 10 * 1024 * 1024, maxFiles: 5, tailable: true, options: { flags: 'a', mode: 0o600 } })],
  });
  return {
    // winston formats an entry (timestamp, scrub, JSON) before its transport drops a level it does
    // not write; a level no transport writes is dropped here instead, before any of that (the
    // JumpCloud client logs one debug line per request: 20,000 users take about 700).
    log: (lvl, message, meta) => {
      if (logger.isLevelEnabled(lvl)) logger.log(lvl, message, meta ?? {});
    },
    close: () =>
      new Promise<void>((resolve) => {
        logger.on('finish', () => resolve());
        logger.end();
        // Never hang the exit on a stuck file system.
        setTimeout(resolve, 2000).unref();
      }),
  };
}

export const nullLogger: EngineLogger = { log: () => undefined, close: async () => undefined };
