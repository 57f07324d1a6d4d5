// Every command `jcadi-engine exec` can run, by name.
import type { Command } from '../command';
import { adPingCommand } from './ad-ping';
import { jcPingCommand } from './jc-ping';
import { syncCommand, syncPlanCommand } from './sync';
import { testRootDnCommand } from './test-rootdn';
import { versionCommand } from './version';

export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>(
  [versionCommand, testRootDnCommand, adPingCommand, jcPingCommand, syncPlanCommand, syncCommand].map((c) => [c.name, c as unknown as Command]),
);
