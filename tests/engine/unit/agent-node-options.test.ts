// The agent's V8 flags (AGENT_NODE_OPTIONS) are set by three launchers in three languages: agent-start
// (install.ts), the Windows service host (C#) and the systemd unit the module writes (PowerShell).
// They must be the same value: each is checked against the engine's constant here; so are glibc's malloc settings (Linux only).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AGENT_LINUX_ENV, AGENT_NODE_OPTIONS } from '../../../engine/src/agent/install';
import { REPO_ROOT } from '../helpers/testdc';

describe("the agent's V8 flags", () => {
  it('are only flags node accepts in NODE_OPTIONS', () => {
    assert.match(AGENT_NODE_OPTIONS, /^(--[a-z-]+(=\d+)?)( --[a-z-]+(=\d+)?)*$/);
  });
  it('are the same in the Windows service host and in the systemd unit', () => {
    const cs = readFileSync(join(REPO_ROOT, 'engine', 'service-host', 'AgentSupervisor.cs'), 'utf8');
    assert.match(cs, new RegExp(`AgentNodeOptions = "${AGENT_NODE_OPTIONS}";`));
    const psm1 = readFileSync(join(REPO_ROOT, 'module', 'JumpCloudADI.psm1'), 'utf8');
    assert.match(psm1, new RegExp(`\\$script:JCAgentNodeOptions = '${AGENT_NODE_OPTIONS}'`));
  });
  it("glibc's malloc settings are the same in agent-start and in the systemd unit", () => {
    const psm1 = readFileSync(join(REPO_ROOT, 'module', 'JumpCloudADI.psm1'), 'utf8');
    const list = Object.entries(AGENT_LINUX_ENV).map(([name, value]) => `'${name}=${value}'`);
    assert.ok(list.length > 0);
    assert.ok(psm1.includes(`$script:JCAgentLinuxEnvironment = @(${list.join(', ')})`), 'module/JumpCloudADI.psm1 sets the same malloc environment');
  });
});
