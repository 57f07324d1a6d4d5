// Watches an ADI domain's primary agent in the JumpCloud sandbox while a rolling upgrade runs
// (tests/pester/Integration/SyncFleet.Tests.ps1), and makes one change in JumpCloud during it.
// Every 200 ms it reads the sandbox's admin /info (TLS verified with the sandbox CA) and measures
// how long the domain's primary has been silent (now - its contactAt), or that there is none.
// As soon as the primary's agent process is gone from its pid file (it is stopped for its
// upgrade) it creates the user named in the request, bound to the domain through its group: a
// change made while the primary restarts. It stops when the stop file appears and prints one line:
//   {samples, maxSilenceMs, noPrimarySamples, primaries: [ids in order], changeMadeAt, silenceAtChangeMs}
//   node PrimaryMonitor.mjs  < {url, caFile, apiKeyFile, domain, stopFile, primaryPidFile, primaryPid,
//                               user: {username, email, firstname, lastname, groups}}
import { Buffer } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { sandboxAdmin } from '../../../scripts/sandbox-admin.mjs';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const result = { samples: 0, maxSilenceMs: 0, noPrimarySamples: 0, primaries: [], changeMadeAt: null, silenceAtChangeMs: null };
const primaryRuns = () => existsSync(request.primaryPidFile) && readFileSync(request.primaryPidFile, 'utf8').trim() === String(request.primaryPid);
while (!existsSync(request.stopFile)) {
  const [info] = await sandboxAdmin(request, [{ method: 'GET', path: '/info' }]);
  const domain = info.domains.find((d) => d.domain === request.domain);
  const now = Date.parse(info.clock.now);
  const primary = domain?.primaryAgent ? domain.agents.find((a) => a.id === domain.primaryAgent) : undefined;
  result.samples += 1;
  if (!primary) {
    result.noPrimarySamples += 1;
  } else {
    if (result.primaries.at(-1) !== primary.id) result.primaries.push(primary.id);
    const silence = primary.contactAt ? now - Date.parse(primary.contactAt) : Number.POSITIVE_INFINITY;
    result.maxSilenceMs = Math.max(result.maxSilenceMs, silence);
    if (result.changeMadeAt === null && !primaryRuns()) {
      await sandboxAdmin(request, [{ method: 'POST', path: '/users', body: request.user }]);
      result.changeMadeAt = new Date().toISOString();
      result.silenceAtChangeMs = silence;
    }
  }
  await sleep(200);
}
process.stdout.write(`${JSON.stringify(result)}\n`);
