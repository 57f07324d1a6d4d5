import * as z from 'zod';
import { ExitCode } from '../../errors';
import { defineCommand } from '../command';
import { PROTOCOL_VERSION } from '../protocol';
import { ENGINE_VERSION } from '../../version';

export const versionCommand = defineCommand({
  name: 'version',
  description: 'Report the engine version and runtime.',
  params: z.strictObject({}),
  async run(_params, { reporter }) {
    reporter.record('JumpCloudADI.EngineInfo', {
      Version: ENGINE_VERSION,
      Protocol: PROTOCOL_VERSION,
      Node: process.version,
      Platform: process.platform,
      Arch: process.arch,
      Path: process.execPath,
    });
    return { exitCode: ExitCode.Ok, summary: { version: ENGINE_VERSION } };
  },
});
