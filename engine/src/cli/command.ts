// What a command is: a zod schema for its params and a run function that reports through the
// protocol and returns its exit code and summary. Commands never touch stdout or argv.
import type { z } from 'zod';
import type { ExitCodeValue } from '../errors';
import type { Reporter } from '../log/reporter';

interface CommandOutcome {
  exitCode: ExitCodeValue;
  summary: Record<string, unknown>;
}

export interface CommandContext {
  reporter: Reporter;
  signal: AbortSignal;
}

export interface Command<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  params: S;
  run(params: z.infer<S>, ctx: CommandContext): Promise<CommandOutcome>;
}

export function defineCommand<S extends z.ZodType>(command: Command<S>): Command<S> {
  return command;
}
