// The agent's NODE_OPTIONS (AGENT_NODE_OPTIONS, empty: the engine sets its V8 flags itself) is set
// by three launchers in three languages: agent-start (install.ts), the Windows service host (C#) and
// the systemd unit the module writes (PowerShell). They must be the same value: each is checked
// against the engine's constant here; so are glibc's malloc settings (Linux only), which the
// module's exec gives every engine run too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AGENT_NODE_OPTIONS, ENGINE_LINUX_ENV } from '../../../engine/src/agent/install';
import { REPO_ROOT } from '../helpers/testdc';

describe("the agent's NODE_OPTIONS and malloc settings", () => {
  it('hold no V8 flag: the engine sets its own (a flag there makes V8 reject the code cache)', () => {
    assert.equal(AGENT_NODE_OPTIONS, '');
  });
  it('are the same in the Windows service host and in the systemd unit', () => {
    const cs = readFileSync(join(REPO_ROOT, 'engine', 'service-host', 'AgentSupervisor.cs'), 'utf8');
    assert.match(cs, new RegExp(`AgentNodeOptions = "${AGENT_NODE_OPTIONS}";`));
    const psm1 = readFileSync(join(REPO_ROOT, 'module', 'JumpCloudADI.psm1'), 'utf8');
    assert.match(psm1, new RegExp(`\\$script:JCAgentNodeOptions = '${AGENT_NODE_OPTIONS}'`));
  });
  it("glibc's malloc settings are the same in agent-start, the systemd unit and the module's exec", () => {
    const psm1 = readFileSync(join(REPO_ROOT, 'module', 'JumpCloudADI.psm1'), 'utf8');
    const list = Object.entries(ENGINE_LINUX_ENV).map(([name, value]) => `'${name}=${value}'`);
    assert.ok(list.length > 0);
    assert.ok(psm1.includes(`$script:JCEngineLinuxEnvironment = @(${list.join(', ')})`), 'module/JumpCloudADI.psm1 sets the same malloc environment');
    const unit = readFileSync(join(REPO_ROOT, 'module', 'Private', 'GetJCSystemdUnitText.ps1'), 'utf8');
    assert.match(unit, /\$script:JCEngineLinuxEnvironment \| ForEach-Object/, 'the systemd unit writes them');
    const exec = readFileSync(join(REPO_ROOT, 'module', 'Private', 'InvokeJCEngine.ps1'), 'utf8');
    assert.match(exec, /foreach \(\$setting in \$script:JCEngineLinuxEnvironment\)/, "the module's exec gives them to the engine");
  });
});
