import * as z from 'zod';
import { agentFileNames } from '../../agent/config';
import { EXIT_CODE_MEANINGS, ExitCode } from '../../errors';
import { defineCommand } from '../command';

/** The exit codes, in code order, as the describe record lists them. */
export function describeExitCodes(): Array<{ Name: string; Code: number; Meaning: string; Category: string }> {
  return (Object.keys(ExitCode) as Array<keyof typeof ExitCode>)
    .map((name) => ({ Name: name, Code: ExitCode[name], Meaning: EXIT_CODE_MEANINGS[name].meaning, Category: EXIT_CODE_MEANINGS[name].category }))
    .sort((a, b) => a.Code - b.Code);
}

/** The agent install folder's file names (relative to the folder) on this engine's platform. */
export function describeInstallFiles(platform: NodeJS.Platform = process.platform): Record<string, string> {
  const names = agentFileNames(platform);
  return {
    Engine: names.engine,
    ServiceHost: names.serviceHost,
    Config: names.config,
    KeyFile: names.keyFile,
    State: names.state,
    Journal: names.journal,
    Pid: names.pid,
    Log: names.log,
  };
}

// The facts the module would otherwise copy: what the exit codes mean and what an agent's install
// folder holds. The module runs it once per engine and session (module/Private/GetJCEngineDescription.ps1).
export const describeCommand = defineCommand({
  name: 'describe',
  description: "Report the engine's exit codes and the agent install folder's file names.",
  params: z.strictObject({}),
  async run(_params, { reporter }) {
    reporter.record('JumpCloudADI.EngineDescription', { ExitCodes: describeExitCodes(), InstallFiles: describeInstallFiles() });
    return { exitCode: ExitCode.Ok, summary: {} };
  },
});
