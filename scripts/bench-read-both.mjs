// The no-op benchmark's second baseline (scripts/bench-sync.mjs bundles and runs it): read both
// sides of a sync as the in-process baseline does (JumpCloud and AD at the same time, with the
// engine's own client and reader), but as the engine runs: a fresh process, the engine's heap
// settings (tuneHeap: the 1 MB young generation, 10% old-generation growth) and the launcher's
// malloc settings. Its time beside the engine's is what a reconcile adds to reading (its checks at
// start, the anchor proofs, planning); beside the in-process baseline, what a fresh process with
// the small heap costs the same reading.
// The heap is tuned before the reader's code is loaded, as the engine's main.ts does: loading
// first let V8 grow the young generation to 2 × 2 MB at start (everything made while loading
// survives), which tuneHeap then kept (measured: 154 scavenges for this reading, against 444 in
// the engine; docs/memory.md).
// With `readings` > 1 it reads again in the same process, the client made afresh each time as the
// in-process baseline does: the later readings are a warm reader with the engine's settings, the
// baseline of the agent's scheduled reconcile (a warm process too).
// stdin: { dc, jumpcloud: { baseUrl, apiKey, caFile }, domain, rootDN, names, readings? }
// stdout: { users, groups, desiredUsers } read (the bench checks them), readingsMs (each reading's time).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tuneHeap } from '../engine/src/util/heap.ts';

tuneHeap();

async function main() {
  const [{ readActualState }, { AdSession }, { JumpCloudClient }, { findDomain, gatherDesired }] = await Promise.all([
    import('../engine/src/ad/directory.ts'),
    import('../engine/src/ad/session.ts'),
    import('../engine/src/jumpcloud/client.ts'),
    import('../engine/src/sync/gather.ts'),
  ]);
  const input = JSON.parse(readFileSync(0, 'utf8'));
  const { jumpcloud } = input;
  const session = await AdSession.open(input.dc);
  const readingsMs = [];
  let read;
  try {
    for (let i = 0; i < (input.readings ?? 1); i++) {
      const started = performance.now();
      const client = new JumpCloudClient({
        baseUrl: jumpcloud.baseUrl,
        apiKey: jumpcloud.apiKey,
        ca: readFileSync(jumpcloud.caFile, 'utf8'),
        timeoutMs: 60_000,
      });
      try {
        const domain = await findDomain(client, input.domain);
        const [desired, actual] = await Promise.all([
          gatherDesired(client, domain.id),
          readActualState(session, { rootDN: input.rootDN, candidateNames: input.names }),
        ]);
        read = { users: actual.users.length, groups: actual.groups.length, desiredUsers: desired.users.length };
      } finally {
        client.close();
      }
      readingsMs.push(performance.now() - started);
    }
    process.stdout.write(`${JSON.stringify({ ...read, readingsMs })}\n`);
  } finally {
    await session.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
