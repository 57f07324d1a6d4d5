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
// stdin: { dc, jumpcloud: { baseUrl, apiKey, caFile }, domain, rootDN, names }
// stdout: { users, groups } read (the bench checks them).
import { readFileSync } from 'node:fs';
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
  const client = new JumpCloudClient({ baseUrl: jumpcloud.baseUrl, apiKey: jumpcloud.apiKey, ca: readFileSync(jumpcloud.caFile, 'utf8'), timeoutMs: 60_000 });
  const session = await AdSession.open(input.dc);
  try {
    const domain = await findDomain(client, input.domain);
    const [desired, actual] = await Promise.all([
      gatherDesired(client, domain.id),
      readActualState(session, { rootDN: input.rootDN, candidateNames: input.names }),
    ]);
    process.stdout.write(`${JSON.stringify({ users: actual.users.length, groups: actual.groups.length, desiredUsers: desired.users.length })}\n`);
  } finally {
    client.close();
    await session.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
